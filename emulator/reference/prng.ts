/**
 * @fileoverview The chip's counter-based PRNG (docs/chip.md §6). A draw depends only on
 * (seed, step, neuron id), so it does not matter which core computes it or in which order.
 *
 * All values are u32: `Math.imul` gives the low 32 bits of a product exactly (a plain `*` would
 * lose bits above 2^53), and `>>> 0` reinterprets the result as unsigned.
 */

/** The "lowbias32" finaliser: a bijection on u32 with good avalanche. */
export function mix(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** `prng(seed, t, i) = mix(mix(seed ^ mix(t + 0x9E3779B9)) ^ (i * 0x85EBCA6B))`, all u32. */
export function prng(seed: number, step: number, neuron: number): number {
  const stepHash = mix((step + 0x9e3779b9) >>> 0);
  const seeded = mix((seed ^ stepHash) >>> 0);
  return mix((seeded ^ Math.imul(neuron, 0x85ebca6b)) >>> 0);
}
