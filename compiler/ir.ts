/**
 * @fileoverview The quantized, event-driven IR: what the compiler hands to the chip.
 *
 * Everything here is already in the chip's integer formats (docs/chip.md): neuron constants
 * are fixed-point integers, weights are signed mantissas with a power-of-two exponent, delays
 * are whole timesteps. No floats reach the emulator except the run-time input values that the
 * host turns into encoder tables (docs/chip.md, "Input encoders").
 *
 * The chip image (compiler/image.ts) is this structure plus a header; docs/ir.md documents
 * each field. Neurons are numbered globally: population p owns the ids
 * [p.firstNeuron, p.firstNeuron + p.size).
 *
 *   ChipNetwork
 *   ├─ ChipConfig        the preset: limits, number formats, timing and energy per operation
 *   ├─ Population[]      a group of neurons with shared constants (or an input encoder)
 *   ├─ Projection[]      integer weight table from one population to another
 *   ├─ Placement         which core holds which neurons
 *   └─ Probe[]           what a run records besides spikes
 */

/** Format version of the IR; bumped on any change that an older emulator would misread. */
export const IR_VERSION = 1;

export interface ChipNetwork {
  name: string;
  chip: ChipConfig;
  /** Timestep length in microseconds (informational for the chip; used by the host to label output). */
  dtUs: number;
  /** Default number of steps for `run` when the user gives none. */
  defaultSteps: number;
  /** Seed of the chip's PRNG (docs/chip.md, "PRNG"); a run may override it. */
  seed: number;
  populations: Population[];
  projections: Projection[];
  placement: Placement;
  probes: Probe[];
  /** The `learn` block, when the network declares one (docs/learning.md, docs/ir.md "Learning"). */
  learning?: LearningSpec;
}

/**
 * How the chip trains this network on-chip (SFDFA or DFA, docs/learning.md §11). Plain numbers in
 * the units the learning unit uses: shifts are powers of two, the learning rate is in threshold
 * units per Adam step. The trained chain ends at population `output` (one neuron per class).
 */
