/**
 * @fileoverview `neurocc calibrate NET.snn --data FILE -o OUT.nchip`: the data-aware calibration of
 * hetquant columns (compiler/hetquant.ts) at compile time. Reads the dataset, takes the running
 * per-feature minimum and maximum and the quantiles of the normalised data, rebuilds the column
 * weights so the quantization levels sit where the data are dense, and writes the calibrated image.
 */
import type { Command } from "commander";
import { extname } from "node:path";
import { CalibrationError, calibrateHetquant, type CalibrationRecord } from "../../compiler/hetquant.ts";
import { encodeImage } from "../../compiler/image.ts";
import { chooseInput, readInputSet } from "../dataset-files.ts";
import { CliError, compileFile, writeAtomic } from "../files.ts";
import { chipOption } from "./options.ts";

export function register(program: Command): void {
  program
    .command("calibrate")
    .description("calibrate a network's hetquant columns on a dataset and write the calibrated chip image")
    .argument("<network>", "network (.snn) with a hetquant connection")
    .requiredOption("--data <file>", "calibration samples, [samples, features] (.npy or .csv), values ≥ 0")
    .option("--input <name>", "input population the data feeds (default: the only one)")
    .requiredOption("-o, --out <file>", "calibrated chip image (.nchip)")
    .addOption(chipOption())
    .action((file: string, options: { data: string; input?: string; out: string; chip?: string }) => {
      if (extname(file).toLowerCase() !== ".snn") throw new CliError(`calibrate rebuilds weights from the source: give a .snn network, not ${file}`);
      if (extname(options.out).toLowerCase() !== ".nchip") throw new CliError(`--out must end in .nchip (got ${options.out})`);
      const plain = compileFile(file, { chipPreset: options.chip }, true);
      const input = chooseInput(plain, options.input);
      const dataset = readInputSet(input, null, options.data, undefined);
      let records: CalibrationRecord[] = [];
      const network = compileFile(file, {
        chipPreset: options.chip,
        beforeLowering: (checked) => {
          try {
            records = calibrateHetquant(checked, input.name, dataset.values);
          } catch (e) {
            if (e instanceof CalibrationError) throw new CliError(`${options.data}: ${e.message}`);
            throw e;
          }
        },
      });
      const lines = [`calibrated ${network.name} on ${dataset.samples} samples of ${options.data}`];
      for (const record of records) {
        lines.push(`  ${record.connection}: weights ${record.weightRange[0].toPrecision(3)} … ${record.weightRange[1].toPrecision(3)}`);
        record.statistics.forEach((s, i) => lines.push(`    feature ${i}: running min ${s.min.toPrecision(3)}, max ${s.max.toPrecision(3)} (${s.sorted.length} nonzero values)`));
      }
      writeAtomic(options.out, encodeImage(network));
      lines.push(`wrote ${options.out}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
