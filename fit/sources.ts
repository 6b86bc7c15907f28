/**
 * @fileoverview The presynaptic side of every neuron's problem: which sources spike at which step,
 * and so which weight columns (source s, delay d) are active at step k — those with Z_s[k − d] = 1.
 *
 * Sources are numbered inputs first (the `--input` raster, 0..M−1), then the fitted layer's own
 * neurons (M..M+N−1) when recurrent connections are fitted. Weight column of (s, d) is s·D + d − 1.
 */
import type { Raster } from "./raster.ts";
import type { FitTarget } from "./target.ts";

export interface Sources {
  /** Number of sources S (inputs + recurrent neurons). */
  count: number;
  inputCount: number;
  recurrent: boolean;
  steps: number;
  delays: number;
  /** Sources spiking at step t: index[start[t] .. start[t+1]-1] (CSR by step). */
  start: Int32Array;
  index: Int32Array;
  /** 1 for a source that spikes at least once before the last step (its weights matter). */
  used: Uint8Array;
}

export function buildSources(raster: Raster, input: Raster | null, recurrent: boolean, delays: number): Sources {
  const inputCount = input?.neurons ?? 0;
  const count = inputCount + (recurrent ? raster.neurons : 0);
  const steps = raster.steps;
  const start = new Int32Array(steps + 1);
  const index: number[] = [];
  const used = new Uint8Array(count);
  for (let t = 0; t < steps; t++) {
    const push = (s: number) => {
      index.push(s);
      if (t < steps - 1) used[s] = 1;
    };
    if (input) for (let j = 0; j < inputCount; j++) if (input.spikes[t * inputCount + j]) push(j);
    if (recurrent) for (let j = 0; j < raster.neurons; j++) if (raster.spikes[t * raster.neurons + j]) push(inputCount + j);
    start[t + 1] = index.length;
  }
  return { count, inputCount, recurrent, steps, delays, start, index: Int32Array.from(index), used };
}

/** Calls visit(column) for every weight column active at step k (a source spike at k − d, d = 1..D). */
export function forEachActiveColumn(sources: Sources, k: number, visit: (column: number) => void): void {
  const D = sources.delays;
  for (let d = 1; d <= D && d <= k; d++) {
    const t = k - d;
    for (let p = sources.start[t]; p < sources.start[t + 1]; p++) visit(sources.index[p] * D + d - 1);
  }
}

/** Number of active weight columns at step k (for the rounding bounds). */
export function activeCount(sources: Sources, k: number): number {
  let n = 0;
  for (let d = 1; d <= sources.delays && d <= k; d++) n += sources.start[k - d + 1] - sources.start[k - d];
  return n;
}

/** The neuron's own spike train: own[k] = Z_i[k]. */
export function ownSpikes(raster: Raster, neuron: number): Uint8Array {
  const out = new Uint8Array(raster.steps);
  for (let t = 0; t < raster.steps; t++) out[t] = raster.spikes[t * raster.neurons + neuron];
  return out;
}

/**
 * Per-step bounds (LSB) on how far the chip's integer potential can drift from the real-valued
 * model V[k] = g_k·V[k−1] + x_k·w (g_k = γ unless the neuron spiked at k − 1, then 0):
 *  - decay rounding: |decay(x) − γx| < 1 each time a non-zero potential decays (never when γ is 0
 *    or 1), plus ½ LSB from rounding the initial potential; the error decays with γ like V does;
 *  - with `weightRounding`, also rounding each active weight (and the drive) to its grid: half a
 *    grid step per active column. A real solution that keeps these margins stays exact after rounding.
 */
export function driftBounds(own: Uint8Array, sources: Sources, target: FitTarget, weightRounding: boolean): Float64Array {
  const steps = own.length;
  const bound = new Float64Array(steps);
  const gamma = target.gammaRealised;
  const decayError = target.decayExact ? 0 : 1;
  const halfWeight = target.weights.stepLsb / 2;
  const halfBias = target.bias.stepLsb / 2;
  bound[0] = 0.5;
  for (let k = 1; k < steps; k++) {
    const g = own[k - 1] ? 0 : gamma;
    let e = g * bound[k - 1] + (g > 0 ? decayError : 0);
    if (weightRounding) e += activeCount(sources, k) * halfWeight + halfBias;
    bound[k] = e;
  }
  return bound;
}
