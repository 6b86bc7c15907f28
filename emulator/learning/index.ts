/**
 * @fileoverview Public face of the on-chip learning engine (docs/learning.md §11, docs/chip.md §3
 * phase 3): train one sample, infer one sample, predict by spike count, write the learned mantissas
 * back into the ChipNetwork, and report the chip's cycles and energy for the work done. Browser-safe.
 *
 * Cost model (neurocc's own, like docs/chip.md §7): the forward pass costs what the chip's timing
 * and energy tables say per neuron update, synaptic event and spike; each learning operation (trace
 * update, eligibility multiply-add, tangent multiply-add, error multiply, gradient multiply-add,
 * Adam update, feedback update, weight-average update) costs LEARNING_OP_CYCLES and one synaptic event's energy per cycle,
 * summed over cores (a single-core view: no critical-path parallelism is claimed).
 */
import type { ChipNetwork } from "../../compiler/ir.ts";
import { createChipSampleState, runChipSample, sampleKernelLengths, type ChipSampleState, type InputRaster, type SampleWork } from "./sample.ts";
import { createLearningEngine, engineKernelLengths, type ChipLearningSettings, type LearningEngine } from "./state.ts";
import { findLearningChain } from "./chain.ts";
import { createTypeScriptKernel, createWasmKernel, plannedBytes } from "./kernel.ts";
import { accumulateChipSample, applyChipBatch, emptyUpdateWork, type UpdateWork } from "./update.ts";
import { averagedWeights, networkWithWeights } from "./average.ts";

export { LearningError, findLearningChain } from "./chain.ts";
export { createLearningEngine, DEFAULT_CHIP_LEARNING, learningSettingsOf, type ChipLearningSettings, type LearningEngine, type LearningRule } from "./state.ts";
export type { InputRaster } from "./sample.ts";
export type { KernelName } from "./kernel.ts";
export { withAveragedWeights, hasWeightAverage } from "./average.ts";

/** Cycles per learning operation; the Adam step (two EMAs, a square root, a division) counts 8. */
export const LEARNING_OP_CYCLES = { trace: 1, eligibility: 1, tangent: 1, error: 1, gradient: 1, adam: 8, feedback: 2, average: 1 } as const;

export interface LearningChip {
  readonly engine: LearningEngine;
  readonly state: ChipSampleState;
  /** Work totals since creation (or the last resetWork). */
  readonly forwardWork: SampleWork;
  readonly updateWork: UpdateWork;
}

/**
 * A learning chip. With `wasmKernel` (build/learning.wasm, compiled; emulator/wasm-node.ts loads it)
 * the hot loops run in wasm, otherwise in TypeScript: the same integers either way.
 */
export function createLearningChip(network: ChipNetwork, settings: ChipLearningSettings, seed?: number, wasmKernel?: WebAssembly.Module): LearningChip {
  const kernel = wasmKernel ? createWasmKernel(wasmKernel, learningMemoryBytes(network, settings)) : createTypeScriptKernel();
  const engine = createLearningEngine(network, settings, seed, kernel);
  return { engine, state: createChipSampleState(engine), forwardWork: emptySampleWork(), updateWork: emptyUpdateWork() };
}

/** One training sample: forward pass with the learning hook, batch sums, and the batch update when full. */
export function trainChipSample(chip: LearningChip, input: InputRaster, label: number): Int32Array {
  const { engine, state } = chip;
  runChipSample(engine, state, input, true, engine.samplesSeen);
  engine.samplesSeen++;
  addWork(chip.forwardWork, state.work);
  accumulateChipSample(engine, state, label, chip.updateWork);
  if (engine.samplesInBatch >= engine.settings.batchSize) applyChipBatch(engine, chip.updateWork);
  return outputCounts(chip);
}

/** Bytes of kernel memory one engine and its sample state take (their kernel arrays). */
export function learningMemoryBytes(network: ChipNetwork, settings: ChipLearningSettings): number {
  const chain = findLearningChain(network, settings.output);
  const engine = engineKernelLengths(chain);
  return plannedBytes([...engine.int32, ...sampleKernelLengths(chain, settings.steps)], engine.float64);
}

/** Applies a last partial batch (end of an epoch). */
export function flushChipBatch(chip: LearningChip): void {
  applyChipBatch(chip.engine, chip.updateWork);
}

/** Inference only: the output spike counts. */
export function inferChipSample(chip: LearningChip, input: InputRaster): Int32Array {
  runChipSample(chip.engine, chip.state, input, false);
  return outputCounts(chip);
}

function outputCounts(chip: LearningChip): Int32Array {
  return chip.state.layers[chip.state.layers.length - 1].counts;
}

