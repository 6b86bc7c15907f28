/**
 * @fileoverview From a finished training sample to new weights, in the chip's integers (the float
 * reference is learn/sfdfa/update.ts; docs/learning.md §11 lists the formats):
 *
 * Per sample:
 *   err_o = target_o − count_o                                          (Q16)
 *           loss = spike_count_hinge: max(err_o, 0) for the true class, min(err_o, 0) for the others
 *   output: e_o = trunc(err_o / max(count_o, 1))    (output_error = per_spike; total: e_o = err_o)
 *   hidden: e_i = trunc((Σ_o B_io·err_o / 2^16 + reg·(rate_target − meanCount_i)) / max(count_i, 1))
 *           meanCount_i is the PREVIOUS batch's mean (one per-neuron register, no per-synapse rate sum)
 *           i also counts as eligible when it stayed silent but its membrane peaked ≥ silent_floor·ϑ
 *           (a pseudo-spike, sample.ts; E from the trace at its peak step, count 0 → divisor 1)
 *   G_ij += e_i·E_ij                                                    (exact integer, Q24)
 *   SFDFA: for hidden i that spiked: S_io += D_o·sign(ε_i)/σ; n_i += 1  (Q16)
 * Per batch of N:
 *   g = clamp(trunc(G / (N·2^k)), ±(2^11 − 1))    k: the layer's block exponent, re-chosen each batch
 *   M += g − trunc(M / 2^s1);  S += g² − ⌊S / 2^s2⌋    M = m·2^s1, S = v·2^s2 (β1 = 1 − 2^−s1, β2 = 1 − 2^−s2)
 *   Δ = trunc(trunc(M·2^(16 + ⌈s2/2⌉ − s1) / (⌊√(S·2^(s2 mod 2))⌋ + 1)) · step_t / 2^16)   (Q16 weight LSBs)
 *   Δ += trunc(q·⌊decay / 2^h⌋ / 2^16)     weight_decay (AdamW): decay = round(lr·λ·2^32), h the schedule's halvings
 *   q ← clamp(q − ⌊(Δ + u16) / 2^16⌋, ±(2^(bits−1) − 1))              u16 = prng(seedR, batch, synapse) & 0xFFFF
 *   SFDFA: B_io += trunc((trunc(S_io / n_i) − B_io) / 2^ηshift)
 * step_t = round(step·√(1 − β2^t)/(1 − β1^t)) is Adam's bias correction, one scalar per batch that the
 * learning controller computes (not per synapse).
 */
import { prng } from "../reference/prng.ts";
import { FORMAT, refreshFanOut, roundingSeed, type LearningEngine, type LearningLayer } from "./state.ts";
import type { ChipSampleState } from "./sample.ts";
import { updateWeightAverage } from "./average.ts";

const Q16 = 65536;
const GRADIENT_LIMIT = 2 ** FORMAT.gradientBits - 1;

/** Work done by the learning unit outside the forward pass, for the cost model. */
export interface UpdateWork {
  errorMultiplies: number;
  gradientUpdates: number;
  weightUpdates: number;
  feedbackUpdates: number;
  averageUpdates: number;
}

export function emptyUpdateWork(): UpdateWork {
  return { errorMultiplies: 0, gradientUpdates: 0, weightUpdates: 0, feedbackUpdates: 0, averageUpdates: 0 };
}

/**
 * err_o = target_o − count_o in Q16; with the hinge loss only the true class's shortfall and the
 * others' excess. Output o belongs to class ⌊o / outputs_per_class⌋: each neuron of the true class's
 * group has the true target.
 */
export function outputErrorsQ16(engine: LearningEngine, counts: Int32Array, label: number): Int32Array {
  const { targetTrueCount, targetOtherCount } = engine.settings;
  const perClass = engine.settings.outputsPerClass ?? 1;
  const hinge = engine.settings.loss === "spike_count_hinge";
  return Int32Array.from(counts, (count, o) => {
    const isTrue = Math.floor(o / perClass) === label;
    const err = Math.round(((isTrue ? targetTrueCount : targetOtherCount) - count) * Q16);
    return !hinge ? err : isTrue ? Math.max(err, 0) : Math.min(err, 0);
  });
}

