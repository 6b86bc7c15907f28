/**
 * @fileoverview `neurocc run` and `neurocc demo`: load a network, read the inputs, run it on the
 * chosen emulator and print what happened (spikes per population, wall time, synaptic events per
 * second, chip cycles and energy).
 */
import { extname } from "node:path";
import { ArrayFormatError, parseArrayFile } from "../compiler/arrays.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import { buildEncoderTables, InputError, type InputArray } from "../emulator/inputs.ts";
import { createReferenceEmulator } from "../emulator/reference/index.ts";
import type { Emulator, RunResult } from "../emulator/types.ts";
import { createWasmEmulator } from "../emulator/wasm.ts";
import { loadWasmCore } from "../emulator/wasm-node.ts";
import { CliError, readBytes } from "./files.ts";

export type Engine = "wasm" | "reference";

export async function createEmulator(network: ChipNetwork, engine: Engine): Promise<Emulator> {
  if (engine === "reference") return createReferenceEmulator(network);
  let module: WebAssembly.Module;
  try {
    module = await loadWasmCore();
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return createWasmEmulator(network, module);
}

/** Parses `--input` values: `POP=FILE` or `FILE` (for the only input population, or a .json map). */
export function readInputs(network: ChipNetwork, specs: readonly string[]): Map<string, InputArray> {
  const inputs = new Map<string, InputArray>();
  const inputNames = network.populations.filter((p) => p.kind === "input").map((p) => p.name);
  for (const spec of specs) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(spec);
    const path = match ? match[2] : spec;
    const bytes = readBytes(path, "input file");
    if (!match && extname(path).toLowerCase() === ".json") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(bytes));
      } catch (e) {
        throw new CliError(`${path}: not valid JSON (${(e as Error).message})`);
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CliError(`${path}: expected an object mapping input names to arrays, e.g. {"${inputNames[0] ?? "in"}": [0.1, 0.5]}`);
      for (const [name, value] of Object.entries(parsed)) inputs.set(name, jsonArray(value, `${path}: '${name}'`));
      continue;
    }
    const name = match ? match[1] : inputNames.length === 1 ? inputNames[0] : null;
    if (!name) throw new CliError(`the network has ${inputNames.length} inputs (${inputNames.join(", ") || "none"}); say which one this file feeds: --input NAME=${path}`);
    try {
      inputs.set(name, extname(path).toLowerCase() === ".json" ? jsonArray(JSON.parse(new TextDecoder().decode(bytes)), path) : parseArrayFile(bytes, path));
    } catch (e) {
      if (e instanceof ArrayFormatError || e instanceof SyntaxError) throw new CliError(`${path}: ${e.message}`);
      throw e;
    }
  }
  return inputs;
}

function jsonArray(value: unknown, where: string): InputArray {
  if (!Array.isArray(value)) throw new CliError(`${where} must be an array of numbers or an array of rows`);
  const rows = Array.isArray(value[0]) ? (value as unknown[][]) : [value];
  const width = rows[0]?.length ?? 0;
  const flat: number[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== width) throw new CliError(`${where}: rows must all have ${width} values`);
    for (const x of row) {
      if (typeof x !== "number") throw new CliError(`${where}: '${String(x)}' is not a number`);
      flat.push(x);
    }
  }
  return { shape: Array.isArray(value[0]) ? [rows.length, width] : [width], values: flat };
}

export interface RunReport {
  result: RunResult;
  wallSeconds: number;
}

export async function runNetwork(network: ChipNetwork, options: { steps: number; seed?: number; inputs: Map<string, InputArray>; engine: Engine }): Promise<RunReport> {
  let encoders;
  try {
    encoders = buildEncoderTables(network, options.inputs, options.steps);
  } catch (e) {
    if (e instanceof InputError) throw new CliError(e.message);
    throw e;
  }
  const emulator = await createEmulator(network, options.engine);
  const start = performance.now();
  const result = emulator.run({ steps: options.steps, seed: options.seed, encoders, recordProbes: true });
  return { result, wallSeconds: (performance.now() - start) / 1000 };
}

function si(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(2)} k`;
  return `${x.toFixed(x < 10 ? 2 : 0)} `;
}

export function summarizeRun(network: ChipNetwork, report: RunReport, engine: Engine): string {
  const { result, wallSeconds } = report;
  const simulatedSeconds = (result.steps * network.dtUs) / 1e6;
  const counts = new Float64Array(network.populations.length);
  let p = 0;
  for (const id of result.spikeNeurons) {
    while (id >= network.populations[p].firstNeuron + network.populations[p].size) p++;
    while (id < network.populations[p].firstNeuron) p--;
    counts[p]++;
  }
  const events = result.stepSynapticEvents.reduce((a, b) => a + b, 0);
  const lines = [`ran ${network.name}: ${result.steps} steps of ${network.dtUs / 1000} ms (${simulatedSeconds.toFixed(3)} s simulated) on the ${engine} emulator, chip ${network.chip.preset}`];
  const width = Math.max(...network.populations.map((x) => x.name.length));
  network.populations.forEach((pop, i) => {
    const rate = simulatedSeconds > 0 ? counts[i] / pop.size / simulatedSeconds : 0;
    lines.push(`  ${pop.name.padEnd(width)}  ${String(counts[i]).padStart(9)} spikes  ${rate.toFixed(2).padStart(8)} Hz per neuron  (${pop.size} neurons)`);
  });
  const clockHz = network.chip.timing.clockMHz * 1e6;
  lines.push(
    `  wall time ${wallSeconds.toFixed(3)} s (${(wallSeconds / Math.max(simulatedSeconds, 1e-12)).toFixed(3)} s per simulated s), ${si(events)}synaptic events, ${si(events / Math.max(wallSeconds, 1e-9))}events/s`,
    `  chip: ${si(result.latencyCycles)}cycles (${((result.latencyCycles / clockHz) * 1e3).toFixed(3)} ms at ${network.chip.timing.clockMHz} MHz), energy ${(result.energyPj / 1e6).toFixed(3)} µJ`,
  );
  return lines.join("\n") + "\n";
}
