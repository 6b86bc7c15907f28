/**
 * @fileoverview Neuron update of one non-input population for one step (docs/chip.md §4), in a
 * SIMD form (i32x4; four vectors, 16 neurons, per loop iteration) and a scalar form (the same rule
 * one neuron at a time, kept for measurement and as a second implementation the tests compare).
 *
 * Both are written once as generic functions whose type arguments are compile-time flags
 * (multiply or shift decay, refractory or not, reset subtract or to a value); the dispatch below
 * instantiates every combination, so each variant's loop holds only the work its population needs.
 * (An `@inline` template with boolean arguments does not work: binaryen's code folding merges the
 * inlined copies before the constants are propagated, leaving the branches inside the loop.)
 *
 * State widths (docs/chip.md §2): u wraps by Lava's single correction around ±H, v saturates to
 * ±vmax, the accumulator is a wrapping i32. The sums `decay(u) + a` and `decay(v) + u + bias` are
 * taken in i32 (modulo 2^32, as in Lava's int32 arrays and in emulator/reference/neuron.ts) before
 * the wrap correction / the saturation. For states in range they never come near 2^31; the rule
 * only decides what happens after a current too large for one wrap correction.
 */
import {
  P_BASE, P_SIZE, P_GLOBAL, P_CPARAM, P_VPARAM, P_CMASK, P_VMASK, P_THRESHOLD, P_BIAS,
  P_RESET_VALUE, P_REFRACTORY,
} from "../core-layout";
import { gV, gU, gRef, gWrapHi, gWrapLo, gTwoH, gVmax, gList, gOut, rd, emit } from "./state";

/**
 * sign(x) · ((|x| · r) >> 12) in four lanes without 64-bit products. With hi = x >> 12 (arithmetic)
 * and lo = x & 4095 ≥ 0, x·r/4096 = hi·r + lo·r/4096 where hi·r is an integer, so rounding toward
 * zero is hi·r + floor(lo·r / 4096) for x ≥ 0 and hi·r + ceil(lo·r / 4096) for x < 0 (the ceiling
 * is (lo·r + 4095) >> 12). |hi·r| ≤ 2^31 and lo·r + 4095 < 2^24, so nothing overflows; this is the
 * split form of docs/chip.md §2 with the sign folded into the rounding (9 ops instead of 10).
 */
// @ts-ignore: decorator
@inline function mdecay4(x: v128, r: v128, low12: v128): v128 {
  const hi = i32x4.mul(i32x4.shr_s(x, 12), r);
  const round = v128.and(i32x4.shr_s(x, 31), low12); // 4095 for negative x: round up toward zero
  const lo = i32x4.shr_u(i32x4.add(i32x4.mul(v128.and(x, low12), r), round), 12);
  return i32x4.add(hi, lo);
}

/** x − (x >> shift), with mask 0 standing for shift 31 ("no decay"). */
// @ts-ignore: decorator
@inline function sdecay4(x: v128, shift: i32, mask: v128): v128 {
  return i32x4.sub(x, v128.and(i32x4.shr_s(x, shift), mask));
}

// @ts-ignore: decorator
@inline function mdecay1(x: i32, r: u32): i32 {
  const m = <u32>(x < 0 ? -x : x);
  const p = <i32>((m >>> 12) * r + (((m & 4095) * r) >>> 12));
  return x < 0 ? -p : p;
}

/** Byte offsets 0, 16, 32, 48 carried by type arguments (their sizes), for constant access offsets. */
@unmanaged class O0 {}
@unmanaged class O16 { a: v128; }
@unmanaged class O32 { a: v128; b: v128; }
@unmanaged class O48 { a: v128; b: v128; c: v128; }

/** Compile-time flag carried by a type argument: `Y` is true, `N` is false. */
type Y = u8;
type N = u16;
// @ts-ignore: decorator
@inline function on<T>(): bool {
  return sizeof<T>() == 1;
}

/**
 * Four neurons starting at internal index i. Returns the lane mask of their spikes. Inlined four
 * times per loop iteration: V8 does not unroll loops, and independent chains in one iteration
 * measured ~15 % (two) and ~25 % (four) faster than one on CUBA-4000.
 */
