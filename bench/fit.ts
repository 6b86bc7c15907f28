/**
 * @fileoverview Back-engineering benchmark (issue 7; docs/fit.md): `npx tsx bench/fit.ts [--quick]`,
 * or `runFitBenchmark()` from another script. Prints three tables:
 *
 *  1. size: solve time and reproduction rate versus network size, up to 200 neurons × 1,000 steps —
 *     a random ground-truth gIF network (fit/synthetic.ts, recurrent, generic chip, 16-bit weights,
 *     γ = 0.875, seed 1) is run on the wasm emulator; its raster alone is fitted (method auto); the
 *     fitted network is re-run on the wasm emulator and its spikes compared one by one;
 *  2. precision: at 5, 4 and 3 weight bits, what each formulation alone (lp, robust, milp) and the
 *     cascade (auto) reproduce, and how long they take (30 neurons + 4 inputs × 300 steps; --quick:
 *     15 neurons × 200 steps at 4 bits);
 *  3. potentials: the same largest-but-one network fitted from its observed potentials (least
 *     squares) instead of its spikes alone.
 *
 * Every solve is single-threaded HiGHS (wasm). Options: --quick (small sizes, for a smoke run),
 * --sizes N:T:D:p,... (neurons, steps, delays, density), --json FILE (default bench/out/fit.json).
 * Needs the wasm core (`npm run asbuild`). From bench/run.ts:
 *   const { runFitBenchmark, fitBenchOptions } = await import("./fit.ts");
 *   await runFitBenchmark(fitBenchOptions(quick ? ["--quick"] : []));
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Highs } from "highs";
import { loadSolver } from "../cli/fit-io.ts";
import { createWasmEmulator } from "../emulator/wasm.ts";
import { loadWasmCore } from "../emulator/wasm-node.ts";
import { fitNetwork, type FitMethod, type FitResult } from "../fit/index.ts";
import { syntheticNetwork, type SyntheticNetwork, type SyntheticOptions } from "../fit/synthetic.ts";

interface Size {
  neurons: number;
  steps: number;
  delays: number;
  density: number;
}

export interface FitBenchOptions {
  quick: boolean;
  sizes: Size[];
  json: string;
}

interface Row {
  table: string;
  label: string;
  neurons: number;
  steps: number;
  spikes: number;
  rows: number;
  columns: number;
  solveSeconds: number;
  verifySeconds: number;
  exactNeurons: number;
  reproducedPercent: number;
  extra: number;
  stages: Record<string, number>;
}

const FULL_SIZES: Size[] = [
  { neurons: 25, steps: 250, delays: 2, density: 0.2 },
  { neurons: 50, steps: 500, delays: 2, density: 0.15 },
  { neurons: 100, steps: 1000, delays: 2, density: 0.1 },
  { neurons: 200, steps: 1000, delays: 2, density: 0.1 },
];
const QUICK_SIZES: Size[] = [
  { neurons: 20, steps: 200, delays: 2, density: 0.2 },
  { neurons: 40, steps: 400, delays: 2, density: 0.15 },
];

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export async function runFitBenchmark(options: FitBenchOptions, log: (line: string) => void = console.log): Promise<Row[]> {
  const highs = await loadSolver();
  const core = await loadWasmCore();
  const emulator = (network: Parameters<typeof createWasmEmulator>[0]) => createWasmEmulator(network, core);
  const rows: Row[] = [];
  log(`machine: ${cpus()[0]?.model ?? "?"} (${cpus().length} cores), node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);

  log("\n1. size (generic chip, 16-bit weights, γ = 0.875, recurrent, seed 1, method auto)");
  log(header());
  const truths: SyntheticNetwork[] = [];
  for (const size of options.sizes) {
    const truth = await syntheticNetwork({ neurons: size.neurons, inputs: 0, steps: size.steps, density: size.density, seed: 1, settings: { delays: size.delays } }, emulator);
    const row = measure("size", `${size.neurons} × ${size.steps}, D ${size.delays}, p ${size.density}`, await fitNetwork(highs, { raster: truth.raster, settings: { delays: size.delays } }, emulator));
    rows.push(row);
    log(format(row));
    truths.push(truth);
  }

  // --quick: a smaller case and one precision, so that the smoke test stays short.
  const precision = options.quick ? { neurons: 15, steps: 200, bits: [4] } : { neurons: 30, steps: 300, bits: [5, 4, 3] };
  log(`\n2. precision: each formulation alone vs the cascade (generic chip, ${precision.neurons} neurons + 4 inputs × ${precision.steps} steps, D 2, p 0.3, seed 1)`);
  log(header());
  for (const bits of precision.bits) {
    const settings = { delays: 2, weightBits: bits };
    const spec: SyntheticOptions = { neurons: precision.neurons, inputs: 4, steps: precision.steps, density: 0.3, seed: 1, settings };
    const truth = await syntheticNetwork(spec, emulator);
    for (const method of ["lp", "robust", "milp", "auto"] as FitMethod[]) {
      const result = await fitWithMethod(highs, truth, settings, method, emulator);
      const row = measure("precision", `${bits} bits, ${method}`, result);
      rows.push(row);
      log(format(row));
    }
  }

  {
    // The largest-but-one network of the size table: its spikes-only fit is the row to compare with.
    const truth = truths[Math.max(0, truths.length - 2)];
    log(`\n3. observed potentials (least squares) on the ${truth.raster.neurons} × ${truth.raster.steps} network of table 1`);
    log(header());
    const result = await fitNetwork(highs, { raster: truth.raster, potentials: truth.potentials, settings: { delays: truth.target.settings.delays } }, emulator);
    const row = measure("potentials", `${truth.raster.neurons} × ${truth.raster.steps}, potentials`, result);
    rows.push(row);
    log(format(row));
  }
  log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(" ")} (shared machine: treat times as rough)`);
  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(options.json, JSON.stringify({ machine: cpus()[0]?.model, cpus: cpus().length, node: process.version, rows }, null, 2));
  return rows;
}

function fitWithMethod(highs: Highs, truth: SyntheticNetwork, settings: SyntheticOptions["settings"], method: FitMethod, emulator: Parameters<typeof fitNetwork>[2]): Promise<FitResult> {
  return fitNetwork(highs, { raster: truth.raster, input: truth.input, settings, method, timeLimitSeconds: 30 }, emulator);
}

function measure(table: string, label: string, result: FitResult): Row {
  const { reproduction, neurons } = result;
  const stages: Record<string, number> = {};
  for (const n of neurons) if (n.status === "exact") stages[n.stage] = (stages[n.stage] ?? 0) + 1;
  const largest = neurons.reduce((a, b) => (b.rows * b.columns > a.rows * a.columns ? b : a), neurons[0]);
  return {
    table,
    label,
    neurons: neurons.length,
    steps: reproduction.produced.steps,
    spikes: reproduction.observedSpikes,
    rows: largest.rows,
    columns: largest.columns,
    solveSeconds: result.solveSeconds,
    verifySeconds: reproduction.seconds,
    exactNeurons: neurons.filter((n) => n.status === "exact").length,
    reproducedPercent: reproduction.observedSpikes === 0 ? 100 : (100 * reproduction.reproduced) / reproduction.observedSpikes,
    extra: reproduction.extra,
    stages,
  };
}

function header(): string {
  return "| case | spikes | LP rows × cols | solve s | s/neuron | verify s | exact neurons | spikes reproduced | extra | stages |\n|---|---|---|---|---|---|---|---|---|---|";
}

function format(row: Row): string {
  const stages = Object.entries(row.stages).map(([s, n]) => `${s} ${n}`).join(", ");
  return `| ${row.label} | ${row.spikes} | ${row.rows} × ${row.columns} | ${row.solveSeconds.toFixed(1)} | ${(row.solveSeconds / row.neurons).toFixed(3)} | ${row.verifySeconds.toFixed(3)} | ${row.exactNeurons}/${row.neurons} | ${row.reproducedPercent.toFixed(2)} % | ${row.extra} | ${stages} |`;
}

/** Options from command-line words (`--quick`, `--sizes`, `--json`), for this script or bench/run.ts. */
export function fitBenchOptions(argv: string[]): FitBenchOptions {
  const quick = argv.includes("--quick");
  const at = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizesText = at("--sizes");
  const sizes = sizesText
    ? sizesText.split(",").map((s) => {
        const [neurons, steps, delays, density] = s.split(":").map(Number);
        return { neurons, steps, delays: delays || 2, density: density || 0.1 };
      })
    : quick
      ? QUICK_SIZES
      : FULL_SIZES;
  return { quick, sizes, json: at("--json") ?? join(ROOT, "bench", "out", "fit.json") };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runFitBenchmark(fitBenchOptions(process.argv.slice(2)));
}
