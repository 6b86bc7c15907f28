/**
 * @fileoverview The on-chip learning engine's settings, number formats and memory: per layer the
 * weight mantissas (the chip's own synapse memory), the eligibility traces, the batch gradient, the
 * fixed-point Adam moments and the feedback matrix B, each in the integer format documented in
 * docs/learning.md §11. Every constant derived from a float setting (1/β, slope_min, learning rate in
 * weight LSBs) is computed here, once, when the engine is created — what a compiler would load into
 * the learning unit's registers.
 */
import type { ChipNetwork, LearningSpec } from "../../compiler/ir.ts";
import { mix32, Random } from "../../compiler/random.ts";
import { findLearningChain, LearningError, type ChainLayer, type LearningChain } from "./chain.ts";
import { createTypeScriptKernel, type LearningKernel } from "./kernel.ts";

export type LearningRule = "sfdfa" | "dfa";

/**
 * Everything the `learn` block sets (the IR's LearningSpec, documented field by field in
 * compiler/ir.ts) plus the run block's steps per sample; the defaults are the float reference's
 * recipe (docs/learning.md).
 */
export type ChipLearningSettings = LearningSpec & {
  /** Steps per sample. */
  steps: number;
};

export const DEFAULT_CHIP_LEARNING: Omit<ChipLearningSettings, "output"> = {
  rule: "sfdfa", steps: 40, learningRate: 1.5e-4, perturbationLog2: 0, feedbackRateShift: 7,
  dfaFeedbackRange: 0.05, targetTrueCount: 15, targetOtherCount: 3, rateRegularisation: 0.3,
  rateTargetSpikes: 0.25, batchSize: 50, slopeMinFraction: 0.1, adamFirstShift: 3, adamSecondShift: 10,
};

/**
 * The settings of a network compiled with a `learn` block (its IR `learning` section), with the run
 * block's steps per sample; `overrides` (e.g. from the command line) win.
 */
export function learningSettingsOf(network: ChipNetwork, overrides: Partial<ChipLearningSettings> = {}): ChipLearningSettings {
  if (!network.learning) throw new LearningError(`network '${network.name}' has no learn block; add 'learn sfdfa { output = LAYER; }' to train it on the chip`);
  return { ...network.learning, steps: network.defaultSteps, ...overrides };
}

/** Fraction bits of the formats (docs/learning.md §11). */
export const FORMAT = {
  /** p_j, Q_j: unsigned, 12 fraction bits (a spike adds 4096). */
  traceFraction: 12,
  /** E_ij: signed steps per threshold-unit weight, 8 fraction bits. */
  eligibilityFraction: 8,
  /** c1, c2 (per spike): 11 fraction bits (Q4.11). */
  coefficientFraction: 11,
  /** f: UQ0.12; 1/β: Q12. */
  fraction: 12,
  /** ṫ, acc, D, B, errors: 16 fraction bits (steps, or threshold units for B). */
  tangentFraction: 16,
  /** Adam's g is kept in 11 bits + sign after the layer's block exponent (chosen per batch). */
  gradientBits: 11,
} as const;

