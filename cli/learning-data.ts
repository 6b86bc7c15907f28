/**
 * @fileoverview What `neurocc train` and `neurocc eval` share: `--data` (a named data set or data
 * files) loaded as a train and a test split, the learning chip built from a network's `learn`
 * block, and the printed accuracy and confusion matrix. Every failure is one CliError.
 */
import { extname } from "node:path";
import { Option } from "commander";
import type { ChipNetwork } from "../compiler/ir.ts";
import { createLearningChip, learningSettingsOf, LearningError, type KernelName, type LearningChip } from "../emulator/learning/index.ts";
import { loadLearningKernel } from "../emulator/wasm-node.ts";
import { DatasetError, type Dataset } from "../learn/dataset.ts";
import { loadArrayDataset, loadIdxDataset, loadNamedDataset, NAMED_DATASETS, type Split } from "../learn/datasets-node.ts";
import type { ChipEvaluation } from "../learn/chip-training.ts";
import { CliError } from "./files.ts";

export interface DataOptions {
  data: string;
  labels?: string;
  limit?: number;
}

/** `--data NAME` (a split of a named set) or `--data FILE --labels FILE` (the same file for both splits). */
export function loadSplit(options: DataOptions, split: Split): Dataset {
  try {
    if (Object.hasOwn(NAMED_DATASETS, options.data)) return loadNamedDataset(options.data, split, { limit: options.limit });
    const extension = extname(options.data.replace(/\.gz$/, "")).toLowerCase();
    if (extension === ".npy" || extension === ".csv") return limitTo(loadArrayDataset(options.data, options.labels ?? null), options.limit);
    if (!options.labels) throw new CliError(`--data ${options.data}: give the labels with --labels FILE, or one of the named data sets: ${Object.keys(NAMED_DATASETS).join(", ")}`);
    return loadIdxDataset(options.data, options.labels, options.data, options.limit);
  } catch (e) {
    if (e instanceof DatasetError) throw new CliError(e.message);
    throw e;
  }
}

function limitTo(dataset: Dataset, limit: number | undefined): Dataset {
  if (limit === undefined || limit >= dataset.labels.length) return dataset;
  const features = dataset.images.length / dataset.labels.length;
  return { ...dataset, images: dataset.images.subarray(0, limit * features), labels: dataset.labels.subarray(0, limit) };
}

const KERNEL_CHOICES: readonly KernelName[] = ["wasm", "typescript"];

/** `--kernel NAME`: where the learning engine's hot loops run; both give the same integers. */
export function kernelOption(): Option {
  return new Option("--kernel <kernel>", "learning engine's hot loops: wasm (build/learning.wasm) or typescript (the same integers, slower)").choices(KERNEL_CHOICES).default("wasm");
}

/** `--kernel`: the compiled wasm kernel (build/learning.wasm), or nothing for the TypeScript one. */
export async function learningKernel(name: KernelName): Promise<WebAssembly.Module | undefined> {
  if (name === "typescript") return undefined;
  try {
    return await loadLearningKernel();
  } catch (e) {
    throw new CliError(`${(e as Error).message}; or use --kernel typescript`);
  }
}

/** The learning chip of a network with a `learn` block. */
export function learningChipOf(network: ChipNetwork, what: string, seed: number | undefined, kernel: WebAssembly.Module | undefined): LearningChip {
  try {
    return createLearningChip(network, learningSettingsOf(network), seed, kernel);
  } catch (e) {
    if (e instanceof LearningError) throw new CliError(`${what}: ${e.message}`);
    throw e;
  }
}

/** Rethrows a data-set problem found during training as a CliError. */
export function asCliError(e: unknown): never {
  if (e instanceof DatasetError || e instanceof LearningError) throw new CliError(e.message);
  throw e;
}

export function formatEvaluation(evaluation: ChipEvaluation, what: string): string {
  const { classCount: classes, confusion } = evaluation;
  const lines = [
    `${what}: ${(100 * evaluation.accuracy).toFixed(2)}% (${evaluation.correct}/${evaluation.samples}; a tie for the top spike count counts as wrong: ${evaluation.ties} ties), ${evaluation.spikesPerSample.toFixed(1)} spikes/sample (by trained layer: ${evaluation.spikesPerLayer.map((n) => n.toFixed(1)).join(" + ")})`,
    "confusion (rows: true class, columns: predicted; ties left out):",
    `      ${Array.from({ length: classes }, (_, c) => String(c).padStart(6)).join("")}`,
  ];
  for (let t = 0; t < classes; t++) {
    lines.push(`${String(t).padStart(6)}${Array.from({ length: classes }, (_, p) => String(confusion[t * classes + p]).padStart(6)).join("")}`);
  }
  return lines.join("\n");
}
