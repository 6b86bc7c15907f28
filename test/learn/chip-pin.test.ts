/**
 * @fileoverview Pins the on-chip learning engine's integers: a short training run on a Fashion-MNIST
 * slice (200 samples of epoch 0's seeded order, seed 1) must end with exactly the learned mantissas
 * and feedback matrices it had before the engine was optimised for speed (checksums measured with the
 * unoptimised engine of commit 628b240). Any change to the engine's arithmetic, event order or
 * random draws changes a checksum; a speed-up must not.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { createLearningChip, learnedChecksum, learningSettingsOf, type LearningRule } from "../../emulator/learning/index.ts";
import { trainChipEpoch } from "../../learn/chip-training.ts";
import { loadNamedDataset } from "../../learn/datasets-node.ts";
import { loadLearningKernel } from "../../emulator/wasm-node.ts";

/**
 * The Fashion-MNIST example as of commit 628b240 (784-400-10) or, with `hidden2`, the same with a
 * second 400-neuron layer (network and layer names matter: they key the weights' random streams).
 */
function fashionSource(hidden2: boolean): string {
  const cuba = "cuba(tau_mem = 52ms, tau_syn = 26ms, vth = 1, reset = subtract)";
  const dense = "dense(weight = uniform(-2.6, 2.6), bits = 8, exponent = 0)";
  const hidden = hidden2
    ? `layer hidden1[400] : ${cuba};\n  layer hidden2[400] : ${cuba};`
    : `layer hidden[400] : ${cuba};`;
  const connections = hidden2
    ? `connect image -> hidden1 : ${dense};\n  connect hidden1 -> hidden2 : ${dense};\n  connect hidden2 -> out : ${dense};`
    : `connect image -> hidden : ${dense};\n  connect hidden -> out : ${dense};`;
  return `network ${hidden2 ? "fashion_mnist_2h" : "fashion_mnist"} {
  input image[784] : latency(tau = 5ms, threshold = 0.01, linear = 1, normalize = 1, clip = 1);
  ${hidden}
  layer out[10] : ${cuba};
  ${connections}
  run { steps = 40; dt = 1ms; seed = 1; }
  chip loihi;
  learn sfdfa { output = out; lr = 0.00015; batch = 50; }
}`;
}


describe("on-chip learning engine, pinned", () => {
  const train = loadNamedDataset("fashion-mnist", "train");
  it.each([
    ["sfdfa", false, "typescript", "9bf969d6"],
    ["dfa", false, "typescript", "0d6a5c01"],
    ["sfdfa", true, "typescript", "5979c388"],
    ["sfdfa", false, "wasm", "9bf969d6"],
    ["dfa", false, "wasm", "0d6a5c01"],
    ["sfdfa", true, "wasm", "5979c388"],
  ] as const)("%s (two hidden layers: %s, %s kernel) learns exactly the pinned weights in 200 Fashion-MNIST samples", async (rule, hidden2, kernel, expected) => {
    const { network, diagnostics } = compileSource(fashionSource(hidden2), "pin.snn", {});
    if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
    const wasmKernel = kernel === "wasm" ? await loadLearningKernel() : undefined;
    const chip = createLearningChip(network, learningSettingsOf(network, { rule: rule as LearningRule }), 1, wasmKernel);
    expect(chip.engine.kernel.name).toBe(kernel);
    const progress = trainChipEpoch(chip, train, { epoch: 0, seed: 1, limit: 200 });
    expect(learnedChecksum(chip)).toBe(expected);
    // The per-layer spike figures split the total, one per trained layer.
    expect(progress.spikesPerLayer).toHaveLength(hidden2 ? 3 : 2);
    expect(progress.spikesPerLayer.every((n) => n > 0)).toBe(true);
    expect(progress.spikesPerLayer.reduce((a, b) => a + b)).toBeCloseTo(progress.spikesPerSample, 9);
  }, 60_000);
});
