/**
 * @fileoverview Every setting of the float reference of discrete-time SFDFA/DFA (docs/learning.md),
 * with the prototype's working recipe as the defaults (shared/reference/sfdfa-discrete.md §6), and
 * the range checks that make a bad setting one clear message. Times are in steps (dt = 1 step);
 * voltages are in threshold units (ϑ = 1 by default).
 */

/** How hidden errors are fed back: learned feedback (SFDFA) or fixed random feedback (DFA). */
export type FeedbackRule = "sfdfa" | "dfa";
/**
 * Which forward tangent carries the perturbation: "simple" is the released kernel's
 * (acc += Σ w·ṫ; at a spike ṫ = acc + ε·first), the one the prototype trained with; "exact" is the
 * linearisation of the sub-step model (sfdfa-discrete.md §3), exact but unstable in training.
 */
export type TangentKind = "simple" | "exact";
/** Distribution of the per-hidden-neuron perturbation ε (both have mean 0 and variance 1). */
export type PerturbationKind = "normal" | "sign";

/** One non-input layer. */
export interface LayerConfig {
  size: number;
  /** τ_s: synaptic current decays by α = exp(−1/τ_s) per step. */
  synapseTauSteps: number;
  /** τ_m: membrane decays by β = exp(−1/τ_m) per step. */
  membraneTauSteps: number;
  /** ϑ: spike when the pre-reset membrane U ≥ ϑ; the reset subtracts ϑ. */
  threshold: number;
  /** Initial weights are U(−initRange, initRange). */
  initRange: number;
  /** Adam step size of this layer's weights. */
  learningRate: number;
  /** A hidden layer's own rate term (absent: SfdfaConfig's rateRegularisation / rateTargetSpikes). */
  rateRegularisation?: number;
  rateTargetSpikes?: number;
}

export interface SfdfaConfig {
  inputSize: number;
  /** Hidden layers, then the output layer (one neuron per class). */
  layers: LayerConfig[];
  /** T: steps simulated per sample. */
  steps: number;
  /** T_in: a feature x > 0 spikes once, at step round((1 − x)·(T_in − 1)); x = 0 never spikes. */
  latencyWindowSteps: number;
  /** Steps between a spike and its arrival at the next layer (0: the same step, as the prototype). */
  delaySteps: number;
  /** slope_min = slopeMinFraction·ϑ: the interpolation slope is clamped to at least this. */
  slopeMinFraction: number;
  rule: FeedbackRule;
  tangent: TangentKind;
  perturbation: PerturbationKind;
  /** σ: ε = σ·(unit draw); the feedback target D·ε/σ² then estimates the sensitivity whatever σ is. */
  perturbationScale: number;
  /**
   * Which hidden layers draw ε in training sample k (default "all"): "alternate" only hidden layer
   * k mod L, and only that layer's B learns from the sample (the chip's `perturb = alternate`).
   */
  perturbLayers?: "all" | "alternate";
  /** η_B: SFDFA feedback step, B ← B − η_B·mean(B − D·ε/σ²). */
  feedbackLearningRate: number;
  /** DFA: the fixed feedback is U(−dfaFeedbackRange, dfaFeedbackRange). */
  dfaFeedbackRange: number;
  /** Output neurons per class (default 1): output o belongs to class ⌊o / k⌋, predicted by group totals. */
  outputsPerClass?: number;
  /** Spike-count targets: the true class's output, and every other output. */
  targetTrueCount: number;
  targetOtherCount: number;
  /** Divide each neuron's error by max(its spike count, 1) (the prototype's norm_grad). */
  normaliseErrorByCount: boolean;
  /**
   * One-sided count errors (a hinge): the true class's output is pushed up only while below its
   * target, every other output pushed down only while above its target; default false (two-sided).
   */
  oneSidedErrors?: boolean;
  /** AdamW's decoupled weight decay λ (per threshold): each batch also removes lr·λ of every weight (default 0). */
  weightDecay?: number;
  /** |w| ≤ weightLimit after every update, in threshold units (default: no limit); the chip's 8-bit example: 127/1024. */
  weightLimit?: number;
  /** The same for the output layer only (default: normaliseErrorByCount). */
  normaliseOutputErrorByCount?: boolean;
  /**
   * Pseudo-spike for silent hidden neurons: 0 switches it off; otherwise a hidden neuron that did not
   * spike in a sample but whose membrane peaked at U ≥ silentEligibilityFraction·ϑ gets the
   * eligibility of a spike at its peak step, E_ij = −Q_j(m*)/ϑ, so the error can recruit it.
   */
  silentEligibilityFraction: number;
  /** reg: weight of the hidden firing-rate term reg·(rateTargetSpikes − batch-mean count). */
  rateRegularisation: number;
  /** Target spikes per hidden neuron per sample. */
  rateTargetSpikes: number;
  batchSize: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
}

/** Learning settings a user may change (the DSL `learn sfdfa { ... }` block will set these). */
export type LearningOverrides = Partial<Omit<SfdfaConfig, "inputSize" | "layers">> & {
  /** Applies to every layer; prototype: 3e-3 × init range. */
  learningRate?: number;
};

/** The prototype's per-layer neuron: τ_s 26, τ_m 52 steps, ϑ 1, init U(±0.05), lr 3e-3 × 0.05. */
export const PROTOTYPE_LAYER: Omit<LayerConfig, "size"> = {
  synapseTauSteps: 26,
  membraneTauSteps: 52,
  threshold: 1,
  initRange: 0.05,
  learningRate: 3e-3 * 0.05,
};

