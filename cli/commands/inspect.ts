/**
 * @fileoverview `neurocc inspect`: summarise a chip image (or a .snn, compiled on the fly).
 */
import type { Command } from "commander";
import { loadImageOrSource } from "../files.ts";
import { describeNetwork } from "../inspect.ts";
import { modelDtMs, modelDtOption } from "./options.ts";

export function register(program: Command): void {
  program
    .command("inspect")
    .description("summarise a chip image: populations, projections, bit widths, memory, placement")
    .argument("<file>", "chip image (.nchip), network (.snn) or NIR model (.nir)")
    .addOption(modelDtOption())
    .action((file: string, options: { dt?: string }) => {
      const { network, header } = loadImageOrSource(file, { modelDtMs: modelDtMs(options.dt) });
      process.stdout.write(describeNetwork(network, header ?? undefined));
    });
}
