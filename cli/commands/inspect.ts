/**
 * @fileoverview `neurocc inspect`: summarise a chip image (or a .snn, compiled on the fly).
 */
import type { Command } from "commander";
import { loadImageOrSource } from "../files.ts";
import { describeNetwork } from "../inspect.ts";

export function register(program: Command): void {
  program
    .command("inspect")
    .description("summarise a chip image: populations, projections, bit widths, memory, placement")
    .argument("<file>", "chip image (.nchip) or network (.snn)")
    .action((file: string) => {
      const { network, header } = loadImageOrSource(file);
      process.stdout.write(describeNetwork(network, header ?? undefined));
    });
}