export interface LearningSpec {
  rule: "sfdfa" | "dfa";
  output: string;
  learningRate: number;
  /**
   * The output layer's Adam step, in threshold units per Adam step; absent: `learningRate`. The
   * output layer learns best with a larger step than the hidden layers (bench/RESULTS.md, issue 5).
   */
  outputLearningRate?: number;
  /**
   * The spike-count loss (absent: "spike_count"): err_o = target_o − count_o, two-sided; with
   * "spike_count_hinge" one-sided, the true class's output pushed up only while below its target and
   * every other output pushed down only while above its own (docs/learning.md §4).
   */
  loss?: "spike_count" | "spike_count_hinge";
  /**
   * Which hidden layers carry the SFDFA perturbation ε in a training sample (absent: "all", the
   * paper's): "alternate" perturbs only hidden layer k mod L in sample k, and only that layer's B
   * learns from the sample, so the outputs' directional derivative carries no other layer's
   * perturbations as noise (docs/learning.md §5). The same as "all" with one hidden layer.
   */
  perturbLayers?: "all" | "alternate";
  /**
   * The output layer's error err_o is divided by max(count_o, 1) (absent or true, the prototype's
   * norm_grad) or used as it is (false): with large count targets the division starves the true class.
   */
  outputErrorPerSpike?: boolean;
  /**
   * Pseudo-spikes (absent or 0: off): a hidden neuron that stayed silent in a sample but whose
   * membrane peaked at U ≥ silentFloorFraction·ϑ gets the eligibility of a spike at its peak step,
   * so its error can recruit it (docs/learning.md §4).
   */
  silentFloorFraction?: number;
  /** σ = 2^perturbationLog2 (SFDFA's ε = ±σ). */
  perturbationLog2: number;
  /** η_B = 2^−feedbackRateShift (SFDFA). */
  feedbackRateShift: number;
  /**
   * The weight average (absent: off): the chip keeps an exponential moving average of every weight,
   * w̄ ← w̄ + (w − w̄)·2^−min(weightAverageShift, ⌊log2 t⌋) after batch t, and infers with it (docs/learning.md §6).
   */
  weightAverageShift?: number;
  /**
   * Decoupled weight decay λ per threshold (absent: off): each batch also removes lr_t·λ of every
   * weight, lr_t the layer's step under the trainer's schedule, without Adam's bias correction (AdamW).
   */
  weightDecay?: number;
  /** DFA: fixed feedback drawn from U(±dfaFeedbackRange). */
  dfaFeedbackRange: number;
  /**
   * Output neurons per class (absent: 1). Class c is read from output neurons [c·k, (c+1)·k): each
   * of them is trained towards the class's targets, and the prediction is the class whose neurons
   * spiked most in total (population coding of the output, docs/learning.md §4).
   */
  outputsPerClass?: number;
  /** Spike-count loss targets (spikes per sample) of the true class and of every other class. */
  targetTrueCount: number;
  targetOtherCount: number;
  /**
   * The hidden firing-rate term reg·(rateTarget − mean count) of each hidden neuron's error; these
   * two apply to every hidden layer unless the per-layer lists below are given.
   */
  rateRegularisation: number;
  rateTargetSpikes: number;
  /**
   * Per hidden layer, input side first (absent: the scalars above for every layer): a deeper layer
   * may need a different activity target or a stronger pull towards it (docs/learning.md §4).
   */
  layerRateRegularisation?: number[];
  layerRateTargetSpikes?: number[];
  /** The hidden layers' own Adam steps, input side first (absent: learningRate for each). */
  layerLearningRate?: number[];
  batchSize: number;
  slopeMinFraction: number;
  /** Adam β1 = 1 − 2^−adamFirstShift, β2 = 1 − 2^−adamSecondShift. */
  adamFirstShift: number;
  adamSecondShift: number;
}

// ---------------------------------------------------------------------------------------------
// Chip configuration (a preset, possibly with user overrides)

export interface ChipConfig {
  /** Preset name: "loihi", "edge" or "generic". */
  preset: string;
  limits: CoreLimits;
  /** Number of cores on the chip, laid out on a meshWidth-wide 2D mesh, row-major. */
  coreCount: number;
  meshWidth: number;
  formats: NumberFormats;
  /** Cycles per operation (docs/chip.md, "Timing model"). */
  timing: TimingCosts;
  /** Energy per operation in picojoules (docs/chip.md, "Energy model"). */
  energy: EnergyCosts;
}

export interface CoreLimits {
  neuronsPerCore: number;
  /** Synapse memory per core in bits (weights + delays + indices as stored on that core). */
  synapseMemoryBitsPerCore: number;
  /** Largest number of synapses into one neuron. */
  maxFanIn: number;
  /** Largest number of destination cores one neuron may send to. */
  maxFanOutCores: number;
  /** Largest axonal delay in timesteps; the delay ring has maxDelaySteps + 1 slots. */
  maxDelaySteps: number;
}

export interface NumberFormats {
  /** Width of the synaptic current u (two's complement); u wraps modulo 2^currentBits. */
  currentBits: number;
  /** Width of the membrane voltage v; v saturates to ±(2^(voltageBits-1) - 1). */
  voltageBits: number;
  /** Largest weight mantissa width in bits (signed). */
  maxWeightBits: number;
  /** Every weight contribution is mantissa << (weightShift + exponent); Loihi uses 6. */
  weightShift: number;
  /**
   * The threshold is stored as a mantissa << thresholdShift (Loihi: vth << 6), so it must be a
   * multiple of 2^thresholdShift; absent means 0. Only the compiler and validator look at it.
   */
  thresholdShift?: number;
  /** Smallest and largest per-projection weight exponent. */
  minWeightExponent: number;
  maxWeightExponent: number;
  /** Decay arithmetic this chip supports: "multiply" (12-bit fraction) or "shift". */
  decayKinds: DecayKind[];
}

