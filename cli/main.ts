/**
 * @fileoverview The `neurocc` command line: compile, run, inspect, demo. Every failure the user can
 * fix is printed as one readable message with a non-zero exit code, never as a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { existsSync } from "node:fs";
import { dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPILER_VERSION, decodeImage, encodeImage } from "../compiler/image.ts";
import { PRESET_NAMES } from "../compiler/presets.ts";
import { CliError, compileFile, loadNetwork, readBytes, writeAtomic } from "./files.ts";
import { describeNetwork } from "./inspect.ts";
import { readInputs, runNetwork, summarizeRun, type Engine } from "./run.ts";
import { formatSpikes } from "./spikes-output.ts";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

function wholeNumber(min: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got '${text}'`);
    return n;
  };
}

const chipOption = () => new Option("--chip <preset>", "chip preset").choices(PRESET_NAMES);
const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command()
  .name("neurocc")
  .description("Compile spiking networks (.snn) for a neuromorphic chip and run them on its bit-exact emulator.")
  .version(COMPILER_VERSION)
  .showHelpAfterError("(run with --help for usage)");

program
  .command("compile")
  .description("compile a .snn network into a chip image")
  .argument("<file.snn>", "network description")
  .requiredOption("-o, --output <file.nchip>", "chip image to write")
  .addOption(chipOption())
  .action((file: string, options: { output: string; chip?: string }) => {
    const network = compileFile(file, { chipPreset: options.chip });
    const bytes = encodeImage(network);
    writeAtomic(options.output, bytes);
    const neurons = network.populations.reduce((n, p) => n + p.size, 0);
    process.stdout.write(`wrote ${options.output}: ${neurons} neurons, ${network.projections.length} projections, ${network.placement.cores.length} cores of the ${network.chip.preset} chip, ${bytes.length} bytes\n`);
  });

program
  .command("run")
  .description("run a chip image (or a .snn, compiled on the fly) on the emulator")
  .argument("<file>", "chip image (.nchip) or network (.snn)")
  .option("--steps <n>", "timesteps to run (default: the network's run block)", wholeNumber(1))
  .option("--input <[pop=]file>", "input values (.csv, .npy, .json); repeat for several inputs", collect, [])
  .option("--seed <s>", "PRNG seed (default: the network's)", wholeNumber(0))
  .option("--out <file>", "write spikes to .csv, .json or .npy")
  .addOption(new Option("--engine <name>", "emulator implementation").choices(["wasm", "reference"]).default("wasm"))
  .addOption(chipOption())
  .action(async (file: string, options: { steps?: number; input: string[]; seed?: number; out?: string; engine: Engine; chip?: string }) => {
    const network = loadNetwork(file, options.chip);
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
  });

program
  .command("inspect")
  .description("summarise a chip image: populations, projections, bit widths, memory, placement")
  .argument("<file>", "chip image (.nchip) or network (.snn)")
  .action((file: string) => {
    if (file.endsWith(".snn")) {
      process.stdout.write(describeNetwork(loadNetwork(file)));
      return;
    }
    const bytes = readBytes(file, "chip image");
    const { header } = decodeImage(bytes);
    process.stdout.write(describeNetwork(loadNetwork(file), header));
  });

program
  .command("demo")
  .description("compile and run the bundled CUBA example, and say what happened")
  .option("--example <file.snn>", "example to run", join(repoRoot, "examples", "cuba.snn"))
  .addOption(new Option("--engine <name>", "emulator implementation").choices(["wasm", "reference"]).default("wasm"))
  .action(async (options: { example: string; engine: Engine }) => {
    const shown = relative(process.cwd(), options.example) || options.example;
    process.stdout.write(`compiling ${shown}\n`);
    const network = compileFile(options.example);
    const bytes = encodeImage(network);
    process.stdout.write(`  chip image: ${bytes.length} bytes, ${network.placement.cores.length} cores of the ${network.chip.preset} chip\n`);
    const report = await runNetwork(decodeImage(bytes).network, { steps: network.defaultSteps, inputs: new Map(), engine: options.engine });
    process.stdout.write(summarizeRun(network, report, options.engine));
    process.stdout.write(`next: npx neurocc inspect ${shown}   |   npx neurocc run ${shown} --steps 1000 --out spikes.csv\n`);
  });

async function main(): Promise<void> {
  program.exitOverride();
  program.configureOutput({ outputError: (text, write) => write(text) });
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof CliError) {
      process.stderr.write(`neurocc: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`neurocc: internal error: ${(e as Error)?.message ?? String(e)}\n(this is a bug in neurocc; please report it with the command you ran)\n`);
    if (process.env.NEUROCC_DEBUG) console.error(e);
    process.exitCode = 70;
  }
}

if (!existsSync(join(repoRoot, "package.json"))) process.stderr.write("neurocc: warning: cannot locate the package root\n");
await main();