/** Adds one finished training sample to the batch sums. */
export function accumulateChipSample(engine: LearningEngine, state: ChipSampleState, label: number, work: UpdateWork): void {
  const { settings } = engine;
  const output = state.layers[state.layers.length - 1];
  const err = outputErrorsQ16(engine, output.counts, label);
  const outputSize = err.length;
  // The hinge loss leaves most outputs without error, and only outputs that spiked carry D_o: the
  // sums below visit the non-zero terms alone (adding a zero term changes no integer; the cost model
  // still counts every multiply of the chip's dense loop).
  const erring = nonZeroIndices(err);
  const feedbackShift = 2 ** settings.perturbationLog2;
  const feedbackDelta = Float64Array.from(output.directional, (d) => Math.trunc(d / feedbackShift));
  const moving = nonZeroIndices(feedbackDelta);
  engine.layers.forEach((layer, l) => {
    const s = state.layers[l];
    const hiddenError = (i: number): number => {
      let task = 0;
      const feedbackRow = i * outputSize, feedback = layer.feedback!;
      for (let k = 0; k < erring.length; k++) task += feedback[feedbackRow + erring[k]] * err[erring[k]];
      work.errorMultiplies += outputSize;
      return Math.trunc(task / Q16) + Math.trunc((layer.rateRegularisationQ16 * (layer.rateTargetQ16 - layer.previousMeanCountQ16[i])) / Q16);
    };
    const gradient = layer.gradient, activePre = s.activePre;
    for (let k = 0; k < s.eligibleCount; k++) {
      const i = s.eligibleNeurons[k];
      let error = layer.isOutput ? err[i] : hiddenError(i);
      if (!layer.isOutput || settings.outputErrorPerSpike !== false) error = Math.trunc(error / Math.max(s.counts[i], 1));
      work.gradientUpdates += layer.preSize;
      if (error === 0) continue;
      // E_ij is zero outside the presynaptic neurons that fired this sample: visit only those (the
      // chip's cost model still counts a multiply-add per synapse of the row).
      const row = i * layer.preSize;
      engine.kernel.accumulateGradient(gradient, row, s.eligibility, row, activePre, s.activePreCount, error);
    }
    // Pseudo-spikes (count 0, so no division): E = −(Q_j(m*) >> 4) read from the trace history.
    for (let k = 0; k < s.pseudoCount; k++) {
      const i = s.pseudoNeurons[k];
      const error = hiddenError(i);
      const row = i * layer.preSize, history = s.peakStep[i] * layer.preSize, traces = s.preTraceQHistory;
      for (let a = 0; a < s.activePreCount; a++) gradient[row + activePre[a]] -= error * (traces[history + a] >> 4);
      work.gradientUpdates += layer.preSize;
    }
    for (let i = 0; i < layer.size; i++) layer.countSum[i] += s.counts[i];
    if (layer.feedbackSum && layer.feedbackSamples && s.perturbed) {
      // S_io += trunc(D_o·sign(ε_i)/σ) = sign(ε_i)·trunc(D_o/σ): truncation is symmetric.
      const feedbackSum = layer.feedbackSum;
      for (let i = 0; i < layer.size; i++) {
        if (s.counts[i] === 0) continue;
        const row = i * outputSize;
        if (s.perturbation[i] < 0) for (let k = 0; k < moving.length; k++) feedbackSum[row + moving[k]] -= feedbackDelta[moving[k]];
        else for (let k = 0; k < moving.length; k++) feedbackSum[row + moving[k]] += feedbackDelta[moving[k]];
        layer.feedbackSamples[i]++;
      }
    }
  });
  engine.samplesInBatch++;
}

function nonZeroIndices(values: ArrayLike<number>): Int32Array {
  const indices: number[] = [];
  for (let k = 0; k < values.length; k++) if (values[k] !== 0) indices.push(k);
  return Int32Array.from(indices);
}

/** Applies the batch: Adam with stochastic rounding on every layer, the weight average, then the SFDFA feedback update. */
export function applyChipBatch(engine: LearningEngine, work: UpdateWork): void {
  const samples = engine.samplesInBatch;
  if (samples === 0) return;
  const { settings } = engine;
  const t = ++engine.batchesApplied;
  const beta1 = 1 - 2 ** -settings.adamFirstShift;
  const beta2 = 1 - 2 ** -settings.adamSecondShift;
  // Adam's bias correction √(1 − β2^t)/(1 − β1^t): one scalar per batch, from the learning controller.
  const correction = Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
  const seed = roundingSeed(engine.seed);
  let synapseBase = 0;
  for (const layer of engine.layers) {
    adamStep(engine, layer, samples, correction, t, seed, synapseBase, work);
    work.averageUpdates += updateWeightAverage(engine, layer);
    layer.gradient.fill(0);
    synapseBase += layer.gradient.length;
    for (let i = 0; i < layer.size; i++) layer.previousMeanCountQ16[i] = Math.trunc((layer.countSum[i] * Q16) / samples);
    layer.countSum.fill(0);
    if (layer.feedback && layer.feedbackSum && layer.feedbackSamples) {
      const outputSize = layer.feedback.length / layer.size;
      const rate = 2 ** settings.feedbackRateShift;
      for (let i = 0; i < layer.size; i++) {
        const n = layer.feedbackSamples[i];
        if (n === 0) continue;
        for (let o = 0; o < outputSize; o++) {
          const k = i * outputSize + o;
          const target = Math.trunc(layer.feedbackSum[k] / n);
          layer.feedback[k] += Math.trunc((target - layer.feedback[k]) / rate);
        }
        work.feedbackUpdates += outputSize;
      }
      layer.feedbackSum.fill(0);
      layer.feedbackSamples.fill(0);
    }
  }
  engine.samplesInBatch = 0;
}

