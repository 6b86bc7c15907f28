/**
 * @fileoverview `npm run bench`: every benchmark of the project, one after the other, each printing
 * its own table (figures recorded in bench/RESULTS.md). `--quick` is passed on for a smoke run;
 * `--learning` adds the Fashion-MNIST training benchmarks, which take tens of minutes per epoch here.
 *
 *   run.ts                CUBA: wasm emulator vs C yardstick vs Brian2 vs reference model (issue 3)
 *   hetquant.ts           heterogeneous vs homogeneous quantization; accuracy vs weight bits (issue 4)
 *   nir-lif-agreement.ts  NIR's LIF against every platform's trace (issue 6)
 *   fit.ts                back-engineering: solve time and reproduction vs size (issue 7)
 *   sfdfa-throughput.ts   on-chip learning: training samples/s of the Fashion-MNIST example, one core (issue 5)
 *   sfdfa-float.ts, sfdfa-chip.ts   (with --learning) SFDFA/DFA on Fashion-MNIST (issue 5)
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const scripts = ["run.ts", "hetquant.ts", "nir-lif-agreement.ts", "fit.ts", "sfdfa-throughput.ts"];
if (args.includes("--learning")) scripts.push("sfdfa-float.ts", "sfdfa-chip.ts");

let failed = 0;
for (const script of scripts) {
  const path = join(here, script);
  if (!existsSync(path)) continue;
  process.stdout.write(`\n=== bench/${script}${quick ? " --quick" : ""}\n`);
  const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", path, ...(quick ? ["--quick"] : [])], { stdio: "inherit" });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`bench/${script} exited with ${result.status ?? result.signal}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
