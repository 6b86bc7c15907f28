/**
 * @fileoverview The optimisation problem of one neuron (docs/fit.md, "Equations"), in the sparse
 * state form: one variable per step for the potential V_k, linked by the gIF recursion
 *
 *     V_k − g_k·V_{k−1} − Σ_{(s,d) active at k} (Δw/θ)·m_sd − [k ≥ 1]·(Δb/θ)·β = 0,   g_k = γ·(1 − Z_i[k−1])
 *
 * (Δw, Δb: grid steps in LSB, m, β: mantissas; V in thresholds), plus one row per step that puts
 * V_k on the right side of the threshold by a margin μ:
 *
 *     spike:    V_k − μ ≥ (T + 1 + c_k)/θ        silent:   V_k + μ ≤ (T − c_k)/θ
 *
 * where the chip spikes on v > T and c_k (LSB) is the drift allowance of sources.ts. Maximising μ
 * gives the paper's LP; μ < 0 at the optimum means no weights within the bounds separate the
 * raster. With integer mantissas the same rows make the MILP. (Observed potentials make the
 * problem a plain least-squares one instead: least-squares.ts.)
 */
import { forEachActiveColumn, type Sources } from "./sources.ts";
import { ProblemBuilder, type SparseProblem } from "./solver.ts";
import type { FitTarget } from "./target.ts";

/** Where each unknown sits among the problem's columns. */
export interface ColumnLayout {
  /** Problem column of weight column s·D + d − 1, or −1 when that source never spikes (weight 0). */
  weightColumn: Int32Array;
  biasColumn: number;
  /** First potential column (V_0); the margin column follows the potentials (spike problems). */
  potentialStart: number;
  marginColumn: number;
  numCols: number;
}

/** The largest margin the LP looks for, in thresholds: beyond it, robustness gains nothing. */
export const MARGIN_CAP = 1;

/** Columns: the used sources' weights, the drive, `potentialCount` potentials, then the margin if wanted. */
export function layoutFor(sources: Sources, potentialCount: number, withMargin: boolean): ColumnLayout {
  const D = sources.delays;
  const weightColumn = new Int32Array(sources.count * D).fill(-1);
  let next = 0;
  for (let s = 0; s < sources.count; s++) {
    if (!sources.used[s]) continue;
    for (let d = 0; d < D; d++) weightColumn[s * D + d] = next++;
  }
  const biasColumn = next++;
  const potentialStart = next;
  next += potentialCount;
  const marginColumn = withMargin ? next++ : -1;
  return { weightColumn, biasColumn, potentialStart, marginColumn, numCols: next };
}

/** Column bounds shared by both problem kinds: weights and drive on their mantissa ranges. */
function weightBounds(layout: ColumnLayout, target: FitTarget): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(layout.numCols).fill(-Infinity);
  const upper = new Float64Array(layout.numCols).fill(Infinity);
  for (const c of layout.weightColumn) {
    if (c < 0) continue;
    lower[c] = target.weights.minMantissa;
    upper[c] = target.weights.maxMantissa;
  }
  lower[layout.biasColumn] = target.bias.minMantissa;
  upper[layout.biasColumn] = target.bias.maxMantissa;
  return { lower, upper };
}

/** Appends the input terms of step k (active weights and, from step 1, the drive) with a sign. */
function inputTerms(sources: Sources, layout: ColumnLayout, target: FitTarget, k: number, sign: number, columns: number[], values: number[]): void {
  const weightCoefficient = (sign * target.weights.stepLsb) / target.thetaLsb;
  forEachActiveColumn(sources, k, (column) => {
    const c = layout.weightColumn[column];
    if (c >= 0) {
      columns.push(c);
      values.push(weightCoefficient);
    }
  });
  if (k >= 1) {
    columns.push(layout.biasColumn);
    values.push((sign * target.bias.stepLsb) / target.thetaLsb);
  }
}

export interface SpikeProblem {
  problem: SparseProblem;
  layout: ColumnLayout;
}

/**
 * The spikes-only problem: maximise μ. `drift[k]` is c_k in LSB (a negative allowance relaxes the
 * rows, which the infeasibility certificate uses). `integer` makes weights and drive integers
 * (the MILP) and then requires μ ≥ 0.
 */
