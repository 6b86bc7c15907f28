/**
 * @fileoverview The DSL's `learn sfdfa|dfa { ... }` block: parsed, checked against LEARN_SETTINGS,
 * carried in the IR's optional `learning` section through the chip image, turned into the learning
 * chip's settings, and rejected with a located message on networks the rule cannot train.
 */
import { describe, expect, it } from "vitest";
import { compileSource, decodeImage, encodeImage } from "../../compiler/index.ts";
import { createLearningChip, DEFAULT_CHIP_LEARNING, learningSettingsOf, trainChipSample } from "../../emulator/learning/index.ts";
import { chipRaster, randomFeatures, tinySource } from "./support/chip.ts";

/** tinySource with a second hidden layer of 6 neurons between hidden and out. */
function twoHiddenSource(): string {
  return tinySource()
    .replace("  layer out[3]", "  layer hidden2[6] : cuba(tau_mem = 10ms, tau_syn = 5ms, vth = 1, reset = subtract);\n  layer out[3]")
    .replace("connect hidden -> out", "connect hidden -> hidden2 : dense(weight = uniform(-2, 10), bits = 8);\n  connect hidden2 -> out");
}

function withLearn(block: string, source = tinySource()): string {
  return source.replace(/\n}$/, `\n  ${block}\n}`);
}

function compile(source: string) {
  return compileSource(source, "learn.snn", { chipPreset: "loihi" });
}

