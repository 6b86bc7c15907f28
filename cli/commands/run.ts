/**
 * @fileoverview `neurocc run`: run a chip image (or a .snn) on the emulator and write its spikes.
 */
import type { Command } from "commander";
import { extname } from "node:path";
import { CliError, loadNetwork, writeAtomic } from "../files.ts";
import { readInputs, runNetwork, summarizeRun, type Engine } from "../run.ts";
import { formatSpikes, formatStepCounters } from "../spikes-output.ts";
import { chipOption, collect, engineOption, modelDtMs, modelDtOption, wholeNumber } from "./options.ts";

export function register(program: Command): void {
  program
    .command("run")
    .description("run a chip image (or a .snn, compiled on the fly) on the emulator")
    .argument("<file>", "chip image (.nchip), network (.snn) or NIR model (.nir)")
    .option("--steps <n>", "timesteps to run (default: the network's run block)", wholeNumber(1))
    .option("--input <[pop=]file>", "input values (.csv, .npy, .json); repeat for several inputs", collect, [])
    .option("--seed <s>", "PRNG seed (default: the network's)", wholeNumber(0))
    .option("--out <file>", "write spikes to .csv, .json or .npy")
    .option("--counters <file.csv>", "write the chip's counters per step (spikes, events, critical core and its cycles)")
    .addOption(engineOption())
    .addOption(chipOption())
    .addOption(modelDtOption())
    .action(async (file: string, options: { steps?: number; input: string[]; seed?: number; out?: string; counters?: string; engine: Engine; chip?: string; dt?: string }) => {
      const network = loadNetwork(file, { chipPreset: options.chip, modelDtMs: modelDtMs(options.dt) });
      if (options.out && ![".csv", ".json", ".npy"].includes(extname(options.out).toLowerCase())) {
        throw new CliError(`--out must end in .csv, .json or .npy (got ${options.out})`);
      }
      const inputs = readInputs(network, options.input);
      const report = await runNetwork(network, { steps: options.steps ?? network.defaultSteps, seed: options.seed, inputs, engine: options.engine });
      process.stdout.write(summarizeRun(network, report, options.engine));
      if (options.out) {
        writeAtomic(options.out, formatSpikes(network, report.result, extname(options.out).toLowerCase()));
        process.stdout.write(`wrote ${report.result.spikeSteps.length} spikes to ${options.out}\n`);
      }
      if (options.counters) {
        writeAtomic(options.counters, formatStepCounters(network, report.result));
        process.stdout.write(`wrote per-step counters of ${report.result.steps} steps to ${options.counters}\n`);
      }
    });
}
