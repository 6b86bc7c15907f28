/**
 * @fileoverview The exact check of one fitted neuron: its integer weights run through the chip's own
 * neuron update (emulator/reference/neuron.ts, so the arithmetic is the emulator's, bit for bit),
 * driven by the *observed* presynaptic spikes. If every neuron reproduces its own spike train this
 * way, the whole network reproduces the raster (by induction over steps), which the closed-loop
 * emulator run then confirms.
 */
import { toInt32 } from "../emulator/reference/arithmetic.ts";
import { updateNeuron, type NeuronState } from "../emulator/reference/neuron.ts";
import { forEachActiveColumn, type Sources } from "./sources.ts";
import { initialVoltageFor, type FitTarget } from "./target.ts";
import type { ColumnLayout } from "./neuron-problem.ts";

/** One neuron's fitted integers. */
export interface NeuronSolution {
  /** Weight mantissas by weight column s·D + d − 1. */
  mantissas: Int32Array;
  /** Mantissa of the constant drive (the bias). */
  biasMantissa: number;
  /** decay(v_init): the potential the neuron starts step 0 with, LSB. */
  initialLsb: number;
  /** v_init in LSB. */
  initialVoltage: number;
}

export interface OpenLoopRun {
  spikes: Uint8Array;
  /** Potential after each step's update (what `probe N.v` records). */
  potentials: Int32Array;
}

export interface Mismatch {
  /** Observed spikes not produced. */
  missed: number;
  /** Produced spikes not observed. */
  extra: number;
  /** First step where they differ, −1 if none. */
  firstStep: number;
}

/** Rounds a solver point to the grids: mantissas to nearest (clamped), initial potential to an LSB. */
export function roundSolution(values: Float64Array, layout: ColumnLayout, target: FitTarget, initialLsb: number | null = null): NeuronSolution {
  const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(x)));
  const mantissas = new Int32Array(layout.weightColumn.length);
  layout.weightColumn.forEach((c, column) => {
    if (c >= 0) mantissas[column] = clamp(values[c], target.weights.minMantissa, target.weights.maxMantissa);
  });
  const biasMantissa = clamp(values[layout.biasColumn], target.bias.minMantissa, target.bias.maxMantissa);
  let initial = initialLsb ?? clamp(values[layout.potentialStart] * target.thetaLsb, -target.maxInitialLsb, target.maxInitialLsb);
  let initialVoltage = initialVoltageFor(initial, target);
  if (initialVoltage === null) {
    initial = 0;
    initialVoltage = 0;
  }
  return { mantissas, biasMantissa, initialLsb: initial, initialVoltage };
}

/** Runs the neuron on the chip's arithmetic, fed by the observed source spikes. */
export function runOpenLoop(solution: NeuronSolution, sources: Sources, target: FitTarget): OpenLoopRun {
  const steps = sources.steps;
  const spikes = new Uint8Array(steps);
  const potentials = new Int32Array(steps);
  const state: NeuronState = { u: 0, v: solution.initialVoltage, refractory: 0 };
  const weightLsb = target.weights.stepLsb;
  const biasLsb = solution.biasMantissa * target.bias.stepLsb;
  for (let k = 0; k < steps; k++) {
    let input = k >= 1 ? biasLsb : 0;
    forEachActiveColumn(sources, k, (column) => {
      input = toInt32(input + solution.mantissas[column] * weightLsb);
    });
    spikes[k] = updateNeuron(state, input, target.neuron, target.chip.formats) ? 1 : 0;
    potentials[k] = state.v;
  }
  return { spikes, potentials };
}

export function compareTrains(observed: Uint8Array, produced: Uint8Array): Mismatch {
  let missed = 0;
  let extra = 0;
  let firstStep = -1;
  for (let k = 0; k < observed.length; k++) {
    if (observed[k] === produced[k]) continue;
    if (observed[k]) missed++;
    else extra++;
    if (firstStep < 0) firstStep = k;
  }
  return { missed, extra, firstStep };
}

/** Steps where the produced potentials differ from the observed ones. */
export function potentialMismatches(observed: Int32Array, produced: Int32Array): { count: number; maxAbs: number } {
  let count = 0;
  let maxAbs = 0;
  for (let k = 0; k < observed.length; k++) {
    const d = Math.abs(observed[k] - produced[k]);
    if (d > 0) count++;
    maxAbs = Math.max(maxAbs, d);
  }
  return { count, maxAbs };
}
