/**
 * @fileoverview The input encoders (docs/chip.md §5) against their formulas, on both emulators:
 * exact spike steps for latency (snnTorch's examples and formula), delta (snnTorch's examples) and
 * phase; for rate, the mean spike count against clamp(x·gain + offset, 0, 1)·steps within a stated
 * statistical bound over many seeds, and the same seed giving the same spikes. Every run is made on
 * the reference model and on the wasm core, which must agree bit for bit.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { buildEncoderTables, InputError, type InputArray } from "../../emulator/inputs.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { latencySpikeSteps, roundHalfEven } from "../../emulator/spikegen.ts";
import type { RunResult } from "../../emulator/types.ts";
import { createWasmEmulator } from "../../emulator/wasm.ts";
import { loadWasmCore } from "../../emulator/wasm-node.ts";

let core: WebAssembly.Module;
beforeAll(async () => {
  core = await loadWasmCore();
});

function compile(body: string): ChipNetwork {
  const { network, diagnostics } = compileSource(`network t {\n${body}\n}`, "t.snn");
  if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  return network;
}

/** Runs on both emulators, checks they agree, returns the reference result. */
async function runBoth(network: ChipNetwork, input: InputArray | null, steps: number, seed?: number): Promise<RunResult> {
  const inputs = new Map<string, InputArray>(input ? [["x", input]] : []);
  const options = { steps, seed, encoders: buildEncoderTables(network, inputs, steps) };
  const ref = createReferenceEmulator(network).run(options);
  const wasm = (await createWasmEmulator(network, core)).run(options);
  expect(Array.from(wasm.spikeSteps)).toEqual(Array.from(ref.spikeSteps));
  expect(Array.from(wasm.spikeNeurons)).toEqual(Array.from(ref.spikeNeurons));
  expect(wasm.latencyCycles).toBe(ref.latencyCycles);
  return ref;
}

/** Spike steps per neuron of population `x` (its first neuron is global id 0 in these networks). */
function stepsByNeuron(result: RunResult, size: number): number[][] {
  const out: number[][] = Array.from({ length: size }, () => []);
  result.spikeNeurons.forEach((id, k) => {
    if (id < size) out[id].push(result.spikeSteps[k]);
  });
  return out;
}

const flat = (values: number[]): InputArray => ({ shape: [values.length], values });

describe("latency (snnTorch spikegen.latency)", () => {
  it("reproduces snnTorch's docstring example: [0.02, 0.5, 1], 5 steps, linear, normalize → steps 4, 2, 0", async () => {
    const net = compile("input x[3] : latency(linear = 1, normalize = 1); layer y[1] : if(); connect x -> y : dense();");
    const result = await runBoth(net, flat([0.02, 0.5, 1]), 5);
    expect(stepsByNeuron(result, 3)).toEqual([[4], [2], [0]]);
  });

  it("log code: t = round(τ·ln(x / (x − θ))), one spike per element", async () => {
    const x = [1, 0.5, 0.1, 0.05];
    const net = compile("input x[4] : latency(tau = 100ms, threshold = 0.01); layer y[1] : if(); connect x -> y : dense();");
    const result = await runBoth(net, flat(x), 200);
    const expected = x.map((v) => [roundHalfEven(100 * Math.log(v / (v - 0.01)))]);
    expect(expected).toEqual([[1], [2], [11], [22]]);
    expect(stepsByNeuron(result, 4)).toEqual(expected);
  });

  it("clip silences inputs below the threshold; late spikes follow snnTorch's clamp rule", () => {
    const p = { tauSteps: 100, threshold: 0.01, linear: false, normalize: false, clip: true, firstSpikeStep: 0 };
    expect(Array.from(latencySpikeSteps([1, 0.005], 50, p, "x"))).toEqual([1, -1]);
    // 0.011 → t = 100·ln(11) ≈ 240 > 49: everything is clamped to 49 and step 49 is then silenced.
    expect(Array.from(latencySpikeSteps([1, 0.011], 50, { ...p, clip: false }, "x"))).toEqual([1, -1]);
  });

  it("normalize stretches the latest spike to the last step; gain scales the input", async () => {
    const net = compile("input x[3] : latency(tau = 5ms, normalize = 1, gain = 0.5); layer y[1] : if(); connect x -> y : dense();");
    // x·gain = [1, 0.025, 0.015]: t = ln(x/(x − 0.01))·τ ∝ [0.01, 0.51, 1.10], stretched to 9 → 0, 4, 9.
    const result = await runBoth(net, flat([2, 0.05, 0.03]), 10);
    expect(stepsByNeuron(result, 3)).toEqual([[0], [4], [9]]);
  });

  it("rejects a run too short for first_spike and several frames", () => {
    const net = compile("input x[2] : latency(first_spike = 5ms); layer y[1] : if(); connect x -> y : dense();");
    expect(() => buildEncoderTables(net, new Map([["x", flat([0.5, 1])]]), 4)).toThrow(InputError);
    expect(() => buildEncoderTables(net, new Map([["x", { shape: [2, 2], values: [0.5, 1, 0.5, 1] }]]), 10)).toThrow(/one static frame/);
  });
});

