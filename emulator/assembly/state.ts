/**
 * @fileoverview Module-level copies of the header fields the kernels use, and the spike sink.
 *
 * The header (emulator/core-layout.ts) lives in linear memory; `runSteps` copies the hot fields
 * into these globals once per call so that the kernels read them as wasm globals, never through
 * the header in the inner loops.
 */

/** i32 word `w` of the record at `p`. */
// @ts-ignore: decorator
@inline export function rd(p: usize, w: i32): i32 {
  return load<i32>(p + (<usize>w << 2));
}

export let gV: usize = 0;
export let gU: usize = 0;
export let gRef: usize = 0;
export let gWrapHi: i32 = 0;
export let gWrapLo: i32 = 0;
export let gTwoH: i32 = 0;
export let gVmax: i32 = 0;
/** This step's spike list (internal ids), and where this step's global ids go in the output. */
export let gList: usize = 0;
export let gOut: usize = 0;

export function setState(
  v: usize, u: usize, ref: usize, wrapHi: i32, wrapLo: i32, twoH: i32, vmax: i32, list: usize,
): void {
  gV = v; gU = u; gRef = ref;
  gWrapHi = wrapHi; gWrapLo = wrapLo; gTwoH = twoH; gVmax = vmax;
  gList = list;
}

export function setOut(out: usize): void {
  gOut = out;
}

/**
 * Appends the spikes of a lane mask (bit j = neuron `first + j`) to the step's list (internal
 * ids, for delivery) and to the output (global ids). Spikes are rare, so this is off the hot path.
 */
// @ts-ignore: decorator
@inline export function emit(mask: i32, first: i32, nsp: i32, toGlobal: i32): i32 {
  const list = gList, out = gOut;
  while (mask) {
    const id = first + ctz(mask);
    store<i32>(list + (<usize>nsp << 2), id);
    store<i32>(out + (<usize>nsp << 2), id + toGlobal);
    nsp++;
    mask &= mask - 1;
  }
  return nsp;
}