export interface TimingCosts {
  cyclesPerNeuronUpdate: number;
  cyclesPerSynapticEvent: number;
  cyclesPerSpikeSent: number;
  cyclesPerHop: number;
  /** Fixed cost of the end-of-step barrier. */
  cyclesPerBarrier: number;
  clockMHz: number;
}

export interface EnergyCosts {
  pjPerNeuronUpdate: number;
  pjPerSynapticEvent: number;
  pjPerSpikeSent: number;
  pjPerHop: number;
  /** Static power of the whole chip, picojoules per cycle of the critical path. */
  pjPerCycleStatic: number;
}

// ---------------------------------------------------------------------------------------------
// Populations

export type DecayKind = "multiply" | "shift";

/** How a population's state variables lose their value each step (docs/chip.md, "Neuron update"). */
export type Decay =
  /** x' = roundTowardZero(x * retain / 4096); retain in [0, 4096]. */
  | { kind: "multiply"; currentRetain: number; voltageRetain: number }
  /** x' = x - (x >> shift) (arithmetic shift) for shift in [0, 30] (0 empties x); shift 31 means "no decay". */
  | { kind: "shift"; currentShift: number; voltageShift: number };

export type Reset =
  | { kind: "zero" }
  | { kind: "value"; value: number }
  | { kind: "subtract" };

export interface NeuronConstants {
  /** Which neuron model this population was compiled from (for inspect/export; the chip ignores it). */
  model: string;
  decay: Decay;
  /** Spike when v > threshold (strictly), in voltage units (already << 6 for Loihi). */
  threshold: number;
  /** Added to v every step, in voltage units. */
  bias: number;
  reset: Reset;
  /** Steps after a spike during which v is held at its reset value and the neuron cannot spike. */
  refractorySteps: number;
}

export type Encoder =
  /** Bernoulli spikes with probability clamp(x·gain + offset, 0, 1) per step (snnTorch rate). */
  | { kind: "rate"; gain: number; offset: number; firstSpikeStep: number; normalization?: InputNormalization }
  /** Spikes given explicitly: the listed steps for every neuron, or a raster supplied at run time. */
  | { kind: "spikes"; steps: number[] }
  /**
   * One spike per element at the step snnTorch's `spikegen.latency` gives for x·gain (docs/chip.md §5):
   * the host computes the step, the chip compares it with t. `tauSteps` is snnTorch's `tau` in steps.
   */
  | { kind: "latency"; gain: number; tauSteps: number; threshold: number; linear: boolean; normalize: boolean; clip: boolean; firstSpikeStep: number }
  /**
   * snnTorch `spikegen.delta` on the chip: a spike where x·gain rose by ≥ threshold since the last step;
   * with offSpikes the population holds 2·N neurons (shape [2, …]: on channel, then off channel).
   */
  | { kind: "delta"; gain: number; threshold: number; offSpikes: boolean; padding: boolean }
  /**
   * Phase code: one spike per cycle of `cycleSteps`, at phase ⌊(1 − x')·cycle⌋ (x' = clamp(x·gain, 0, 1);
   * none for x' = 0). `value` is the input when the run gives none (value 1 makes an oscillator).
   */
  | { kind: "phase"; gain: number; cycleSteps: number; firstSpikeStep: number; value: number | null; normalization?: InputNormalization };

/** Host-side normalisation of each input frame before the encoder: "l1" divides by Σ|x| (hetquant). */
export type InputNormalization = "none" | "l1";

export interface Population {
  name: string;
  /** Number of neurons; equals the product of shape. */
  size: number;
  /** Logical shape (e.g. [C, H, W] for a feature map); [size] for a flat layer. */
  shape: number[];
  /** Global id of the first neuron. */
  firstNeuron: number;
  kind: "neuron" | "input";
  /** Present when kind is "neuron". */
  neuron?: NeuronConstants;
  /** Present when kind is "input". */
  encoder?: Encoder;
  /** Initial membrane voltage per neuron (voltage units), or null for all zero. */
  initialVoltage: Int32Array | null;
}

