/**
 * @fileoverview Layer gain, weight quantization (nearest/stochastic, per channel, arrays) and the
 * hetquant construct with its calibration, at the compiler level; gain tuning and dataset evaluation
 * on small networks (tune/). The CLI commands are tested in test/tune/cli.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource, type CompileOptions } from "../../compiler/index.ts";
import type { CheckedNetwork } from "../../compiler/checked.ts";
import { CalibrationError, calibrateHetquant, columnScales, quantile } from "../../compiler/hetquant.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { presetConfig } from "../../compiler/presets.ts";
import { quantizeWeights } from "../../compiler/quantize.ts";
import { Random } from "../../compiler/random.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { createWasmEmulator } from "../../emulator/wasm.ts";
import { loadWasmCore } from "../../emulator/wasm-node.ts";
import { evaluate, makeInputSet, uniqueArgmax } from "../../tune/evaluate.ts";
import { pickBest, tuneGain, type GainResult } from "../../tune/gain.ts";
import { quantizeArray } from "../../tune/quantize.ts";

let core: WebAssembly.Module;
beforeAll(async () => {
  core = await loadWasmCore();
});

function compile(body: string, options: CompileOptions = {}): ChipNetwork {
  const { network, diagnostics } = compileSource(`network t {\n${body}\n}`, "t.snn", options);
  if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  return network;
}

function errors(body: string): string {
  const { network, diagnostics } = compileSource(`network t {\n${body}\n}`, "t.snn");
  expect(network).toBeNull();
  return diagnostics.map((d) => d.message).join("\n");
}

/** Weight values a projection realises: mantissa · 2^exponent. */
const realised = (network: ChipNetwork, k = 0) => {
  const p = network.projections[k];
  const w = (p.connectivity as { weights: Int32Array }).weights;
  return Array.from(w, (m) => m * 2 ** p.weightExponent);
};

describe("layer gain", () => {
  it("multiplies the incoming weights at compile time", () => {
    const body = (gain: string) => `input x[2] : rate(); layer y[2] : lif(tau = 10ms${gain}); connect x -> y : dense(weight = [0.1, 0.2, 0.3, 0.4], bits = 12);`;
    const plain = realised(compile(body("")));
    const doubled = realised(compile(body(", gain = 2")));
    doubled.forEach((w, i) => expect(w / plain[i]).toBeCloseTo(2, 2));
  });

  it("rejects a gain ≤ 0", () => {
    expect(errors("input x[1] : rate(); layer y[1] : if(gain = 0); connect x -> y : dense();")).toMatch(/'gain'.*> 0/);
  });
});

describe("weight quantization", () => {
  const chip = presetConfig("generic")!;

  it("stochastic rounding is unbiased on average and reproducible for a seed", () => {
    const values = new Float64Array(4000).fill(2.3 * 2 ** 6); // 2.3 mantissa steps at exponent 0
    const draw = (seed: number) => quantizeWeights(values, 8, chip, 0, { kind: "stochastic", random: new Random(seed, "t") })!;
    const a = draw(1);
    const mean = a.mantissas.reduce((s, m) => s + m, 0) / values.length;
    expect(new Set(a.mantissas)).toEqual(new Set([2, 3]));
    expect(Math.abs(mean - 2.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / values.length)); // 4 standard errors
    expect(draw(1).mantissas).toEqual(a.mantissas);
    expect(quantizeWeights(values, 8, chip, 0)!.mantissas.every((m) => m === 2)).toBe(true);
  });

  it("per-channel exponents keep the projection's sign mode (a positive channel of a mixed projection stays two's complement)", () => {
    const net = compile("input x[2] : rate(); layer y[2] : if(); connect x -> y : dense(weight = [0.5, 0.4, -0.5, 0.1], bits = 4, exponents = per_channel);");
    const w = (net.projections[0].connectivity as { weights: Int32Array }).weights;
    expect(Math.max(...w)).toBeLessThanOrEqual(7);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-8);
  });

  it("quantizes a plain array per tensor or per output channel", () => {
    const q = quantizeArray(Float64Array.from([0.5, -0.25, 0.1, 2, 1, -3]), [2, 3], 4, false, "nearest", 0);
    expect(q.exponents).toEqual([-1]);
    expect(Array.from(q.mantissas)).toEqual([1, 0, 0, 4, 2, -6]);
    const perChannel = quantizeArray(Float64Array.from([0.5, -0.25, 0.1, 2, 1, -3]), [2, 3], 4, true, "nearest", 0);
    expect(perChannel.exponents).toEqual([-3, -1]);
    expect(perChannel.maxError).toBeLessThan(q.maxError);
  });

  it("reports each projection's bits, exponents and errors through onQuantized; overrides change the bits", () => {
    const records: { projection: string; bits: number; maxError: number }[] = [];
    compile("input x[4] : rate(); layer y[3] : if(); connect x -> y : dense(weight = normal(0.3, 0.2));", {
      quantization: () => ({ bits: 3 }),
      onQuantized: (r) => records.push(r),
    });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ projection: "x->y", bits: 3 });
    expect(records[0].maxError).toBeGreaterThan(0);
  });
});

