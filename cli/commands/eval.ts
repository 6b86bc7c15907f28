/**
 * @fileoverview `neurocc eval IMAGE --data …`: the accuracy (ties count as wrong) and confusion
 * matrix of a network with a `learn` block — a trained checkpoint image or a .snn — on the test
 * split of a data set, run on the learning chip's forward pass (bit-exact with the emulators).
 */
import type { Command } from "commander";
import { evaluateChip } from "../../learn/chip-training.ts";
import { loadNetwork } from "../files.ts";
import { asCliError, formatEvaluation, learningChipOf, loadSplit } from "../learning-data.ts";
import { wholeNumber, withDataSetOptions } from "./options.ts";

interface EvalOptions {
  data: string;
  labels?: string;
  limit?: number;
  seed?: number;
}

export function register(program: Command): void {
  withDataSetOptions(program
    .command("eval")
    .description("accuracy and confusion matrix of a network with a learn block on a data set's test split")
    .argument("<network>", "chip image (.nchip, e.g. a train checkpoint) or network (.snn)"))
    .option("--limit <k>", "use only the first k test samples", wholeNumber(1))
    .option("--seed <s>", "seed of rate-encoder draws (default: the network's)", wholeNumber(0))
    .action((file: string, options: EvalOptions) => {
      const network = loadNetwork(file);
      const chip = learningChipOf(network, file);
      const test = loadSplit(options, "test");
      let evaluation;
      try {
        evaluation = evaluateChip(chip, test, options.seed ?? network.seed, options.limit);
      } catch (e) {
        asCliError(e);
      }
      process.stdout.write(formatEvaluation(evaluation, `${file} on ${test.name}`) + "\n");
    });
}
