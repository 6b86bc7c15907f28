/**
 * @fileoverview Back-engineering end to end through the public API (fit/index.ts): random ground-
 * truth gIF networks with delays (fit/synthetic.ts: a .snn with weight files, compiled, run on the
 * emulator) give a raster; the raster alone is fitted and the fitted network, re-run on the
 * emulator, must reproduce it exactly. Also: impossible rasters are reported infeasible for exactly
 * the neurons concerned, observed potentials are matched, and input → output programming works.
 *
 * Sizes are small (≤ 30 neurons, ≤ 300 steps) so the file runs in seconds; bench/fit.ts measures
 * the large sizes.
 */
import type { Highs } from "highs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSolver } from "../../cli/fit-io.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { fitNetwork, type FitRequest, type FitResult } from "../../fit/index.ts";
import { countSpikes, type Raster } from "../../fit/raster.ts";
import { syntheticNetwork, type SyntheticOptions } from "../../fit/synthetic.ts";

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

function fit(request: FitRequest): Promise<FitResult> {
  return fitNetwork(highs, request, createReferenceEmulator);
}

/** A raster from a list of (step, neuron) spikes. */
function rasterOf(steps: number, neurons: number, spikes: [number, number][]): Raster {
  const raster: Raster = { steps, neurons, spikes: new Uint8Array(steps * neurons) };
  for (const [t, n] of spikes) raster.spikes[t * neurons + n] = 1;
  return raster;
}

const GROUND_TRUTHS: (SyntheticOptions & { label: string })[] = [
  { label: "8 neurons, recurrent only, dense, delay 1", neurons: 8, inputs: 0, steps: 150, density: 0.5, seed: 11, settings: { delays: 1 } },
  { label: "20 neurons + 6 inputs, delays 1..2", neurons: 20, inputs: 6, steps: 200, density: 0.25, seed: 12, settings: { delays: 2 } },
  { label: "30 neurons, sparse (8 %), delays 1..3", neurons: 30, inputs: 0, steps: 300, density: 0.08, seed: 13, settings: { delays: 3 } },
  { label: "loihi, 6-bit weights (quantization matters)", neurons: 12, inputs: 4, steps: 200, density: 0.4, seed: 14, settings: { delays: 2, chipPreset: "loihi", weightBits: 6 } },
  { label: "edge chip: 16-bit state, shift decay", neurons: 10, inputs: 3, steps: 150, density: 0.3, seed: 15, settings: { delays: 2, chipPreset: "edge" } },
  { label: "no leak (γ = 1: the decay never rounds)", neurons: 10, inputs: 4, steps: 150, density: 0.3, seed: 16, settings: { delays: 2, gamma: 1 } },
];

describe("fit reproduces ground-truth gIF networks from their raster alone", () => {
  for (const truthOptions of GROUND_TRUTHS) {
    it(truthOptions.label, async () => {
      const truth = await syntheticNetwork(truthOptions, createReferenceEmulator);
      const spikes = countSpikes(truth.raster);
      expect(spikes, "the ground truth should be active").toBeGreaterThan(truthOptions.neurons * 2);
      const result = await fit({ raster: truth.raster, input: truth.input, settings: truthOptions.settings });
      expect(result.neurons.filter((n) => n.status !== "exact").map((n) => `${n.neuron}: ${n.reason}`)).toEqual([]);
      expect(result.reproduction.observedSpikes).toBe(spikes);
      expect(result.reproduction.reproduced).toBe(spikes);
      expect(result.reproduction.extra).toBe(0);
      expect(result.network.chip.preset).toBe(truthOptions.settings?.chipPreset ?? "generic");
    }, 60_000);
  }
});

