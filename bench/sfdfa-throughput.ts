/**
 * @fileoverview Throughput of the on-chip learning engine (emulator/learning/) alone: trains the
 * first N samples of an epoch's seeded order (default 3,000 Fashion-MNIST images) with the example
 * network and prints training samples/s on one core, the load average, and a checksum of the learned
 * mantissas and feedback matrices (FNV-1a over their int32 words) — an optimisation of the engine
 * must leave the checksum unchanged. Also the driver to profile:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/sfdfa-throughput.ts --samples 3000
 *
 * Usage: npx tsx bench/sfdfa-throughput.ts [--samples 3000 | --quick (300)] [--seed 1] [--rule sfdfa]
 *        [--data fashion-mnist] [--network examples/fashion-mnist.snn] [--repeat 1] [--kernel wasm|typescript]
 *        (--kernel: the learning engine's hot loops in wasm, build/learning.wasm from `npm run asbuild`,
 *        or in TypeScript; the checksum is the same)
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource } from "../compiler/index.ts";
import { createLearningChip, learnedChecksum, learningSettingsOf, type KernelName, type LearningRule } from "../emulator/learning/index.ts";
import { loadLearningKernel } from "../emulator/wasm-node.ts";
import { trainChipEpoch } from "../learn/chip-training.ts";
import { loadNamedDataset } from "../learn/datasets-node.ts";
import { option } from "./options.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const samples = Number(option("samples", process.argv.includes("--quick") ? "300" : "3000"));
const seed = Number(option("seed", "1"));
const rule = option("rule", "sfdfa") as LearningRule;
const dataName = option("data", "fashion-mnist");
const networkPath = option("network", join(ROOT, "examples", "fashion-mnist.snn"));
const repeat = Number(option("repeat", "1"));
const kernelName = option("kernel", "wasm") as KernelName;
const wasmKernel = kernelName === "wasm" ? await loadLearningKernel() : undefined;

const { network, diagnostics } = compileSource(readFileSync(networkPath, "utf8"), networkPath, {});
if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
const train = loadNamedDataset(dataName, "train");


console.log(`# ${networkPath} on ${dataName}, ${rule}, ${kernelName} kernel, ${samples} samples, seed ${seed}, ${cpus()[0]?.model ?? "?"} ×${cpus().length}, Node ${process.version}, load ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
for (let r = 0; r < repeat; r++) {
  const chip = createLearningChip(network, learningSettingsOf(network, { rule }), seed, wasmKernel);
  const progress = trainChipEpoch(chip, train, { epoch: 0, seed, limit: samples });
  console.log(`samples/s ${(samples / progress.seconds).toFixed(1)}  seconds ${progress.seconds.toFixed(2)}  spikes/sample ${progress.spikesPerSample.toFixed(1)}  checksum ${learnedChecksum(chip)}  load ${loadavg()[0].toFixed(2)}`);
}
