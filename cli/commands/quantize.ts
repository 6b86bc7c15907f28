/**
 * @fileoverview `neurocc quantize`: post-training weight quantization (tune/quantize.ts).
 *
 *   neurocc quantize NET.snn --bits 4 [--bits-for SRC->DST=6 ...] [--rounding stochastic]
 *                    [--per-channel] [--input [POP=]FILE] [--steps N] -o OUT.nchip
 *   neurocc quantize WEIGHTS.npy --bits 4 [--per-channel] [--rounding stochastic] -o INT.npy
 *
 * The first form compiles the network at the requested widths, prints a report per projection
 * (bits, exponent, rounding error, change of the target's spike count on a sample input against the
 * chip's widest weights) and writes the image. The second turns a plain float array into integer
 * mantissas (value ≈ mantissa · 2^exponent) and prints the exponent(s).
 */
import type { Command } from "commander";
import { extname } from "node:path";
import { formatNpy } from "../../compiler/arrays.ts";
import { encodeImage } from "../../compiler/image.ts";
import { buildEncoderTables, InputError } from "../../emulator/inputs.ts";
import { percentChange, quantizationReport, quantizeArray, referenceBits } from "../../tune/quantize.ts";
import { readArray } from "../dataset-files.ts";
import { CliError, compileFile, writeAtomic } from "../files.ts";
import { isModelFile } from "../model-files.ts";
import { createEmulator, readInputs, type Engine } from "../run.ts";
import { chipOption, collect, engineOption, wholeNumber } from "./options.ts";

interface QuantizeOptions {
  bits: number;
  bitsFor: string[];
  rounding: "nearest" | "stochastic";
  perChannel?: boolean;
  seed: number;
  input: string[];
  steps?: number;
  out?: string;
  engine: Engine;
  chip?: string;
}

export function register(program: Command): void {
  program
    .command("quantize")
    .description("quantize float weights to 1–16-bit integers with power-of-two exponents, and report the damage")
    .argument("<file>", "network (.snn or .nir) whose weights to quantize, or a float array (.npy, .csv)")
    .option("--bits <n>", "mantissa bits, 1..16", wholeNumber(1), 8)
    .option("--bits-for <conn=n>", "bits for one connection, e.g. in->hidden=6; repeatable", collect, [])
    .option("--rounding <mode>", "nearest or stochastic (seeded)", "nearest")
    .option("--per-channel", "one exponent per output channel instead of per projection")
    .option("--seed <s>", "seed of stochastic rounding for an array file (a network uses its own seed)", wholeNumber(0), 0)
    .option("--input <[pop=]file>", "sample input for the activity report; repeatable", collect, [])
    .option("--steps <n>", "steps of the activity run (default: the network's)", wholeNumber(1))
    .option("-o, --out <file>", "output: a chip image (.nchip) for a network, a .npy for an array")
    .addOption(engineOption())
    .addOption(chipOption())
    .action(async (file: string, options: QuantizeOptions) => {
      if (options.bits > 16) throw new CliError(`--bits must be 1..16, got ${options.bits}`);
      if (options.rounding !== "nearest" && options.rounding !== "stochastic") throw new CliError(`--rounding must be nearest or stochastic, got '${options.rounding}'`);
      const extension = extname(file).toLowerCase();
      if (extension === ".npy" || extension === ".csv") quantizeArrayFile(file, options);
      else await quantizeNetwork(file, options);
    });
}

function quantizeArrayFile(file: string, options: QuantizeOptions): void {
  const array = readArray(file, "weight file");
  if (array.values.length === 0) throw new CliError(`${file} is empty`);
  const bad = array.values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new CliError(`${file} holds a NaN or infinite value at index ${bad}`);
  if (options.out && extname(options.out).toLowerCase() !== ".npy") throw new CliError(`--out for an array must end in .npy (got ${options.out})`);
  const q = quantizeArray(array.values, array.shape, options.bits, options.perChannel ?? false, options.rounding, options.seed);
  const exponent = q.exponents.length === 1 ? `exponent ${q.exponents[0]}` : `exponents per channel ${q.exponents.join(", ")}`;
  process.stdout.write(`${file} [${array.shape.join(", ")}]: ${options.bits}-bit mantissas, ${exponent} (value ≈ mantissa · 2^exponent), ${options.rounding} rounding\n`
    + `  error: max ${(100 * q.maxError).toFixed(2)}%, rms ${(100 * q.rmsError).toFixed(2)}% of the largest |weight|\n`);
  if (options.out) {
    writeAtomic(options.out, formatNpy(q.mantissas, array.shape));
    process.stdout.write(`wrote ${options.out}\n`);
  }
}