// @ts-ignore: decorator
@inline function vec4<Mul, Ref, Sub, Off>(
  ap: usize, up: usize, vp: usize, rp: usize, cShift: i32, vShift: i32, wrapShift: i32,
  cr: v128, vr: v128, cm: v128, vm: v128, thr: v128, bias: v128, rval: v128, tNow: v128, tEnd: v128,
  hi: v128, lo: v128, vmax: v128, vmin: v128,
): i32 {
  const MULT = on<Mul>(), REFR = on<Ref>(), SUB = on<Sub>();
  const low12 = i32x4.splat(4095), zero = i32x4.splat(0);
  const a = v128.load(ap, offsetof<Off>());
  v128.store(ap, zero, offsetof<Off>());
  // current: decay, add this step's input (i32, wrapping), Lava's single wrap correction;
  // (gt − lt) is −1, 0 or +1 per lane, and shifted by currentBits it is −2H, 0 or +2H
  const u0 = v128.load(up, offsetof<Off>());
  const x = i32x4.add(MULT ? mdecay4(u0, cr, low12) : sdecay4(u0, cShift, cm), a);
  const u = i32x4.add(x, i32x4.shl(i32x4.sub(i32x4.gt_s(x, hi), i32x4.lt_s(x, lo)), wrapShift));
  v128.store(up, u, offsetof<Off>());
  // voltage: decay + u + bias (i32), then saturate
  const v0 = v128.load(vp, offsetof<Off>());
  let nv = i32x4.add(i32x4.add(MULT ? mdecay4(v0, vr, low12) : sdecay4(v0, vShift, vm), u), bias);
  nv = i32x4.min_s(i32x4.max_s(nv, vmin), vmax);
  let sp = i32x4.gt_s(nv, thr);
  if (REFR) {
    const r0 = v128.load(rp, offsetof<Off>());
    const busy = i32x4.gt_s(r0, tNow);
    sp = v128.andnot(sp, busy);
    // spiking lanes (never busy, so r0 ≤ t < tEnd) take tEnd, the others keep r0
    v128.store(rp, i32x4.max_s(r0, v128.and(sp, tEnd)), offsetof<Off>());
    if (SUB) {
      nv = v128.bitselect(i32x4.sub(nv, thr), nv, sp);
      v128.store(vp, v128.bitselect(v0, nv, busy), offsetof<Off>()); // busy lanes hold v
    } else {
      // a busy lane holds v, and v is its reset value since it last spiked: one select does both
      v128.store(vp, v128.bitselect(rval, nv, v128.or(sp, busy)), offsetof<Off>());
    }
  } else {
    v128.store(vp, v128.bitselect(SUB ? i32x4.sub(nv, thr) : rval, nv, sp), offsetof<Off>());
  }
  return i32x4.bitmask(sp);
}

/**
 * The SIMD template: 16 neurons per iteration (populations are padded to POP_ALIGN = 16, so the
 * padding lanes exist; they compute harmlessly and their spikes are masked off). Returns the new
 * number of spikes in this step's list.
 */
function simdKernel<Mul, Ref, Sub>(pop: usize, accRow: usize, nsp: i32, t: i32): i32 {
  const base = rd(pop, P_BASE);
  const end = base + rd(pop, P_SIZE);
  const toGlobal = rd(pop, P_GLOBAL) - base;
  const cShift = rd(pop, P_CPARAM), vShift = rd(pop, P_VPARAM);
  const cr = i32x4.splat(cShift), vr = i32x4.splat(vShift);
  const cm = i32x4.splat(rd(pop, P_CMASK)), vm = i32x4.splat(rd(pop, P_VMASK));
  const thr = i32x4.splat(rd(pop, P_THRESHOLD));
  const bias = i32x4.splat(rd(pop, P_BIAS));
  const rval = i32x4.splat(rd(pop, P_RESET_VALUE));
  const tNow = i32x4.splat(t), tEnd = i32x4.splat(t + rd(pop, P_REFRACTORY) + 1);
  const hi = i32x4.splat(gWrapHi), lo = i32x4.splat(gWrapLo);
  const wrapShift = ctz(gTwoH); // 2H = 2^currentBits; for 32 bits no lane ever wraps
  const vmax = i32x4.splat(gVmax), vmin = i32x4.splat(-gVmax);
  // one pointer per state array, advanced by 64 bytes per iteration; the four vectors use the
  // access's constant offset field (0/16/32/48 bytes, from the size of the Off type argument)
  let ap = accRow + (<usize>base << 2), up = gU + (<usize>base << 2), vp = gV + (<usize>base << 2), rp = gRef + (<usize>base << 2);
  for (let i = base; i < end; i += 16, ap += 64, up += 64, vp += 64, rp += 64) {
    const m0 = vec4<Mul, Ref, Sub, O0>(ap, up, vp, rp, cShift, vShift, wrapShift, cr, vr, cm, vm, thr, bias, rval, tNow, tEnd, hi, lo, vmax, vmin);
    const m1 = vec4<Mul, Ref, Sub, O16>(ap, up, vp, rp, cShift, vShift, wrapShift, cr, vr, cm, vm, thr, bias, rval, tNow, tEnd, hi, lo, vmax, vmin);
    const m2 = vec4<Mul, Ref, Sub, O32>(ap, up, vp, rp, cShift, vShift, wrapShift, cr, vr, cm, vm, thr, bias, rval, tNow, tEnd, hi, lo, vmax, vmin);
    const m3 = vec4<Mul, Ref, Sub, O48>(ap, up, vp, rp, cShift, vShift, wrapShift, cr, vr, cm, vm, thr, bias, rval, tNow, tEnd, hi, lo, vmax, vmin);
    let m = m0 | (m1 << 4) | (m2 << 8) | (m3 << 12);
    if (m) {
      if (i + 16 > end) m &= (1 << (end - i)) - 1; // padding lanes never spike
      nsp = emit(m, i, nsp, toGlobal);
    }
  }
  return nsp;
}

