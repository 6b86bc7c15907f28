/**
 * @fileoverview The C target: the exported project compiles with `gcc -std=c99 -Wall -Werror` and its
 * step function reproduces the reference emulator's spikes, every spike of every step, on the
 * examples (rate inputs drawn by the C PRNG, per-channel exponents, `or` neurons, sparse
 * projections with delays, refractory periods) and on imported NIR networks (the braille RNN with
 * its bias population; the NIR LIF on the loihi preset for 1,000 steps). Skipped, saying so, when
 * gcc is missing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { buildEncoderTables, type InputArray } from "../../emulator/inputs.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { exportC } from "../../targets/c/export.ts";
import { importAndCompile, nirPath, randomInputs, readNir } from "./support.ts";

const HAVE_GCC = spawnSync("gcc", ["--version"]).status === 0;
if (!HAVE_GCC) console.warn("test/targets/c-target.test.ts: gcc is not installed, so the C target is not compiled or checked");

/** Builds the exported project and runs it; returns its spikes as "step neuron" lines. */
function runC(network: ChipNetwork, steps: number, inputs: Map<string, InputArray>): { c: string[]; reference: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "neurocc-c-"));
  for (const [name, text] of exportC(network)) writeFileSync(join(dir, name), text);
  execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-O0", "neurocc.c", "main.c", "-o", "network"], { cwd: dir, stdio: "pipe" });
  const encoders = buildEncoderTables(network, inputs, steps);
  const lines = [String(steps)];
  for (let t = 0; t < steps; t++) {
    const row: number[] = [];
    network.populations.forEach((pop, index) => {
      if (pop.kind !== "input") return;
      const table = encoders[index]!;
      for (let i = 0; i < pop.size; i++) row.push(table.raster ? table.raster[t * pop.size + i] : table.probability![Math.min(t, table.frames! - 1) * pop.size + i]);
    });
    lines.push(row.join(" "));
  }
  const output = execFileSync(join(dir, "network"), [], { input: lines.join("\n") + "\n", maxBuffer: 1 << 26 }).toString();
  const result = createReferenceEmulator(network).run({ steps, encoders });
  return { c: output.split("\n").filter((l) => l !== ""), reference: Array.from(result.spikeSteps, (t, i) => `${t} ${result.spikeNeurons[i]}`) };
}

function example(name: string): ChipNetwork {
  const file = new URL(`../../examples/${name}`, import.meta.url).pathname;
  const result = compileSource(readFileSync(file, "utf8"), file, { readFile: (p) => new Uint8Array(readFileSync(join(dirname(file), p))) });
  return result.network!;
}

describe.skipIf(!HAVE_GCC)("the C target reproduces the emulator's spikes", () => {
  const cases: [string, number][] = [["conv.snn", 40], ["feedforward.snn", 60], ["synfire.snn", 150], ["cuba.snn", 25]];
  for (const [name, steps] of cases) {
    it(`examples/${name}, ${steps} steps`, () => {
      const network = example(name);
      const { c, reference } = runC(network, steps, randomInputs(network, steps, 0.2, 11));
      expect(reference.length).toBeGreaterThan(0);
      expect(c).toEqual(reference);
    });
  }

  it("the imported braille RNN (CubaLIF, recurrent, biases), 40 steps", async () => {
    const { network } = importAndCompile(await readNir(nirPath("03_rnn/braille_noDelay_bias_zero.nir")), { dtMs: 0.1 });
    const { c, reference } = runC(network, 40, randomInputs(network, 40, 0.3, 5));
    expect(reference.length).toBeGreaterThan(40);
    expect(c).toEqual(reference);
  });

  it("the NIR LIF on the loihi preset, 1,000 steps of Lava's input", async () => {
    const { network } = importAndCompile(await readNir(nirPath("01_lif/lif_norse.nir")), { dtMs: 0.1, chip: "loihi" });
    const rows = readFileSync(nirPath("01_lif/lif_lava_cpu_fixed.csv"), "utf8").trim().split("\n").map((l) => Number(l.split(",")[0]));
    const { c, reference } = runC(network, 1000, new Map([["input_", { shape: [1000, 1], values: rows }]]));
    expect(c.filter((l) => l.endsWith(" 1"))).toEqual(["461 1", "511 1", "711 1", "761 1"]);
    expect(c).toEqual(reference);
  });
});
