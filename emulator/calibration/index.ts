/**
 * @fileoverview The chip's calibration unit (docs/chip.md §10): online data-aware calibration of the
 * hetquant columns that carry `calibration` registers in the IR. `createCalibratingChip(emulator)`
 * wraps either emulator (reference or wasm): each `runSample` runs the sample, then the unit's
 * learning-hook phase — it observes the 16-bit encoder probabilities of every input frame the sample
 * used (per feature: min/max registers and a histogram, registers.ts), recomputes the mantissas of
 * every column that saw a nonzero value, and writes them into synapse memory through the emulator's
 * `writeProjectionWeights`. The arithmetic is registers.ts, shared, so both emulators end with the
 * same weights, spikes and counters. Browser-safe.
 *
 * Cost model (neurocc's own, like docs/chip.md §7): each feature's work runs on the core that holds
 * its column's first neuron, at CALIBRATION_OP_CYCLES per operation; the phase lasts as long as the
 * busiest core, and costs one synaptic event's energy per cycle of work plus static energy over the
 * phase. The phase is added to the run's counters (`perCore.cycles`, `latencyCycles`, `energyPj`;
 * not to the per-step arrays, since it follows the last step).
 */
import type { ChipNetwork, OnlineCalibration } from "../../compiler/ir.ts";
import { coreCount, neuronCores } from "../reference/counters.ts";
import type { Emulator, RunOptions, RunResult } from "../types.ts";
import {
  addRegisterWork, columnMantissas, createFeatureRegisters, emptyRegisterWork, histogramQuantiles, observe,
  type FeatureRegisters, type RegisterWork,
} from "./registers.ts";

export { BIN_COUNTER_LIMIT, type FeatureRegisters, type RegisterWork } from "./registers.ts";
export { SynapseWriteError, withProjectionWeights } from "./synapse-memory.ts";

/**
 * Cycles per operation: an observation is two compares and a counter increment; a division is a
 * radix-2 divider with a 16-bit quotient plus two cycles to load and store.
 */
export const CALIBRATION_OP_CYCLES = { observation: 3, binMove: 1, binScan: 1, division: 18, weightWrite: 1 } as const;

/** Operation counts, and what they cost. */
export interface CalibrationWork extends RegisterWork {
  /** Cycles of the calibration phases (the busiest core of each, summed over samples). */
  cycles: number;
  energyPj: number;
  samples: number;
}

/** The unit's state for one calibrated projection. */
export interface CalibrationUnit {
  readonly projection: number;
  readonly name: string;
  /** The rate input whose encoder values the unit observes. */
  readonly source: number;
  readonly spec: OnlineCalibration;
  /** Largest mantissa the projection stores (unsigned sign mode, in a 16-bit word). */
  readonly largestMantissa: number;
  readonly features: FeatureRegisters[];
  /** The projection's dense mantissas as the chip holds them now. */
  readonly weights: Int32Array;
  /** Core that does each feature's work (its column's first neuron's). */
  readonly featureCore: Int32Array;
}

export interface CalibratingChip {
  readonly units: readonly CalibrationUnit[];
  /** Totals since creation. */
  readonly work: CalibrationWork;
  /** Runs one sample, then the calibration phase; the result's totals include the phase. */
  runSample(options: RunOptions): { result: RunResult; calibration: CalibrationWork };
  /** The network with the mantissas the chip holds now. */
  network(): ChipNetwork;
}

/** The network has no projection to calibrate, or the emulator cannot write weights. */
export class CalibrationUnitError extends Error {}

export function emptyCalibrationWork(): CalibrationWork {
  return { ...emptyRegisterWork(), cycles: 0, energyPj: 0, samples: 0 };
}

