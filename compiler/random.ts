/**
 * @fileoverview The compiler's seeded PRNG (weight initialisers, sparse connectivity, initial
 * voltages). Documented in docs/ir.md: a stream is identified by (network seed, a string label such
 * as the projection name); each stream is a sequence of `mix` hashes of a counter, using the same
 * lowbias32 finaliser as the chip's PRNG (docs/chip.md §6), so it is reproducible on every platform.
 */

/** lowbias32 (a bijection on u32). */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a hash of a label, so that each declaration gets its own stream. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class Random {
  private counter = 0;
  private readonly key: number;
  private spareNormal: number | null = null;

  constructor(seed: number, label: string) {
    this.key = mix32((seed >>> 0) ^ mix32(hashLabel(label)));
  }

  /** Next u32. */
  nextU32(): number {
    this.counter = (this.counter + 1) >>> 0;
    return mix32(this.key ^ mix32(this.counter));
  }

  /** Uniform in [0, 1) with 53 bits. */
  uniform(): number {
    const high = this.nextU32() >>> 5;
    const low = this.nextU32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }
}