describe("hetquant", () => {
  const body = (args: string, layer = "mc[3, 4]") => `input s[3] : rate(); layer ${layer} : lif(tau = 20ms, refractory = 5ms); connect s -> mc : hetquant(${args});`;

  it("uniform spacing spans [payload, payload / limit] with 1/x spacing; linspace and homogeneous as documented", () => {
    expect(Array.from(columnScales("uniform", 3, 0.5))).toEqual([2, 4 / 3, 1]);
    expect(Array.from(columnScales("linspace", 3, 0.5))).toEqual([2, 1.5, 1]);
    expect(Array.from(columnScales("homogeneous", 3, 0.5))).toEqual([1, 1, 1]);
  });

  it("builds a block-diagonal column table, L1-normalises the source, and adds the oscillator", () => {
    const net = compile(body("payload = 0.1, limit = 0.25, cycle = 10ms, bits = 12"));
    expect(net.populations.map((p) => p.name)).toEqual(["s", "mc", "mc_osc"]);
    expect(net.populations[0].encoder).toMatchObject({ kind: "rate", normalization: "l1" });
    expect(net.populations[2].encoder).toMatchObject({ kind: "phase", cycleSteps: 10, value: 1 });
    const w = realised(net, 0);
    // neuron 0 (feature 0, m = 0) gets the largest weight from feature 0 only; neuron 4 starts feature 1.
    expect(w[0]).toBeGreaterThan(0);
    expect(w[1]).toBe(0);
    expect(w[4 * 3 + 1]).toBeCloseTo(w[0], 6);
    expect(w[0] / w[3 * 3]).toBeCloseTo(4, 2);
    expect(realised(net, 1).every((v) => v < 0)).toBe(true);
  });

  it("reports a non-rate source, a wrong column size and a bad limit", () => {
    expect(errors("input s[3] : phase(cycle = 5ms); layer mc[3, 2] : lif(tau = 5ms); connect s -> mc : hetquant();")).toMatch(/rate-coded source/);
    expect(errors(body("duplication = 5"))).toMatch(/features × duplication/);
    expect(errors(body("", "mc[7]"))).toMatch(/features × duplication/);
    expect(errors(body("limit = 1"))).toMatch(/'limit'/);
  });

  it("calibration puts the column's thresholds at the data's quantiles within [limit·max, max]", () => {
    let checked: CheckedNetwork | null = null;
    const frames = Float64Array.from({ length: 300 }, (_, k) => (k % 3 === 0 ? 0 : ((k * 7919) % 101) + 1));
    const net = compile(body("limit = 0.01, norm = none"), { beforeLowering: (c) => { calibrateHetquant(c, "s", frames); checked = c; } });
    const weights = (checked!.connections[0].weight as { values: Float64Array }).values;
    const keep = Math.exp(-1 / 20);
    const feature1 = Float64Array.from(frames.filter((_, k) => k % 3 === 1)).sort();
    for (let m = 0; m < 4; m++) {
      const threshold = (1 * (1 - keep)) / weights[(4 + m) * 3 + 1]; // x at which neuron m of feature 1 fires
      expect(threshold).toBeCloseTo(quantile(feature1, (m + 1) / 5), 6);
    }
    expect(net.projections[0].weightBits).toBe(8);
    // feature 0 is always zero: it keeps the data-blind weights.
    expect(weights[0]).toBeCloseTo(1 / 0.01, 6);
  });

  it("calibration rejects negative and all-zero data", () => {
    const run = (frames: number[]) => compileSource(`network t { ${body("")} }`, "t.snn", { beforeLowering: (c) => calibrateHetquant(c, "s", Float64Array.from(frames)) });
    expect(() => run([1, -2, 3])).toThrow(CalibrationError);
    expect(() => run([0, 0, 0])).toThrow(/no nonzero value/);
  });
});