describe("quantization", () => {
  it("3-bit weights: the robust LP and the MILP recover what rounding the LP loses", async () => {
    const options: SyntheticOptions = { neurons: 12, inputs: 4, steps: 200, density: 0.4, seed: 1, settings: { delays: 2, weightBits: 3 } };
    const truth = await syntheticNetwork(options, createReferenceEmulator);
    const result = await fit({ raster: truth.raster, input: truth.input, settings: options.settings });
    expect(result.neurons.filter((n) => n.status !== "exact")).toEqual([]);
    expect(result.neurons.some((n) => n.stage === "milp" || n.stage === "robust-lp")).toBe(true);
    expect(result.reproduction.reproduced).toBe(countSpikes(truth.raster));
    expect(result.reproduction.extra).toBe(0);
  }, 60_000);

  it("with the LP alone, a neuron rounding breaks is reported lost to quantization", async () => {
    const options: SyntheticOptions = { neurons: 12, inputs: 4, steps: 200, density: 0.4, seed: 1, settings: { delays: 2, weightBits: 3 } };
    const truth = await syntheticNetwork(options, createReferenceEmulator);
    const result = await fit({ raster: truth.raster, input: truth.input, settings: options.settings, method: "lp" });
    const lost = result.neurons.filter((n) => n.status === "quantization");
    expect(lost.length).toBeGreaterThan(0);
    for (const neuron of lost) {
      expect(neuron.marginLsb).toBeGreaterThanOrEqual(0);
      expect(neuron.mismatch.missed + neuron.mismatch.extra).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe("impossible rasters are reported infeasible, neuron by neuron", () => {
  it("a neuron that spikes twice in a row and then stops (identical inputs, different outputs)", async () => {
    // Neuron 0: spikes at 0 and 1 only. After each of those spikes it was reset and then saw the
    // same inputs (its own spike through delay 1, the drive), so V[1] = V[2]: it cannot spike at 1
    // and stay silent at 2. Neuron 1 fires every 5 steps (a bias does it); neuron 2 stays silent.
    const spikes: [number, number][] = [[0, 0], [1, 0]];
    for (let t = 4; t < 30; t += 5) spikes.push([t, 1]);
    const result = await fit({ raster: rasterOf(30, 3, spikes), settings: { delays: 1 } });
    expect(result.neurons.map((n) => n.status)).toEqual(["infeasible", "exact", "exact"]);
    expect(result.neurons[0].reason).toMatch(/no weights within the bounds/);
    expect(result.neurons[0].marginLsb).toBeLessThan(0);
    expect(result.reproduction.missed + result.reproduction.extra).toBeGreaterThan(0);
  });

  it("an output that must fire with no input at all, then not fire in the same state", async () => {
    // Programming mode, silent inputs, no recurrence: output 1 must spike at 3 and 4 and never
    // after, which needs drive ≥ threshold at step 4 and < threshold at step 5 — the same value.
    const input = rasterOf(12, 2, []);
    const wanted = rasterOf(12, 2, [[3, 1], [4, 1], [6, 0]]);
    const result = await fit({ raster: wanted, input, recurrent: false, settings: { delays: 2 } });
    expect(result.neurons[1].status).toBe("infeasible");
    expect(result.neurons[0].status).toBe("exact");
  });
});

describe("observed potentials", () => {
  it("least squares recovers weights that reproduce every spike and every potential", async () => {
    const options: SyntheticOptions = { neurons: 15, inputs: 5, steps: 200, density: 0.3, seed: 21, settings: { delays: 2 } };
    const truth = await syntheticNetwork(options, createReferenceEmulator);
    const result = await fit({ raster: truth.raster, input: truth.input, potentials: truth.potentials, settings: options.settings });
    expect(result.reproduction.reproduced).toBe(countSpikes(truth.raster));
    expect(result.reproduction.extra).toBe(0);
    for (const neuron of result.neurons) {
      expect(["least-squares", "potentials-lp", "potentials-milp"]).toContain(neuron.stage);
      expect(neuron.potentialErrors).toEqual({ count: 0, maxAbs: 0 });
    }
  }, 60_000);
});

describe("input → output programming", () => {
  it("fits a delay line: output i fires two steps after input i", async () => {
    const steps = 120;
    const channels = 6;
    const input: Raster = { steps, neurons: channels, spikes: new Uint8Array(steps * channels) };
    // Seeded pattern (a fixed LCG, so the test is reproducible): each input fires with p ≈ 0.15.
    let state = 12345;
    for (let i = 0; i < input.spikes.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      input.spikes[i] = state / 2 ** 32 < 0.15 ? 1 : 0;
    }
    const wanted: Raster = { steps, neurons: channels, spikes: new Uint8Array(steps * channels) };
    for (let t = 0; t + 2 < steps; t++) for (let c = 0; c < channels; c++) wanted.spikes[(t + 2) * channels + c] = input.spikes[t * channels + c];
    const result = await fit({ raster: wanted, input, recurrent: false, settings: { delays: 2 } });
    expect(result.reproduction.reproduced).toBe(countSpikes(wanted));
    expect(result.reproduction.extra).toBe(0);
    expect(result.network.populations.map((p) => p.name)).toEqual(expect.arrayContaining(["stim", "out"]));
    expect(result.emitted.text).not.toMatch(/connect out -> out/);
  });
});