export interface LearningLayer {
  readonly chain: ChainLayer;
  readonly size: number;
  readonly preSize: number;
  readonly isOutput: boolean;
  readonly firstNeuronId: number;
  /** Θ = threshold + 1: the chip fires on v > threshold, i.e. v ≥ Θ (the float reference's ϑ). */
  readonly crossing: number;
  readonly slopeMin: number;
  /**
   * Pseudo-spikes (hidden layers, `silent_floor` > 0): a neuron silent in a sample whose pre-reset
   * membrane peaked at v ≥ silentFloor gets a spike's eligibility at its peak step; 0: off.
   */
  readonly silentFloor: number;
  /** 1/β in Q12, round(4096/β): (1 − f)/β in Q12 is ((4096 − f)·betaInverseQ12) >> 12. */
  readonly betaInverseQ12: number;
  /** One weight LSB in threshold units, Q24: 2^(unit + 24)/Θ (scales a tangent through a synapse). */
  readonly weightToThresholdQ24: number;
  /** Largest mantissa magnitude: 2^(weightBits − 1) − 1 (an honest signed word). */
  readonly weightLimit: number;
  /** Weight mantissas post-major (the IR's dense layout) and the same pre-major for event delivery. */
  readonly weights: Int32Array;
  readonly fanOut: Int32Array;
  /**
   * fanOut's mantissas already shifted into the accumulator's units, q·2^unit mod 2^32 (what the chip
   * adds per synaptic event), and each presynaptic row's count of non-zero mantissas (its synaptic
   * events): kept beside fanOut so the forward pass adds one word per synapse and counts per row.
   */
  readonly fanOutInput: Int32Array;
  readonly fanOutNonZero: Int32Array;
  /** Adam step in weight LSBs per update, Q16. */
  readonly stepQ16: number;
  /** `weight_decay`: lr·λ, the fraction of each weight removed per batch before the schedule, Q32 (0: off). */
  readonly decayQ32: number;
  /** `weight_average`: w̄ per synapse in Q16 weight LSBs (24 bits and sign), post-major; null when off. */
  readonly weightAverageQ16: Int32Array | null;
  /** B_io (Q16 threshold units), i-major; null for the output layer. */
  readonly feedback: Int32Array | null;
  /** Batch gradient Σ e_i·E_ij (exact integers; ≤ 48 bits measured, docs §11). */
  readonly gradient: Float64Array;
  /**
   * Adam's moments as scaled sums, M = m·2^s1 (int, ≤ 12 + s1 bits) and S = v·2^s2 (uint, ≤ 22 + s2
   * bits), in units of g (and g²) at the layer's current block exponent; exact integers.
   */
  readonly adamFirst: Float64Array;
  readonly adamSecond: Float64Array;
  /** Block exponent k of g = G/(N·2^k), re-chosen each batch (−1 before the first non-zero gradient). */
  gradientShift: number;
  /** The rate term's weight and target (Q16) of this layer's hidden neurons (0, 0 for the output). */
  readonly rateRegularisationQ16: number;
  readonly rateTargetQ16: number;
  /** Σ counts per neuron over the running batch, and the previous batch's mean in Q16 (rate term). */
  readonly countSum: Int32Array;
  readonly previousMeanCountQ16: Int32Array;
  /** SFDFA: Σ D_o·sign(ε_i) over samples where i spiked (Q16), and how many such samples. */
  readonly feedbackSum: Float64Array | null;
  readonly feedbackSamples: Int32Array | null;
}

export interface LearningEngine {
  readonly network: ChipNetwork;
  readonly chain: LearningChain;
  readonly settings: ChipLearningSettings;
  readonly layers: LearningLayer[];
  readonly seed: number;
  /** Runs the hot loops; fanOutInput, gradient and the sample state's hot arrays live in its memory. */
  readonly kernel: LearningKernel;
  /** Training samples seen: keys ε. Batches applied: keys stochastic rounding and Adam's bias correction. */
  samplesSeen: number;
  batchesApplied: number;
  samplesInBatch: number;
  /**
   * The Adam step is divided by 2^learningRateShift: a step schedule the trainer sets per epoch
   * (learn/chip-training.ts, `learningRateHalvingEpochs`); 0 is the learn block's lr.
   */
  learningRateShift: number;
}

/** c1, c2 are unsigned Q11 below 2^21 (docs/learning.md §11). */
export const COEFFICIENT_LIMIT = 2 ** 21;

