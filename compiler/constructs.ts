/**
 * @fileoverview The vocabulary of the DSL's constructs as parameter tables: neuron models,
 * encoders, connection kinds, and the run and chip settings. docs/dsl.md describes each entry;
 * adding a parameter means adding a row here and reading it in compiler/check.ts.
 */
import type { ParamSpec } from "./params.ts";
import { DIMENSIONLESS, TIME, VOLTAGE } from "./units.ts";

const voltage = (name: string, defaultValue: number | string | null | undefined, doc: string, words?: string[]): ParamSpec => ({
  name,
  type: words
    ? { kind: "numberOrWord", dimension: VOLTAGE, optionalUnit: true, words }
    : { kind: "number", dimension: VOLTAGE, optionalUnit: true },
  default: defaultValue,
  doc,
});

const positiveTime = (name: string, defaultValue: number | undefined, doc: string): ParamSpec => ({
  name,
  type: { kind: "number", dimension: TIME, min: 0, minExclusive: true },
  default: defaultValue,
  doc,
});

/** Layer gain: scales every synaptic input of the layer; realised by folding it into the incoming weights. */
const layerGain: ParamSpec = { name: "gain", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 1e6, minExclusive: true }, default: 1, doc: "multiplies every incoming weight (input scale)" };

const commonNeuron: ParamSpec[] = [
  voltage("vth", 1, "firing threshold"),
  voltage("reset", 0, "value after a spike, or 'subtract' to subtract the threshold", ["subtract"]),
  voltage("bias", 0, "constant input in voltage units"),
  { name: "refractory", type: { kind: "number", dimension: TIME, min: 0 }, default: 0, doc: "refractory period" },
  { name: "v_init", type: { kind: "initializer", dimension: VOLTAGE, optionalUnit: true }, default: null, doc: "initial membrane voltage" },
  layerGain,
];

const rest = voltage("rest", 0, "resting potential the membrane relaxes to");
const plain = (name: string, defaultValue: number | null | undefined, doc: string, min: number, max: number, integer = false): ParamSpec => ({
  name,
  type: { kind: "number", dimension: DIMENSIONLESS, min, max, integer },
  default: defaultValue,
  doc,
});

/** Neuron models: `layer NAME[N] : model(...)`. docs/dsl.md gives the dynamics of each. */
export const NEURON_MODELS: Readonly<Record<string, ParamSpec[]>> = {
  lif: [
    positiveTime("tau", undefined, "membrane time constant, e.g. 20ms"),
    ...commonNeuron,
    rest,
    { name: "decay", type: { kind: "word", words: ["multiply", "shift"] }, default: "multiply", doc: "decay arithmetic: multiply (12-bit) or shift" },
  ],
  cuba: [
    positiveTime("tau_mem", undefined, "membrane time constant, e.g. 20ms"),
    positiveTime("tau_syn", undefined, "synaptic current time constant, e.g. 5ms"),
    ...commonNeuron,
    rest,
  ],
  if: commonNeuron,
  plif: [
    { name: "tau", type: { kind: "number", dimension: TIME, min: 0, minExclusive: true }, default: null, doc: "initial membrane time constant τ0 (1/τ = sigmoid(w)); give tau or w" },
    plain("w", null, "the learnable parameter: 1/τ = sigmoid(w)", -30, 30),
    ...commonNeuron,
  ],
  gif: [
    plain("gamma", undefined, "leak: V[k] = gamma·V[k−1]·(1 − Z[k−1]) + input", 0, 1),
    voltage("vth", 1, "threshold θ: spike when V ≥ θ"),
    voltage("bias", 0, "constant input current I added every step"),
    { name: "v_init", type: { kind: "initializer", dimension: VOLTAGE, optionalUnit: true }, default: null, doc: "initial membrane voltage" },
    layerGain,
  ],
  or: [],
  loihi_cuba: [
    plain("du", undefined, "Lava's current decay (0..4095; 4095 = u holds only this step's input)", 0, 4095, true),
    plain("dv", undefined, "Lava's voltage decay (0..4095; 0 = no leak)", 0, 4095, true),
    plain("vth", undefined, "Lava's threshold mantissa (spike when v > vth << 6)", 0, 131071, true),
    plain("bias_mant", 0, "Lava's bias mantissa (13-bit signed)", -4096, 4095, true),
    plain("bias_exp", 0, "Lava's bias exponent", 0, 7, true),
    { name: "refractory", type: { kind: "number", dimension: TIME, min: 0 }, default: 0, doc: "refractory period" },
    layerGain,
  ],
};