/** Parses `--bits-for` entries into a map from connection name to bits. */
function bitsPerConnection(entries: string[]): Map<string, number> {
  const bits = new Map<string, number>();
  for (const entry of entries) {
    const match = /^\s*(\w+)\s*->\s*(\w+)\s*=\s*(\d+)\s*$/.exec(entry);
    if (!match || +match[3] < 1 || +match[3] > 16) throw new CliError(`--bits-for '${entry}': expected SRC->DST=BITS with BITS in 1..16`);
    bits.set(`${match[1]}->${match[2]}`, +match[3]);
  }
  return bits;
}

async function quantizeNetwork(file: string, options: QuantizeOptions): Promise<void> {
  if (extname(file).toLowerCase() !== ".snn" && !isModelFile(file)) throw new CliError(`quantize needs the float weights: give a .snn or .nir network or a .npy/.csv array, not ${file}`);
  if (options.out && extname(options.out).toLowerCase() !== ".nchip") throw new CliError(`--out for a network must end in .nchip (got ${options.out})`);
  const bitsFor = bitsPerConnection(options.bitsFor);
  let warned = false;
  const compile: Parameters<typeof quantizationReport>[0] = (override, onQuantized) => {
    // Warnings (W201 at low widths) are printed for the network that is written, not for each variant.
    const network = compileFile(file, { chipPreset: options.chip, quantization: override, onQuantized }, warned || !onQuantized);
    if (onQuantized) warned = true;
    return network;
  };
  const probe = compile(() => ({}));
  for (const name of bitsFor.keys()) {
    if (!probe.projections.some((p) => p.name.replace(/#\d+$/, "") === name)) throw new CliError(`--bits-for ${name}: the network has no such connection; connections are ${probe.projections.map((p) => p.name.replace(/#\d+$/, "")).join(", ")}`);
  }
  const inputs = readInputs(probe, options.input);
  const steps = options.steps ?? probe.defaultSteps;
  const encoders = (network: typeof probe) => {
    try {
      return buildEncoderTables(network, inputs, steps);
    } catch (e) {
      if (e instanceof InputError) throw new CliError(e.message);
      throw e;
    }
  };
  const report = await quantizationReport(compile, (network) => createEmulator(network, options.engine), {
    bits: (name) => bitsFor.get(name) ?? options.bits, rounding: options.rounding, perChannelExponents: options.perChannel,
  }, { steps, encoders });
  const widest = referenceBits(report.network);
  const rows = [["projection", "bits", "exponent", "max error", "rms error", `target spikes (${widest}-bit → quantized)`, "change"]];
  for (const p of report.projections) {
    const exponent = p.exponents.length === 1 ? String(p.exponents[0]) : `${Math.min(...p.exponents)}..${Math.max(...p.exponents)} per channel`;
    rows.push([p.projection, String(p.bits), exponent, `${(100 * p.maxError).toFixed(2)}%`, `${(100 * p.rmsError).toFixed(2)}%`, `${p.targetSpikesReference} → ${p.targetSpikesQuantized}`, percentChange(p.targetSpikesReference, p.targetSpikesQuantized)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = [`quantized ${report.network.name} (${options.rounding} rounding; errors relative to each projection's largest weight; activity over ${steps} steps on ${options.input.length ? "the given input" : "the network's default input"}, ${options.engine} emulator)`];
  for (const row of rows) lines.push("  " + row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
  lines.push(`  all projections quantized: layer spikes ${report.totalSpikesReference} → ${report.totalSpikesQuantized} (${percentChange(report.totalSpikesReference, report.totalSpikesQuantized)})`);
  process.stdout.write(lines.join("\n") + "\n");
  if (options.out) {
    writeAtomic(options.out, encodeImage(report.network));
    process.stdout.write(`wrote ${options.out}\n`);
  }
}
