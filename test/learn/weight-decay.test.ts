/**
 * @fileoverview `weight_decay = λ`: AdamW's decoupled decay in the chip's Adam step (docs/learning.md
 * §6, emulator/learning/update.ts). Each batch removes lr_t·λ of every weight, in Q16 with the same
 * stochastic rounding as the Adam step; λ = 0 is the rule without it, bit for bit.
 */
import { describe, expect, it } from "vitest";
import { createLearningChip, learnedChecksum, trainChipSample, type LearningChip } from "../../emulator/learning/index.ts";
import { prng } from "../../emulator/reference/prng.ts";
import { roundingSeed } from "../../emulator/learning/state.ts";
import { LearningError } from "../../emulator/learning/chain.ts";
import { compileSource } from "../../compiler/index.ts";
import { chipRaster, compileTiny, randomFeatures, tinySettings, tinySource } from "./support/chip.ts";
import { prototypeConfig } from "../../learn/sfdfa/config.ts";
import { createFloatNetwork } from "../../learn/sfdfa/network.ts";
import { applyBatch, createBatchAccumulator } from "../../learn/sfdfa/update.ts";

const network = compileTiny();
const rasters = Array.from({ length: 24 }, (_, k) => chipRaster(network, randomFeatures(20, 500 + k)));
const silent = chipRaster(network, new Float64Array(20));

function trained(weightDecay: number | undefined, learningRateShift = 0): LearningChip {
  const chip = createLearningChip(network, tinySettings({ batchSize: 6, learningRate: 4e-3, weightDecay }));
  chip.engine.learningRateShift = learningRateShift;
  for (let k = 0; k < rasters.length; k++) trainChipSample(chip, rasters[k], k % 3);
  return chip;
}

const magnitude = (chip: LearningChip) => chip.engine.layers.reduce((sum, layer) => sum + layer.weights.reduce((s, w) => s + Math.abs(w), 0), 0);

describe("the on-chip weight decay", () => {
  it("without gradients follows q ← q − ⌊(trunc(q·⌊D/2^h⌋/2^16) + u16)/2^16⌋, D = round(lr·λ·2^32)", () => {
    expect(silent.neurons.length).toBe(0);
    const weightDecay = 8, shift = 1;
    const chip = createLearningChip(network, tinySettings({ batchSize: 2, learningRate: 4e-3, outputLearningRate: 2e-3, weightDecay }));
    chip.engine.learningRateShift = shift;
    const seed = roundingSeed(chip.engine.seed);
    const layers = chip.engine.layers;
    let expected = layers.map((layer) => Array.from(layer.weights));
    for (let t = 1; t <= 5; t++) {
      for (let k = 0; k < 2; k++) trainChipSample(chip, silent, 0);
      let synapseBase = 0;
      expected = layers.map((layer, l) => {
        const rate = l === layers.length - 1 ? 2e-3 : 4e-3;
        const decay = Math.floor(Math.round(rate * weightDecay * 2 ** 32) / 2 ** shift);
        const next = expected[l].map((q, s) => q - Math.floor((Math.trunc((q * decay) / 65536) + (prng(seed, t, synapseBase + s) & 0xffff)) / 65536));
        synapseBase += expected[l].length;
        return next;
      });
      layers.forEach((layer, l) => expect(Array.from(layer.weights)).toEqual(expected[l]));
    }
    // lr·λ = 3.2 % per batch at the hidden layer, halved: the weights did shrink
    expect(layers[0].weights.reduce((s, w) => s + Math.abs(w), 0)).toBeLessThan(0.95 * Array.from(createLearningChip(network, tinySettings()).engine.layers[0].weights).reduce((s, w) => s + Math.abs(w), 0));
  });

  it("shrinks the weights as the float reference's AdamW does: by (1 − lr·λ) per batch, unbiased", () => {
    const learningRate = 4e-3, weightDecay = 2, batches = 6;
    const float = createFloatNetwork(prototypeConfig([20, 8, 3], { learningRate, weightDecay }), 7);
    const initial = Array.from(float.layers[0].weights);
    const batch = createBatchAccumulator(float);
    for (let t = 0; t < batches; t++) { batch.samples = 1; applyBatch(float, batch); } // zero gradients
    const factor = (1 - learningRate * weightDecay) ** batches;
    float.layers[0].weights.forEach((w, k) => expect(w).toBeCloseTo(initial[k] * factor, 12));
    // The chip, silent input, same lr·λ: its stochastic rounding keeps the total on the same curve.
    const chip = createLearningChip(network, tinySettings({ batchSize: 1, learningRate, weightDecay }));
    const total = () => chip.engine.layers[0].weights.reduce((sum, w) => sum + Math.abs(w), 0);
    const before = total();
    for (let t = 0; t < batches; t++) trainChipSample(chip, silent, 0);
    expect(total() / before).toBeGreaterThan(factor - 0.01);
    expect(total() / before).toBeLessThan(factor + 0.01);
  });

  it("is the rule without it when λ = 0, and shrinks the trained weights when λ > 0", () => {
    expect(learnedChecksum(trained(0))).toBe(learnedChecksum(trained(undefined)));
    expect(magnitude(trained(4))).toBeLessThan(magnitude(trained(undefined)));
  });

  it("holds lr·λ per layer in a Q32 register: the output layer's from lr_output", () => {
    const chip = createLearningChip(network, tinySettings({ learningRate: 4e-3, outputLearningRate: 1e-3, weightDecay: 2 }));
    expect(chip.engine.layers.map((layer) => layer.decayQ32)).toEqual([Math.round(8e-3 * 2 ** 32), Math.round(2e-3 * 2 ** 32)]);
    expect(createLearningChip(network, tinySettings()).engine.layers.map((layer) => layer.decayQ32)).toEqual([0, 0]);
  });

  it("rejects a decay that would remove more than 1/16 of a weight per batch, and a negative one", () => {
    expect(() => createLearningChip(network, tinySettings({ learningRate: 4e-3, weightDecay: 20 }))).toThrow(LearningError);
    expect(() => createLearningChip(network, tinySettings({ learningRate: 4e-3, weightDecay: 20 }))).toThrow(/lr·weight_decay must stay below 1\/16/);
    expect(() => createLearningChip(network, tinySettings({ learningRate: 1e-6, weightDecay: 1e-4 }))).toThrow(/below the decay register's resolution/);
    const source = tinySource().replace("run {", "learn sfdfa { output = out; weight_decay = -1; }\n  run {");
    const { network: compiled, diagnostics } = compileSource(source, "tiny.snn", { chipPreset: "loihi" });
    expect(compiled).toBeNull();
    expect(diagnostics.map((d) => d.message).join("\n")).toMatch(/weight_decay/);
    const accepted = compileSource(tinySource().replace("run {", "learn sfdfa { output = out; weight_decay = 0.5; }\n  run {"), "tiny.snn", { chipPreset: "loihi" });
    expect(accepted.network?.learning?.weightDecay).toBe(0.5);
  });
});