// ---------------------------------------------------------------------------------------------
// Projections

export type Connectivity =
  /** weights[post * sourceSize + pre]; a zero mantissa means "no synapse" and costs no event. */
  | { kind: "dense"; weights: Int32Array }
  /** CSR by presynaptic neuron: row pre holds entries rowStart[pre] .. rowStart[pre+1]-1. */
  | { kind: "sparse"; rowStart: Int32Array; post: Int32Array; weights: Int32Array }
  /** weights[i] from source neuron i to target neuron i. */
  | { kind: "oneToOne"; weights: Int32Array }
  /**
   * 2D convolution with shared weights between a source of shape [C, H, W] and a target of shape
   * [C', H', W'], H' = floor((H + 2·padding[0] − kernel[0]) / stride[0]) + 1 (likewise W').
   * weights[((o·(C/groups) + ci)·kh + ky)·kw + kx]; input channel of (o, ci) is g·(C/groups) + ci
   * with g = floor(o / (C'/groups)). Input (c, y, x) reaches output (o, i, j) when
   * y = i·stride[0] − padding[0] + ky and x = j·stride[1] − padding[1] + kx.
   * Pooling compiles to this with groups = C = C' and a constant kernel.
   */
  | { kind: "conv2d"; kernel: [number, number]; stride: [number, number]; padding: [number, number]; groups: number; weights: Int32Array };

export interface Projection {
  name: string;
  /** Population indices. */
  source: number;
  target: number;
  connectivity: Connectivity;
  /** Signed mantissa width in bits (1..16); every mantissa fits in it. */
  weightBits: number;
  /** Power-of-two exponent shared by the projection's weights. */
  weightExponent: number;
  /**
   * Per output channel exponents (length = target.shape[0]), replacing weightExponent; absent or
   * null for one exponent per projection.
   * Target neuron n belongs to channel floor(n / (target.size / target.shape[0])).
   */
  channelExponents?: Int32Array | null;
  /**
   * Axonal delay in timesteps, >= 1: a spike at step t reaches the target's input at step t + delay.
   * Either one value for the whole projection or one per synapse (same order as the weights;
   * not for conv2d, whose weights are shared).
   */
  delaySteps: number;
  delays: Uint8Array | null;
  /**
   * Present when the chip's calibration unit tunes this hetquant projection online (docs/chip.md
   * §10, `hetquant(..., online = 1)`): between samples the unit rewrites its column mantissas.
   */
  calibration?: OnlineCalibration;
}

/**
 * Configuration registers of the calibration unit for one hetquant projection (source: a rate input
 * of `features` neurons; target: `features × duplication` neurons; dense block-diagonal weights).
 * Neuron m of feature i gets mantissa clamp(round(numerator / q), 1, largest) where q is the
 * quantile (m + 1)/(duplication + 1) of the feature's observed 16-bit encoder probabilities, clamped
 * to [limit·max, max] (docs/chip.md §10).
 */
export interface OnlineCalibration {
  features: number;
  duplication: number;
  /** round(limit · 65536), in [1, 65535]. */
  limitQ16: number;
  /** K = fireConstant · 65536 in mantissa units of this projection, an integer in [1, 2^32 − 1]. */
  numerator: number;
  /** The histogram has 2^histogramBinsLog2 bins per feature, log2 in [1, 8]. */
  histogramBinsLog2: number;
}

// ---------------------------------------------------------------------------------------------
// Placement and probes

export interface CoreSlice {
  population: number;
  /** Index within the population of the first neuron on this core. */
  start: number;
  count: number;
}

export interface Placement {
  /** For each used core, the slices of populations it holds (contiguous global ids). */
  cores: CoreSlice[][];
}

export interface Probe {
  population: number;
  variable: "v" | "u";
}