/** FNV-1a over the 16-bit halves of every layer's learned mantissas and feedback words: a short fingerprint of what the chip learned (runs are bit-reproducible, so equal runs print equal fingerprints). */
export function learnedChecksum(chip: LearningChip): string {
  let hash = 0x811c9dc5;
  const mix = (words: Int32Array) => {
    for (let k = 0; k < words.length; k++) {
      hash = Math.imul(hash ^ (words[k] & 0xffff), 0x01000193);
      hash = Math.imul(hash ^ (words[k] >>> 16), 0x01000193);
    }
  };
  for (const layer of chip.engine.layers) {
    mix(layer.weights);
    if (layer.feedback) mix(layer.feedback);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Spikes per class: the sum over each class's block of `outputsPerClass` output neurons [c·k, (c+1)·k). */
export function classTotals(counts: ArrayLike<number>, outputsPerClass = 1): Int32Array {
  const totals = new Int32Array(Math.floor(counts.length / outputsPerClass));
  for (let o = 0; o < totals.length * outputsPerClass; o++) totals[Math.floor(o / outputsPerClass)] += counts[o];
  return totals;
}

/**
 * The class whose output neurons spiked most in total (classTotals), or −1 when the top total is
 * tied (all silent included): a tie is wrong.
 */
export function predictByCount(counts: ArrayLike<number>, outputsPerClass = 1): number {
  const totals = outputsPerClass === 1 ? counts : classTotals(counts, outputsPerClass);
  let best = 0;
  let tied = false;
  for (let c = 1; c < totals.length; c++) {
    if (totals[c] > totals[best]) {
      best = c;
      tied = false;
    } else if (totals[c] === totals[best]) {
      tied = true;
    }
  }
  return tied ? -1 : best;
}

/** The chip's prediction from its output counts, per its learn block's outputs_per_class. */
export function predictChipClass(chip: LearningChip, counts: ArrayLike<number>): number {
  return predictByCount(counts, chip.engine.settings.outputsPerClass ?? 1);
}

/** A copy of the network with the learned mantissas in its dense projections (same exponents and bits). */
export function networkWithLearnedWeights(chip: LearningChip): ChipNetwork {
  return networkWithWeights(chip.engine, (layer) => Int32Array.from(layer.weights));
}

/** The network as the chip infers with it: the averaged weights with `weight_average`, else the trained ones. */
export function networkForInference(chip: LearningChip): ChipNetwork {
  return networkWithWeights(chip.engine, averagedWeights);
}

export interface LearningCost {
  cycles: number;
  energyPj: number;
  /** Bits of learning state per synapse and per neuron, from the formats (docs/learning.md §11). */
  memoryBitsPerSynapse: number;
}

/** Cycles and energy of the work recorded so far, per the chip's tables plus LEARNING_OP_CYCLES. */
export function learningCost(chip: LearningChip): LearningCost {
  const { timing, energy } = chip.engine.network.chip;
  const f = chip.forwardWork;
  const u = chip.updateWork;
  const forwardCycles = f.neuronUpdates * timing.cyclesPerNeuronUpdate + f.synapticEvents * timing.cyclesPerSynapticEvent + f.spikes * timing.cyclesPerSpikeSent;
  const learningCycles = f.traceUpdates * LEARNING_OP_CYCLES.trace + f.eligibilityUpdates * LEARNING_OP_CYCLES.eligibility
    + f.tangentEvents * LEARNING_OP_CYCLES.tangent + u.errorMultiplies * LEARNING_OP_CYCLES.error
    + u.gradientUpdates * LEARNING_OP_CYCLES.gradient + u.weightUpdates * LEARNING_OP_CYCLES.adam + u.feedbackUpdates * LEARNING_OP_CYCLES.feedback
    + u.averageUpdates * LEARNING_OP_CYCLES.average;
  const cycles = forwardCycles + learningCycles;
  const energyPj = f.neuronUpdates * energy.pjPerNeuronUpdate + f.synapticEvents * energy.pjPerSynapticEvent + f.spikes * energy.pjPerSpikeSent
    + learningCycles * energy.pjPerSynapticEvent + cycles * energy.pjPerCycleStatic;
  // w 8 + E 32 + G 48 + Adam M (12 + s1) + S (22 + s2) (docs/learning.md §11), and the weight average's 25 bits if on.
  const { adamFirstShift, adamSecondShift, weightAverageShift } = chip.engine.settings;
  return { cycles, energyPj, memoryBitsPerSynapse: 8 + 32 + 48 + 12 + adamFirstShift + 22 + adamSecondShift + (weightAverageShift === undefined ? 0 : 25) };
}

function emptySampleWork(): SampleWork {
  return { neuronUpdates: 0, synapticEvents: 0, spikes: 0, traceUpdates: 0, eligibilityUpdates: 0, tangentEvents: 0 };
}

function addWork(total: SampleWork, sample: SampleWork): void {
  for (const key of Object.keys(total) as (keyof SampleWork)[]) total[key] += sample[key];
}
