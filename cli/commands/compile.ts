/**
 * @fileoverview `neurocc compile`: compile a .snn network into a chip image.
 */
import type { Command } from "commander";
import { encodeImage } from "../../compiler/image.ts";
import { compileFile, writeAtomic } from "../files.ts";
import { chipOption, modelDtMs, modelDtOption } from "./options.ts";

export function register(program: Command): void {
  program
    .command("compile")
    .description("compile a .snn network into a chip image")
    .argument("<file>", "network description (.snn) or NIR model (.nir)")
    .requiredOption("-o, --output <file.nchip>", "chip image to write")
    .addOption(chipOption())
    .addOption(modelDtOption())
    .action((file: string, options: { output: string; chip?: string; dt?: string }) => {
      const network = compileFile(file, { chipPreset: options.chip, modelDtMs: modelDtMs(options.dt) });
      const bytes = encodeImage(network);
      writeAtomic(options.output, bytes);
      const neurons = network.populations.reduce((n, p) => n + p.size, 0);
      process.stdout.write(`wrote ${options.output}: ${neurons} neurons, ${network.projections.length} projections, ${network.placement.cores.length} cores of the ${network.chip.preset} chip, ${bytes.length} bytes\n`);
    });
}