export function buildSpikeProblem(own: Uint8Array, sources: Sources, target: FitTarget, drift: Float64Array, integer: boolean): SpikeProblem {
  const steps = own.length;
  const layout = layoutFor(sources, steps, true);
  const { lower, upper } = weightBounds(layout, target);
  const theta = target.thetaLsb;
  // Potentials stay well inside the chip's ranges (no saturation, no current wrap): the real-valued
  // model only describes the chip there.
  for (let k = 1; k < steps; k++) {
    lower[layout.potentialStart + k] = -target.potentialLimitLsb / theta;
    upper[layout.potentialStart + k] = target.potentialLimitLsb / theta;
  }
  lower[layout.potentialStart] = -target.maxInitialLsb / theta;
  upper[layout.potentialStart] = target.maxInitialLsb / theta;
  lower[layout.marginColumn] = integer ? 0 : -Infinity;
  upper[layout.marginColumn] = MARGIN_CAP;
  const cost = new Float64Array(layout.numCols);
  cost[layout.marginColumn] = 1;
  const builder = new ProblemBuilder(layout.numCols, lower, upper, cost);
  const columns: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < steps; k++) {
    const v = layout.potentialStart + k;
    if (k >= 1) {
      columns.length = 0;
      values.length = 0;
      columns.push(v);
      values.push(1);
      if (!own[k - 1] && target.gammaRealised > 0) {
        columns.push(v - 1);
        values.push(-target.gammaRealised);
      }
      inputTerms(sources, layout, target, k, -1, columns, values);
      builder.addRow(columns, values, 0, 0);
    }
    if (own[k]) builder.addRow([v, layout.marginColumn], [1, -1], (target.threshold + 1 + drift[k]) / theta, Infinity);
    else builder.addRow([v, layout.marginColumn], [1, 1], -Infinity, (target.threshold - drift[k]) / theta);
  }
  return { problem: builder.build(true, integer ? { integer: integerColumns(layout) } : {}), layout };
}

/** The MILP's integer columns: weight and drive mantissas. */
function integerColumns(layout: ColumnLayout): Uint8Array {
  const mask = new Uint8Array(layout.numCols);
  for (const c of layout.weightColumn) if (c >= 0) mask[c] = 1;
  mask[layout.biasColumn] = 1;
  return mask;
}

/**
 * With observed potentials P: every silent step k ≥ 1 is the equation x_k·w = P[k] − decay(P[k−1])
 * (least squares with zero residual), every spiking step the inequality x_k·w − μ ≥ T + 1 −
 * decay(P[k−1]); maximise μ. This pins the weights the silent steps identify and lets the spikes
 * decide the rest (a source whose spikes always precede the neuron's own, say, never shows in a
 * silent step). Infeasible when the potentials are not exactly those of a chip gIF.
 */
export function buildPotentialProblem(own: Uint8Array, observed: Int32Array, sources: Sources, target: FitTarget, decay: (v: number) => number, integer: boolean): SpikeProblem {
  const layout = layoutFor(sources, 0, true);
  const { lower, upper } = weightBounds(layout, target);
  lower[layout.marginColumn] = integer ? 0 : -Infinity;
  upper[layout.marginColumn] = MARGIN_CAP;
  const cost = new Float64Array(layout.numCols);
  cost[layout.marginColumn] = 1;
  const builder = new ProblemBuilder(layout.numCols, lower, upper, cost);
  const theta = target.thetaLsb;
  const columns: number[] = [];
  const values: number[] = [];
  for (let k = 1; k < own.length; k++) {
    const before = own[k - 1] ? 0 : decay(observed[k - 1]);
    columns.length = 0;
    values.length = 0;
    inputTerms(sources, layout, target, k, 1, columns, values);
    if (own[k]) {
      columns.push(layout.marginColumn);
      values.push(-1);
      builder.addRow(columns, values, (target.threshold + 1 - before) / theta, Infinity);
    } else {
      const y = (observed[k] - before) / theta;
      builder.addRow(columns, values, y, y);
    }
  }
  return { problem: builder.build(true, integer ? { integer: integerColumns(layout) } : {}), layout };
}