/** sfdfa-discrete.md §6 (the best run, M1/M4): latency code, T 40, η_B 1e-2, rate target 0.25. */
export const PROTOTYPE_LEARNING: Omit<SfdfaConfig, "inputSize" | "layers"> = {
  steps: 40,
  latencyWindowSteps: 20,
  delaySteps: 0,
  slopeMinFraction: 0.1,
  rule: "sfdfa",
  tangent: "simple",
  perturbation: "normal",
  perturbationScale: 1,
  feedbackLearningRate: 1e-2,
  dfaFeedbackRange: 0.05,
  targetTrueCount: 15,
  targetOtherCount: 3,
  normaliseErrorByCount: true,
  silentEligibilityFraction: 0,
  rateRegularisation: 0.3,
  rateTargetSpikes: 0.25,
  batchSize: 50,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-8,
};

/** A configuration for layer sizes [input, hidden..., output] with the prototype's settings. */
export function prototypeConfig(layerSizes: readonly number[], overrides: LearningOverrides = {}): SfdfaConfig {
  if (layerSizes.length < 2) throw new LearnConfigError(`a network needs an input and an output layer; got sizes [${layerSizes.join(", ")}]`);
  const { learningRate, ...learning } = overrides;
  const layers = layerSizes.slice(1).map((size) => ({ ...PROTOTYPE_LAYER, size, ...(learningRate === undefined ? {} : { learningRate }) }));
  return checkConfig({ ...PROTOTYPE_LEARNING, ...learning, inputSize: layerSizes[0], layers });
}

export class LearnConfigError extends Error {}

/** Throws LearnConfigError naming the first setting out of range; returns the config unchanged. */
export function checkConfig(config: SfdfaConfig): SfdfaConfig {
  const fail = (setting: string, value: unknown, range: string): never => {
    throw new LearnConfigError(`learning setting ${setting} = ${String(value)} is out of range: ${range}`);
  };
  const positiveInteger = (setting: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) fail(setting, value, "a positive integer");
  };
  const within = (setting: string, value: number, low: number, high: number, openLow = false) => {
    if (!(Number.isFinite(value) && (openLow ? value > low : value >= low) && value <= high)) fail(setting, value, `${openLow ? "(" : "["}${low}, ${high}]`);
  };
  positiveInteger("inputSize", config.inputSize);
  if (config.layers.length === 0) fail("layers", "[]", "at least the output layer");
  config.layers.forEach((layer, l) => {
    positiveInteger(`layers[${l}].size`, layer.size);
    within(`layers[${l}].synapseTauSteps`, layer.synapseTauSteps, 0, 1e6, true);
    within(`layers[${l}].membraneTauSteps`, layer.membraneTauSteps, 0, 1e6, true);
    if (Math.abs(layer.synapseTauSteps - layer.membraneTauSteps) < 1e-9 && config.tangent === "exact") {
      fail(`layers[${l}].membraneTauSteps`, layer.membraneTauSteps, "must differ from synapseTauSteps for the exact tangent (it divides by β − α)");
    }
    within(`layers[${l}].threshold`, layer.threshold, 0, 1e9, true);
    within(`layers[${l}].initRange`, layer.initRange, 0, 1e6);
    within(`layers[${l}].learningRate`, layer.learningRate, 0, 1);
    if (layer.rateRegularisation !== undefined) within(`layers[${l}].rateRegularisation`, layer.rateRegularisation, 0, 1e3);
    if (layer.rateTargetSpikes !== undefined) within(`layers[${l}].rateTargetSpikes`, layer.rateTargetSpikes, 0, config.steps);
  });
  positiveInteger("steps", config.steps);
  positiveInteger("latencyWindowSteps", config.latencyWindowSteps);
  if (config.latencyWindowSteps > config.steps) fail("latencyWindowSteps", config.latencyWindowSteps, `at most steps (${config.steps})`);
  if (!Number.isInteger(config.delaySteps) || config.delaySteps < 0 || config.delaySteps >= config.steps) fail("delaySteps", config.delaySteps, `an integer in [0, steps)`);
  within("slopeMinFraction", config.slopeMinFraction, 0, 1, true);
  if (config.rule !== "sfdfa" && config.rule !== "dfa") fail("rule", config.rule, "sfdfa or dfa");
  if (config.tangent !== "simple" && config.tangent !== "exact") fail("tangent", config.tangent, "simple or exact");
  if (config.perturbation !== "normal" && config.perturbation !== "sign") fail("perturbation", config.perturbation, "normal or sign");
  if (config.perturbLayers !== undefined && config.perturbLayers !== "all" && config.perturbLayers !== "alternate") fail("perturbLayers", config.perturbLayers, "all or alternate");
  within("perturbationScale", config.perturbationScale, 0, 1e3, true);
  within("feedbackLearningRate", config.feedbackLearningRate, 0, 1);
  within("dfaFeedbackRange", config.dfaFeedbackRange, 0, 1e3);
  within("targetTrueCount", config.targetTrueCount, 0, config.steps);
  within("targetOtherCount", config.targetOtherCount, 0, config.steps);
  within("silentEligibilityFraction", config.silentEligibilityFraction, 0, 1);
  if (config.weightDecay !== undefined) within("weightDecay", config.weightDecay, 0, 64);
  if (config.weightLimit !== undefined) within("weightLimit", config.weightLimit, 0, 1e6, true);
  within("rateRegularisation", config.rateRegularisation, 0, 1e3);
  within("rateTargetSpikes", config.rateTargetSpikes, 0, config.steps);
  positiveInteger("batchSize", config.batchSize);
  // β = 1 would make Adam's bias correction 1 − β^t zero.
  within("adamBeta1", config.adamBeta1, 0, 1 - 1e-12);
  within("adamBeta2", config.adamBeta2, 0, 1 - 1e-12);
  within("adamEpsilon", config.adamEpsilon, 0, 1, true);
  return config;
}
