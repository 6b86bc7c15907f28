/**
 * @fileoverview NIR import: every file of the NIR paper (../shared/nir, including NIR 0.1.1 and the
 * nested-subgraph versions) imports, compiles through the normal checker and runs on the reference
 * emulator; the single LIF neuron reproduces the exact solution's spike times within one step on the
 * generic preset and Lava's fixed-point trace exactly (every voltage and spike of 1,000 steps) on the
 * loihi preset with Lava's mapping, as `loihi_cuba(du = 4095, dv = 163, vth = 25)` with weight 10.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { ChipNetwork } from "../../compiler/ir.ts";
import type { NirDocument } from "../../targets/nir/graph.ts";
import { importAndCompile, NIR_FILES, nirPath, randomInputs, readNir, runReference } from "./support.ts";

const documents = new Map<string, NirDocument>();
beforeAll(async () => {
  for (const { path } of NIR_FILES) documents.set(path, await readNir(nirPath(path)));
});

describe("every NIR example imports and runs", () => {
  for (const { path, dtMs } of NIR_FILES) {
    it(path, () => {
      const { program, network } = importAndCompile(documents.get(path)!, { dtMs });
      const steps = 20;
      const result = runReference(network, steps, randomInputs(network, steps, 0.3, 1));
      expect(result.steps).toBe(steps);
      expect(program.text).toContain("spikes()");
      const neurons = network.populations.reduce((n, p) => n + p.size, 0);
      expect(neurons).toBeGreaterThan(1);
      // Subgraph files name a node that does not exist ('lif' for 'lif1'): resolved, with a warning.
      if (path.includes("subgraph")) expect(program.warnings.join("\n")).toContain("only node whose name starts with it");
    });
  }

  it("maps the CNN's Conv2d, SumPool2d, Flatten and Affine onto conv2d and dense, composing pool then conv", () => {
    const { network } = importAndCompile(documents.get("02_cnn/cnn_sinabs.nir")!, { dtMs: 1000 });
    const kinds = network.projections.map((p) => `${p.connectivity.kind}${p.connectivity.kind === "conv2d" ? p.connectivity.kernel[0] : ""}`);
    expect(kinds).toEqual(["conv2d5", "conv2d3", "conv2d6", "dense", "dense"]);
    expect(network.populations.map((p) => p.shape.join("x"))).toEqual(["2x34x34", "16x16x16", "16x16x16", "8x8x8", "256", "10"]);
    const result = runReference(network, 12, randomInputs(network, 12, 0.5, 2));
    expect(result.spikeSteps.length).toBeGreaterThan(0);
  });

  it("brings Affine biases in through an always-firing population, into the synaptic current", () => {
    const { program, network } = importAndCompile(documents.get("03_rnn/braille_noDelay_bias_zero.nir")!, { dtMs: 0.1 });
    expect(program.text).toContain("layer nir_bias[1] : if(vth = 0.5, bias = 1);");
    const bias = network.populations.findIndex((p) => p.name === "nir_bias");
    expect(network.projections.filter((p) => p.source === bias).map((p) => network.populations[p.target].name)).toEqual(["lif1_lif", "lif1_lif", "lif2"]);
    const result = runReference(network, 5, new Map());
    expect(Array.from(result.spikeSteps.filter((_, i) => result.spikeNeurons[i] === network.populations[bias].firstNeuron))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("the NIR paper's single LIF neuron", () => {
  const trace = (name: string) =>
    readFileSync(nirPath(`01_lif/${name}`), "utf8").trim().split("\n").map((line) => line.split(",").map(Number));
  const outputSpikes = (network: ChipNetwork, input: number[]) => {
    const steps = input.length;
    const result = runReference(network, steps, new Map([["input_", { shape: [steps, 1], values: input }]]));
    const lif = network.populations.find((p) => p.kind === "neuron")!;
    return { v: Array.from(result.probes[0].values), spikes: Array.from(result.spikeSteps.filter((_, i) => result.spikeNeurons[i] === lif.firstNeuron)) };
  };

  it("matches lif_lava_cpu_fixed.csv exactly on the loihi preset with Lava's mapping", () => {
    const rows = trace("lif_lava_cpu_fixed.csv");
    const { program, network } = importAndCompile(documents.get("01_lif/lif_norse.nir")!, { dtMs: 0.1, chip: "loihi" });
    expect(program.text).toContain("loihi_cuba(du = 4095, dv = 163, vth = 25)");
    expect(program.text).toContain("dense(weight = 10, bits = 8)");
    const { v, spikes } = outputSpikes(network, rows.map((r) => r[0]));
    expect(rows.length).toBe(1000);
    expect(v).toEqual(rows.map((r) => r[1]));
    expect(spikes).toEqual(rows.flatMap((r, t) => (r[2] === 1 ? [t] : [])));
  });

  it("reproduces lif_exact.csv's spike times within one step on the generic preset", () => {
    const rows = trace("lif_exact.csv");
    const { program, network } = importAndCompile(documents.get("01_lif/lif_norse.nir")!, { dtMs: 0.1 });
    expect(program.text).toMatch(/lif\(tau = 2\.49+\d*ms, vth = 0\.1/);
    const exact = rows.flatMap((r, t) => (r[2] === 1 ? [t] : []));
    const { spikes } = outputSpikes(network, rows.map((r) => r[0]));
    expect(exact.length).toBe(4);
    expect(spikes.length).toBe(exact.length);
    spikes.forEach((t, i) => expect(Math.abs(t - exact[i])).toBeLessThanOrEqual(1));
  });

  it("needs a dt: the message says how to give one", () => {
    expect(() => importAndCompile(documents.get("01_lif/lif_norse.nir")!)).toThrow(/no 'dt' in its metadata.*--dt 0\.1ms/);
  });

  it("maps with forward Euler when asked, as snnTorch and Norse simulate", () => {
    const { program } = importAndCompile(documents.get("01_lif/lif_norse.nir")!, { dtMs: 0.1, discretization: "euler" });
    // keep = 1 − dt/τ = 0.96 → the DSL's τ' with exp(−dt/τ') = 0.96; weight dt/τ = 0.04.
    const tau = Number(/tau = ([0-9.e-]+)ms/.exec(program.text)![1]);
    expect(Math.exp(-0.1 / tau)).toBeCloseTo(0.96, 7); // τ is float32 in the file
    expect(program.text).toMatch(/dense\(weight = 0\.0400000\d*/);
  });
});