describe("delta (snnTorch spikegen.delta)", () => {
  const b = [1, 2, 0, 2, 2.9];

  it("reproduces snnTorch's example [1, 2, 0, 2, 2.9], threshold 1, off spikes → 1, 1, −1, 1, 0", async () => {
    const net = compile("input x[1] : delta(threshold = 1, off_spikes = 1); layer y[1] : if(); connect x -> y : dense();");
    expect(net.populations[0].shape).toEqual([2, 1]);
    const result = await runBoth(net, { shape: [5, 1], values: b }, 8);
    const [on, off] = stepsByNeuron(result, 2);
    expect(on).toEqual([0, 1, 3]);
    expect(off).toEqual([2]);
  });

  it("with padding the first frame makes no spike", async () => {
    const net = compile("input x[1] : delta(threshold = 1, padding = 1, off_spikes = 1); layer y[1] : if(); connect x -> y : dense();");
    const [on, off] = stepsByNeuron(await runBoth(net, { shape: [5, 1], values: b }, 8), 2);
    expect(on).toEqual([1, 3]);
    expect(off).toEqual([2]);
  });

  it("without off spikes the population keeps its shape; a frame held after the data ends makes no spike", async () => {
    const net = compile("input x[3] : delta(threshold = 0.25); layer y[1] : if(); connect x -> y : dense();");
    expect(net.populations[0].size).toBe(3);
    const frames = [0, 0.5, 1, 0.25, 0.5, 0.75, 0.5, 0.5, 1];
    const result = await runBoth(net, { shape: [3, 3], values: frames }, 6);
    expect(stepsByNeuron(result, 3)).toEqual([[1, 2], [0], [0, 2]]);
  });

  it("rejects values beyond the fixed-point range and data of the wrong size", () => {
    const net = compile("input x[2] : delta(off_spikes = 1); layer y[1] : if(); connect x -> y : dense();");
    expect(() => buildEncoderTables(net, new Map([["x", flat([1e6, 0])]]), 4)).toThrow(/delta encodes/);
    expect(() => buildEncoderTables(net, new Map([["x", flat([1, 2, 3])]]), 4)).toThrow(/takes 2 values per frame/);
  });
});

describe("phase", () => {
  it("fires once per cycle at phase ⌊(1 − x)·cycle⌋, never for x = 0, from first_spike on", async () => {
    const net = compile("input x[4] : phase(cycle = 10ms, first_spike = 2ms); layer y[1] : if(); connect x -> y : dense();");
    const result = await runBoth(net, flat([1, 0.55, 0.05, 0]), 32);
    expect(stepsByNeuron(result, 4)).toEqual([[2, 12, 22], [6, 16, 26], [11, 21, 31], []]);
  });

  it("value = 1 without input data is an oscillator firing at phase 0", async () => {
    const net = compile("input x[1] : phase(cycle = 5ms, value = 1); layer y[1] : if(); connect x -> y : dense();");
    expect(stepsByNeuron(await runBoth(net, null, 16), 1)).toEqual([[0, 5, 10, 15]]);
  });

  it("norm = l1 divides each frame by its sum before the gain", async () => {
    const net = compile("input x[2] : phase(cycle = 10ms, norm = l1, gain = 2); layer y[1] : if(); connect x -> y : dense();");
    // [1, 3] → [0.25, 0.75] → ×2 → [0.5, 1.5 → 1]: phases 5 and 0.
    expect(stepsByNeuron(await runBoth(net, flat([1, 3]), 10), 2)).toEqual([[5], [0]]);
  });
});

describe("rate (snnTorch spikegen.rate)", () => {
  it("mean count matches clamp(x·gain + offset, 0, 1)·steps within 4 standard errors over 40 seeds; same seed, same spikes", async () => {
    const x = [0, 0.1, 0.3, 0.5, 0.9, 2];
    const gain = 0.8, offset = 0.05, steps = 100, seeds = 40;
    const net = compile("input x[6] : rate(gain = 0.8, offset = 0.05); layer y[1] : if(); connect x -> y : dense();");
    const counts = new Float64Array(x.length);
    for (let seed = 1; seed <= seeds; seed++) {
      const result = await runBoth(net, flat(x), steps, seed);
      for (const id of result.spikeNeurons) if (id < x.length) counts[id] += 1;
    }
    x.forEach((v, i) => {
      const p = Math.min(1, Math.max(0, v * gain + offset));
      const trials = steps * seeds;
      const bound = 4 * Math.sqrt(p * (1 - p) * trials) + 1; // 4 binomial standard deviations (+1 for p = 0, 1)
      expect(Math.abs(counts[i] - p * trials)).toBeLessThanOrEqual(bound);
    });
    const again = await runBoth(net, flat(x), steps, 7);
    const first = await runBoth(net, flat(x), steps, 7);
    expect(Array.from(again.spikeNeurons)).toEqual(Array.from(first.spikeNeurons));
    expect(Array.from(again.spikeSteps)).toEqual(Array.from(first.spikeSteps));
  });
});

describe("encoder parameters out of range", () => {
  it.each([
    ["latency(threshold = 1)", /threshold/],
    ["latency(threshold = 0)", /threshold/],
    ["delta(threshold = 0)", /threshold/],
    ["delta(off_spikes = 2)", /off_spikes/],
    ["phase(cycle = 2.5ms)", /whole number of steps/],
    ["phase()", /needs parameter 'cycle'/],
    ["rate(gain = -1)", /gain/],
    ["rate(norm = l2)", /norm/],
  ])("%s is reported", (call, message) => {
    const { network, diagnostics } = compileSource(`network t { input x[2] : ${call}; }`, "t.snn");
    expect(network).toBeNull();
    expect(diagnostics.map((d) => d.message).join("\n")).toMatch(message);
  });
});
