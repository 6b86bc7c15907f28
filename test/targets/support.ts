/**
 * @fileoverview Shared helpers of the target tests: the NIR example files of ../shared/nir (CI has
 * shared/ beside the clone), reading and writing NIR through h5wasm, importing into a compiled
 * network, and running a network on the reference emulator with a seeded random raster.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { buildEncoderTables, type InputArray } from "../../emulator/inputs.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import type { RunResult } from "../../emulator/types.ts";
import { Random } from "../../compiler/random.ts";
import { hdf5Bytes, loadHdf5, readHdf5File } from "../../targets/hdf5/hdf5-node.ts";
import type { H5Tree } from "../../targets/hdf5/tree.ts";
import type { NirDocument } from "../../targets/nir/graph.ts";
import { nirFromTree, nirToTree } from "../../targets/nir/hdf5.ts";
import { importNir, type NirImportOptions } from "../../targets/nir/import.ts";
import type { SnnProgram } from "../../targets/printers/snn.ts";

export const NIR_FOLDER = new URL("../../../shared/nir/paper/", import.meta.url);

/** Every NIR file of the NIR paper, with the dt the paper ran it at (sinabs's CNN counts one unit per step). */
export const NIR_FILES: { path: string; dtMs: number }[] = [
  { path: "01_lif/lif_norse.nir", dtMs: 0.1 },
  { path: "01_lif/lif_rockpool.nir", dtMs: 0.1 },
  { path: "01_lif/debug_spike_representation/two_lif_neurons.nir", dtMs: 0.1 },
  { path: "02_cnn/cnn_sinabs.nir", dtMs: 1000 },
  { path: "03_rnn/braille_noDelay_bias_zero.nir", dtMs: 0.1 },
  { path: "03_rnn/braille_noDelay_noBias_subtract.nir", dtMs: 0.1 },
  { path: "03_rnn/extras/braille_noDelay_bias_zero_subgraph.nir", dtMs: 0.1 },
  { path: "03_rnn/extras/braille_noDelay_noBias_subtract_subgraph.nir", dtMs: 0.1 },
];

export const nirPath = (relative: string): string => new URL(relative, NIR_FOLDER).pathname;

export async function readNir(path: string): Promise<NirDocument> {
  await loadHdf5();
  return nirFromTree(readHdf5File(path, new Uint8Array(readFileSync(path))), path);
}

/** A document as NIR file bytes and back, through h5wasm (what export and import do). */
export async function throughFile(tree: H5Tree, name = "x.nir"): Promise<NirDocument> {
  await loadHdf5();
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const path = join(mkdtempSync(join(tmpdir(), "neurocc-test-")), name);
  const bytes = hdf5Bytes(tree);
  writeFileSync(path, bytes);
  return nirFromTree(readHdf5File(path, bytes), path);
}

export const toFile = (document: NirDocument) => throughFile(nirToTree(document));

export function compileProgram(program: SnnProgram): ChipNetwork {
  const result = compileSource(program.text, "imported.snn", { readFile: (p) => program.files.get(p)! });
  expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), program.text).toEqual([]);
  return result.network!;
}

export function importAndCompile(document: NirDocument, options: Partial<NirImportOptions> = {}): { program: SnnProgram; network: ChipNetwork } {
  const program = importNir(document, "model.nir", { networkName: "model", dataFolder: "model.data", ...options });
  return { program, network: compileProgram(program) };
}

/** Inputs for every input population: spike rasters with Bernoulli(p) per neuron and step, rate values uniform in [0, 1) (seeded). */
export function randomInputs(network: ChipNetwork, steps: number, p: number, seed: number): Map<string, InputArray> {
  const inputs = new Map<string, InputArray>();
  const random = new Random(seed, "test inputs");
  for (const pop of network.populations) {
    if (pop.kind !== "input") continue;
    if (pop.encoder!.kind === "spikes") inputs.set(pop.name, { shape: [steps, pop.size], values: Array.from({ length: steps * pop.size }, () => (random.uniform() < p ? 1 : 0)) });
    if (pop.encoder!.kind === "rate") inputs.set(pop.name, { shape: [pop.size], values: Array.from({ length: pop.size }, () => random.uniform()) });
  }
  return inputs;
}

export function runReference(network: ChipNetwork, steps: number, inputs: Map<string, InputArray>): RunResult {
  return createReferenceEmulator(network).run({ steps, encoders: buildEncoderTables(network, inputs, steps) });
}

/** A network (or any data) as comparable JSON: typed arrays as plain arrays. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)));
}
