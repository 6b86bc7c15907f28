/**
 * @fileoverview `neurocc calibrate NET.snn --data FILE -o OUT.nchip [--online]`: data-aware
 * calibration of hetquant columns. Without --online, at compile time (compiler/hetquant.ts): the
 * running per-feature minimum and maximum and the quantiles of the normalised data rebuild the column
 * weights. With --online, on the emulated chip: the hetquant columns get the calibration unit
 * (docs/chip.md §10), the samples stream through the chip one by one, and the image is written with
 * the weights the chip ended with, after printing the unit's registers and what the unit cost.
 */
import type { Command } from "commander";
import { extname } from "node:path";
import { CalibrationError, calibrateHetquant, type CalibrationRecord } from "../../compiler/hetquant.ts";
import { encodeImage } from "../../compiler/image.ts";
import type { ChipNetwork, Population } from "../../compiler/ir.ts";
import { createCalibratingChip, type CalibratingChip } from "../../emulator/calibration/index.ts";
import { buildEncoderTables, InputError } from "../../emulator/inputs.ts";
import type { InputSet } from "../../tune/evaluate.ts";
import { chooseInput, progressBar, readInputSet } from "../dataset-files.ts";
import { CliError, compileFile, writeAtomic } from "../files.ts";
import { createEmulator, type Engine } from "../run.ts";
import { chipOption, engineOption, wholeNumber } from "./options.ts";

interface CalibrateOptions {
  data: string;
  input?: string;
  out: string;
  chip?: string;
  online?: boolean;
  steps?: number;
  seed?: number;
  engine: Engine;
}

export function register(program: Command): void {
  program
    .command("calibrate")
    .description("calibrate a network's hetquant columns on a dataset (at compile time, or --online on the emulated chip) and write the chip image")
    .argument("<network>", "network (.snn) with a hetquant connection")
    .requiredOption("--data <file>", "calibration samples, [samples, features] (.npy or .csv), values ≥ 0")
    .option("--input <name>", "input population the data feeds (default: the only one)")
    .requiredOption("-o, --out <file>", "calibrated chip image (.nchip)")
    .option("--online", "calibrate on the chip: stream the samples through the emulated chip with its calibration unit on")
    .option("--steps <n>", "--online: steps per sample (default: the network's run steps)", wholeNumber(1))
    .option("--seed <s>", "--online: PRNG seed of the first sample; sample k uses seed + k (default: the network's)", wholeNumber(0))
    .addOption(engineOption())
    .addOption(chipOption())
    .action(async (file: string, options: CalibrateOptions) => {
      if (extname(file).toLowerCase() !== ".snn") throw new CliError(`calibrate rebuilds weights from the source: give a .snn network, not ${file}`);
      if (extname(options.out).toLowerCase() !== ".nchip") throw new CliError(`--out must end in .nchip (got ${options.out})`);
      const plain = compileFile(file, { chipPreset: options.chip }, true);
      const input = chooseInput(plain, options.input);
      const dataset = readInputSet(input, null, options.data, undefined);
      const lines = options.online ? await calibrateOnline(file, input, dataset, options) : calibrateAtCompileTime(file, input, dataset, options);
      lines.push(`wrote ${options.out}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}

function calibrateAtCompileTime(file: string, input: Population, dataset: InputSet, options: CalibrateOptions): string[] {
  let records: CalibrationRecord[] = [];
  const network = compileFile(file, {
    chipPreset: options.chip,
    beforeLowering: (checked) => {
      records = withDataErrors(options.data, () => calibrateHetquant(checked, input.name, dataset.values));
    },
  });
  const lines = [`calibrated ${network.name} on ${dataset.samples} samples of ${options.data}`];
  for (const record of records) {
    lines.push(`  ${record.connection}: weights ${record.weightRange[0].toPrecision(3)} … ${record.weightRange[1].toPrecision(3)}`);
    record.statistics.forEach((s, i) => lines.push(`    feature ${i}: running min ${s.min.toPrecision(3)}, max ${s.max.toPrecision(3)} (${s.sorted.length} nonzero values)`));
  }
  writeAtomic(options.out, encodeImage(network));
  return lines;
}

async function calibrateOnline(file: string, input: Population, dataset: InputSet, options: CalibrateOptions): Promise<string[]> {
  checkOnlineData(dataset, options.data);
  const network = withDataErrors(file, () => compileFile(file, {
    chipPreset: options.chip,
    beforeLowering: (checked) => {
      const source = checked.populations.findIndex((p) => p.name === input.name);
      const columns = checked.connections.filter((c) => c.hetquant && c.source === source);
      if (columns.length === 0) throw new CliError(`${file}: no hetquant connection starts at '${input.name}'; nothing to calibrate`);
      for (const column of columns) {
        if (column.perChannelExponents) throw new CliError(`${file}: ${column.name.replace(/#\d+$/, "")} uses exponents = per_channel; the calibration unit rewrites mantissas under one exponent`);
        column.hetquant!.online = true; // as if the source said online = 1
      }
    },
  }, true));
  const chip = createCalibratingChip(await createEmulator(network, options.engine));
  const steps = options.steps ?? network.defaultSteps;
  const seed = options.seed ?? network.seed;
  const perSample = dataset.frames * dataset.features;
  const bar = progressBar("calibrating");
  for (let s = 0; s < dataset.samples; s++) {
    const values = dataset.values.subarray(s * perSample, (s + 1) * perSample);
    const shape = dataset.frames === 1 ? [dataset.features] : [dataset.frames, dataset.features];
    const encoders = withDataErrors(options.data, () => buildEncoderTables(chip.network(), new Map([[input.name, { shape, values }]]), steps));
    chip.runSample({ steps, seed: (seed + s) >>> 0, encoders, recordProbes: false });
    bar.update(s + 1, dataset.samples);
  }
  bar.done();
  const calibrated = chip.network();
  writeAtomic(options.out, encodeImage(calibrated));
  return onlineReport(chip, calibrated, dataset, steps, options);
}