/** Builds the engine's memory from a compiled network (its weights are the starting point). */
export function createLearningEngine(network: ChipNetwork, settings: ChipLearningSettings, seed = network.seed, kernel = createTypeScriptKernel()): LearningEngine {
  checkSettings(settings);
  const chain = findLearningChain(network, settings.output);
  const outputSize = chain.layers[chain.layers.length - 1].population.size;
  const perClass = settings.outputsPerClass ?? 1;
  if (outputSize % perClass !== 0) throw new LearningError(`outputs_per_class = ${perClass} does not divide the ${outputSize} neurons of output '${settings.output}'`);
  const hiddenLayers = chain.layers.length - 1;
  for (const [name, list] of [["lr", settings.layerLearningRate], ["rate_reg", settings.layerRateRegularisation], ["rate_target", settings.layerRateTargetSpikes]] as const) {
    if (list && list.length !== hiddenLayers) throw new LearningError(`${name} has ${list.length} per-layer entries, but the network has ${hiddenLayers} hidden layer(s) to train`);
  }
  const layers = chain.layers.map((link, index): LearningLayer => {
    const isOutput = index === chain.layers.length - 1;
    const { population, constants } = link;
    const size = population.size;
    const crossing = constants.threshold + 1;
    const beta = retainOf(link);
    if (link.projection.connectivity.kind !== "dense") throw new LearningError("unreachable: dense checked by the chain");
    const weights = Int32Array.from(link.projection.connectivity.weights);
    const weightLimit = 2 ** (link.projection.weightBits - 1) - 1;
    for (let k = 0; k < weights.length; k++) weights[k] = Math.max(-weightLimit, Math.min(weightLimit, weights[k]));
    const weightInThresholds = 2 ** link.weightUnitLog2 / crossing;
    const learningRate = isOutput ? settings.outputLearningRate ?? settings.learningRate : settings.layerLearningRate?.[index] ?? settings.learningRate;
    const stepInLsb = learningRate / weightInThresholds;
    if (stepInLsb * 65536 < 1 || stepInLsb > 64) {
      throw new LearningError(`learning rate ${learningRate} is ${stepInLsb.toPrecision(3)} weight LSBs of layer '${population.name}' per step; it must lie in [2^-16, 64] LSBs`);
    }
    if (learningRate * (settings.weightDecay ?? 0) > 1 / 16) {
      throw new LearningError(`weight_decay ${settings.weightDecay} with learning rate ${learningRate} removes ${(learningRate * settings.weightDecay!).toPrecision(3)} of every weight of layer '${population.name}' per batch; lr·weight_decay must stay below 1/16, so weight_decay below ${(1 / 16 / learningRate).toPrecision(3)} with this lr`);
    }
    if ((settings.weightDecay ?? 0) > 0 && learningRate * settings.weightDecay! * 2 ** 32 < 1) {
      throw new LearningError(`weight_decay ${settings.weightDecay} with learning rate ${learningRate} is below the decay register's resolution (lr·weight_decay ≥ 2^-32); raise it or leave it out`);
    }
    const layer: LearningLayer = {
      chain: link, size, preSize: link.preSize, isOutput, firstNeuronId: population.firstNeuron,
      crossing, slopeMin: Math.max(1, Math.round(settings.slopeMinFraction * crossing)),
      silentFloor: !isOutput && (settings.silentFloorFraction ?? 0) > 0 ? Math.max(1, Math.round(settings.silentFloorFraction! * crossing)) : 0,
      betaInverseQ12: Math.round(4096 / beta),
      weightToThresholdQ24: Math.round(weightInThresholds * 2 ** 24),
      weightLimit, weights, fanOut: new Int32Array(weights.length),
      fanOutInput: kernel.int32(weights.length), fanOutNonZero: new Int32Array(link.preSize),
      stepQ16: Math.round(stepInLsb * 65536),
      decayQ32: Math.round(learningRate * (settings.weightDecay ?? 0) * 2 ** 32),
      weightAverageQ16: settings.weightAverageShift === undefined ? null : Int32Array.from(weights, (w) => w * 65536),
      feedback: isOutput ? null : initialFeedback(settings, seed, index, size * outputSize),
      gradient: kernel.float64(weights.length),
      adamFirst: new Float64Array(weights.length), adamSecond: new Float64Array(weights.length), gradientShift: -1,
      rateRegularisationQ16: isOutput ? 0 : Math.round((settings.layerRateRegularisation?.[index] ?? settings.rateRegularisation) * 65536),
      rateTargetQ16: isOutput ? 0 : Math.round((settings.layerRateTargetSpikes?.[index] ?? settings.rateTargetSpikes) * 65536),
      countSum: new Int32Array(size), previousMeanCountQ16: new Int32Array(size),
      feedbackSum: !isOutput && settings.rule === "sfdfa" ? new Float64Array(size * outputSize) : null,
      feedbackSamples: !isOutput && settings.rule === "sfdfa" ? new Int32Array(size) : null,
    };
    // c1, c2 of an eligibility update reach ((1 − f)/β + f)·Θ/(2·slope) ≤ (1/β + 1)·Θ/(2·slope_min) in Q11.
    // Below 2^21, c·trace (trace < 2^31) stays exact in a double as well as in the wasm kernel's 64 bits.
    const coefficientBound = Math.trunc(((layer.betaInverseQ12 + 4096) * crossing) / (2 * layer.slopeMin));
    if (coefficientBound >= COEFFICIENT_LIMIT) {
      throw new LearningError(`layer '${population.name}': the eligibility coefficient can reach ${coefficientBound} (Q11), beyond its ${Math.log2(COEFFICIENT_LIMIT)} bits; raise slope_min or slow the membrane decay`);
    }
    // Before the first batch the rate term is zero: its "previous mean" is the target itself.
    layer.previousMeanCountQ16.fill(layer.rateTargetQ16);
    refreshFanOut(layer);
    return layer;
  });
  return { network, chain, settings, layers, seed: seed >>> 0, kernel, samplesSeen: 0, batchesApplied: 0, samplesInBatch: 0, learningRateShift: 0 };
}

