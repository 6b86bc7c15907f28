/**
 * @fileoverview The host halves of the latency, phase and delta encoders (docs/chip.md §5): the
 * per-element constants that are derived from float input data, computed once per frame before a
 * run. What happens per step (comparisons, the phase counter, delta's previous value) is the chip's
 * (emulator/reference/encoders.ts, emulator/assembly/encoder.ts). Browser-safe.
 *
 * Latency follows snnTorch's `spikegen.latency` / `latency_code` (jeshraghian/snntorch, commit
 * 06e9568; shared/reference/algorithms.md §5) formula for formula, including torch.round's
 * round-half-to-even and its "clamp, then silence the last step" handling of late spikes. torch
 * computes in float32; the arithmetic below rounds to float32 after each operation (Math.fround)
 * so that values on a rounding boundary land on the same step, except where torch's `log` and
 * JavaScript's differ in the last float32 bit.
 */

/** Fraction bits of delta's fixed-point values (Q16.16). */
export const DELTA_FRACTION_BITS = 16;
/** Largest |x·gain·2^16| delta accepts, so that a difference of two values fits in an i32. */
export const DELTA_LIMIT = 2 ** 30;

/** A user error in the data handed to an encoder (shown as one message by the CLI). */
export class EncoderDataError extends Error {}

/** torch.round: to nearest, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface LatencyParams {
  tauSteps: number;
  threshold: number;
  linear: boolean;
  normalize: boolean;
  clip: boolean;
  firstSpikeStep: number;
}

/**
 * snnTorch's latency code for one static frame `x` (already multiplied by the gain) over `steps`
 * steps: the step of each element's single spike, or −1 where snnTorch emits none (clip = true and
 * x < threshold; or the last step when some spike fell beyond it, snnTorch's clamp rule).
 */
export function latencySpikeSteps(x: ArrayLike<number>, steps: number, p: LatencyParams, what: string): Int32Array {
  const f = Math.fround;
  const n = x.length;
  const fst = p.firstSpikeStep;
  const threshold = f(p.threshold);
  if (fst > steps - 1) throw new EncoderDataError(`${what}: first_spike (${fst} steps) must be at most steps − 1 (${steps - 1})`);
  const data = Float32Array.from(x);
  let max = -Infinity;
  let min = Infinity;
  for (const v of data) {
    max = Math.max(max, v);
    min = Math.min(min, v);
  }
  if (fst > 0 && max > 1 && min < 0) throw new EncoderDataError(`${what}: first_spike needs data between 0 and 1 (snnTorch's rule); found ${min} … ${max}`);
  const time = new Float64Array(n);
  if (!p.linear) {
    // Time for a charging RC neuron to reach the threshold: t = τ·ln(x / (x − θ)), x ≥ θ + ε.
    const floor = f(threshold + f(1e-7));
    for (let i = 0; i < n; i++) {
      const d = Math.max(data[i], floor);
      time[i] = f(p.tauSteps * f(Math.log(f(d / f(d - threshold)))));
    }
    if (fst > 0) {
      const earliest = Math.min(...time);
      for (let i = 0; i < n; i++) time[i] = f(time[i] - f(fst * f(f(earliest / fst) - 1)));
    }
    if (p.normalize) {
      let span = 0;
      for (const t of time) span = Math.max(span, f(t - fst));
      // snnTorch divides by max(t − fst); when that is 0 (all inputs equal) every spike sits at fst.
      for (let i = 0; i < n; i++) time[i] = span === 0 ? fst : f(f(f(f(time[i] - fst) * (steps - fst - 1)) / span) + fst);
    }
  } else {
    if (max > 1 && !p.normalize) throw new EncoderDataError(`${what}: the linear latency code needs values ≤ 1 (x·gain = ${max}); set normalize = 1 or lower the gain`);
    const tau = p.normalize ? steps - 1 - fst : p.tauSteps;
    const latest = f(-tau * f(threshold - 1));
    for (let i = 0; i < n; i++) time[i] = f(Math.min(f(-tau * f(data[i] - 1)), latest) + fst);
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of time) {
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
    }
    if (lo < 0 && p.normalize) {
      for (let i = 0; i < n; i++) time[i] = f(f(f(time[i] - lo) * f(1 / f(hi - lo))) * (steps - 1));
    }
  }
  const spikeStep = Int32Array.from(time, (t) => roundHalfEven(t));
  if (spikeStep.some((s) => s < 0)) throw new EncoderDataError(`${what}: the latency code gives a negative spike time; use x·gain ≤ 1 or normalize = 1`);
  // snnTorch: if any spike falls after the last step, all times are clamped to steps − 1 and then that
  // whole last step is silenced (so elements that legitimately fired at steps − 1 are silenced too).
  if (spikeStep.some((s) => s > steps - 1)) {
    for (let i = 0; i < n; i++) {
      const s = roundHalfEven(Math.min(time[i], steps - 1));
      spikeStep[i] = s === steps - 1 ? -1 : s;
    }
  }
  if (p.clip) for (let i = 0; i < n; i++) if (data[i] < threshold) spikeStep[i] = -1;
  return spikeStep;
}

/**
 * Phase within a cycle of `cycleSteps` at which an element of value x' = clamp(x, 0, 1) spikes:
 * ⌊(1 − x')·cycle⌋, capped at cycle − 1, so that stronger inputs fire earlier in the cycle; −1 (never)
 * for x' = 0.
 */
export function phaseStep(x: number, cycleSteps: number): number {
  const v = Math.min(1, Math.max(0, x));
  if (v === 0) return -1;
  return Math.min(cycleSteps - 1, Math.floor((1 - v) * cycleSteps));
}

/** Delta's fixed-point value of x (already multiplied by the gain): round(x·2^16), range-checked. */
export function deltaFixed(x: number, what: string): number {
  const q = Math.round(x * 2 ** DELTA_FRACTION_BITS);
  if (Math.abs(q) > DELTA_LIMIT) throw new EncoderDataError(`${what}: delta encodes |x·gain| ≤ ${DELTA_LIMIT / 2 ** DELTA_FRACTION_BITS}; found ${x}`);
  return q;
}

/** Delta's threshold in the same Q16.16 units (at least 1 LSB). */
export function deltaThresholdFixed(threshold: number): number {
  return Math.max(1, Math.round(threshold * 2 ** DELTA_FRACTION_BITS));
}
