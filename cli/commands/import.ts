/**
 * @fileoverview `neurocc import`: a NIR (.nir) or lava-dl netx (.net/.h5) model → a `.snn` network
 * with its weight files next to it (NET.snn + NET.data/). Also starts the HDF5 reader before any
 * command that names an HDF5 file, so that compile, run and inspect can read .nir files directly.
 */
import { Option, type Command } from "commander";
import { preloadHdf5For, importModel, parseDuration, writeProgram } from "../model-files.ts";
import { CliError } from "../files.ts";
import { chipOption, wholeNumber } from "./options.ts";

export function register(program: Command): void {
  program.hook("preAction", async (_program, action) => preloadHdf5For(action.args));
  program
    .command("import")
    .description("import a NIR (.nir) or lava-dl netx (.net, .h5) model as a .snn network")
    .argument("<model>", "NIR or netx file")
    .requiredOption("-o, --output <NET.snn>", "network to write (weights go to NET.data/ next to it)")
    .option("--dt <time>", "timestep, e.g. 0.1ms (default: the model's metadata; NIR files without it need --dt)")
    .addOption(chipOption())
    .addOption(new Option("--discretization <how>", "continuous-time → per-step mapping (default: lava on the loihi preset, else exact)").choices(["exact", "euler", "lava"]))
    .option("--bits <n>", "weight mantissa bits (default: the preset's largest)", wholeNumber(1))
    .action((model: string, options: { output: string; dt?: string; chip?: string; discretization?: "exact" | "euler" | "lava"; bits?: number }) => {
      if (!options.output.toLowerCase().endsWith(".snn")) throw new CliError(`-o must name a .snn file (got ${options.output})`);
      const dtMs = options.dt === undefined ? undefined : parseDuration(options.dt, "--dt");
      const program = importModel(model, options.output, { dtMs, chip: options.chip, discretization: options.discretization, bits: options.bits });
      for (const warning of program.warnings) process.stderr.write(`${model}: warning: ${warning}\n`);
      writeProgram(options.output, program);
      const data = program.files.size ? ` and ${program.files.size} weight file${program.files.size === 1 ? "" : "s"}` : "";
      process.stdout.write(`wrote ${options.output}${data}; compile it with: neurocc compile ${options.output} -o NET.nchip\n`);
    });
}