/** Lengths of the engine's arrays in kernel memory (fanOutInput, then gradient, per layer); see createLearningEngine. */
export function engineKernelLengths(chain: LearningChain): { int32: number[]; float64: number[] } {
  const synapses = chain.layers.map((link) => link.population.size * link.preSize);
  return { int32: synapses, float64: synapses };
}

/** β of a layer as the chip applies it (retain/4096, or 1 − 2^−shift). */
function retainOf(link: ChainLayer): number {
  const decay = link.constants.decay;
  const beta = decay.kind === "multiply" ? decay.voltageRetain / 4096 : decay.voltageShift >= 31 ? 1 : 1 - 2 ** -decay.voltageShift;
  if (beta <= 0) throw new LearningError(`layer '${link.population.name}' has no membrane memory (β = 0); the learning rule divides by β`);
  return beta;
}

function initialFeedback(settings: ChipLearningSettings, seed: number, layerIndex: number, length: number): Int32Array {
  const feedback = new Int32Array(length);
  if (settings.rule === "dfa") {
    // Same stream and order as the float reference (learn/sfdfa/network.ts), quantised to Q16.
    const random = new Random(seed, `layer${layerIndex}.feedback`);
    for (let k = 0; k < length; k++) feedback[k] = Math.round((2 * random.uniform() - 1) * settings.dfaFeedbackRange * 65536);
  }
  return feedback;
}

/** Copies post-major mantissas to the pre-major tables the forward pass delivers from. */
export function refreshFanOut(layer: LearningLayer): void {
  const { weights, fanOut, fanOutInput, fanOutNonZero, size, preSize } = layer;
  const unitLog2 = layer.chain.weightUnitLog2;
  // Math.imul keeps q·2^unit modulo 2^32, as the chip's 32-bit accumulator (2^unit ≥ 2^32 adds 0).
  const unit = unitLog2 >= 32 ? 0 : 2 ** unitLog2;
  for (let i = 0; i < size; i++) for (let j = 0; j < preSize; j++) fanOut[j * size + i] = weights[i * preSize + j];
  for (let j = 0; j < preSize; j++) {
    let nonZero = 0;
    for (let k = j * size; k < (j + 1) * size; k++) {
      fanOutInput[k] = Math.imul(fanOut[k], unit);
      if (fanOut[k] !== 0) nonZero++;
    }
    fanOutNonZero[j] = nonZero;
  }
}

/** The seed of the ε draws: the float reference's perturbationSeed, so both draw the same signs. */
export function perturbationSeed(seed: number): number {
  return mix32((seed ^ 0x5fdfa000) >>> 0);
}

