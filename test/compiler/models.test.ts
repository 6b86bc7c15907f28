/**
 * @fileoverview The neuron models of the DSL, compiled and run on the reference chip, against their
 * defining equations: gIF (fires at V ≥ θ), PLIF (1/τ = sigmoid(w)), shift decays, and loihi_cuba —
 * which must reproduce Lava's fixed-point trace of NIR's LIF neuron exactly, through the DSL.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { buildEncoderTables } from "../../emulator/inputs.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";

function compile(text: string, preset?: string): ChipNetwork {
  const result = compileSource(text, "t.snn", { chipPreset: preset });
  expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return result.network!;
}

/** Runs with a spike raster for the input 'stim' and returns v of the probed layer per step. */
function runRaster(network: ChipNetwork, raster: number[][]) {
  const steps = raster.length;
  const inputs = new Map([["stim", { shape: [steps, raster[0].length], values: raster.flat() }]]);
  const result = createReferenceEmulator(network).run({ steps, encoders: buildEncoderTables(network, inputs, steps) });
  return { v: Array.from(result.probes[0].values), spikes: result };
}

describe("neuron models", () => {
  it("gif fires when V reaches θ exactly and resets to zero (Cessac's V ≥ θ)", () => {
    const net = compile(`network g { input stim[2] : spikes(); layer n[1] : gif(gamma = 0.5, vth = 1);
      connect stim -> n : dense(weight = 0.5); probe n.v; }`);
    const raster = [[1, 0], [0, 0], [1, 1], [0, 0], [0, 0]];
    const { v, spikes } = runRaster(net, raster);
    const unit = 65536; // threshold maps to 2^16 LSB
    // step 1: V = 0.5; step 2: 0.25; step 3: 0.125 + 1.0 ≥ 1 → spike, reset; step 4: 0.
    expect(v).toEqual([0, 0.5 * unit, 0.25 * unit, 0, 0]);
    expect(Array.from(spikes.spikeSteps.filter((_, i) => spikes.spikeNeurons[i] === 2))).toEqual([3]);
    const exactly = compile(`network g { input stim[2] : spikes(); layer n[1] : gif(gamma = 0.5, vth = 1);
      connect stim -> n : dense(weight = 0.5); probe n.v; }`);
    const hit = runRaster(exactly, [[1, 1], [0, 0]]).spikes; // V = 1.0 = θ exactly at step 1
    expect(Array.from(hit.spikeNeurons)).toEqual([0, 1, 2]);
  });

  it("plif integrates X/τ with 1/τ = sigmoid(w), given as tau or as w", () => {
    for (const params of ["tau = 2ms", "w = 0"]) {
      const net = compile(`network p { input stim[1] : spikes(); layer n[1] : plif(${params}, vth = 1);
        connect stim -> n : dense(weight = 1); probe n.v; run { dt = 1ms; } }`);
      expect(net.populations[1].neuron!.decay).toEqual({ kind: "multiply", currentRetain: 0, voltageRetain: 2048 });
      const { v } = runRaster(net, [[1], [0], [0], [0]]);
      expect(v).toEqual([0, 32768, 16384, 8192]); // H = V + (X − V)/2
    }
    expect(compileSource(`network p { layer n[1] : plif(tau = 2ms, w = 1); }`, "t.snn").diagnostics[0].code).toBe("E104");
  });

  it("lif(decay = shift) and the edge preset use bit-shift decays", () => {
    const source = `network s { layer n[4] : lif(tau = 10ms, decay = shift); run { dt = 1ms; } }`;
    expect(compile(source).populations[0].neuron!.decay).toEqual({ kind: "shift", currentShift: 0, voltageShift: 3 });
    const edge = compile(`network s { layer n[4] : lif(tau = 10ms); run { dt = 1ms; } }`, "edge");
    expect(edge.populations[0].neuron!.decay.kind).toBe("shift");
    expect(edge.populations[0].neuron!.threshold).toBe(256);
  });

  it("loihi_cuba reproduces Lava's fixed-point trace of NIR's LIF neuron, every voltage and spike", () => {
    const csv = readFileSync(new URL("../../../shared/nir/paper/01_lif/lif_lava_cpu_fixed.csv", import.meta.url), "utf8");
    const rows = csv.trim().split("\n").map((line) => line.split(",").map(Number));
    const net = compile(`network lava { input stim[1] : spikes(); layer lif[1] : loihi_cuba(du = 4095, dv = 163, vth = 25);
      connect stim -> lif : one_to_one(weight = 10); probe lif.v; chip loihi; }`);
    const { v, spikes } = runRaster(net, rows.map((r) => [r[0]]));
    expect(v).toEqual(rows.map((r) => r[1]));
    const outSteps = Array.from(spikes.spikeSteps.filter((_, i) => spikes.spikeNeurons[i] === 1));
    expect(outSteps).toEqual(rows.flatMap((r, t) => (r[2] === 1 ? [t] : [])));
    expect(outSteps.length).toBe(4);
  });
});
