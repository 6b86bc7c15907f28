/**
 * @fileoverview Screening driver for on-chip SFDFA recipes (bench/RESULTS.md, issue 5 "round 3"):
 * trains a network's `learn` block on the first N samples of each epoch's seeded order and prints,
 * per epoch, strict test accuracy (a tie for the top count is wrong), ties, the running training
 * accuracy, the share of each layer's mantissas at the ±(2^(bits−1) − 1) clamp, each layer's mean
 * spike count in the last training sample, and — with --activity — how many hidden neurons never fire
 * on the test slice. `--output-step-scale K` multiplies the output layer's Adam step register after
 * the engine computed it (how the round-3 screening varied the output step before `lr_output`
 * existed; `lr_output = K·lr` in the learn block rounds the register once instead, which moves a full
 * run by about one seed's noise).
 *
 * Usage: npx tsx bench/sfdfa-screen.ts [--network examples/fashion-mnist.snn] [--epochs 1]
 *        [--epoch-limit 30000] [--test-limit 2000] [--output-step-scale 1] [--data fashion-mnist]
 *        [--seed 1] [--activity]
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { compileSource } from "../compiler/index.ts";
import { createLearningChip, inferChipSample, learningSettingsOf } from "../emulator/learning/index.ts";
import { chipRasterBuilder, evaluateChip, trainChipEpoch } from "../learn/chip-training.ts";
import { sampleFeatures } from "../learn/dataset.ts";
import { loadNamedDataset } from "../learn/datasets-node.ts";
import { option } from "./options.ts";

const networkPath = option("network", "examples/fashion-mnist.snn");
const epochs = Number(option("epochs", "1"));
const epochLimit = Number(option("epoch-limit", "30000"));
const testLimit = Number(option("test-limit", "2000"));
const outputStepScale = Number(option("output-step-scale", "1"));
const seed = Number(option("seed", "1"));
const dataName = option("data", "fashion-mnist");
const activity = process.argv.includes("--activity");

const { network, diagnostics } = compileSource(readFileSync(networkPath, "utf8"), networkPath, {});
if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
const train = loadNamedDataset(dataName, "train", {});
const test = loadNamedDataset(dataName, "test", { limit: testLimit });
const chip = createLearningChip(network, learningSettingsOf(network), seed);
const output = chip.engine.layers[chip.engine.layers.length - 1] as { stepQ16: number };
output.stepQ16 = Math.round(output.stepQ16 * outputStepScale);

const percent = (part: number, whole: number) => ((100 * part) / whole).toFixed(2);
for (let epoch = 0; epoch < epochs; epoch++) {
  const trained = trainChipEpoch(chip, train, { epoch, seed, limit: epochLimit });
  const tested = evaluateChip(chip, test, seed);
  const clamped = chip.engine.layers.map((layer) => percent(layer.weights.filter((q) => Math.abs(q) >= layer.weightLimit).length, layer.weights.length));
  const lastCounts = chip.state.layers.map((layer) => (layer.counts.reduce((sum, c) => sum + c, 0) / layer.counts.length).toFixed(2));
  console.log(`${networkPath} ×${outputStepScale} epoch ${epoch + 1}: test strict ${(100 * tested.accuracy).toFixed(2)} %, ties ${tested.ties}, ` +
    `train running ${(100 * trained.runningAccuracy).toFixed(2)} %, clamped % ${clamped.join(" / ")}, last-sample mean counts ${lastCounts.join(" / ")}, ` +
    `${(trained.samplesDone / trained.seconds).toFixed(0)} samples/s, load ${loadavg()[0].toFixed(1)}`);
}

if (activity) {
  const builder = chipRasterBuilder(chip);
  const hidden = chip.state.layers[0].counts.length;
  const samplesActive = new Float64Array(hidden);
  const samples = test.labels.length;
  for (let k = 0; k < samples; k++) {
    inferChipSample(chip, builder.build(sampleFeatures(test, k), 0));
    chip.state.layers[0].counts.forEach((count, i) => { if (count > 0) samplesActive[i]++; });
  }
  const sorted = Array.from(samplesActive).sort((a, b) => a - b);
  console.log(`first hidden layer on ${samples} test samples: ${sorted.filter((n) => n === 0).length} of ${hidden} never fire, ` +
    `${sorted.filter((n) => n > 0 && n < samples / 100).length} fire on fewer than 1 %, the median neuron on ${percent(sorted[hidden >> 1], samples)} %`);
}
