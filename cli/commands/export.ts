/**
 * @fileoverview `neurocc export`: a chip image (or .snn/.nir, compiled on the fly) → a hardware-flow
 * format: NIR, C, Verilog memory images, lava-dl netx, or csv/json weight tables (docs/targets.md).
 * Files are written atomically and folders complete or not at all.
 */
import { Option, type Command } from "commander";
import { CliError, loadNetwork, writeAtomic } from "../files.ts";
import { EXPORT_TARGETS, exportNetwork } from "../export-targets.ts";
import { startHdf5, writeDirectoryAtomic } from "../model-files.ts";

export function register(program: Command): void {
  program
    .command("export")
    .description("export a chip image for hardware flows: nir, c, verilog, netx, csv or json")
    .argument("<image>", "chip image (.nchip), or a network (.snn, .nir) compiled on the fly")
    .addOption(new Option("--target <format>", "output format").choices(Object.keys(EXPORT_TARGETS)).makeOptionMandatory())
    .requiredOption("-o, --output <path>", "file (nir, netx, json) or folder (c, verilog, csv) to write")
    .action(async (image: string, options: { target: keyof typeof EXPORT_TARGETS; output: string }) => {
      if (options.target === "nir" || options.target === "netx") await startHdf5();
      const network = loadNetwork(image);
      const result = exportNetwork(network, options.target, options.output);
      for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
      if (result.kind === "file") writeAtomic(options.output, result.data);
      else writeDirectoryAtomic(options.output, result.files);
      const what = result.kind === "file" ? `${result.data.length} bytes` : `${result.files.size} files`;
      process.stdout.write(`wrote ${options.output} (${options.target}, ${what}) from ${image}\n`);
      if (result.kind === "files" && result.files.size === 0) throw new CliError("nothing to write");
    });
}
