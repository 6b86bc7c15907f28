/**
 * @fileoverview `neurocc eval IMAGE --data …`: the accuracy (ties count as wrong) and confusion
 * matrix of a network with a `learn` block — a trained checkpoint image or a .snn — on the test
 * split of a data set (or, with `--split train`, on its training split: the gap between the two
 * says whether a run over- or underfits), run on the learning chip's forward pass (bit-exact with
 * the emulators).
 */
import { Option, type Command } from "commander";
import { evaluateChip } from "../../learn/chip-training.ts";
import { loadNetwork } from "../files.ts";
import type { KernelName } from "../../emulator/learning/index.ts";
import { asCliError, formatEvaluation, kernelOption, learningChipOf, learningKernel, loadSplit } from "../learning-data.ts";
import { wholeNumber, withDataSetOptions } from "./options.ts";

interface EvalOptions {
  data: string;
  labels?: string;
  kernel: KernelName;
  limit?: number;
  seed?: number;
  split: "train" | "test";
}

export function register(program: Command): void {
  withDataSetOptions(program
    .command("eval")
    .description("accuracy and confusion matrix of a network with a learn block on a data set's test (or training) split")
    .argument("<network>", "chip image (.nchip, e.g. a train checkpoint) or network (.snn)"))
    .option("--limit <k>", "use only the first k samples of the split", wholeNumber(1))
    .addOption(new Option("--split <split>", "which split to evaluate on").choices(["test", "train"]).default("test"))
    .option("--seed <s>", "seed of rate-encoder draws (default: the network's)", wholeNumber(0))
    .addOption(kernelOption())
    .action(async (file: string, options: EvalOptions) => {
      const network = loadNetwork(file);
      const chip = learningChipOf(network, file, undefined, await learningKernel(options.kernel));
      const data = loadSplit(options, options.split);
      let evaluation;
      try {
        evaluation = evaluateChip(chip, data, options.seed ?? network.seed, options.limit);
      } catch (e) {
        asCliError(e);
      }
      process.stdout.write(formatEvaluation(evaluation, `${file} on ${data.name}`) + "\n");
    });
}
