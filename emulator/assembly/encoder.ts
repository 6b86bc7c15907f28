/**
 * @fileoverview Input encoders (docs/chip.md §5) and the counter-based PRNG (§6).
 *
 * The rate encoder draws `prng(seed, t, i)` for global id i; since each draw depends only on
 * (seed, t, i), four lanes are computed side by side with i32x4 multiplies (mod 2^32, as §6 says).
 * The raster encoder scans 16 bytes at a time. Tables are the host's chunk buffers, padded by
 * 16 bytes so the last vector may read past the population's end; those lanes are masked off.
 */
import { P_BASE, P_SIZE, P_GLOBAL, P_TABLE, P_ROW0, P_FRAMES, P_FIRST_STEP } from "../core-layout";
import { rd, emit } from "./state";

/** lowbias32 finaliser, a bijection on u32. */
// @ts-ignore: decorator
@inline export function mix(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x7FEB352D;
  x ^= x >>> 15;
  x *= 0x846CA68B;
  x ^= x >>> 16;
  return x;
}

// @ts-ignore: decorator
@inline function mix4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7FEB352D));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(<i32>0x846CA68B));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/** The per-step part of the draw: mix(seed ^ mix(t + 0x9E3779B9)). */
// @ts-ignore: decorator
@inline function stepKey(seed: u32, t: u32): u32 {
  return mix(seed ^ mix(t + 0x9E3779B9));
}

/** prng(seed, t, i) of docs/chip.md §6 (exported for tests). */
export function prng(seed: u32, t: u32, i: u32): u32 {
  return mix(stepKey(seed, t) ^ (i * 0x85EBCA6B));
}

/** Rate encoder: neuron i spikes if t ≥ firstSpikeStep and prng(seed, t, i) & 0xFFFF < p. */
export function rateEncoder(pop: usize, t: i32, seed: u32, nsp: i32): i32 {
  if (t < rd(pop, P_FIRST_STEP)) return nsp;
  const base = rd(pop, P_BASE), size = rd(pop, P_SIZE), first = rd(pop, P_GLOBAL);
  const frames = rd(pop, P_FRAMES);
  const frame = (t < frames - 1 ? t : frames - 1) - rd(pop, P_ROW0);
  const table = <usize>rd(pop, P_TABLE) + ((<usize>frame * <usize>size) << 2);
  const key = i32x4.splat(<i32>stepKey(seed, <u32>t));
  const golden = i32x4.splat(<i32>0x85EBCA6B);
  const low16 = i32x4.splat(0xFFFF);
  let gid = i32x4.add(i32x4.splat(first), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
  const four = i32x4.splat(4);
  const toGlobal = first - base;
  for (let j = 0; j < size; j += 4) {
    const h = mix4(v128.xor(key, i32x4.mul(gid, golden)));
    const p = v128.load(table + (<usize>j << 2));
    gid = i32x4.add(gid, four);
    let m = i32x4.bitmask(i32x4.lt_s(v128.and(h, low16), p));
    if (m) {
      if (j + 4 > size) m &= (1 << (size - j)) - 1;
      nsp = emit(m, base + j, nsp, toGlobal);
    }
  }
  return nsp;
}

/** Raster encoder: the table holds one row of `size` bytes per step of the chunk; nonzero = spike. */
export function rasterEncoder(pop: usize, t: i32, nsp: i32): i32 {
  const base = rd(pop, P_BASE), size = rd(pop, P_SIZE);
  const toGlobal = rd(pop, P_GLOBAL) - base;
  const row = <usize>rd(pop, P_TABLE) + <usize>(t - rd(pop, P_ROW0)) * <usize>size;
  const zero = i8x16.splat(0);
  for (let j = 0; j < size; j += 16) {
    let m = i8x16.bitmask(i8x16.ne(v128.load(row + <usize>j), zero));
    if (m) {
      if (j + 16 > size) m &= (1 << (size - j)) - 1;
      nsp = emit(m, base + j, nsp, toGlobal);
    }
  }
  return nsp;
}
