/**
 * @fileoverview `neurocc demo`: compile and run the bundled CUBA example and say what happened.
 */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeImage, encodeImage } from "../../compiler/image.ts";
import { compileFile } from "../files.ts";
import { runNetwork, summarizeRun, type Engine } from "../run.ts";
import { engineOption } from "./options.ts";

/**
 * The package root: the nearest folder above this module with neurocc's package.json. This module
 * runs from cli/commands/ (sources, via tsx) or from dist/ (the bundle), so no fixed "../.." works.
 */
function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, "package.json")) || !readFileSync(join(folder, "package.json"), "utf8").includes('"name": "neurocc"')) {
    const parent = dirname(folder);
    if (parent === folder) return process.cwd();
    folder = parent;
  }
  return folder;
}

const repoRoot = packageRoot();

export function register(program: Command): void {
  program
    .command("demo")
    .description("compile and run the bundled CUBA example, and say what happened")
    .option("--example <file.snn>", "example to run", join(repoRoot, "examples", "cuba.snn"))
    .addOption(engineOption())
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
}
