/**
 * @fileoverview Input encoders (docs/chip.md §5) and the counter-based PRNG (§6).
 *
 * The rate encoder draws `prng(seed, t, i)` for global id i; since each draw depends only on
 * (seed, t, i), four lanes are computed side by side with i32x4 multiplies (mod 2^32, as §6 says).
 * The raster encoder scans 16 bytes at a time, the compare encoder (latency, phase) 4 values. Tables
 * are the host's chunk buffers, padded by 16 bytes so the last vector may read past the population's
 * end; those lanes are masked off. The delta encoder keeps each element's previous value in the
 * neuron's v slot and this step's difference in its u slot (input neurons have no membrane).
 */
import {
  P_BASE, P_SIZE, P_GLOBAL, P_TABLE, P_ROW0, P_FRAMES, P_FIRST_STEP, P_CYCLE, P_DELTA_THRESHOLD,
  P_DELTA_FLAGS, P_ELEMENTS,
} from "../core-layout";
import { rd, emit, gV, gU } from "./state";

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

/** Address of the i32 row of frame min(t, frames − 1) in the chunk's table. */
// @ts-ignore: decorator
@inline function frameRow(pop: usize, t: i32, elements: i32): usize {
  const frames = rd(pop, P_FRAMES);
  const frame = (t < frames - 1 ? t : frames - 1) - rd(pop, P_ROW0);
  return <usize>rd(pop, P_TABLE) + ((<usize>frame * <usize>elements) << 2);
}

/**
 * Compare encoder: neuron i spikes when its table value equals the target — t itself (latency,
 * P_CYCLE = 0) or the oscillator's phase (t − firstSpikeStep) mod cycle (phase encoder; nothing
 * before firstSpikeStep). −1 in the table never matches.
 */
export function compareEncoder(pop: usize, t: i32, nsp: i32): i32 {
  const cycle = rd(pop, P_CYCLE);
  let target = t;
  if (cycle > 0) {
    const first = rd(pop, P_FIRST_STEP);
    if (t < first) return nsp;
    target = (t - first) % cycle;
  }
  const base = rd(pop, P_BASE), size = rd(pop, P_SIZE);
  const toGlobal = rd(pop, P_GLOBAL) - base;
  const row = frameRow(pop, t, size);
  const key = i32x4.splat(target);
  for (let j = 0; j < size; j += 4) {
    let m = i32x4.bitmask(i32x4.eq(v128.load(row + (<usize>j << 2)), key));
    if (m) {
      if (j + 4 > size) m &= (1 << (size - j)) - 1;
      nsp = emit(m, base + j, nsp, toGlobal);
    }
  }
  return nsp;
}

/**
 * Delta encoder: d = x_t − previous (previous = 0 at step 0, or x_0 with padding), previous ← x_t;
 * on neuron i spikes if d ≥ threshold, then (with off spikes) off neuron N + i if d ≤ −threshold.
 * Two passes, so that spikes are emitted in id order. Values are within ±2^30 (the host checks),
 * so d fits in an i32.
 */
export function deltaEncoder(pop: usize, t: i32, nsp: i32): i32 {
  const base = rd(pop, P_BASE), n = rd(pop, P_ELEMENTS);
  const toGlobal = rd(pop, P_GLOBAL) - base;
  const threshold = rd(pop, P_DELTA_THRESHOLD), flags = rd(pop, P_DELTA_FLAGS);
  const row = frameRow(pop, t, n);
  const previous = gV + (<usize>base << 2), difference = gU + (<usize>base << 2);
  for (let i = 0; i < n; i++) {
    const x = load<i32>(row + (<usize>i << 2));
    const before = t == 0 ? ((flags & 2) ? x : 0) : load<i32>(previous + (<usize>i << 2));
    const d = x - before;
    store<i32>(previous + (<usize>i << 2), x);
    store<i32>(difference + (<usize>i << 2), d);
    if (d >= threshold) nsp = emit(1, base + i, nsp, toGlobal);
  }
  if (flags & 1) {
    for (let i = 0; i < n; i++) {
      if (load<i32>(difference + (<usize>i << 2)) <= -threshold) nsp = emit(1, base + n + i, nsp, toGlobal);
    }
  }
  return nsp;
}
