/**
 * @fileoverview Benchmark of on-chip fixed-point SFDFA and DFA (emulator/learning/) on Fashion-MNIST
 * or MNIST with a network's `learn sfdfa` block (default examples/fashion-mnist.snn, 784-400-10,
 * 8-bit weights; also examples/mnist.snn, examples/fashion-mnist-2h.snn, 784-400-400-100); DFA is the same block with
 * rule = dfa. Each rule trains on the training split in a seeded shuffle and is tested after every
 * epoch. Prints one row per rule and epoch: strict test accuracy (a tie for the top spike count, all
 * silent included, counts as wrong; with `weight_average` of the averaged weights the chip infers with,
 * and a last column with the trained weights), spikes per sample, training throughput on one core
 * (single-threaded) with the 1-minute load average at the end of the epoch, and the chip's cycles and
 * energy per training sample from the learning cost model. Writes the rows as JSON (default
 * bench/out/sfdfa-chip.json).
 *
 * Usage: npx tsx bench/sfdfa-chip.ts [--epochs 3] [--seed 1] [--rules sfdfa,dfa] [--data fashion-mnist]
 *        [--network examples/fashion-mnist.snn] [--train-limit N] [--test-limit N] [--json FILE]
 *        [--lr-halve-every E] (halve the lr every E epochs; default: constant)
 *        [--mirror] [--shift M] [--elastic ALPHA] [--elastic-radius R] (move each training image: mirror
 *        half of them left–right, a shift by up to M pixels, an elastic distortion of scale ALPHA pixels
 *        smoothed over R pixels; learn/augment.ts)
 *        [--train-eval N] (also report the accuracy on the first N training samples: over- or underfitting)
 *        [--epoch-limit N] (train on the first N samples of each epoch's shuffled order: a screening slice
 *        of the whole training set, unlike --train-limit, which loads only its first N samples)
 *        [--kernel wasm|typescript] (where the engine's hot loops run: the same integers; default wasm)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource } from "../compiler/index.ts";
import { createLearningChip, hasWeightAverage, learningCost, learningSettingsOf, type LearningRule } from "../emulator/learning/index.ts";
import { loadLearningKernel } from "../emulator/wasm-node.ts";
import { evaluateChip, trainChipEpoch } from "../learn/chip-training.ts";
import { loadNamedDataset } from "../learn/datasets-node.ts";
import type { Augmentation } from "../learn/augment.ts";
import { option } from "./options.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const epochs = Number(option("epochs", "3"));
const seed = Number(option("seed", "1"));
const rules = option("rules", "sfdfa,dfa").split(",") as LearningRule[];
const dataName = option("data", "fashion-mnist");
const networkPath = option("network", join(ROOT, "examples", "fashion-mnist.snn"));
const trainLimit = Number(option("train-limit", "Infinity"));
const testLimit = Number(option("test-limit", "Infinity"));
const lrHalveEvery = Number(option("lr-halve-every", "0"));
const epochLimit = Number(option("epoch-limit", "Infinity"));
const augmentation: Augmentation = {
  maxShiftPixels: Number(option("shift", "0")),
  elasticAlphaPixels: Number(option("elastic", "0")),
  elasticRadiusPixels: Number(option("elastic-radius", "4")),
  mirror: process.argv.includes("--mirror"),
};
const trainEvalLimit = Number(option("train-eval", "0"));
const jsonPath = option("json", join(ROOT, "bench", "out", "sfdfa-chip.json"));
const wasmKernel = option("kernel", "wasm") === "wasm" ? await loadLearningKernel() : undefined;

const { network, diagnostics } = compileSource(readFileSync(networkPath, "utf8"), networkPath, {});
if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
const train = loadNamedDataset(dataName, "train", { limit: trainLimit });
const test = loadNamedDataset(dataName, "test", { limit: testLimit });
console.log(`# ${networkPath} on ${dataName}: ${train.labels.length} train / ${test.labels.length} test, seed ${seed}, ${cpus()[0]?.model ?? "?"} ×${cpus().length}, Node ${process.version}, load ${loadavg()[0].toFixed(1)}`);
const trainColumn = trainEvalLimit > 0 ? ` train strict % (first ${trainEvalLimit}) |` : "";
// With weight_average the test column is the averaged weights' (what the chip infers with); this one the trained weights'.
const trainedColumn = network.learning?.weightAverageShift !== undefined ? " test strict %, trained weights |" : "";
console.log(`| rule | epoch | test strict % | ties | spikes/sample (train; by layer) | train samples/s | load (1 min) | cycles/sample | µJ/sample |${trainColumn}${trainedColumn}`);
console.log(`|---|---|---|---|---|---|---|---|---|${trainColumn ? "---|" : ""}${trainedColumn ? "---|" : ""}`);
const rows: unknown[] = [];
for (const rule of rules) {
  const chip = createLearningChip(network, learningSettingsOf(network, { rule }), seed, wasmKernel);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const before = learningCost(chip);
    const samplesBefore = chip.engine.samplesSeen;
    const progress = trainChipEpoch(chip, train, { epoch, seed, limit: epochLimit, learningRateHalvingEpochs: lrHalveEvery || undefined, augmentation });
    const after = learningCost(chip);
    const samples = chip.engine.samplesSeen - samplesBefore;
    const evaluation = evaluateChip(chip, test, seed);
    const row = {
      rule, epoch: epoch + 1, testStrict: 100 * evaluation.accuracy, ties: evaluation.ties, spikesPerSample: progress.spikesPerSample, spikesPerLayer: progress.spikesPerLayer,
      trainSamplesPerSecond: samples / progress.seconds, cyclesPerSample: (after.cycles - before.cycles) / samples,
      microjoulesPerSample: (after.energyPj - before.energyPj) / samples / 1e6, evalSeconds: evaluation.seconds,
      loadAverage: loadavg()[0],
      trainStrict: trainEvalLimit > 0 ? 100 * evaluateChip(chip, train, seed, trainEvalLimit).accuracy : undefined,
      testStrictTrainedWeights: hasWeightAverage(chip.engine) ? 100 * evaluateChip(chip, test, seed, Infinity, "trained").accuracy : undefined,
    };
    rows.push(row);
    console.log(`| ${rule} | ${row.epoch} | ${row.testStrict.toFixed(2)} | ${row.ties} | ${row.spikesPerSample.toFixed(1)} (${row.spikesPerLayer.map((n) => n.toFixed(0)).join(" + ")}) | ${row.trainSamplesPerSecond.toFixed(0)} | ${row.loadAverage.toFixed(1)} | ${row.cyclesPerSample.toFixed(0)} | ${row.microjoulesPerSample.toFixed(2)} |${row.trainStrict === undefined ? "" : ` ${row.trainStrict.toFixed(2)} |`}${row.testStrictTrainedWeights === undefined ? "" : ` ${row.testStrictTrainedWeights.toFixed(2)} |`}`);
  }
}
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify({ network: networkPath, data: dataName, seed, epochs, trainLimit, testLimit, epochLimit, lrHalveEvery, augmentation, rows }, null, 2));