const encoderGain: ParamSpec = { name: "gain", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 1e6 }, default: 1, doc: "multiplies the input value" };
const firstSpike: ParamSpec = { name: "first_spike", type: { kind: "number", dimension: TIME, min: 0 }, default: 0, doc: "no spikes before this time" };
const flag = (name: string, doc: string): ParamSpec => plain(name, 0, `${doc} (0 or 1)`, 0, 1, true);
const frameNorm: ParamSpec = { name: "norm", type: { kind: "word", words: ["none", "l1"] }, default: "none", doc: "per-frame normalisation on the host: none, or l1 (x / Σ|x|)" };

/** Input encoders: `input NAME[N] : encoder(...)`. docs/dsl.md and docs/chip.md §5 give the formulas. */
export const ENCODERS: Readonly<Record<string, ParamSpec[]>> = {
  rate: [
    encoderGain,
    { name: "offset", type: { kind: "number", dimension: DIMENSIONLESS, min: -1e6, max: 1e6 }, default: 0, doc: "added after the gain" },
    firstSpike,
    frameNorm,
  ],
  spikes: [{ name: "times", type: { kind: "list", dimension: TIME }, default: null, doc: "spike times of every neuron; omit to give a raster at run time" }],
  latency: [
    { name: "tau", type: { kind: "number", dimension: TIME, min: 0, minExclusive: true }, default: null, doc: "RC time constant of the latency code (default: one step)" },
    { name: "threshold", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 1, minExclusive: true, maxExclusive: true }, default: 0.01, doc: "inputs below it fire last (or not at all with clip); strictly between 0 and 1" },
    flag("linear", "1: linear instead of logarithmic code"),
    flag("normalize", "1: stretch the spike times over the run's steps"),
    flag("clip", "1: no spike for inputs below the threshold"),
    encoderGain,
    firstSpike,
  ],
  delta: [
    { name: "threshold", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 16384, minExclusive: true }, default: 0.1, doc: "change of x·gain per step that makes a spike" },
    flag("off_spikes", "1: also spike on decreases, on a second channel of neurons (shape [2, …])"),
    flag("padding", "1: the first frame is compared with itself instead of with zero"),
    encoderGain,
  ],
  phase: [
    { name: "cycle", type: { kind: "number", dimension: TIME, min: 0, minExclusive: true }, default: undefined, doc: "oscillation period, a whole number of steps" },
    encoderGain,
    firstSpike,
    { name: "value", type: { kind: "number", dimension: DIMENSIONLESS, min: -1e6, max: 1e6 }, default: null, doc: "input used when the run gives none (1: an oscillator firing at phase 0)" },
    frameNorm,
  ],
};

const weightParam: ParamSpec = { name: "weight", type: { kind: "initializer", dimension: VOLTAGE, optionalUnit: true }, default: 1, doc: "weight value or initialiser" };
const quantizationParams: ParamSpec[] = [
  { name: "bits", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 16, integer: true }, default: 8, doc: "weight mantissa bits (1..16)" },
  { name: "exponent", type: { kind: "number", dimension: DIMENSIONLESS, min: -32, max: 32, integer: true }, default: null, doc: "weight exponent (chosen automatically if omitted)" },
  { name: "exponents", type: { kind: "word", words: ["per_projection", "per_channel"] }, default: "per_projection", doc: "one exponent for the projection, or one per output channel" },
  { name: "rounding", type: { kind: "word", words: ["nearest", "stochastic"] }, default: "nearest", doc: "weight rounding: to nearest, or stochastic (seeded, unbiased)" },
];
const delayParam: ParamSpec = { name: "delay", type: { kind: "initializer", dimension: TIME }, default: null, doc: "axonal delay (one step if omitted)" };
const connectionCommon: ParamSpec[] = [weightParam, ...quantizationParams, delayParam];
const count = (name: string, defaultValue: number | null | undefined, doc: string, min = 1): ParamSpec => ({
  name,
  type: { kind: "number", dimension: DIMENSIONLESS, min, max: 4096, integer: true },
  default: defaultValue,
  doc,
});
const poolParams: ParamSpec[] = [
  count("kernel", undefined, "pooling window (square)"),
  count("stride", null, "step between windows (default: the kernel)"),
  count("padding", 0, "zero padding on each side", 0),
];

