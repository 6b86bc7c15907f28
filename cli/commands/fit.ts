/**
 * @fileoverview `neurocc fit`: back-engineering (docs/fit.md). Reads an observed raster (and
 * optionally potentials and external input spikes), fits one gIF problem per neuron with HiGHS,
 * re-runs the fitted network on the emulator, reports what it reproduces, and writes the network.
 *
 * Exit codes: 0 when every spike is reproduced; 3 when some are not (nothing is written unless
 * --keep-best); 1 for bad input or a solver failure/time-out (nothing is written).
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { fitNetwork, FitError, type FitMethod } from "../../fit/index.ts";
import { describeFit } from "../../fit/report.ts";
import { resolveTarget, DEFAULT_SETTINGS, type TargetSettings } from "../../fit/target.ts";
import { CliError } from "../files.ts";
import { loadSolver, outputKind, outputStem, readPotentials, readRaster, writeFittedNetwork } from "../fit-io.ts";
import { createEmulator, type Engine } from "../run.ts";
import { chipOption, engineOption, wholeNumber } from "./options.ts";

/** Exit code when the fitted network does not reproduce every spike. */
const INCOMPLETE_EXIT = 3;

interface FitOptions {
  model: string;
  delays: number;
  potentials?: string;
  input?: string;
  bits?: number;
  gamma: number;
  maxWeight: number;
  chip?: string;
  output?: string;
  recurrent: boolean;
  method: FitMethod;
  timeLimit: number;
  engine: Engine;
  keepBest?: boolean;
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got '${text}'`);
  return n;
}

function fraction(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`expected a number in [0, 1], got '${text}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command("fit")
    .description("find the weights that make the chip reproduce a spike raster (gIF back-engineering, docs/fit.md)")
    .argument("<raster>", "wanted spikes: [steps, neurons] 0/1 in .csv or .npy, or a `neurocc run --out` .json spike list (FILE.json:POP to pick populations)")
    .addOption(new Option("--model <name>", "neuron model").choices(["gif"]).default("gif"))
    .option("--delays <D>", "fit delays 1..D steps between every pair", wholeNumber(1), 1)
    .option("--potentials <file>", "observed membrane potentials [steps, neurons] in chip LSB (as `probe N.v` records them): least squares")
    .option("--input <raster>", "external input spikes [steps, inputs]: fit input → output (programming)")
    .option("--bits <B>", "weight mantissa bits (default: the chip's largest)", wholeNumber(2))
    .option("--gamma <g>", "leak γ of the gIF neurons", fraction, DEFAULT_SETTINGS.gamma)
    .option("--max-weight <w>", "weights up to at least w thresholds must be representable", positiveNumber, DEFAULT_SETTINGS.maxWeightThresholds)
    .addOption(chipOption())
    .option("-o, --output <file>", "write the fitted network: NET.snn (+ NET.data/ weight files) or IMAGE.nchip")
    .option("--no-recurrent", "no connections among the fitted neurons (only from --input)")
    .addOption(new Option("--method <m>", "auto: LP, then robust LP, then MILP; or one formulation alone").choices(["auto", "lp", "robust", "milp"]).default("auto"))
    .option("--time-limit <s>", "solver time limit per problem, seconds", positiveNumber, 60)
    .option("--keep-best", "write the network even if it does not reproduce every spike")
    .addOption(engineOption())
    .action(async (rasterPath: string, options: FitOptions) => {
      if (options.output) outputKind(options.output);
      const settings: TargetSettings = { chipPreset: options.chip ?? "generic", gamma: options.gamma, delays: options.delays, weightBits: options.bits ?? null, maxWeightThresholds: options.maxWeight };
      const raster = readRaster(rasterPath, "raster");
      const input = options.input ? readRaster(options.input, "input raster") : null;
      const outcome = await guarded(async () => {
        const target = resolveTarget(settings);
        const potentials = options.potentials ? readPotentials(options.potentials, raster, target.threshold, target.voltageLimit) : null;
        const highs = await loadSolver();
        const progress = progressPrinter();
        return fitNetwork(
          highs,
          {
            raster,
            input,
            potentials,
            settings,
            recurrent: options.recurrent,
            method: options.method,
            timeLimitSeconds: options.timeLimit,
            name: options.output ? outputStem(options.output) : "fitted",
            provenance: `fitted to ${rasterPath}${options.input ? ` with input ${options.input}` : ""}${options.potentials ? ` and potentials ${options.potentials}` : ""}`,
            onNeuron: (_, done, total) => progress(done, total),
          },
          (network) => createEmulator(network, options.engine),
        );
      });
      process.stdout.write(describeFit(outcome, options.engine, rasterPath));
      const complete = outcome.reproduction.missed === 0 && outcome.reproduction.extra === 0;
      if (options.output && (complete || options.keepBest)) {
        const written = writeFittedNetwork(options.output, outcome.emitted, outcome.network);
        process.stdout.write(`wrote ${written.join(" and ")}${complete ? "" : " (best found; it does not reproduce every spike)"}\n`);
      } else if (options.output) {
        process.stdout.write(`nothing written: the network does not reproduce every spike (--keep-best writes it anyway)\n`);
      }
      if (!complete) process.exitCode = INCOMPLETE_EXIT;
    });
}

/** FitError (bad input, solver failure or time-out) → CliError: one message, exit 1, nothing written. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof FitError) throw new CliError(e.message);
    throw e;
  }
}

/** Progress on stderr, only for a terminal (tests and pipes see the report alone). */
function progressPrinter(): (done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => {};
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (done < total && now - last < 250) return;
    last = now;
    process.stderr.write(`\rfitting neuron ${done}/${total}${done === total ? "\n" : ""}`);
  };
}