/** The seed of the stochastic-rounding draws of weight updates. */
export function roundingSeed(seed: number): number {
  return mix32((seed ^ 0x0a0d0a00) >>> 0);
}

export function checkSettings(s: ChipLearningSettings): void {
  const fail = (name: string, value: unknown, range: string): never => {
    throw new LearningError(`learning setting ${name} = ${String(value)} is out of range: ${range}`);
  };
  const integerIn = (name: string, value: number, low: number, high: number) => {
    if (!Number.isInteger(value) || value < low || value > high) fail(name, value, `an integer in [${low}, ${high}]`);
  };
  if (s.rule !== "sfdfa" && s.rule !== "dfa") fail("rule", s.rule, "sfdfa or dfa");
  integerIn("steps", s.steps, 1, 10000);
  if (!(s.learningRate > 0 && s.learningRate <= 1)) fail("lr", s.learningRate, "(0, 1]");
  if (s.loss !== undefined && s.loss !== "spike_count" && s.loss !== "spike_count_hinge") fail("loss", s.loss, "spike_count or spike_count_hinge");
  if (s.perturbLayers !== undefined && s.perturbLayers !== "all" && s.perturbLayers !== "alternate") fail("perturb", s.perturbLayers, "all or alternate");
  if (s.silentFloorFraction !== undefined && !(s.silentFloorFraction >= 0 && s.silentFloorFraction <= 1)) fail("silent_floor", s.silentFloorFraction, "[0, 1]");
  if (s.outputLearningRate !== undefined && !(s.outputLearningRate > 0 && s.outputLearningRate <= 1)) fail("lr_output", s.outputLearningRate, "(0, 1]");
  integerIn("perturbation (log2)", s.perturbationLog2, -8, 4);
  integerIn("feedback rate shift", s.feedbackRateShift, 0, 16);
  if (s.weightAverageShift !== undefined) integerIn("weight average shift", s.weightAverageShift, 1, 16);
  if (s.weightDecay !== undefined && !(s.weightDecay >= 0 && s.weightDecay <= 64)) fail("weight_decay", s.weightDecay, "[0, 64]");
  if (!(s.dfaFeedbackRange >= 0 && s.dfaFeedbackRange <= 16)) fail("feedback range", s.dfaFeedbackRange, "[0, 16]");
  if (!(s.targetTrueCount >= 0 && s.targetTrueCount <= s.steps)) fail("target_true", s.targetTrueCount, `[0, steps = ${s.steps}]`);
  if (!(s.targetOtherCount >= 0 && s.targetOtherCount <= s.steps)) fail("target_other", s.targetOtherCount, `[0, steps = ${s.steps}]`);
  if (!(s.rateRegularisation >= 0 && s.rateRegularisation <= 16)) fail("rate_reg", s.rateRegularisation, "[0, 16]");
  if (!(s.rateTargetSpikes >= 0 && s.rateTargetSpikes <= s.steps)) fail("rate_target", s.rateTargetSpikes, `[0, steps = ${s.steps}]`);
  for (const reg of s.layerRateRegularisation ?? []) if (!(reg >= 0 && reg <= 16)) fail("rate_reg", reg, "[0, 16]");
  for (const lr of s.layerLearningRate ?? []) if (!(lr > 0 && lr <= 1)) fail("lr", lr, "(0, 1]");
  for (const target of s.layerRateTargetSpikes ?? []) if (!(target >= 0 && target <= s.steps)) fail("rate_target", target, `[0, steps = ${s.steps}]`);
  integerIn("batch", s.batchSize, 1, 4096);
  if (s.outputsPerClass !== undefined) integerIn("outputs_per_class", s.outputsPerClass, 1, 4096);
  if (!(s.slopeMinFraction > 0 && s.slopeMinFraction <= 1)) fail("slope_min", s.slopeMinFraction, "(0, 1]");
  integerIn("adam β1 shift", s.adamFirstShift, 1, 12);
  integerIn("adam β2 shift", s.adamSecondShift, 1, 16);
}
