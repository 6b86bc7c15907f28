/**
 * @fileoverview Fits one neuron: the cascade of docs/fit.md ("The problems, one per neuron"). Each
 * stage's integer weights are checked exactly (neuron-check.ts); the first that reproduces the
 * neuron's spike train wins, otherwise the neuron is reported infeasible (certified by a relaxed LP)
 * or lost to quantization, with the candidate that misses the fewest spikes.
 *
 *   1. potentials observed: least squares on the exact recursion (least-squares.ts); if the silent
 *      steps leave weights undetermined, the LP that keeps those equations and adds the spikes';
 *   2. LP on the real-valued model, margin covering the decay rounding (drift B_k); round; check;
 *      if its margin is negative, the relaxed LP (drift −B_k) decides "infeasible";
 *   3. robust LP: the margin also covers rounding every weight to its grid, so μ ≥ 0 guarantees it;
 *   4. MILP: integer mantissas, rows with drift B_k, first feasible point within the time limit.
 */
import type { Highs } from "highs";
import { decayVoltage } from "../emulator/reference/neuron.ts";
import { fitPotentials } from "./least-squares.ts";
import { compareTrains, potentialMismatches, roundSolution, runOpenLoop, type Mismatch, type NeuronSolution } from "./neuron-check.ts";
import { buildPotentialProblem, buildSpikeProblem, type ColumnLayout, type SpikeProblem } from "./neuron-problem.ts";
import { solveProblem, type SolveOutcome } from "./solver.ts";
import { driftBounds, type Sources } from "./sources.ts";
import { FitError, type FitTarget } from "./target.ts";

/** Which stages run: the whole cascade, or one formulation alone (to measure it). */
export type FitMethod = "auto" | "lp" | "robust" | "milp";

export type NeuronStatus = "exact" | "infeasible" | "quantization";

export type Stage = "least-squares" | "potentials-lp" | "potentials-milp" | "lp" | "robust-lp" | "milp";

export interface NeuronFit {
  neuron: number;
  status: NeuronStatus;
  /** The stage whose weights are kept (for a failed neuron: the best candidate's). */
  stage: Stage;
  /** Best margin of the real-valued LP (stage 2), LSB; negative when the raster is not separable. */
  marginLsb: number;
  solution: NeuronSolution;
  /** Open-loop check of the kept weights against the neuron's own spike train. */
  mismatch: Mismatch;
  /** With observed potentials: steps whose potential the kept weights do not reproduce. */
  potentialErrors?: { count: number; maxAbs: number };
  /** Why the neuron failed (empty when exact). */
  reason: string;
  solves: number;
  seconds: number;
  /** Size of the stage-2 problem. */
  rows: number;
  columns: number;
}

export interface NeuronFitOptions {
  method: FitMethod;
  timeLimitSeconds: number;
}

/** A solver failure or time-out on a problem that must be solved; the fit stops, nothing is written. */
export class FitSolverError extends FitError {}

interface Candidate {
  stage: Stage;
  solution: NeuronSolution;
  mismatch: Mismatch;
}