function errorsOf(source: string): string[] {
  const { network, diagnostics } = compile(source);
  expect(network).toBeNull();
  return diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.span?.line}:${d.span?.column} ${d.message}`);
}

describe("learn block", () => {
  it("compiles into the IR's learning section with the chip's defaults, and survives the image", () => {
    const { network, diagnostics } = compile(withLearn("learn sfdfa { output = out; }"));
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const { output: _output, ...defaults } = { ...DEFAULT_CHIP_LEARNING, output: "" };
    const { steps: _steps, ...expected } = defaults;
    expect(network!.learning).toEqual({ ...expected, output: "out" });
    const decoded = decodeImage(encodeImage(network!)).network;
    expect(decoded.learning).toEqual(network!.learning);
    expect(learningSettingsOf(decoded)).toEqual({ ...DEFAULT_CHIP_LEARNING, output: "out", steps: 40 });
    expect(() => createLearningChip(decoded, learningSettingsOf(decoded))).not.toThrow();
  });

  it("turns powers of two and 1 − 2^−s into the learning unit's shifts", () => {
    const { network } = compile(withLearn("learn dfa { output = out; lr = 0.002; perturbation = 0.5; feedback_rate = 1/64; adam_beta1 = 0.75; adam_beta2 = 1 - 1/4096; batch = 8; target_true = 12; }"));
    expect(network!.learning).toMatchObject({ rule: "dfa", learningRate: 0.002, perturbationLog2: -1, feedbackRateShift: 6, adamFirstShift: 2, adamSecondShift: 12, batchSize: 8, targetTrueCount: 12 });
  });

  it("carries lr_output (the output layer's step) through the image; without it the IR has no such field", () => {
    const { network } = compile(withLearn("learn sfdfa { output = out; lr = 0.0002; lr_output = 0.0012; }"));
    expect(network!.learning).toMatchObject({ learningRate: 0.0002, outputLearningRate: 0.0012 });
    expect(decodeImage(encodeImage(network!)).network.learning!.outputLearningRate).toBe(0.0012);
    expect("outputLearningRate" in compile(withLearn("learn sfdfa { output = out; }")).network!.learning!).toBe(false);
  });

  it("carries output_error, silent_floor and the hinge loss through the image; without them the IR has no such fields", () => {
    const { network } = compile(withLearn("learn sfdfa { output = out; output_error = total; silent_floor = 0.1; }"));
    expect(network!.learning).toMatchObject({ outputErrorPerSpike: false, silentFloorFraction: 0.1 });
    expect(decodeImage(encodeImage(network!)).network.learning).toMatchObject({ outputErrorPerSpike: false, silentFloorFraction: 0.1 });
    const plain = compile(withLearn("learn sfdfa { output = out; }")).network!.learning!;
    expect("outputErrorPerSpike" in plain || "silentFloorFraction" in plain || "loss" in plain).toBe(false);
    const hinge = compile(withLearn("learn sfdfa { output = out; loss = spike_count_hinge; }")).network!;
    expect(decodeImage(encodeImage(hinge)).network.learning!.loss).toBe("spike_count_hinge");
    expect(compile(withLearn("learn sfdfa { output = out; output_error = per_spike; }")).network!.learning!.outputErrorPerSpike).toBe(true);
  });

  it("carries weight_average as its shift through the image; without it the IR has no such field", () => {
    const averaged = compile(withLearn("learn sfdfa { output = out; weight_average = 0.0009765625; }")).network!;
    expect(decodeImage(encodeImage(averaged)).network.learning!.weightAverageShift).toBe(10);
    expect("weightAverageShift" in compile(withLearn("learn sfdfa { output = out; }")).network!.learning!).toBe(false);
  });

  it("carries perturb = alternate through the image; perturb = all (the default) leaves no field", () => {
    const alternate = compile(withLearn("learn sfdfa { output = out; perturb = alternate; }")).network!;
    expect(decodeImage(encodeImage(alternate)).network.learning!.perturbLayers).toBe("alternate");
    expect("perturbLayers" in compile(withLearn("learn sfdfa { output = out; perturb = all; }")).network!.learning!).toBe(false);
  });

  it("carries outputs_per_class through the image", () => {
    const { network } = compile(withLearn("learn sfdfa { output = out; outputs_per_class = 3; }"));
    expect(decodeImage(encodeImage(network!)).network.learning!.outputsPerClass).toBe(3);
    expect("outputsPerClass" in compile(withLearn("learn sfdfa { output = out; }")).network!.learning!).toBe(false);
  });

  it("takes rate_reg and rate_target per hidden layer, input side first, through the image", () => {
    const { network, diagnostics } = compile(withLearn("learn sfdfa { output = out; rate_reg = [0.3, 16]; rate_target = [0.5, 2]; }", twoHiddenSource()));
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const learning = decodeImage(encodeImage(network!)).network.learning!;
    expect(learning).toMatchObject({ rateRegularisation: 0.3, rateTargetSpikes: 0.5, layerRateRegularisation: [0.3, 16], layerRateTargetSpikes: [0.5, 2] });
    const layers = createLearningChip(network!, learningSettingsOf(network!)).engine.layers;
    expect(layers.map((l) => [l.rateRegularisationQ16 / 65536, l.rateTargetQ16 / 65536])).toEqual([[0.3, 0.5], [16, 2], [0, 0]].map(([r, t]) => [Math.round(r * 65536) / 65536, t]));
    const plain = compile(withLearn("learn sfdfa { output = out; rate_reg = 4; }", twoHiddenSource())).network!.learning!;
    expect("layerRateRegularisation" in plain || "layerRateTargetSpikes" in plain).toBe(false);
  });

  it("takes lr per hidden layer: each hidden layer's step register from its entry, the output's from lr_output", () => {
    const { network } = compile(withLearn("learn sfdfa { output = out; lr = [0.0001, 0.0004]; lr_output = 0.0008; }", twoHiddenSource()));
    expect(decodeImage(encodeImage(network!)).network.learning).toMatchObject({ learningRate: 0.0001, layerLearningRate: [0.0001, 0.0004], outputLearningRate: 0.0008 });
    const steps = createLearningChip(network!, learningSettingsOf(network!)).engine.layers.map((l) => l.stepQ16);
    expect(steps[1] / steps[0]).toBeCloseTo(4, 2);
    expect(steps[2] / steps[0]).toBeCloseTo(8, 2);
  });

  it("applies each hidden layer's own rate term: a regulariser given to hidden2 alone changes only hidden2's weights", () => {
    // Batch 1 has no rate term (its "previous mean" is the target), so after two batches of the same
    // samples the runs differ first in the layer whose term differs.
    const network = compile(withLearn("learn sfdfa { output = out; batch = 3; rate_target = 0.5; }", twoHiddenSource())).network!;
    const samples = [0, 1, 2].map((k) => chipRaster(network, randomFeatures(20, 10 + k)));
    const weightsAfterTwoBatches = (rates: { rateRegularisation: number; layerRateRegularisation?: number[] }) => {
      const chip = createLearningChip(network, { ...learningSettingsOf(network), ...rates });
      for (let batch = 0; batch < 2; batch++) samples.forEach((raster, k) => trainChipSample(chip, raster, k));
      return chip.engine.layers.map((l) => Array.from(l.weights));
    };
    const none = weightsAfterTwoBatches({ rateRegularisation: 0 });
    expect(weightsAfterTwoBatches({ rateRegularisation: 0, layerRateRegularisation: [0, 0] })).toEqual(none);
    const hidden2Only = weightsAfterTwoBatches({ rateRegularisation: 0, layerRateRegularisation: [0, 16] });
    expect(hidden2Only[0]).toEqual(none[0]);
    expect(hidden2Only[1]).not.toEqual(none[1]);
    expect(hidden2Only[2]).toEqual(none[2]);
    expect(weightsAfterTwoBatches({ rateRegularisation: 16, layerRateRegularisation: [16, 16] })).toEqual(weightsAfterTwoBatches({ rateRegularisation: 16 }));
  });

  it("is optional: a network without it has no learning section", () => {
    expect(compile(tinySource()).network!.learning).toBeUndefined();
    expect(() => learningSettingsOf(compile(tinySource()).network!)).toThrow(/no learn block/);
  });

  it.each([
    ["learn sgd { output = out; }", /E102 8:9 unknown learning rule 'sgd'/],
    ["learn sfdfa { lr = 0.001; }", /E103 8:3 learn sfdfa needs 'output = LAYER;'/],
    ["learn sfdfa { output = outt; }", /E100 8:26 learn: unknown output layer 'outt'.*did you mean 'out'/],
    ["learn sfdfa { output = image; }", /E107 8:26 learn: output 'image' is an input/],
    ["learn sfdfa { output = out; lr = 2; }", /E106 .*lr/],
    ["learn sfdfa { output = out; lr_output = 0; }", /lr_output/],
    ["learn sfdfa { output = out; output_error = mean; }", /E106 8:46 'output_error' of learn sfdfa must be one of: per_spike, total/],
    ["learn sfdfa { output = out; silent_floor = 1.5; }", /E106 .*silent_floor/],
    ["learn sfdfa { output = out; loss = hinge; }", /E106 .*'loss' of learn sfdfa must be one of: spike_count, spike_count_hinge/],
    ["learn sfdfa { output = out; weight_average = 0.001; }", /E106 .*weight_average = 0.001 must be a power of two/],
    ["learn sfdfa { output = out; weight_average = 1; }", /E106 .*weight_average/],
    ["learn sfdfa { output = out; perturb = some; }", /E106 8:41 'perturb' of learn sfdfa must be one of: all, alternate/],
    ["learn sfdfa { output = out; perturbation = 0.3; }", /E106 8:31 learn sfdfa: perturbation = 0.3 must be a power of two/],
    ["learn sfdfa { output = out; adam_beta1 = 0.8; }", /E106 .*adam_beta1 = 0.8 must be 1 − 2\^−s/],
    ["learn sfdfa { output = out; target_true = 50; }", /E106 .*target_true = 50 exceeds the 40 steps/],
    ["learn sfdfa { output = out; outputs_per_class = 2; }", /E106 .*outputs_per_class = 2 does not divide the 3 neurons of output 'out'/],
    ["learn sfdfa { output = out; outputs_per_class = 1.5; }", /E106 .*outputs_per_class/],
    ["learn sfdfa { output = out; momentum = 1; }", /E103 .*has no parameter 'momentum'/],
    ["learn sfdfa { output = out; rate_reg = [0.3, 4]; }", /E106 .*rate_reg has 2 entries; give one per hidden layer \(1, input side first\) or a single number/],
    ["learn sfdfa { output = out; rate_reg = [20]; }", /E106 .*'rate_reg' of learn sfdfa is 20, but must be ≥ 0 and ≤ 16/],
    ["learn sfdfa { output = out; rate_target = [50]; }", /E106 .*rate_target = 50 exceeds the 40 steps/],
    ["learn sfdfa { output = out; rate_target = []; }", /E109 .*'rate_target' of learn sfdfa must be a number or a list with one number per layer, found an empty list/],
    ["learn sfdfa { output = out; lr = [0.001, 0.002]; }", /E106 .*lr has 2 entries; give one per hidden layer/],
    ["learn sfdfa { output = out; lr = [0]; }", /E106 .*'lr' of learn sfdfa is 0, but must be > 0 and ≤ 1/],
    ["learn sfdfa { output = out; lr_output = [0.001]; }", /E109 .*'lr_output' of learn sfdfa must be a plain number, found a list/],
    ["learn sfdfa { output = out; } learn dfa { output = out; }", /E101 .*only one learn block/],
  ])("rejects %s with a located error", (block, expected) => {
    expect(errorsOf(withLearn(block)).join("\n")).toMatch(expected);
  });

  it("names the statement that makes a network untrainable", () => {
    const reset = tinySource().replace(/reset = subtract\);\n  layer out/, "reset = 0);\n  layer out");
    expect(errorsOf(withLearn("learn sfdfa { output = out; }", reset)).join("\n")).toMatch(/E107 3:3 learn: layer 'hidden' must use reset = subtract/);
    const sparse = tinySource().replace("connect hidden -> out : dense(", "connect hidden -> out : sparse(p = 0.5, ");
    expect(errorsOf(withLearn("learn sfdfa { output = out; }", sparse)).join("\n")).toMatch(/E107 6:27 learn: connection 'hidden->out' is sparse/);
    const extra = tinySource().replace("  run {", "  connect image -> out : dense(weight = 1);\n  run {");
    expect(errorsOf(withLearn("learn sfdfa { output = out; }", extra)).join("\n")).toMatch(/learn: layer 'out' has 2 incoming connections/);
  });

  it("parses with a plain message when the block is malformed", () => {
    const { diagnostics } = compile(withLearn("learn { output = out; }"));
    expect(diagnostics[0].message).toMatch(/expected a learning rule \(sfdfa or dfa\) after 'learn'/);
  });
});
