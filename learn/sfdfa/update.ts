/**
 * @fileoverview From a finished sample to new weights (docs/learning.md §4–§6): the spike-count
 * loss's output errors, each neuron's error (fed back through B for hidden layers, plus the
 * firing-rate term), the batch accumulators, Adam, and the SFDFA feedback update.
 *
 * Per sample s (after runSample):
 *   err_o = target_o − count_o                             (targets 15 / 3)
 *           oneSidedErrors (the hinge loss): max(err_o, 0) for the true class, min(err_o, 0) for the others
 *   n_i   = 1 / max(count_i, 1) if normaliseErrorByCount (the output layer: normaliseOutputErrorByCount
 *           when set), else 1; a pseudo-spiking neuron (sample.ts) has count 0, so n_i = 1
 *   output:  gradTask_oj += err_o·n_o·E_oj
 *   hidden:  gradTask_ij += (Σ_o B_io·err_o)·n_i·E_ij;  gradRate_ij += n_i·E_ij;  countSum_i += count_i
 *   SFDFA:   for hidden i with count_i > 0: feedbackSum_io += D_o·ε_i/σ²;  feedbackSamples_i += 1
 * Per batch of N samples:
 *   G_ij = (gradTask_ij + reg·(rateTarget − countSum_i/N)·gradRate_ij) / N
 *        = mean_s[(Σ_o B_io·err_o + reg·(rateTarget − mean count_i))·n_i·E_ij]   (the prototype's G)
 *   Adam:  m ← β1·m + (1 − β1)·G;  v ← β2·v + (1 − β2)·G²;  w ← w − lr·(m/(1 − β1^t)) / (√(v/(1 − β2^t)) + eps) − lr·λ·w
 *          then |w| ≤ weightLimit when set (the chip's mantissa clamp, for comparison)
 *   SFDFA: B_io ← B_io − η_B·(B_io − feedbackSum_io/feedbackSamples_i)   (if feedbackSamples_i > 0)
 * Splitting G into gradTask and gradRate keeps it exact although the batch-mean count is known only
 * at the end of the batch; a chip can keep both sums per synapse, or use the previous batch's mean.
 */
import type { FloatNetwork } from "./network.ts";
import { refreshFanOut } from "./network.ts";
import type { SampleState } from "./sample.ts";

interface LayerAccumulator {
  readonly gradTask: Float64Array;
  /** Hidden layers only (the rate term's factor); null for the output layer. */
  readonly gradRate: Float64Array | null;
  readonly countSum: Float64Array;
  /** SFDFA hidden layers only: Σ D_o·ε_i/σ² over the samples where i spiked, i-major [size × outputs]. */
  readonly feedbackSum: Float64Array | null;
  readonly feedbackSamples: Int32Array | null;
}

export interface BatchAccumulator {
  samples: number;
  readonly layers: LayerAccumulator[];
  /** Scratch: this sample's output errors. */
  readonly outputError: Float64Array;
}

export function createBatchAccumulator(network: FloatNetwork): BatchAccumulator {
  const outputSize = network.layers[network.layers.length - 1].size;
  const learnsFeedback = network.config.rule === "sfdfa";
  return {
    samples: 0,
    outputError: new Float64Array(outputSize),
    layers: network.layers.map((layer) => ({
      gradTask: new Float64Array(layer.size * layer.preSize),
      gradRate: layer.isOutput ? null : new Float64Array(layer.size * layer.preSize),
      countSum: new Float64Array(layer.size),
      feedbackSum: !layer.isOutput && learnsFeedback ? new Float64Array(layer.size * outputSize) : null,
      feedbackSamples: !layer.isOutput && learnsFeedback ? new Int32Array(layer.size) : null,
    })),
  };
}

/** err_o = target_o − count_o with the spike-count targets (true class's outputs, every other output). */
export function outputErrors(network: FloatNetwork, counts: Int32Array, label: number, out: Float64Array): Float64Array {
  const { targetTrueCount, targetOtherCount, oneSidedErrors } = network.config;
  const perClass = network.config.outputsPerClass ?? 1;
  for (let o = 0; o < counts.length; o++) {
    const isTrue = Math.floor(o / perClass) === label;
    const err = (isTrue ? targetTrueCount : targetOtherCount) - counts[o];
    out[o] = !oneSidedErrors ? err : isTrue ? Math.max(err, 0) : Math.min(err, 0);
  }
  return out;
}