export function fitNeuron(
  highs: Highs,
  neuron: number,
  own: Uint8Array,
  sources: Sources,
  target: FitTarget,
  options: NeuronFitOptions,
  observed: Int32Array | null,
): NeuronFit {
  const started = performance.now();
  let solves = 0;
  const candidates: Candidate[] = [];
  const solve = (built: SpikeProblem, what: string, mustSucceed: boolean, firstFeasible = false): SolveOutcome => {
    solves++;
    const outcome = solveProblem(highs, built.problem, { timeLimitSeconds: options.timeLimitSeconds, firstFeasible });
    if (mustSucceed && outcome.status !== "optimal") {
      throw new FitSolverError(`the solver could not finish the ${what} of neuron ${neuron} (${built.problem.numRows} rows, ${built.problem.numCols} columns): ${outcome.detail}${outcome.status === "time-limit" ? "; raise --time-limit" : ""}`);
    }
    return outcome;
  };
  const attempt = (stage: Stage, layout: ColumnLayout, values: Float64Array, initialLsb: number | null = null): Candidate => {
    const solution = roundSolution(values, layout, target, initialLsb);
    const candidate = { stage, solution, mismatch: compareTrains(own, runOpenLoop(solution, sources, target).spikes) };
    candidates.push(candidate);
    return candidate;
  };
  const finish = (status: NeuronFit["status"], reason: string, margin: number, size: SpikeProblem | null): NeuronFit => {
    // Exact: the candidate just checked; otherwise the one that misses the fewest spikes.
    const best = status === "exact" ? candidates[candidates.length - 1] : candidates.reduce((a, b) => (wrongSpikes(b) < wrongSpikes(a) ? b : a));
    const fit: NeuronFit = {
      neuron,
      status,
      stage: best.stage,
      marginLsb: margin,
      solution: best.solution,
      mismatch: best.mismatch,
      reason,
      solves,
      seconds: (performance.now() - started) / 1000,
      rows: size?.problem.numRows ?? 0,
      columns: size?.problem.numCols ?? 0,
    };
    if (observed) fit.potentialErrors = potentialMismatches(observed, runOpenLoop(best.solution, sources, target).potentials);
    return fit;
  };

  if (observed) {
    // Least squares, then (for directions the silent steps leave free) the potentials LP and MILP.
    // A candidate that reproduces the spikes and every potential ends the search; one that gets
    // only the spikes right is kept in case nothing better comes.
    const potentialsMatch = (c: Candidate) => potentialMismatches(observed, runOpenLoop(c.solution, sources, target).potentials).count === 0;
    let spikesOnly: Candidate | null = null;
    const consider = (c: Candidate): boolean => {
      if (!isExact(c)) return false;
      if (potentialsMatch(c)) return true;
      spikesOnly ??= c;
      return false;
    };
    const ls = fitPotentials(own, observed, sources, target);
    if (consider(attempt("least-squares", ls.layout, ls.values, ls.initialLsb))) return finish("exact", "", NaN, null);
    const decay = (v: number) => decayVoltage(v, target.neuron.decay);
    const built = buildPotentialProblem(own, observed, sources, target, decay, false);
    const outcome = solve(built, "potentials LP", false);
    if (outcome.values && outcome.objective >= 0) {
      if (consider(attempt("potentials-lp", built.layout, outcome.values, ls.initialLsb))) return finish("exact", "", NaN, built);
      // Feasible but fractional along directions the data leave free: ask for integers.
      const integral = buildPotentialProblem(own, observed, sources, target, decay, true);
      const found = solve(integral, "potentials MILP", false, true);
      if (found.values && consider(attempt("potentials-milp", integral.layout, found.values, ls.initialLsb))) return finish("exact", "", NaN, built);
    }
    if (spikesOnly) {
      candidates.push(spikesOnly);
      return finish("exact", "", NaN, built);
    }
  }

  const decayDrift = driftBounds(own, sources, target, false);
  const stageTwo = buildSpikeProblem(own, sources, target, options.method === "robust" ? driftBounds(own, sources, target, true) : decayDrift, false);
  let margin = NaN;
  if (options.method !== "milp") {
    const lp = solve(stageTwo, "margin LP", true);
    margin = lp.objective * target.thetaLsb;
    const stage = options.method === "robust" ? "robust-lp" : "lp";
    if (isExact(attempt(stage, stageTwo.layout, lp.values!))) return finish("exact", "", margin, stageTwo);
  }
  if (!(margin >= 0)) {
    // Certificate: relax every row by the whole drift; if even that has no non-negative margin,
    // no integer weights within the bounds can reproduce the train on the chip.
    const relaxed = buildSpikeProblem(own, sources, target, negate(decayDrift), false);
    const outcome = solve(relaxed, "relaxed LP", true);
    const relaxedMargin = outcome.objective * target.thetaLsb;
    if (candidates.length === 0) attempt("lp", relaxed.layout, outcome.values!);
    // With --method milp there is no stage-2 LP: the relaxed one stands in for it.
    if (Number.isNaN(margin)) margin = relaxedMargin;
    if (relaxedMargin < 0) {
      return finish("infeasible", `no weights within the bounds separate its spikes from its silent steps (best margin ${relaxedMargin.toFixed(1)} LSB, even allowing for the chip's rounding)`, margin, stageTwo);
    }
  }
  if (options.method === "lp" || options.method === "robust") return finish("quantization", `rounding the ${options.method === "lp" ? "LP" : "robust LP"}'s weights to the ${target.weights.bits}-bit grid breaks it`, margin, stageTwo);

  if (options.method === "auto" && margin >= 0) {
    const robust = buildSpikeProblem(own, sources, target, driftBounds(own, sources, target, true), false);
    const outcome = solve(robust, "robust LP", true);
    if (isExact(attempt("robust-lp", robust.layout, outcome.values!))) return finish("exact", "", margin, stageTwo);
  }

  const milp = buildSpikeProblem(own, sources, target, decayDrift, true);
  const outcome = solve(milp, "MILP", false, true);
  if (outcome.values && isExact(attempt("milp", milp.layout, outcome.values))) return finish("exact", "", margin, stageTwo);
  if (outcome.status === "failed") throw new FitSolverError(`the solver failed on the MILP of neuron ${neuron}: ${outcome.detail}`);
  const why =
    outcome.status === "time-limit"
      ? `no integer weights found within the ${options.timeLimitSeconds} s time limit`
      : outcome.status === "infeasible"
        ? `no ${target.weights.bits}-bit weights reproduce it with the decay-rounding margin`
        : "the integer weights found still miss spikes";
  return finish("quantization", `the real-valued LP's best margin is ${margin.toFixed(1)} LSB, but ${why}`, margin, stageTwo);
}

function isExact(candidate: Candidate): boolean {
  return candidate.mismatch.missed === 0 && candidate.mismatch.extra === 0;
}

function wrongSpikes(candidate: Candidate): number {
  return candidate.mismatch.missed + candidate.mismatch.extra;
}

function negate(values: Float64Array): Float64Array {
  return values.map((v) => -v);
}
