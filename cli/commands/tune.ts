/**
 * @fileoverview `neurocc tune gain`: runs a network on a dataset at several input gains and prints
 * accuracy, spikes per sample and saturation for each, then the best gain (tune/gain.ts says how it
 * is chosen).
 */
import type { Command } from "commander";
import { InputSetError } from "../../tune/evaluate.ts";
import { tuneGain } from "../../tune/gain.ts";
import { chooseInput, chooseOutput, numberList, progressBar, readInputSet } from "../dataset-files.ts";
import { CliError, loadNetwork } from "../files.ts";
import { createEmulator, type Engine } from "../run.ts";
import { chipOption, engineOption, wholeNumber } from "./options.ts";

interface GainOptions {
  data: string;
  labels?: string;
  values: number[];
  input?: string;
  output?: string;
  steps?: number;
  samples?: number;
  seed?: number;
  engine: Engine;
  chip?: string;
}

export function register(program: Command): void {
  const tune = program.command("tune").description("tune a network's parameters on a dataset");
  tune
    .command("gain")
    .description("run the network at several input gains on a dataset and pick the best")
    .argument("<network>", "network (.snn) or chip image (.nchip)")
    .requiredOption("--data <file>", "input samples, [samples, features] (.npy or .csv)")
    .option("--labels <file>", "class index per sample, [samples] (.npy or .csv)")
    .requiredOption("--values <list>", "gains to try, e.g. 0.25,0.5,1,2", numberList("--values"))
    .option("--input <name>", "input population the data feeds (default: the only one)")
    .option("--output <name>", "layer whose spike counts classify (default: the last layer)")
    .option("--steps <n>", "timesteps per sample (default: the network's run block)", wholeNumber(1))
    .option("--samples <k>", "use only the first k samples", wholeNumber(1))
    .option("--seed <s>", "PRNG seed (default: the network's)", wholeNumber(0))
    .addOption(engineOption())
    .addOption(chipOption())
    .action(async (file: string, options: GainOptions) => {
      const network = loadNetwork(file, { chipPreset: options.chip });
      const input = chooseInput(network, options.input);
      const output = chooseOutput(network, options.output);
      const dataset = readInputSet(input, output, options.data, options.labels);
      const steps = options.steps ?? network.defaultSteps;
      const emulator = await createEmulator(network, options.engine);
      const bar = progressBar("tune gain");
      let outcome;
      try {
        outcome = tuneGain(network, emulator, dataset, options.values, {
          inputName: input.name, outputName: output.name, steps, samples: options.samples, seed: options.seed, onProgress: bar.update,
        });
      } catch (e) {
        if (e instanceof InputSetError) throw new CliError(e.message);
        throw e;
      } finally {
        bar.done();
      }
      const { results, best } = outcome;
      const lines = [
        `tune gain of '${input.name}' on ${results[0].samples} samples of ${options.data}, ${steps} steps each, output '${output.name}' (${options.engine} emulator)`,
        `  ${"gain".padStart(8)}  ${"accuracy".padStart(8)}  ${"spikes/sample".padStart(13)}  ${"saturation".padStart(10)}`,
      ];
      results.forEach((r, i) => {
        const accuracy = r.accuracy === null ? "—" : `${(100 * r.accuracy).toFixed(1)}%`;
        lines.push(`  ${String(r.gain).padStart(8)}  ${accuracy.padStart(8)}  ${r.spikesPerSample.toFixed(1).padStart(13)}  ${`${(100 * r.saturation).toFixed(2)}%`.padStart(10)}${i === best ? "  ← best" : ""}`);
      });
      lines.push(`best gain: ${results[best].gain}${dataset.labels ? " (highest accuracy; a tie for the top spike count counts as wrong)" : " (largest gain with saturation ≤ 1%; no labels given)"}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