export function createCalibratingChip(emulator: Emulator): CalibratingChip {
  const network = emulator.network;
  const units = calibrationUnits(network);
  if (units.length === 0) throw new CalibrationUnitError(`${network.name} has no hetquant projection with online calibration (hetquant(..., online = 1))`);
  const cores = coreCount(network.chip, network.placement);
  const work = emptyCalibrationWork();
  return {
    units,
    work,
    runSample(options) {
      const result = emulator.run(options);
      const coreCycles = new Float64Array(cores);
      const phase = emptyCalibrationWork();
      for (const unit of units) {
        if (calibrationPhase(unit, options, coreCycles, phase)) emulator.writeProjectionWeights(unit.projection, unit.weights);
      }
      const { chip } = network;
      let busiest = 0;
      let allCycles = 0;
      for (let c = 0; c < cores; c++) {
        busiest = Math.max(busiest, coreCycles[c]);
        allCycles += coreCycles[c];
        result.perCore.cycles[c] += coreCycles[c];
      }
      phase.cycles = busiest;
      phase.energyPj = allCycles * chip.energy.pjPerSynapticEvent + busiest * chip.energy.pjPerCycleStatic;
      phase.samples = 1;
      result.latencyCycles += phase.cycles;
      result.energyPj += phase.energyPj;
      addCalibrationWork(work, phase);
      return { result, calibration: phase };
    },
    network: () => emulator.network,
  };
}

export function addCalibrationWork(into: CalibrationWork, work: CalibrationWork): void {
  addRegisterWork(into, work);
  into.cycles += work.cycles;
  into.energyPj += work.energyPj;
  into.samples += work.samples;
}

function calibrationUnits(network: ChipNetwork): CalibrationUnit[] {
  const neuronCount = network.populations.reduce((n, p) => Math.max(n, p.firstNeuron + p.size), 0);
  const coreOf = neuronCores(network.placement, (p) => network.populations[p].firstNeuron, neuronCount);
  const units: CalibrationUnit[] = [];
  network.projections.forEach((projection, index) => {
    const spec = projection.calibration;
    if (!spec) return;
    const target = network.populations[projection.target];
    units.push({
      projection: index,
      name: projection.name.replace(/#\d+$/, ""),
      source: projection.source,
      spec,
      largestMantissa: Math.min(32767, 2 ** projection.weightBits - 1),
      features: Array.from({ length: spec.features }, () => createFeatureRegisters(spec.histogramBinsLog2)),
      weights: Int32Array.from(projection.connectivity.weights),
      featureCore: Int32Array.from({ length: spec.features }, (_, i) => coreOf[target.firstNeuron + i * spec.duplication]),
    });
  });
  return units;
}

/**
 * One unit's phase after a sample: observe the frames the sample used (frame min(t, frames − 1) at
 * step t, so min(frames, steps) of them), recompute the columns that saw data, price the work per
 * core. Returns whether any mantissa was recomputed (then the caller writes synapse memory).
 */
function calibrationPhase(unit: CalibrationUnit, options: RunOptions, coreCycles: Float64Array, phase: CalibrationWork): boolean {
  const table = options.encoders[unit.source];
  const { features: featureCount, duplication } = unit.spec;
  const probability = table?.probability;
  const framesUsed = probability ? Math.min(table.frames ?? Math.floor(probability.length / featureCount), options.steps) : 0;
  let recomputed = false;
  for (let i = 0; i < featureCount; i++) {
    const reg = unit.features[i];
    const work = emptyRegisterWork();
    for (let f = 0; f < framesUsed; f++) observe(reg, Math.min(65536, probability![f * featureCount + i]), work);
    if (reg.dirty) {
      const quantiles = histogramQuantiles(reg, duplication, work);
      const mantissas = columnMantissas(reg, quantiles, unit.spec.limitQ16, unit.spec.numerator, unit.largestMantissa, work);
      for (let m = 0; m < duplication; m++) unit.weights[(i * duplication + m) * featureCount + i] = mantissas[m];
      work.weightWrites += duplication;
      reg.dirty = false;
      recomputed = true;
    }
    coreCycles[unit.featureCore[i]] += priceCycles(work);
    addRegisterWork(phase, work);
  }
  return recomputed;
}

function priceCycles(work: RegisterWork): number {
  const c = CALIBRATION_OP_CYCLES;
  return work.observations * c.observation + work.binMoves * c.binMove + work.binScans * c.binScan + work.divisions * c.division + work.weightWrites * c.weightWrite;
}