/** The scalar template: the same rule one neuron at a time (for formats checks and measurement). */
function scalarKernel<Mul, Ref, Sub>(pop: usize, accRow: usize, nsp: i32, t: i32): i32 {
  const MULT = on<Mul>(), REFR = on<Ref>(), SUB = on<Sub>();
  const base = rd(pop, P_BASE);
  const end = base + rd(pop, P_SIZE);
  const toGlobal = rd(pop, P_GLOBAL) - base;
  const cp = rd(pop, P_CPARAM), vpar = rd(pop, P_VPARAM);
  const cm = rd(pop, P_CMASK), vm = rd(pop, P_VMASK);
  const thr = rd(pop, P_THRESHOLD), bias = rd(pop, P_BIAS);
  const rval = rd(pop, P_RESET_VALUE), refEnd = t + rd(pop, P_REFRACTORY) + 1;
  const hi = gWrapHi, lo = gWrapLo, twoH = gTwoH;
  const vmax = gVmax;
  const vp = gV, up = gU, rp = gRef;
  for (let i = base; i < end; i++) {
    const off = <usize>i << 2;
    const a = load<i32>(accRow + off);
    store<i32>(accRow + off, 0);
    const u0 = load<i32>(up + off);
    let u = (MULT ? mdecay1(u0, cp) : u0 - ((u0 >> cp) & cm)) + a;
    if (u > hi) u -= twoH;
    else if (u < lo) u += twoH;
    store<i32>(up + off, u);
    if (REFR) {
      if (load<i32>(rp + off) > t) continue;
    }
    const v0 = load<i32>(vp + off);
    let nv = (MULT ? mdecay1(v0, vpar) : v0 - ((v0 >> vpar) & vm)) + u + bias;
    nv = nv > vmax ? vmax : nv < -vmax ? -vmax : nv;
    if (nv > thr) {
      nv = SUB ? nv - thr : rval;
      if (REFR) store<i32>(rp + off, refEnd);
      store<i32>(gList + (<usize>nsp << 2), i);
      store<i32>(gOut + (<usize>nsp << 2), i + toGlobal);
      nsp++;
    }
    store<i32>(vp + off, nv);
  }
  return nsp;
}

/**
 * Updates one neuron population. `variant` = 4·shiftDecay + 2·refractory + resetSubtract, plus 8
 * for the scalar kernel. Every case passes literals so each loop is specialised.
 */
export function updateNeurons(pop: usize, accRow: usize, nsp: i32, variant: i32, t: i32): i32 {
  switch (variant) {
    case 0: return simdKernel<Y, N, N>(pop, accRow, nsp, t);
    case 1: return simdKernel<Y, N, Y>(pop, accRow, nsp, t);
    case 2: return simdKernel<Y, Y, N>(pop, accRow, nsp, t);
    case 3: return simdKernel<Y, Y, Y>(pop, accRow, nsp, t);
    case 4: return simdKernel<N, N, N>(pop, accRow, nsp, t);
    case 5: return simdKernel<N, N, Y>(pop, accRow, nsp, t);
    case 6: return simdKernel<N, Y, N>(pop, accRow, nsp, t);
    case 7: return simdKernel<N, Y, Y>(pop, accRow, nsp, t);
    case 8: return scalarKernel<Y, N, N>(pop, accRow, nsp, t);
    case 9: return scalarKernel<Y, N, Y>(pop, accRow, nsp, t);
    case 10: return scalarKernel<Y, Y, N>(pop, accRow, nsp, t);
    case 11: return scalarKernel<Y, Y, Y>(pop, accRow, nsp, t);
    case 12: return scalarKernel<N, N, N>(pop, accRow, nsp, t);
    case 13: return scalarKernel<N, N, Y>(pop, accRow, nsp, t);
    case 14: return scalarKernel<N, Y, N>(pop, accRow, nsp, t);
    default: return scalarKernel<N, Y, Y>(pop, accRow, nsp, t);
  }
}
