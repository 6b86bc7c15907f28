/**
 * @fileoverview Benchmark of the float reference of discrete-time SFDFA (learn/sfdfa/) against DFA
 * on Fashion-MNIST with the prototype's set-up (shared/reference/sfdfa-discrete.md §6): 784-400-10,
 * latency code T = 40 (T_in = 20), τ_s 26 / τ_m 52 steps, ϑ 1, init U(±0.05), Adam lr 1.5e-4,
 * batch 50, targets 15/3, error / max(count, 1), rate target 0.25 (reg 0.3), η_B 1e-2, simple
 * tangent; DFA with fixed B ~ U(±0.05). Each rule trains on the full 60,000 images per epoch (in
 * a seeded shuffle) and is tested on the 10,000 test images after every epoch.
 *
 * Prints one row per rule and epoch: test accuracy strict (a tie for the top spike count, all
 * silent included, counts as wrong) and with ties to the lowest index (the official metric), the
 * running training accuracy, spikes per neuron per sample, and training/evaluation throughput on
 * one core (the script is single-threaded). Writes the rows as JSON (default
 * bench/out/sfdfa-float.json).
 *
 * Usage: npx tsx bench/sfdfa-float.ts [--epochs 3] [--seed 1] [--rules sfdfa,dfa] [--hidden 400]
 *        [--train-limit N] [--test-limit N] [--tangent simple|exact] [--json FILE]
 *        [--lr 1.5e-4] [--lr-output LR] [--target-true 15] [--target-other 3] [--batch 50] [--rate-target 0.25]
 *        [--steps 40] (T; the latency window T/2 and τ_s 0.65·T, τ_m 1.3·T scale with it, as in the prototype's H3)
 *        (the recipe's settings; --lr-output is the output layer's Adam step, default --lr — the
 *        settings of `examples/fashion-mnist.snn`'s learn block are --lr-output 9e-4 --target-true 16
 *        --target-other 3 --rate-target 1 --set oneSidedErrors=true,outputsPerClass=10,weightDecay=1)
 *        [--set NAME=VALUE,...] any other setting of learn/sfdfa/config.ts (screening; an unknown NAME
 *        is an error), e.g. oneSidedErrors=true (the hinge loss), silentEligibilityFraction=0.1
 *        (silent_floor), perturbation=sign,delaySteps=1 (the chip's ε and delays), weightLimit=0.124,
 *        weightDecay=1 (weight_decay)
 *        [--bias-inputs K] K extra constant inputs (learnable offsets)
 *        [--lr-halve-every E] halve every layer's step every E epochs (the chip trainer's schedule)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadNamedDataset } from "../learn/datasets-node.ts";
import { featureCount, sliceDataset, type Dataset } from "../learn/dataset.ts";
import { PROTOTYPE_LEARNING, prototypeConfig, type FeedbackRule, type TangentKind } from "../learn/sfdfa/config.ts";
import { createFloatNetwork } from "../learn/sfdfa/network.ts";
import { createTrainer, evaluate, trainEpoch } from "../learn/sfdfa/train.ts";
import { learningRateShiftOf } from "../learn/chip-training.ts";
import { option } from "./options.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const epochs = Number(option("epochs", "3"));
const seed = Number(option("seed", "1"));
const rules = option("rules", "sfdfa,dfa").split(",") as FeedbackRule[];
const hidden = option("hidden", "400").split(",").map(Number);
const tangent = option("tangent", "simple") as TangentKind;
const jsonPath = option("json", join(ROOT, "bench", "out", "sfdfa-float.json"));
const learningRate = Number(option("lr", "1.5e-4"));
const outputLearningRate = Number(option("lr-output", String(learningRate)));
const steps = Number(option("steps", "40"));
const lrHalveEvery = Number(option("lr-halve-every", "0")) || undefined;
const recipe = {
  steps,
  latencyWindowSteps: Math.round(steps / 2),
  learningRate,
  targetTrueCount: Number(option("target-true", "15")),
  targetOtherCount: Number(option("target-other", "3")),
  batchSize: Number(option("batch", "50")),
  rateTargetSpikes: Number(option("rate-target", "0.25")),
  ...parseSettings(option("set", "")),
};

/** --set name=value,...: settings of learn/sfdfa/config.ts; a misspelt name would silently screen the baseline, so it is an error. */
function parseSettings(text: string): Record<string, unknown> {
  const known = new Set([...Object.keys(PROTOTYPE_LEARNING), "oneSidedErrors", "weightLimit", "normaliseOutputErrorByCount", "outputsPerClass", "perturbLayers", "weightDecay"]);
  return Object.fromEntries(text.split(",").filter(Boolean).map((pair) => {
    const [name, value = ""] = pair.split("=");
    if (!known.has(name)) {
      console.error(`--set: unknown setting '${name}'; known: ${[...known].join(", ")}`);
      process.exit(2);
    }
    return [name, value === "true" ? true : value === "false" ? false : Number.isNaN(Number(value)) ? value : Number(value)];
  }));
}