/** Connection kinds: `connect A -> B : kind(...)`. */
export const CONNECTIONS: Readonly<Record<string, ParamSpec[]>> = {
  dense: connectionCommon,
  sparse: [
    { name: "p", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 1 }, default: undefined, doc: "connection probability" },
    { name: "seed", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 4294967295, integer: true }, default: 0, doc: "seed of the connectivity draw" },
    { name: "allow_self", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 1, integer: true }, default: 0, doc: "1 to allow i → i in a recurrent projection" },
    ...connectionCommon,
  ],
  one_to_one: connectionCommon,
  conv2d: [
    weightParam,
    count("kernel", null, "kernel size (square); taken from the weight file's shape when omitted"),
    count("stride", 1, "stride"),
    count("padding", 0, "zero padding on each side", 0),
    count("groups", 1, "channel groups (groups = channels: depthwise)"),
    ...quantizationParams,
    { ...delayParam, type: { kind: "number", dimension: TIME, min: 0, minExclusive: true } },
  ],
  sum_pool: [...poolParams, { ...weightParam, type: { kind: "number", dimension: VOLTAGE, optionalUnit: true } }, ...quantizationParams],
  avg_pool: [...poolParams, { ...weightParam, type: { kind: "number", dimension: VOLTAGE, optionalUnit: true } }, ...quantizationParams],
  max_pool: poolParams,
  hetquant: [
    { name: "spacing", type: { kind: "word", words: ["uniform", "linspace", "homogeneous"] }, default: "uniform", doc: "weight spacing of a column: uniform (1/x), linspace, or homogeneous (all equal: the baseline)" },
    { name: "payload", type: { kind: "number", dimension: VOLTAGE, optionalUnit: true, min: 0, minExclusive: true }, default: 1, doc: "weight scale: weights span [payload, payload / limit]" },
    { name: "limit", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 1, minExclusive: true, maxExclusive: true }, default: 0.01, doc: "smallest quantization level relative to the largest, strictly between 0 and 1" },
    count("duplication", null, "principal neurons per feature (default: target size / source size)"),
    { name: "norm", type: { kind: "word", words: ["none", "l1"] }, default: "l1", doc: "data-blind normalisation of the source's frames (host side)" },
    { name: "cycle", type: { kind: "number", dimension: TIME, min: 0, minExclusive: true }, default: null, doc: "period of an inhibitory oscillator for phase coding (none if omitted)" },
    { name: "inhibition", type: { kind: "number", dimension: VOLTAGE, optionalUnit: true, min: 0, minExclusive: true }, default: null, doc: "oscillator → column weight magnitude (default: the largest column weight)" },
    { name: "online", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 1, integer: true }, default: 0, doc: "1: the chip's calibration unit recalibrates the columns from the inputs it receives (docs/chip.md §10)" },
    count("bins", 32, "histogram bins per feature of the online calibration unit (a power of two)", 2),
    ...quantizationParams,
  ],
};

/** Initialisers usable where a parameter accepts per-element values. */
export const INITIALIZERS: Readonly<Record<string, string[]>> = {
  uniform: ["low", "high"],
  normal: ["mean", "std"],
  constant: ["value"],
  file: ["path"],
};

/** `run { ... }` settings. */
export const RUN_SETTINGS: ParamSpec[] = [
  { name: "steps", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 1e9, integer: true }, default: null, doc: "number of timesteps" },
  { name: "duration", type: { kind: "number", dimension: TIME, min: 0, minExclusive: true }, default: null, doc: "simulated time (steps = duration / dt)" },
  { name: "dt", type: { kind: "number", dimension: TIME, min: 0, minExclusive: true }, default: 1, doc: "timestep length" },
  { name: "seed", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 4294967295, integer: true }, default: 0, doc: "PRNG seed" },
];

/** `chip NAME { ... }` overrides of the preset's limits. */
export const CHIP_SETTINGS: ParamSpec[] = [
  { name: "cores", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 1 << 20, integer: true }, default: null, doc: "number of cores" },
  { name: "mesh_width", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 1 << 20, integer: true }, default: null, doc: "cores per mesh row" },
  { name: "neurons_per_core", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 1 << 24, integer: true }, default: null, doc: "neurons per core" },
  { name: "synapse_memory_kib", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 1 << 30, integer: true }, default: null, doc: "synapse memory per core in KiB" },
  { name: "max_fan_in", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 1 << 30, integer: true }, default: null, doc: "synapses into one neuron" },
  { name: "max_delay", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 255, integer: true }, default: null, doc: "largest delay in steps" },
];

/** The rules a `learn RULE { ... }` block may name (docs/learning.md). */
export const LEARN_RULES = ["sfdfa", "dfa"] as const;

