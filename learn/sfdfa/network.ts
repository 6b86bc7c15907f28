/**
 * @fileoverview The learnable state of the float reference: per layer the weights (and their
 * forward-pass copy), the Adam moments and the feedback matrix B; the network-wide counters; and
 * every random draw, each from a documented seeded stream so that a run is reproducible bit for bit:
 *
 * | draw | source |
 * |---|---|
 * | initial weights of layer l (post-major order) | compiler/random.ts stream (seed, `layer<l>.weights`), U(−r, r) |
 * | DFA feedback of hidden layer l (i-major) | stream (seed, `layer<l>.feedback`), U(−r_B, r_B) |
 * | ε of hidden neuron g (global id) in training sample k | the chip's counter-based prng (docs/chip.md §6) keyed by (perturbationSeed(seed), k, ·) |
 * | epoch shuffles | dataset.ts seededPermutation(seed, `shuffle.epoch<e>`) |
 *
 * ε is counter-based (a function of sample index and neuron id, not of draw order) so that the
 * chip, which draws it from its own PRNG, can reproduce the reference's ε exactly.
 */
import { mix32, Random } from "../../compiler/random.ts";
import { prng } from "../../emulator/reference/prng.ts";
import type { PerturbationKind, SfdfaConfig } from "./config.ts";

export interface FloatLayer {
  /** 0 for the first non-input layer. */
  readonly index: number;
  readonly preSize: number;
  readonly size: number;
  readonly isOutput: boolean;
  /** Global id of the layer's first neuron (the inputs are 0..inputSize−1). */
  readonly firstNeuronId: number;
  /** α = exp(−1/τ_s), β = exp(−1/τ_m), and λ = −ln of each (the exact tangent's rates). */
  readonly alpha: number;
  readonly beta: number;
  readonly lambdaAlpha: number;
  readonly lambdaBeta: number;
  readonly threshold: number;
  /** slope_min = slopeMinFraction·ϑ. */
  readonly slopeMin: number;
  readonly learningRate: number;
  /** w_ij post-major, weights[i·preSize + j] (the IR's dense layout). */
  readonly weights: Float64Array;
  /** The same weights pre-major, fanOut[j·size + i], for the event-driven forward pass; see refreshFanOut. */
  readonly fanOut: Float64Array;
  /** Adam's first and second moments, one per weight (post-major). */
  readonly adamFirst: Float64Array;
  readonly adamSecond: Float64Array;
  /** B_io for hidden layers, feedback[i·outputSize + o]; null for the output layer. */
  readonly feedback: Float64Array | null;
}

export interface FloatNetwork {
  readonly config: SfdfaConfig;
  readonly seed: number;
  readonly layers: FloatLayer[];
  /** Adam steps taken so far (t of the bias correction). */
  adamSteps: number;
  /** Training samples seen so far: the index k that keys the next sample's ε. */
  samplesSeen: number;
  /** Multiplies every layer's Adam step: a step schedule set per epoch by the driver (1: the configured steps). */
  learningRateScale: number;
}

/** A fresh network: weights U(±initRange), B = 0 (SFDFA) or U(±dfaFeedbackRange) (DFA), Adam at zero. */
export function createFloatNetwork(config: SfdfaConfig, seed: number): FloatNetwork {
  const outputSize = config.layers[config.layers.length - 1].size;
  let preSize = config.inputSize;
  let firstNeuronId = config.inputSize;
  const layers = config.layers.map((layerConfig, index): FloatLayer => {
    const size = layerConfig.size;
    const isOutput = index === config.layers.length - 1;
    const alpha = Math.exp(-1 / layerConfig.synapseTauSteps);
    const beta = Math.exp(-1 / layerConfig.membraneTauSteps);
    const weights = uniformArray(size * preSize, layerConfig.initRange, new Random(seed, `layer${index}.weights`));
    let feedback: Float64Array | null = null;
    if (!isOutput) {
      feedback = config.rule === "dfa"
        ? uniformArray(size * outputSize, config.dfaFeedbackRange, new Random(seed, `layer${index}.feedback`))
        : new Float64Array(size * outputSize);
    }
    const layer: FloatLayer = {
      index, preSize, size, isOutput, firstNeuronId,
      alpha, beta, lambdaAlpha: 1 / layerConfig.synapseTauSteps, lambdaBeta: 1 / layerConfig.membraneTauSteps,
      threshold: layerConfig.threshold,
      slopeMin: config.slopeMinFraction * layerConfig.threshold,
      learningRate: layerConfig.learningRate,
      weights, fanOut: new Float64Array(size * preSize),
      adamFirst: new Float64Array(size * preSize), adamSecond: new Float64Array(size * preSize),
      feedback,
    };
    refreshFanOut(layer);
    preSize = size;
    firstNeuronId += size;
    return layer;
  });
  return { config, seed: seed >>> 0, layers, adamSteps: 0, samplesSeen: 0, learningRateScale: 1 };
}

/** Copies the post-major weights into the pre-major forward-pass table (after every weight change). */
export function refreshFanOut(layer: FloatLayer): void {
  const { weights, fanOut, size, preSize } = layer;
  for (let i = 0; i < size; i++) {
    const row = i * preSize;
    for (let j = 0; j < preSize; j++) fanOut[j * size + i] = weights[row + j];
  }
}

function uniformArray(length: number, range: number, random: Random): Float64Array {
  const values = new Float64Array(length);
  for (let k = 0; k < length; k++) values[k] = (2 * random.uniform() - 1) * range;
  return values;
}

/** The seed of the perturbation draws, derived from the network seed so it differs from the chip's run seed. */
export function perturbationSeed(seed: number): number {
  return mix32((seed ^ 0x5fdfa000) >>> 0);
}

const TWO_TO_32 = 4294967296;

/**
 * ε (unit variance, before σ) of the neuron with global id `neuronId` in training sample
 * `sampleIndex`: "sign" is ±1 from the top bit of prng(s, k, g); "normal" is Box–Muller on
 * u1 = (prng(s, k, 2g) + ½)/2³², u2 = (prng(s, k, 2g + 1) + ½)/2³² (both in (0, 1)).
 */
export function unitPerturbation(seed: number, sampleIndex: number, neuronId: number, kind: PerturbationKind): number {
  const streamSeed = perturbationSeed(seed);
  if (kind === "sign") return prng(streamSeed, sampleIndex >>> 0, neuronId) >>> 31 ? -1 : 1;
  const u1 = (prng(streamSeed, sampleIndex >>> 0, 2 * neuronId) + 0.5) / TWO_TO_32;
  const u2 = (prng(streamSeed, sampleIndex >>> 0, 2 * neuronId + 1) + 0.5) / TWO_TO_32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