/**
 * One Adam step of a layer. The block exponent k is re-chosen every batch so that the largest g
 * uses all GRADIENT_BITS: a rising k shifts M and S right (k + d: M >> d, S >> 2d); a falling k
 * shifts them left only as far as they keep within their widths. (A k fixed at the first batch,
 * the first version, let g underflow to a few LSBs once the gradients shrank, and v = EMA(g²) then
 * truncated to 0, so √v = 0 and single steps jumped by tens of LSBs: the on-chip rule did not learn.)
 */
function adamStep(engine: LearningEngine, layer: LearningLayer, samples: number, correction: number, t: number, seed: number, synapseBase: number, work: UpdateWork): void {
  const { gradient, adamFirst, adamSecond, weights, weightLimit } = layer;
  const s1 = engine.settings.adamFirstShift;
  const s2 = engine.settings.adamSecondShift;
  let largest = 0;
  for (let k = 0; k < gradient.length; k++) largest = Math.max(largest, Math.abs(gradient[k]));
  // Nothing learned yet: Adam stays at rest (a decay still shrinks the weights).
  if (largest === 0 && layer.gradientShift < 0 && layer.decayQ32 === 0) return;
  if (largest > 0) rechooseExponent(layer, Math.ceil(Math.log2(largest / samples + 1)) - FORMAT.gradientBits, s1, s2);
  const divisor = samples * 2 ** layer.gradientShift;
  // m/√v = (M/2^s1)/(√(S·2^(s2 mod 2))/2^⌈s2/2⌉); the ratio is formed in Q16.
  const oddShift = s2 & 1;
  const ratioScale = 2 ** (16 + Math.ceil(s2 / 2) - s1);
  const step = Math.round((layer.stepQ16 * correction) / 2 ** engine.learningRateShift);
  // AdamW's decoupled decay follows the schedule but not the bias correction (a shift of a register).
  const decayQ32 = Math.floor(layer.decayQ32 / 2 ** engine.learningRateShift);
  for (let k = 0; k < gradient.length; k++) {
    const g = Math.max(-GRADIENT_LIMIT, Math.min(GRADIENT_LIMIT, Math.trunc(gradient[k] / divisor)));
    adamFirst[k] += g - Math.trunc(adamFirst[k] / 2 ** s1);
    adamSecond[k] += g * g - Math.floor(adamSecond[k] / 2 ** s2);
    const decayQ16 = Math.trunc((weights[k] * decayQ32) / Q16);
    if (adamFirst[k] === 0 && decayQ16 === 0) continue;
    const root = Math.floor(Math.sqrt(adamSecond[k] * 2 ** oddShift)); // integer square root on chip
    const ratioQ16 = Math.trunc((adamFirst[k] * ratioScale) / (root + 1));
    const deltaQ16 = Math.trunc((ratioQ16 * step) / Q16) + decayQ16;
    const dither = prng(seed, t, synapseBase + k) & 0xffff;
    const delta = Math.floor((deltaQ16 + dither) / Q16);
    weights[k] = Math.max(-weightLimit, Math.min(weightLimit, weights[k] - delta));
  }
  work.weightUpdates += gradient.length;
  refreshFanOut(layer);
}

/** Moves the layer's block exponent towards `wanted` (≥ 0), rescaling its Adam moments exactly or by truncation. */
function rechooseExponent(layer: LearningLayer, wanted: number, s1: number, s2: number): void {
  const target = Math.max(0, wanted);
  const { adamFirst, adamSecond } = layer;
  if (layer.gradientShift < 0) {
    layer.gradientShift = target;
    return;
  }
  let d = target - layer.gradientShift;
  if (d > 0) {
    for (let k = 0; k < adamFirst.length; k++) {
      adamFirst[k] = Math.trunc(adamFirst[k] / 2 ** d);
      adamSecond[k] = Math.floor(adamSecond[k] / 4 ** d);
    }
  } else if (d < 0) {
    // Headroom: M within 2^(GRADIENT_BITS + s1), S within 2^(2·GRADIENT_BITS + s2).
    let largestFirst = 0, largestSecond = 0;
    for (let k = 0; k < adamFirst.length; k++) {
      largestFirst = Math.max(largestFirst, Math.abs(adamFirst[k]));
      largestSecond = Math.max(largestSecond, adamSecond[k]);
    }
    const freeFirst = largestFirst === 0 ? Infinity : Math.floor(Math.log2(2 ** (FORMAT.gradientBits + s1) / largestFirst));
    const freeSecond = largestSecond === 0 ? Infinity : Math.floor(Math.log2(2 ** (2 * FORMAT.gradientBits + s2) / largestSecond) / 2);
    d = -Math.min(-d, freeFirst, freeSecond);
    if (d < 0) {
      for (let k = 0; k < adamFirst.length; k++) {
        adamFirst[k] *= 2 ** -d;
        adamSecond[k] *= 4 ** -d;
      }
    }
  }
  layer.gradientShift += d;
}