describe("dataset evaluation and gain tuning", () => {
  const source = "input x[4] : rate(); layer out[2] : lif(tau = 10ms, refractory = 2ms); connect x -> out : dense(weight = [0.6, 0.6, 0, 0, 0, 0, 0.6, 0.6]); run { steps = 40; }";
  const values = Float64Array.from({ length: 40 }, (_, k) => ((Math.floor(k / 4) % 2 === 0) === (k % 4 < 2) ? 0.7 : 0.05));
  const labels = Int32Array.from({ length: 10 }, (_, s) => s % 2);

  it("ties in the output count as wrong", () => {
    expect(uniqueArgmax([0, 3, 1])).toBe(1);
    expect(uniqueArgmax([2, 2, 1])).toBe(-1);
    expect(uniqueArgmax([0, 0])).toBe(-1);
  });

  it("tunes the input gain: accuracy, spikes and saturation per gain; both engines agree", async () => {
    const net = compile(source);
    const dataset = makeInputSet(net.populations[0], { shape: [10, 4], values }, { shape: [10], values: labels }, { data: "d", labels: "l" }, 2);
    const options = { inputName: "x", outputName: "out", steps: 40 };
    const wasm = tuneGain(net, await createWasmEmulator(net, core), dataset, [0.01, 1, 50], options);
    const ref = tuneGain(net, createReferenceEmulator(net), dataset, [0.01, 1, 50], options);
    expect(wasm.results.map((r) => [r.accuracy, r.spikesPerSample, r.saturation])).toEqual(ref.results.map((r) => [r.accuracy, r.spikesPerSample, r.saturation]));
    const [low, mid, high] = wasm.results;
    expect(mid.accuracy).toBe(1);
    expect(low.accuracy!).toBeLessThan(1);
    expect(high.saturation).toBeGreaterThan(0);
    expect(high.spikesPerSample).toBeGreaterThan(mid.spikesPerSample);
    expect(wasm.results[wasm.best].accuracy).toBe(1);
  });

  it("saturation counts neurons at their maximum rate (every refractory + 1 steps)", () => {
    const net = compile("input x[1] : rate(); layer y[2] : if(refractory = 1ms); connect x -> y : dense(weight = [5, 0]); run { steps = 10; }");
    const dataset = makeInputSet(net.populations[0], { shape: [1, 1], values: [1] }, null, { data: "d" }, null);
    const result = evaluate(net, createReferenceEmulator(net), dataset, { inputName: "x", outputName: "y", steps: 10 });
    expect(result.saturation).toBe(0.5); // neuron 0 fires every other step (the most it can), neuron 1 never
    expect(result.accuracy).toBeNull();
  });

  it("without labels the best gain is the largest that saturates at most 1%", () => {
    const row = (gain: number, saturation: number): GainResult => ({ gain, saturation, accuracy: null, spikesPerSample: 0, samples: 1, outputCounts: new Int32Array() });
    expect(pickBest([row(0.5, 0), row(1, 0.005), row(2, 0.2)])).toBe(1);
    expect(pickBest([row(1, 0.5), row(2, 0.3)])).toBe(1);
  });

  it("rejects data of the wrong shape, non-finite values and labels out of range", () => {
    const pop = compile(source).populations[0];
    expect(() => makeInputSet(pop, { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }, null, { data: "d.csv" }, 2)).toThrow(/d.csv has shape \[2, 3\]/);
    expect(() => makeInputSet(pop, { shape: [1, 4], values: [1, NaN, 3, 4] }, null, { data: "d.csv" }, 2)).toThrow(/NaN/);
    expect(() => makeInputSet(pop, { shape: [1, 4], values: [1, 2, 3, 4] }, { shape: [1], values: [2] }, { data: "d", labels: "l.csv" }, 2)).toThrow(/l.csv: label 2/);
    expect(() => makeInputSet(pop, { shape: [0], values: [] }, null, { data: "d.csv" }, 2)).toThrow(/empty/);
  });
});
