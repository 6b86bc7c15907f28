/**
 * @fileoverview Every bundled example compiles and runs end to end on both emulators with the same
 * spikes, and the synfire chain does what its comment says: a volley travels down the chain, one
 * group per axonal delay.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseArrayFile } from "../compiler/arrays.ts";
import { compileSource } from "../compiler/index.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import { buildEncoderTables, type InputArray } from "../emulator/inputs.ts";
import { createReferenceEmulator } from "../emulator/reference/index.ts";
import type { RunResult } from "../emulator/types.ts";
import { createWasmEmulator } from "../emulator/wasm.ts";
import { loadWasmCore } from "../emulator/wasm-node.ts";

const examples = fileURLToPath(new URL("../examples/", import.meta.url));
const sources = readdirSync(examples).filter((f) => f.endsWith(".snn")).sort();
/** Long examples (CUBA: 10,000 steps) run their first 2,000 steps here; the CLI tests run them whole. */
const STEPS_CAP = 2000;

function compileExample(file: string): ChipNetwork {
  const text = readFileSync(join(examples, file), "utf8");
  const result = compileSource(text, file, { readFile: (path) => new Uint8Array(readFileSync(join(examples, path))) });
  expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return result.network!;
}

/** The example's bundled `NAME-input.csv` where there is one, else a deterministic ramp per input. */
function inputsFor(file: string, network: ChipNetwork): Map<string, InputArray> {
  const inputs = new Map<string, InputArray>();
  const bundled = join(examples, file.replace(/\.snn$/, "-input.csv"));
  for (const pop of network.populations) {
    if (pop.kind !== "input" || pop.encoder?.kind === "spikes") continue;
    try {
      inputs.set(pop.name, parseArrayFile(new Uint8Array(readFileSync(bundled)), bundled));
    } catch {
      inputs.set(pop.name, { shape: [pop.size], values: Array.from({ length: pop.size }, (_, i) => ((i * 7) % 10) / 10) });
    }
  }
  return inputs;
}

describe("examples", () => {
  let module: WebAssembly.Module;
  beforeAll(async () => {
    module = await loadWasmCore();
  });

  it("are all found", () => {
    expect(sources).toEqual(expect.arrayContaining(["cuba.snn", "synfire.snn", "feedforward.snn", "conv.snn"]));
  });

  for (const file of sources) {
    it(`${file} runs with identical spikes on the reference model and the wasm core`, async () => {
      const network = compileExample(file);
      const steps = Math.min(network.defaultSteps, STEPS_CAP);
      const encoders = buildEncoderTables(network, inputsFor(file, network), steps);
      const reference = createReferenceEmulator(network).run({ steps, encoders });
      const wasm = (await createWasmEmulator(network, module)).run({ steps, encoders });
      expect(reference.spikeNeurons.length).toBeGreaterThan(0);
      expect(Array.from(wasm.spikeSteps)).toEqual(Array.from(reference.spikeSteps));
      expect(Array.from(wasm.spikeNeurons)).toEqual(Array.from(reference.spikeNeurons));
      expect(wasm.latencyCycles).toBe(reference.latencyCycles);
    }, 60_000);
  }

  it("synfire.snn: every group fires once, one 4 ms delay after the previous one", async () => {
    const network = compileExample("synfire.snn");
    const result: RunResult = (await createWasmEmulator(network, module)).run({
      steps: network.defaultSteps,
      encoders: buildEncoderTables(network, new Map(), network.defaultSteps),
    });
    const dtMs = network.dtUs / 1000;
    const firstSpikeMs = network.populations.map((pop) => {
      let first = Infinity;
      result.spikeNeurons.forEach((id, k) => {
        if (id >= pop.firstNeuron && id < pop.firstNeuron + pop.size) first = Math.min(first, result.spikeSteps[k] * dtMs);
      });
      return first;
    });
    expect(firstSpikeMs[0]).toBeCloseTo(2, 5); // the stimulus volley
    for (let g = 1; g < firstSpikeMs.length; g++) {
      // stimulus → g0 takes one step; each later hop takes the 4 ms axonal delay (one update step is inside it)
      const expected = g === 1 ? 2 + dtMs : firstSpikeMs[1] + (g - 1) * 4;
      expect(firstSpikeMs[g]).toBeCloseTo(expected, 5);
    }
  });
});