/** Bad data for online calibration: negative values (sensor intensities are ≥ 0) or nothing nonzero. */
function checkOnlineData(dataset: InputSet, path: string): void {
  const negative = dataset.values.findIndex((x) => x < 0);
  if (negative >= 0) throw new CliError(`${path}: hetquant calibration data must be ≥ 0 (sensor intensities); found ${dataset.values[negative]} in sample ${Math.floor(negative / (dataset.frames * dataset.features))}`);
  if (dataset.values.every((x) => x === 0)) throw new CliError(`${path}: hetquant calibration data holds no nonzero value`);
}

/** Runs `body`, turning calibration and input errors into one CLI message about `path`. */
function withDataErrors<T>(path: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof CalibrationError || e instanceof InputError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
}

function onlineReport(chip: CalibratingChip, network: ChipNetwork, dataset: InputSet, steps: number, options: CalibrateOptions): string[] {
  const { work } = chip;
  const seconds = work.cycles / (network.chip.timing.clockMHz * 1e6);
  const lines = [`calibrated ${network.name} on the chip (${options.engine} emulator): ${dataset.samples} samples of ${options.data}, ${steps} steps each`];
  for (const unit of chip.units) {
    const projection = network.projections[unit.projection];
    const gain = network.populations[unit.source].encoder?.kind === "rate" ? (network.populations[unit.source].encoder as { gain: number }).gain : 1;
    const diagonal = unit.features.flatMap((_, i) => Array.from({ length: unit.spec.duplication }, (_, m) => unit.weights[(i * unit.spec.duplication + m) * unit.spec.features + i]));
    const saturated = diagonal.filter((m) => m === unit.largestMantissa).length;
    lines.push(`  ${unit.name}: mantissas ${Math.min(...diagonal)} … ${Math.max(...diagonal)} (exponent ${projection.weightExponent}, ${projection.weightBits} bits, ${2 ** unit.spec.histogramBinsLog2}-bin histograms)`);
    unit.features.forEach((reg, i) => {
      const asInput = (p: number) => (p / 65536 / gain).toPrecision(3);
      lines.push(`    feature ${i}: min register ${reg.min} (x = ${asInput(reg.min)}), max register ${reg.max} (x = ${asInput(reg.max)}), ${reg.count} nonzero values`);
    });
    if (saturated > 0) lines.push(`  warning: ${saturated} of ${diagonal.length} mantissas sit at the ${projection.weightBits}-bit limit ${unit.largestMantissa}; give the hetquant connection a larger exponent`);
  }
  lines.push(`  calibration unit: ${work.cycles} cycles (${(seconds * 1e6).toPrecision(3)} µs at ${network.chip.timing.clockMHz} MHz), ${(work.energyPj / 1e6).toPrecision(4)} µJ; ${work.observations} observations, ${work.divisions} divisions, ${work.weightWrites} weight writes`);
  return lines;
}
