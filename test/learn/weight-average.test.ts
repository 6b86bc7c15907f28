/**
 * @fileoverview `weight_average = 2^−k`: the chip's moving average of its weights (docs/learning.md
 * §6, emulator/learning/average.ts). It follows its recursion exactly, leaves training untouched,
 * is what the chip infers with and writes into its inference image, and survives a checkpoint.
 */
import { describe, expect, it } from "vitest";
import { createLearningChip, flushChipBatch, inferChipSample, learnedChecksum, learningCost, networkForInference, trainChipSample, withAveragedWeights, type LearningChip } from "../../emulator/learning/index.ts";
import { averageShift, averagedWeights } from "../../emulator/learning/average.ts";
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from "../../emulator/learning/checkpoint.ts";
import { refreshFanOut } from "../../emulator/learning/state.ts";
import { chipRaster, compileTiny, randomFeatures, tinySettings } from "./support/chip.ts";

const network = compileTiny();
const rasters = Array.from({ length: 24 }, (_, k) => chipRaster(network, randomFeatures(20, 300 + k)));

function trained(weightAverageShift: number | undefined, samples = 24): LearningChip {
  const chip = createLearningChip(network, tinySettings({ batchSize: 6, learningRate: 4e-3, weightAverageShift }));
  for (let k = 0; k < samples; k++) trainChipSample(chip, rasters[k], k % 3);
  return chip;
}

describe("the on-chip weight average", () => {
  it("follows A ← A + trunc((w·2^16 − A)/2^min(k, ⌊log2 t⌋)) after batch t, from A = w·2^16", () => {
    const chip = trained(2, 0);
    const layers = chip.engine.layers;
    let expected = layers.map((layer) => Array.from(layer.weights, (w) => w * 65536));
    layers.forEach((layer, l) => expect(Array.from(layer.weightAverageQ16!)).toEqual(expected[l]));
    for (let k = 0; k < 24; k++) {
      trainChipSample(chip, rasters[k], k % 3);
      if ((k + 1) % 6 !== 0) continue;
      const divisor = 2 ** Math.min(2, Math.floor(Math.log2((k + 1) / 6)));
      expected = layers.map((layer, l) => expected[l].map((a, s) => a + Math.trunc((layer.weights[s] * 65536 - a) / divisor)));
      layers.forEach((layer, l) => expect(Array.from(layer.weightAverageQ16!)).toEqual(expected[l]));
    }
    // the trained weights did move, so the average is not the trivial one
    expect(layers.some((layer, l) => layer.weights.some((w, s) => w * 65536 !== expected[l][s]))).toBe(true);
  });

  it("leaves training untouched: the trained weights and B are the same bit for bit with and without it", () => {
    expect(learnedChecksum(trained(3))).toBe(learnedChecksum(trained(undefined)));
  });

  it("warms up: batch t averages with 2^−min(k, ⌊log2 t⌋), so the first batch's weights replace the initial ones", () => {
    expect([1, 2, 3, 4, 7, 8, 1023, 1024, 2 ** 20].map((t) => averageShift(11, t))).toEqual([0, 1, 1, 2, 2, 3, 9, 10, 11]);
    const chip = trained(11, 6);
    chip.engine.layers.forEach((layer) => expect(Array.from(averagedWeights(layer))).toEqual(Array.from(layer.weights)));
  });

  it("is what the chip infers with, and the trained weights are back afterwards", () => {
    // A chip given the averaged mantissas as its weights spikes as the trained chip does with its average.
    const chip = trained(1);
    const twin = createLearningChip(network, tinySettings());
    twin.engine.layers.forEach((layer, l) => layer.weights.set(averagedWeights(chip.engine.layers[l])));
    twin.engine.layers.forEach((layer) => refreshFanOut(layer));
    expect(chip.engine.layers.some((layer) => averagedWeights(layer).some((w, s) => w !== layer.weights[s]))).toBe(true);
    const before = chip.engine.layers.map((layer) => Int32Array.from(layer.weights));
    for (const raster of rasters.slice(0, 6)) {
      const averaged = Array.from(withAveragedWeights(chip.engine, () => inferChipSample(chip, raster)));
      expect(averaged).toEqual(Array.from(inferChipSample(twin, raster)));
    }
    chip.engine.layers.forEach((layer, l) => expect(layer.weights).toEqual(before[l]));
    const inference = networkForInference(chip);
    chip.engine.layers.forEach((layer) => {
      const connectivity = inference.projections[layer.chain.projectionIndex].connectivity;
      expect(connectivity.kind === "dense" && Array.from(connectivity.weights)).toEqual(Array.from(averagedWeights(layer)));
    });
  });

  it("rounds the average to the nearest mantissa", () => {
    const layer = trained(1, 0).engine.layers[0];
    layer.weightAverageQ16!.set([3 * 65536 + 32767, 3 * 65536 + 32768, -3 * 65536 - 32768, -3 * 65536 - 32769]);
    expect(Array.from(averagedWeights(layer).subarray(0, 4))).toEqual([3, 4, -3, -4]);
  });

  it("resumes its warm-up where it stopped: a run interrupted after two batches ends with the same average", () => {
    const settings = tinySettings({ batchSize: 6, learningRate: 4e-3, weightAverageShift: 11 });
    const first = createLearningChip(network, settings);
    for (let k = 0; k < 12; k++) trainChipSample(first, rasters[k], k % 3);
    const { network: saved, payload } = decodeCheckpoint(encodeCheckpoint(first, { epoch: 0, nextSample: 12, seed: 1 }), "test");
    const resumed = createLearningChip(saved, settings);
    restoreCheckpoint(resumed, payload, "test");
    for (let k = 12; k < 24; k++) trainChipSample(resumed, rasters[k], k % 3);
    const uninterrupted = trained(11);
    resumed.engine.layers.forEach((layer, l) => expect(layer.weightAverageQ16).toEqual(uninterrupted.engine.layers[l].weightAverageQ16));
  });

  it("survives a checkpoint, and costs one operation and 25 bits per synapse", () => {
    const chip = trained(2);
    flushChipBatch(chip);
    const { network: saved, payload } = decodeCheckpoint(encodeCheckpoint(chip, { epoch: 1, nextSample: 0, seed: 1 }), "test");
    const resumed = createLearningChip(saved, tinySettings({ batchSize: 6, learningRate: 4e-3, weightAverageShift: 2 }));
    restoreCheckpoint(resumed, payload, "test");
    resumed.engine.layers.forEach((layer, l) => expect(layer.weightAverageQ16).toEqual(chip.engine.layers[l].weightAverageQ16));
    const synapses = chip.engine.layers.reduce((sum, layer) => sum + layer.weights.length, 0);
    expect(chip.updateWork.averageUpdates).toBe(4 * synapses);
    expect(learningCost(chip).memoryBitsPerSynapse - learningCost(trained(undefined)).memoryBitsPerSynapse).toBe(25);
  });
});