/** Adds one finished training sample (state after runSample with learning) to the batch sums. */
export function accumulateSample(network: FloatNetwork, state: SampleState, label: number, batch: BatchAccumulator): void {
  const { config } = network;
  const output = state.layers[state.layers.length - 1];
  const err = outputErrors(network, output.counts, label, batch.outputError);
  const outputSize = err.length;
  const inverseScaleSquared = 1 / (config.perturbationScale * config.perturbationScale);
  network.layers.forEach((layer, l) => {
    const s = state.layers[l];
    const sums = batch.layers[l];
    const { preSize } = layer;
    for (let k = 0; k < s.eligibleCount; k++) {
      const i = s.eligibleNeurons[k];
      const normalise = layer.isOutput ? config.normaliseOutputErrorByCount ?? config.normaliseErrorByCount : config.normaliseErrorByCount;
      const normaliser = normalise ? 1 / Math.max(s.counts[i], 1) : 1;
      let taskError: number;
      if (layer.isOutput) {
        taskError = err[i];
      } else {
        taskError = 0;
        const feedback = layer.feedback!;
        for (let o = 0; o < outputSize; o++) taskError += feedback[i * outputSize + o] * err[o];
      }
      const row = i * preSize;
      const taskFactor = taskError * normaliser;
      for (let j = 0; j < preSize; j++) sums.gradTask[row + j] += taskFactor * s.eligibility[row + j];
      if (sums.gradRate) for (let j = 0; j < preSize; j++) sums.gradRate[row + j] += normaliser * s.eligibility[row + j];
    }
    for (let i = 0; i < layer.size; i++) sums.countSum[i] += s.counts[i];
    if (sums.feedbackSum && sums.feedbackSamples && s.perturbed) {
      for (let i = 0; i < layer.size; i++) {
        if (s.counts[i] === 0) continue;
        const weight = s.perturbation[i] * inverseScaleSquared;
        for (let o = 0; o < outputSize; o++) sums.feedbackSum[i * outputSize + o] += output.directional[o] * weight;
        sums.feedbackSamples[i]++;
      }
    }
  });
  batch.samples++;
}

/** Applies the batch (Adam on every layer, then the SFDFA feedback update) and clears the sums. */
export function applyBatch(network: FloatNetwork, batch: BatchAccumulator): void {
  if (batch.samples === 0) return;
  const { config } = network;
  const t = ++network.adamSteps;
  const firstCorrection = 1 - Math.pow(config.adamBeta1, t);
  const secondCorrection = 1 - Math.pow(config.adamBeta2, t);
  const outputSize = network.layers[network.layers.length - 1].size;
  network.layers.forEach((layer, l) => {
    const sums = batch.layers[l];
    const { preSize, weights, adamFirst, adamSecond } = layer;
    const layerConfig = config.layers[l];
    const reg = layerConfig.rateRegularisation ?? config.rateRegularisation;
    const rateTarget = layerConfig.rateTargetSpikes ?? config.rateTargetSpikes;
    // AdamW: the decay follows the scheduled rate, not Adam's bias correction.
    const decay = (config.weightDecay ?? 0) * layer.learningRate * network.learningRateScale;
    for (let i = 0; i < layer.size; i++) {
      const rateError = sums.gradRate ? reg * (rateTarget - sums.countSum[i] / batch.samples) : 0;
      const row = i * preSize;
      for (let j = 0; j < preSize; j++) {
        const k = row + j;
        const gradient = (sums.gradTask[k] + (sums.gradRate ? rateError * sums.gradRate[k] : 0)) / batch.samples;
        adamFirst[k] = config.adamBeta1 * adamFirst[k] + (1 - config.adamBeta1) * gradient;
        adamSecond[k] = config.adamBeta2 * adamSecond[k] + (1 - config.adamBeta2) * gradient * gradient;
        weights[k] -= decay * weights[k] + (layer.learningRate * network.learningRateScale * (adamFirst[k] / firstCorrection)) / (Math.sqrt(adamSecond[k] / secondCorrection) + config.adamEpsilon);
        if (config.weightLimit !== undefined) weights[k] = Math.max(-config.weightLimit, Math.min(config.weightLimit, weights[k]));
      }
    }
    refreshFanOut(layer);
    if (layer.feedback && sums.feedbackSum && sums.feedbackSamples) {
      for (let i = 0; i < layer.size; i++) {
        const samples = sums.feedbackSamples[i];
        if (samples === 0) continue;
        for (let o = 0; o < outputSize; o++) {
          const k = i * outputSize + o;
          layer.feedback[k] -= config.feedbackLearningRate * (layer.feedback[k] - sums.feedbackSum[k] / samples);
        }
      }
    }
    sums.gradTask.fill(0);
    sums.gradRate?.fill(0);
    sums.countSum.fill(0);
    sums.feedbackSum?.fill(0);
    sums.feedbackSamples?.fill(0);
  });
  batch.samples = 0;
}