/**
 * `learn sfdfa { output = out; ... }` settings (besides `output`, a layer name, which is required).
 * The defaults are the float prototype's recipe (docs/learning.md §4–§6) in the chip's formats:
 * powers of two where the learning unit shifts instead of multiplying.
 */
export const LEARN_SETTINGS: ParamSpec[] = [
  { name: "lr", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, minExclusive: true, max: 1, perLayer: true }, default: 1.5e-4, doc: "Adam step, in threshold units per batch (a list: one per hidden layer, input side first)" },
  { name: "lr_output", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, minExclusive: true, max: 1 }, default: null, doc: "the output layer's Adam step (default: lr)" },
  { name: "output_error", type: { kind: "word", words: ["per_spike", "total"] }, default: "per_spike", doc: "the output layer's error: err / max(count, 1) (per_spike) or err itself (total)" },
  { name: "silent_floor", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 1 }, default: 0, doc: "a silent hidden neuron whose membrane peaked at ≥ silent_floor·ϑ learns as if it had spiked at its peak step (0: off)" },
  { name: "perturbation", type: { kind: "number", dimension: DIMENSIONLESS, min: 2 ** -8, max: 16 }, default: 1, doc: "σ of the SFDFA perturbation ε = ±σ (a power of two)" },
  { name: "perturb", type: { kind: "word", words: ["all", "alternate"] }, default: "all", doc: "which hidden layers draw ε in a sample: all (the paper), or alternate (sample k perturbs hidden layer k mod L only, whose B alone learns from it)" },
  { name: "feedback_rate", type: { kind: "number", dimension: DIMENSIONLESS, min: 2 ** -16, max: 1 }, default: 2 ** -7, doc: "η_B of the SFDFA feedback update (a power of two)" },
  { name: "weight_average", type: { kind: "number", dimension: DIMENSIONLESS, min: 2 ** -16, max: 0.5 }, default: null, doc: "rate of the on-chip moving average of the weights, w̄ ← w̄ + max(rate, 2^−⌊log2 t⌋)·(w − w̄) after batch t (warmed up over the first 1/rate batches), that inference uses (a power of two; absent: off)" },
  { name: "weight_decay", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 64 }, default: 0, doc: "decoupled weight decay λ (AdamW), per threshold: each batch removes lr·λ of every weight beside the Adam step (lr: the layer's step, with the --lr-halve-every schedule; 0: off)" },
  { name: "feedback_range", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 16 }, default: 0.05, doc: "DFA: fixed feedback drawn from U(±range)" },
  { name: "loss", type: { kind: "word", words: ["spike_count", "spike_count_hinge"] }, default: "spike_count", doc: "the loss: spike counts against targets (spike_count_hinge: one-sided, no push once past the target)" },
  { name: "outputs_per_class", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 4096, integer: true }, default: 1, doc: "output neurons per class: class c is read from neurons [c·k, (c+1)·k), predicted by their total spike count" },
  { name: "target_true", type: { kind: "number", dimension: DIMENSIONLESS, min: 0 }, default: 15, doc: "target spikes per sample of the true class's output" },
  { name: "target_other", type: { kind: "number", dimension: DIMENSIONLESS, min: 0 }, default: 3, doc: "target spikes per sample of every other output" },
  { name: "rate_reg", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, max: 16, perLayer: true }, default: 0.3, doc: "weight of the hidden firing-rate regulariser (a list: one per hidden layer, input side first)" },
  { name: "rate_target", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, perLayer: true }, default: 0.25, doc: "target spikes per hidden neuron per sample (a list: one per hidden layer, input side first)" },
  { name: "batch", type: { kind: "number", dimension: DIMENSIONLESS, min: 1, max: 4096, integer: true }, default: 50, doc: "samples per weight update" },
  { name: "slope_min", type: { kind: "number", dimension: DIMENSIONLESS, min: 0, minExclusive: true, max: 1 }, default: 0.1, doc: "smallest membrane slope of the spike-time interpolation, in thresholds" },
  { name: "adam_beta1", type: { kind: "number", dimension: DIMENSIONLESS, min: 0.5, max: 1, maxExclusive: true }, default: 0.875, doc: "Adam β1 = 1 − 2^−s, s in 1..12" },
  { name: "adam_beta2", type: { kind: "number", dimension: DIMENSIONLESS, min: 0.5, max: 1, maxExclusive: true }, default: 1 - 2 ** -10, doc: "Adam β2 = 1 − 2^−s, s in 1..16" },
];
