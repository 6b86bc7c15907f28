/**
 * @fileoverview How good is each hidden layer's learned feedback B on the chip, and how much of each
 * hidden neuron's error is the task's? Trains a network's `learn sfdfa` block on Fashion-MNIST (or
 * MNIST) in chunks and after each chunk prints, per hidden layer, over the first 300 training images
 * run without learning:
 * - the mean |task term| Σ_o B_io·err_o and the mean |rate term| reg·(target − batch-mean count) of
 *   the neurons that spiked (threshold units; the two parts of the hidden error, docs/learning.md §4);
 * - the r.m.s. of B;
 * - for each hidden layer below another, corr(B_l, W_{l+1}ᵀ·B_{l+1}): how well B of the lower layer
 *   follows the sensitivity that reaches the outputs through the layer above;
 * - corr(B_l, weight path), the path being W_outᵀ for the last hidden layer and W_{l+1}ᵀ·(path of
 *   l+1) below it: backpropagation through the weights alone.
 * Both references ignore which neurons are active (B is an activity-gated sensitivity), so 1 is not
 * expected; noise gives 0.
 *
 * Usage: npx tsx bench/feedback-quality.ts [--network NET] [--data fashion-mnist] [--seed 1]
 *        [--chunk 3000] [--chunks 3] [--perturb all|alternate] (overrides the block's `perturb`)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource } from "../compiler/index.ts";
import { createLearningChip, inferChipSample, learningSettingsOf, type LearningChip } from "../emulator/learning/index.ts";
import { outputErrorsQ16 } from "../emulator/learning/update.ts";
import { loadLearningKernel } from "../emulator/wasm-node.ts";
import { chipRasterBuilder, trainChipEpoch } from "../learn/chip-training.ts";
import { sampleFeatures, type Dataset } from "../learn/dataset.ts";
import { loadNamedDataset } from "../learn/datasets-node.ts";
import { option } from "./options.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const networkPath = option("network", join(ROOT, "examples", "fashion-mnist.snn"));
const seed = Number(option("seed", "1"));
const chunk = Number(option("chunk", "3000"));
const chunks = Number(option("chunks", "3"));
const perturb = option("perturb", "");
const Q16 = 65536;

const { network, diagnostics } = compileSource(readFileSync(networkPath, "utf8"), networkPath, {});
if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
const overrides = perturb === "all" || perturb === "alternate" ? { perturbLayers: perturb } as const : {};
const chip = createLearningChip(network, learningSettingsOf(network, overrides), seed, await loadLearningKernel());
const train = loadNamedDataset(option("data", "fashion-mnist"), "train", {});

/** Pearson correlation of two equally long arrays. */
function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let meanX = 0, meanY = 0;
  for (let k = 0; k < n; k++) { meanX += x[k] / n; meanY += y[k] / n; }
  let xy = 0, xx = 0, yy = 0;
  for (let k = 0; k < n; k++) { const dx = x[k] - meanX, dy = y[k] - meanY; xy += dx * dy; xx += dx * dx; yy += dy * dy; }
  return xy / Math.sqrt(xx * yy);
}

/**
 * Layer l's feedback as the layer above implies it through its weights: W_{l+1}ᵀ·B_{l+1} (`above` =
 * B of layer l+1), or W_{l+1}ᵀ itself below the output layer (`above` = null: the identity).
 */
function feedbackThroughAbove(chip: LearningChip, l: number, above: ArrayLike<number> | null): Float64Array {
  const below = chip.engine.layers[l], next = chip.engine.layers[l + 1];
  const outputs = chip.engine.layers[chip.engine.layers.length - 1].size;
  const implied = new Float64Array(below.size * outputs);
  for (let i = 0; i < next.size; i++) {
    for (let j = 0; j < below.size; j++) {
      const w = next.weights[i * below.size + j];
      if (w === 0) continue;
      if (above === null) implied[j * outputs + i] += w;
      else for (let o = 0; o < outputs; o++) implied[j * outputs + o] += w * above[i * outputs + o];
    }
  }
  return implied;
}

/** The weights-only path: W_outᵀ for the last hidden layer, W_{l+1}ᵀ·(the path of l+1) below it. */
function weightPath(chip: LearningChip, l: number): Float64Array {
  const last = chip.engine.layers.length - 2;
  return feedbackThroughAbove(chip, l, l === last ? null : weightPath(chip, l + 1));
}

function report(chip: LearningChip, data: Dataset, trained: number): void {
  const builder = chipRasterBuilder(chip);
  const hidden = chip.engine.layers.filter((layer) => !layer.isOutput);
  const sums = hidden.map(() => ({ task: 0, rate: 0, active: 0 }));
  for (let s = 0; s < 300; s++) {
    const err = outputErrorsQ16(chip.engine, inferChipSample(chip, builder.build(sampleFeatures(data, s), seed)), data.labels[s]);
    hidden.forEach((layer, l) => {
      const counts = chip.state.layers[l].counts, feedback = layer.feedback!;
      for (let i = 0; i < layer.size; i++) {
        if (counts[i] === 0) continue;
        let task = 0;
        for (let o = 0; o < err.length; o++) task += feedback[i * err.length + o] * err[o];
        sums[l].task += Math.abs(task) / Q16 / Q16;
        sums[l].rate += Math.abs(layer.rateRegularisationQ16 * (layer.rateTargetQ16 - layer.previousMeanCountQ16[i])) / Q16 / Q16;
        sums[l].active++;
      }
    });
  }
  hidden.forEach((layer, l) => {
    const { task, rate, active } = sums[l];
    const rms = Math.sqrt(layer.feedback!.reduce((sum, b) => sum + (b / Q16) ** 2, 0) / layer.feedback!.length);
    const throughAbove = l + 1 < hidden.length ? correlation(layer.feedback!, feedbackThroughAbove(chip, l, hidden[l + 1].feedback)).toFixed(3) : "–";
    const path = correlation(layer.feedback!, weightPath(chip, l)).toFixed(3);
    console.log(`| ${trained} | ${chip.engine.chain.layers[l].population.name} | ${(task / active).toFixed(4)} | ${(rate / active).toFixed(4)} | ${rms.toFixed(5)} | ${throughAbove} | ${path} |`);
  });
}

console.log(`# ${networkPath}, perturb = ${chip.engine.settings.perturbLayers ?? "all"}, seed ${seed}`);
console.log("| samples trained | layer | mean abs task term | mean abs rate term | rms B | corr(B, W_aboveᵀ·B_above) | corr(B, weight path) |");
console.log("|---|---|---|---|---|---|---|");
for (let c = 0; c < chunks; c++) {
  trainChipEpoch(chip, train, { epoch: c, seed, limit: chunk });
  report(chip, train, (c + 1) * chunk);
}