/** outputsPerClass=K (a --set): ten classes of K outputs each, as `outputs_per_class` on the chip. */
const outputSize = 10 * Number((recipe as { outputsPerClass?: number }).outputsPerClass ?? 1);
const biasInputs = Number(option("bias-inputs", "0"));
/** --bias-inputs K: K extra features, the same in every sample, spiking at steps spread over the window (learnable offsets). */
function withBiasInputs(dataset: Dataset): Dataset {
  if (biasInputs === 0) return dataset;
  const features = featureCount(dataset), count = dataset.labels.length, wide = features + biasInputs;
  const images = new Float32Array(count * wide);
  for (let k = 0; k < count; k++) {
    images.set(dataset.images.subarray(k * features, (k + 1) * features), k * wide);
    for (let b = 0; b < biasInputs; b++) images[k * wide + features + b] = 1 - b / biasInputs;
  }
  return { ...dataset, images, shape: [wide] };
}
const loadStart = performance.now();
const train = withBiasInputs(sliceDataset(loadNamedDataset("fashion-mnist", "train"), 0, Number(option("train-limit", "Infinity"))));
const test = withBiasInputs(sliceDataset(loadNamedDataset("fashion-mnist", "test"), 0, Number(option("test-limit", "Infinity"))));
console.log(`Fashion-MNIST: ${train.labels.length} train / ${test.labels.length} test images, loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
console.log(`machine: ${cpus()[0]?.model ?? "?"} (${cpus().length} cores), node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log(`network 784-${hidden.join("-")}-${outputSize}, seed ${seed}, tangent ${tangent}, epochs ${epochs}, ${JSON.stringify({ ...recipe, outputLearningRate })}\n`);

const header = "rule   epoch  test strict  test lowest-idx  train (running)  spikes/neuron hidden | out  train samples/s  epoch s  eval s";
console.log(header);
const rows: Record<string, unknown>[] = [];
for (const rule of rules) {
  const config = prototypeConfig([784 + biasInputs, ...hidden, outputSize], { rule, tangent, ...recipe });
  config.layers[config.layers.length - 1].learningRate = outputLearningRate;
  for (const layer of config.layers) Object.assign(layer, { synapseTauSteps: 0.65 * steps, membraneTauSteps: 1.3 * steps });
  const network = createFloatNetwork(config, seed);
  const trainer = createTrainer(network);
  for (let epoch = 0; epoch < epochs; epoch++) {
    network.learningRateScale = 2 ** -learningRateShiftOf(epoch, lrHalveEvery);
    const trained = trainEpoch(trainer, train, { epoch });
    const tested = evaluate(network, test);
    const row = {
      rule, epoch: epoch + 1, seed,
      testStrict: (100 * tested.correctStrict) / tested.samples,
      testLowestIndex: (100 * tested.correctLowestIndex) / tested.samples,
      trainRunning: (100 * trained.correctStrict) / trained.samples,
      testSpikesPerNeuron: tested.spikesPerNeuron,
      testAllSilent: tested.allSilent,
      testTies: tested.ties,
      trainSamplesPerSecond: trained.samples / trained.seconds,
      trainSeconds: trained.seconds,
      evalSeconds: tested.seconds,
      loadAverage: loadavg()[0],
    };
    rows.push(row);
    const spikes = tested.spikesPerNeuron.map((x) => x.toFixed(3)).join(" | ");
    console.log(
      `${rule.padEnd(6)} ${String(epoch + 1).padStart(5)}  ${row.testStrict.toFixed(2).padStart(10)} %  ${row.testLowestIndex.toFixed(2).padStart(13)} %` +
      `  ${row.trainRunning.toFixed(2).padStart(13)} %  ${spikes.padStart(26)}  ${row.trainSamplesPerSecond.toFixed(0).padStart(15)}  ${trained.seconds.toFixed(0).padStart(7)}  ${tested.seconds.toFixed(0).padStart(6)}`,
    );
  }
}
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify({ machine: cpus()[0]?.model, node: process.version, hidden, tangent, epochs, lrHalveEvery, recipe: { ...recipe, outputLearningRate }, rows }, null, 2));
console.log(`\nrows written to ${jsonPath}`);
