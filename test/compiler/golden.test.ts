/**
 * @fileoverview Golden files for every example in examples/*.snn:
 *   test/golden/<name>.inspect.txt  the `neurocc inspect <name>.snn` text (cli/inspect.ts describeNetwork),
 *   test/golden/<name>.ir.json      a compact summary of the IR: populations with their constants,
 *                                   projections with bits / exponent / synapse count and CRC-32s of
 *                                   their arrays, placement and probes.
 * Any change to parsing, quantization, connectivity draws or placement shows up here as a diff.
 *
 * When a change is intended, regenerate the files and review the diff before committing:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts
 *
 * CRC-32s are over the arrays' bytes in the platform's (little-endian) order.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { crc32 } from "../../compiler/image.ts";
import type { ChipNetwork, Connectivity } from "../../compiler/ir.ts";
import { describeNetwork } from "../../cli/inspect.ts";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const root = fileURLToPath(new URL("../../", import.meta.url));
const examplesDir = join(root, "examples");
const goldenDir = join(root, "test", "golden");
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".snn")).map((f) => f.slice(0, -4)).sort();

type TypedArray = Int32Array | Uint8Array;

function crcOf(array: TypedArray): string {
  return crc32(new Uint8Array(array.buffer, array.byteOffset, array.byteLength)).toString(16).padStart(8, "0");
}

function nonZero(c: Connectivity): number {
  let n = 0;
  for (const w of c.weights) if (w !== 0) n++;
  return n;
}

function range(array: TypedArray): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const x of array) {
    low = Math.min(low, x);
    high = Math.max(high, x);
  }
  return [low, high];
}

/** The compact, reviewable summary stored as <name>.ir.json. */
function summarizeNetwork(network: ChipNetwork): unknown {
  const names = network.populations.map((p) => p.name);
  return {
    name: network.name,
    chip: { preset: network.chip.preset, coreCount: network.chip.coreCount, neuronsPerCore: network.chip.limits.neuronsPerCore },
    dtUs: network.dtUs,
    defaultSteps: network.defaultSteps,
    seed: network.seed,
    populations: network.populations.map((p) => ({
      name: p.name,
      kind: p.kind,
      size: p.size,
      shape: p.shape,
      firstNeuron: p.firstNeuron,
      ...(p.neuron ? { neuron: p.neuron } : {}),
      ...(p.encoder ? { encoder: p.encoder } : {}),
      initialVoltage: p.initialVoltage ? { crc32: crcOf(p.initialVoltage), range: range(p.initialVoltage) } : null,
    })),
    projections: network.projections.map((p) => {
      const c = p.connectivity;
      return {
        name: p.name,
        source: names[p.source],
        target: names[p.target],
        kind: c.kind,
        weightBits: p.weightBits,
        weightExponent: p.weightExponent,
        delaySteps: p.delaySteps,
        synapses: nonZero(c),
        stored: c.weights.length,
        weights: { crc32: crcOf(c.weights), range: c.weights.length ? range(c.weights) : null },
        ...(c.kind === "sparse" ? { rowStartCrc32: crcOf(c.rowStart), postCrc32: crcOf(c.post) } : {}),
        delays: p.delays ? { crc32: crcOf(p.delays), range: range(p.delays) } : null,
      };
    }),
    placement: network.placement.cores.map((slices) => slices.map((s) => `${names[s.population]}[${s.start}..${s.start + s.count - 1}]`).join(" ")),
    probes: network.probes.map((p) => `${names[p.population]}.${p.variable}`),
  };
}

/** Two-space JSON with arrays of plain values on one line, so that a diff shows the number that changed. */
function toJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(/\[\s+([^[\]{}"]*?)\s+\]/g, (_, inner: string) => `[${inner.split(/,\s+/).join(", ")}]`);
  return `${text}\n`;
}

function compileExample(name: string): ChipNetwork {
  const file = `examples/${name}.snn`;
  const text = readFileSync(join(examplesDir, `${name}.snn`), "utf8");
  const result = compileSource(text, file, { readFile: (path) => new Uint8Array(readFileSync(join(examplesDir, path))) });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return result.network!;
}

/** Compares `actual` with the golden file, or (re)writes it under UPDATE_GOLDEN=1. */
function expectGolden(fileName: string, actual: string): void {
  const path = join(goldenDir, fileName);
  if (UPDATE) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `missing golden file test/golden/${fileName}; create it with UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts`).toBe(true);
  const expected = readFileSync(path, "utf8");
  if (fileName.endsWith(".json")) expect(JSON.parse(actual), `test/golden/${fileName} differs`).toEqual(JSON.parse(expected));
  expect(actual, `test/golden/${fileName} differs; if the change is intended, regenerate with UPDATE_GOLDEN=1`).toBe(expected);
}

describe("golden files", () => {
  it("there are examples, and every golden file belongs to one", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    if (!existsSync(goldenDir)) return;
    const stale = readdirSync(goldenDir).filter((f) => !examples.some((name) => f === `${name}.inspect.txt` || f === `${name}.ir.json`));
    expect(stale, "golden files without an example").toEqual([]);
  });

  describe.each(examples)("examples/%s.snn", (name) => {
    let network: ChipNetwork | null = null;
    const get = () => (network ??= compileExample(name));

    it("`neurocc inspect` text", () => {
      expectGolden(`${name}.inspect.txt`, describeNetwork(get()));
    });

    it("IR summary", () => {
      expectGolden(`${name}.ir.json`, toJson(summarizeNetwork(get())));
    });
  });
});
