/**
 * @fileoverview The potentials-observed case (docs/fit.md, "Observed potentials"): a linear least-
 * squares problem solved here directly, by normal equations and a Cholesky factorisation that drops
 * dependent columns.
 *
 * With the potential P[k−1] observed, the chip's decay of it is known exactly, decay(P[k−1]) (zero
 * after a spike), so each silent step k ≥ 1 gives one linear equation in the integer unknowns:
 *
 *     Σ_{(s,d) active at k} Δw·m_sd + Δb·β = P[k] − decay(P[k−1])        (LSB)
 *
 * Spiking steps give only inequalities (the potential before the reset is not recorded); they are
 * checked afterwards, exactly, with the rest. Step 0 involves only the initial potential, which
 * P[0] gives. There is no decay rounding left to model, so potentials from the chip itself are
 * matched with zero residual whenever the weights are identifiable.
 *
 * (HiGHS's QP solver would take the spike inequalities into account, but its active-set method
 * took minutes on 300-step neurons; these normal equations take milliseconds.)
 */
import { decayVoltage } from "../emulator/reference/neuron.ts";
import { layoutFor, type ColumnLayout } from "./neuron-problem.ts";
import { forEachActiveColumn, type Sources } from "./sources.ts";
import type { FitTarget } from "./target.ts";

/** Relative size below which a pivot counts as zero (the column depends on earlier ones). */
const PIVOT_TOLERANCE = 1e-10;

export interface LeastSquaresFit {
  /** Solution in the layout's columns (mantissa units; potential columns unused). */
  values: Float64Array;
  layout: ColumnLayout;
  /** decay(v_init) implied by P[0]. */
  initialLsb: number;
  /** Unknowns the data cannot tell apart (set to zero). */
  dependentColumns: number;
}

export function fitPotentials(own: Uint8Array, observed: Int32Array, sources: Sources, target: FitTarget): LeastSquaresFit {
  const layout = layoutFor(sources, 0, false);
  const { weightColumn, biasColumn } = layout;
  const unknowns = layout.numCols;

  // Normal equations G x = h with G = AᵀA, h = Aᵀy, accumulated row by row (rows are sparse).
  const gram = new Float64Array(unknowns * unknowns);
  const rhs = new Float64Array(unknowns);
  const columns: number[] = [];
  const coefficients: number[] = [];
  for (let k = 1; k < own.length; k++) {
    if (own[k]) continue;
    columns.length = 0;
    coefficients.length = 0;
    forEachActiveColumn(sources, k, (column) => {
      columns.push(weightColumn[column]);
      coefficients.push(target.weights.stepLsb);
    });
    columns.push(biasColumn);
    coefficients.push(target.bias.stepLsb);
    const before = own[k - 1] ? 0 : decayVoltage(observed[k - 1], target.neuron.decay);
    const y = observed[k] - before;
    for (let a = 0; a < columns.length; a++) {
      rhs[columns[a]] += coefficients[a] * y;
      for (let b = 0; b < columns.length; b++) gram[columns[a] * unknowns + columns[b]] += coefficients[a] * coefficients[b];
    }
  }
  const { solution, dropped } = solveSemidefinite(gram, rhs, unknowns);
  const initialLsb = own[0] ? Math.min(target.maxInitialLsb, target.threshold + 1) : observed[0];
  return { values: solution, layout, initialLsb, dependentColumns: dropped };
}

/**
 * Solves G x = h for symmetric positive semi-definite G by Cholesky (G = L Lᵀ), giving zero to
 * every unknown whose pivot vanishes (a column that is a combination of earlier ones, or never
 * active): one exact least-squares solution among many when the data cannot identify them all.
 */
export function solveSemidefinite(gram: Float64Array, rhs: Float64Array, n: number): { solution: Float64Array; dropped: number } {
  const lower = new Float64Array(n * n);
  const kept = new Uint8Array(n);
  let largest = 0;
  for (let j = 0; j < n; j++) largest = Math.max(largest, gram[j * n + j]);
  const tolerance = PIVOT_TOLERANCE * Math.max(largest, 1);
  let dropped = 0;
  for (let j = 0; j < n; j++) {
    let pivot = gram[j * n + j];
    for (let k = 0; k < j; k++) pivot -= lower[j * n + k] * lower[j * n + k];
    if (pivot <= tolerance) {
      dropped++;
      continue;
    }
    kept[j] = 1;
    const root = Math.sqrt(pivot);
    lower[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let sum = gram[i * n + j];
      for (let k = 0; k < j; k++) sum -= lower[i * n + k] * lower[j * n + k];
      lower[i * n + j] = sum / root;
    }
  }
  // Forward (L z = h) and back (Lᵀ x = z) substitution over the kept unknowns.
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!kept[i]) continue;
    let sum = rhs[i];
    for (let k = 0; k < i; k++) if (kept[k]) sum -= lower[i * n + k] * z[k];
    z[i] = sum / lower[i * n + i];
  }
  const solution = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (!kept[i]) continue;
    let sum = z[i];
    for (let k = i + 1; k < n; k++) if (kept[k]) sum -= lower[k * n + i] * solution[k];
    solution[i] = sum / lower[i * n + i];
  }
  return { solution, dropped };
}
