/**
 * @fileoverview The on-chip weight average (`weight_average = 2^−k`, docs/learning.md §6): an
 * exponential moving average of every weight mantissa that the chip updates after each batch and
 * infers with, while training goes on with the weights themselves. Averaging the last stretch of a
 * noisy descent (Polyak–Ruppert averaging; SWA) lands nearer the middle of the region it wanders in.
 *
 *   A_ij ← A_ij + trunc((w_ij·2^16 − A_ij) / 2^s_t)      A = w̄ in Q16 weight LSBs, A = w·2^16 at the start
 *   s_t  = min(k, ⌊log2 t⌋)                               t = batches applied, this one included
 *   w̄_ij = floor((A_ij + 2^15) / 2^16)                   the mantissa inference uses
 *
 * The warm-up s_t < k makes A an average of (roughly the second half of) the batches so far until
 * there are 2^k of them, instead of a mix weighted towards the untrained initial weights.
 */
import type { ChipNetwork } from "../../compiler/ir.ts";
import { refreshFanOut, type LearningEngine, type LearningLayer } from "./state.ts";

const Q16 = 65536;

/** One batch's average update of a layer; returns the synapses visited (cost model). */
export function updateWeightAverage(engine: LearningEngine, layer: LearningLayer): number {
  const average = layer.weightAverageQ16;
  const finalShift = engine.settings.weightAverageShift;
  if (!average || finalShift === undefined) return 0;
  const divisor = 2 ** averageShift(finalShift, engine.batchesApplied), weights = layer.weights;
  for (let k = 0; k < average.length; k++) average[k] += Math.trunc((weights[k] * Q16 - average[k]) / divisor);
  return average.length;
}

/** s_t = min(k, ⌊log2 t⌋) for batch t ≥ 1: a priority encoder on the learning controller's batch counter. */
export function averageShift(finalShift: number, batch: number): number {
  return Math.min(finalShift, 31 - Math.clz32(Math.max(batch, 1)));
}

/** The averaged mantissas of a layer (its weights when there is no average). */
export function averagedWeights(layer: LearningLayer): Int32Array {
  const average = layer.weightAverageQ16;
  if (!average) return Int32Array.from(layer.weights);
  return Int32Array.from(average, (a) => Math.floor((a + Q16 / 2) / Q16));
}

export function hasWeightAverage(engine: LearningEngine): boolean {
  return engine.layers.some((layer) => layer.weightAverageQ16 !== null);
}

/**
 * Runs `infer` with the averaged weights in place of the trained ones and puts the trained ones back
 * (bit for bit, so training continues as if nothing happened); without an average it just runs it.
 */
export function withAveragedWeights<T>(engine: LearningEngine, infer: () => T): T {
  if (!hasWeightAverage(engine)) return infer();
  const trained = engine.layers.map((layer) => Int32Array.from(layer.weights));
  const swap = (source: (layer: LearningLayer, l: number) => Int32Array) => engine.layers.forEach((layer, l) => {
    layer.weights.set(source(layer, l));
    refreshFanOut(layer);
  });
  swap((layer) => averagedWeights(layer));
  try {
    return infer();
  } finally {
    swap((_, l) => trained[l]);
  }
}

/** The engine's network with each trained projection's mantissas replaced by `weightsOf(layer)`. */
export function networkWithWeights(engine: LearningEngine, weightsOf: (layer: LearningLayer) => Int32Array): ChipNetwork {
  const { network } = engine;
  const projections = network.projections.map((projection, index) => {
    const layer = engine.layers.find((l) => l.chain.projectionIndex === index);
    if (!layer) return projection;
    return { ...projection, connectivity: { kind: "dense" as const, weights: weightsOf(layer) } };
  });
  return { ...network, projections };
}
