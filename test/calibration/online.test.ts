/**
 * @fileoverview The chip's online calibration unit (emulator/calibration/, docs/chip.md §10): its
 * integer registers, the same calibration stream on the reference model and the wasm core (same
 * weights, spikes and counters after every sample), convergence to compile-time `calibrate` on a
 * stationary dataset, the DSL switch and its errors, and the synapse-memory write's guards.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { calibrateHetquant, l1Normalize, quantile } from "../../compiler/hetquant.ts";
import { decodeImage, encodeImage } from "../../compiler/image.ts";
import { compileSource, type CompileOptions } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { Random } from "../../compiler/random.ts";
import { validateNetwork } from "../../compiler/validate.ts";
import { createCalibratingChip, SynapseWriteError, type CalibratingChip } from "../../emulator/calibration/index.ts";
import { columnMantissas, createFeatureRegisters, emptyRegisterWork, histogramQuantiles, observe } from "../../emulator/calibration/registers.ts";
import { buildEncoderTables } from "../../emulator/inputs.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { createWasmEmulator } from "../../emulator/wasm.ts";
import { loadWasmCore } from "../../emulator/wasm-node.ts";

const FEATURES = 4;
const DUPLICATION = 8;

/** A hetquant column network; `extra` is appended to the hetquant call's arguments. */
function source(extra: string, target = "lif(tau = 20ms, refractory = 5ms)"): string {
  return `network hq {
  input sensors[${FEATURES}] : rate();
  layer mc[${FEATURES}, ${DUPLICATION}] : ${target};
  connect sensors -> mc : hetquant(payload = 0.05, limit = 0.05, cycle = 20ms, bits = 8${extra});
}`;
}

function compile(text: string, options: CompileOptions = {}): ChipNetwork {
  const { network, diagnostics } = compileSource(text, "hq.snn", options);
  if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  return network;
}

/** Stationary data, seeded: feature i ≈ (i + 1) + lognormal noise; some zeros (ignored by the unit). */
function dataset(samples: number, seed = 7): Float64Array {
  const random = new Random(seed, "calibration-data");
  return Float64Array.from({ length: samples * FEATURES }, (_, k) => (random.uniform() < 0.05 ? 0 : (k % FEATURES) + 1 + Math.exp(0.5 * random.normal())));
}

/** Streams `data` sample by sample; per sample, what the run gave and the column weights after it. */
function runStream(chip: CalibratingChip, data: Float64Array, steps: number): { run: ReturnType<CalibratingChip["runSample"]>; weights: Int32Array }[] {
  const network = chip.network();
  return Array.from({ length: data.length / FEATURES }, (_, s) => {
    const encoders = buildEncoderTables(network, new Map([["sensors", { shape: [FEATURES], values: data.subarray(s * FEATURES, (s + 1) * FEATURES) }]]), steps);
    const run = chip.runSample({ steps, encoders, seed: 11 + s, recordProbes: false });
    return { run, weights: diagonal(chip.network()) };
  });
}

const diagonal = (network: ChipNetwork) => {
  const weights = network.projections[0].connectivity.weights;
  return Int32Array.from({ length: FEATURES * DUPLICATION }, (_, n) => weights[n * FEATURES + Math.floor(n / DUPLICATION)]);
};

let core: WebAssembly.Module;
beforeAll(async () => {
  core = await loadWasmCore();
});

describe("calibration unit registers", () => {
  it("track min/max, ignore zeros, and give exact quantiles while every value has its own bin", () => {
    const reg = createFeatureRegisters(8);
    const work = emptyRegisterWork();
    const values = [0, 17, 3, 0, 200, 41, 99, 120, 5, 64];
    for (const v of values) observe(reg, v, work);
    expect([reg.min, reg.max, reg.count, reg.rangeLog2]).toEqual([3, 200, 8, 8]);
    expect(work.observations).toBe(8);
    const sorted = Float64Array.from(values.filter((v) => v > 0)).sort();
    const quantiles = histogramQuantiles(reg, 3, work);
    // one value per bin: the histogram's quantile is the exact one, up to the interpolation's floor
    for (let m = 0; m < 3; m++) expect(Math.abs(quantiles[m] - quantile(sorted, (m + 1) / 4))).toBeLessThanOrEqual(Math.max(1, 0.5 * (sorted[7] - sorted[0]) / 7));
  });

  it("doubles the histogram's range by adding neighbouring bins, and halves its 16-bit counters before they overflow", () => {
    const reg = createFeatureRegisters(2); // 4 bins over [0, 4)
    const work = emptyRegisterWork();
    for (const v of [1, 2, 3, 3]) observe(reg, v, work);
    expect(Array.from(reg.bins)).toEqual([0, 1, 1, 2]);
    observe(reg, 9, work); // range 16: bins of 4
    expect(reg.rangeLog2).toBe(4);
    expect(Array.from(reg.bins)).toEqual([4, 0, 1, 0]);
    for (let k = 0; k < 70_000; k++) observe(reg, 1, work);
    expect(reg.bins[0]).toBeLessThan(1 << 16);
    expect(reg.count).toBe(reg.bins.reduce((a, b) => a + b, 0));
  });

  it("turns quantiles into mantissas K/q rounded, with q clamped to [limit·max, max] and the mantissa to [1, largest]", () => {
    const reg = createFeatureRegisters(4);
    const work = emptyRegisterWork();
    observe(reg, 1000, work);
    const mantissas = columnMantissas(reg, Int32Array.from([10, 500, 1000, 4000]), 6554 /* 0.1 */, 100_000, 255, work);
    expect(Array.from(mantissas)).toEqual([255, 200, 100, 100]); // 10 → clamped up to 100 (limit·max), 4000 → down to max
    expect(Array.from(columnMantissas(reg, Int32Array.from([1000]), 6554, 10, 255, work))).toEqual([1]);
  });
});

describe("online calibration on the chip", () => {
  it("the reference model and the wasm core end every sample with the same weights, spikes and counters", async () => {
    const network = compile(source(", online = 1"));
    const data = dataset(24);
    const reference = createCalibratingChip(createReferenceEmulator(network));
    const wasm = createCalibratingChip(await createWasmEmulator(network, core));
    const referenceRuns = runStream(reference, data, 30);
    expect(runStream(wasm, data, 30)).toEqual(referenceRuns);
    expect(wasm.work).toEqual(reference.work);
    expect(reference.work.samples).toBe(24);
    expect(reference.work.cycles).toBeGreaterThan(0);
    // the weights moved away from the data-blind ones, and the spikes use them
    expect(diagonal(reference.network())).not.toEqual(diagonal(network));
    const last = referenceRuns.at(-1)!.run.result;
    expect(last.spikeSteps.length).toBeGreaterThan(0);
    const lastInput = buildEncoderTables(network, new Map([["sensors", { shape: [FEATURES], values: data.subarray(-FEATURES) }]]), 30);
    const blind = createReferenceEmulator(network).run({ steps: 30, encoders: lastInput, seed: 11 + 23, recordProbes: false });
    expect(Array.from(blind.spikeNeurons)).not.toEqual(Array.from(last.spikeNeurons));
  });

  it("converges to compile-time calibration on a stationary dataset: quantiles within one histogram bin, mantissas within 4 % or 1 LSB", () => {
    // Same exponent both ways, so the mantissas compare directly. The differences: the chip sees the
    // 16-bit probability round(65536·x) instead of x, and its 32-bin histogram spreads each bin's
    // observations evenly instead of keeping them all, so a quantile is off by at most one bin width
    // (2^range / 32: 1024 or 2048 probability units here, where the data span ~5000…40000).
    const data = dataset(400);
    const online = createCalibratingChip(createReferenceEmulator(compile(source(", exponent = 1, online = 1"))));
    runStream(online, data, 1);
    const normalized = l1Normalize(data, FEATURES);
    online.units[0].features.forEach((reg, i) => {
      const seen = Float64Array.from(normalized.filter((x, k) => k % FEATURES === i && x !== 0)).sort();
      expect(reg.count).toBe(seen.length);
      expect([reg.min, reg.max]).toEqual([Math.round(65536 * seen[0]), Math.round(65536 * seen[seen.length - 1])]);
      const quantiles = histogramQuantiles(reg, DUPLICATION, emptyRegisterWork());
      const binWidth = 2 ** (reg.rangeLog2 - reg.binsLog2);
      for (let m = 0; m < DUPLICATION; m++) expect(Math.abs(quantiles[m] - 65536 * quantile(seen, (m + 1) / (DUPLICATION + 1)))).toBeLessThanOrEqual(binWidth + 1);
    });
    const compileTime = compile(source(", exponent = 1"), { beforeLowering: (checked) => void calibrateHetquant(checked, "sensors", data) });
    const got = diagonal(online.network());
    const want = diagonal(compileTime);
    for (let n = 0; n < got.length; n++) expect(Math.abs(got[n] - want[n])).toBeLessThanOrEqual(Math.max(1, 0.04 * want[n]));
  });

  it("the IR carries the unit's registers through the image; the validator checks them", () => {
    const network = compile(source(", online = 1, bins = 64"));
    const calibration = network.projections[0].calibration!;
    expect(calibration).toMatchObject({ features: FEATURES, duplication: DUPLICATION, limitQ16: Math.round(0.05 * 65536), histogramBinsLog2: 6 });
    expect(decodeImage(encodeImage(network)).network.projections[0].calibration).toEqual(calibration);
    const broken = { ...network, projections: [{ ...network.projections[0], calibration: { ...calibration, duplication: 3 } }, ...network.projections.slice(1)] };
    expect(validateNetwork(broken)).toMatch(/features × duplication/);
    expect(compile(source("")).projections[0].calibration).toBeUndefined();
  });

  it("reports DSL misuse of online calibration", () => {
    const errors = (text: string) => compileSource(text, "hq.snn").diagnostics.map((d) => d.message).join("\n");
    expect(errors(source(", online = 1, bins = 24"))).toMatch(/bins must be a power of two/);
    expect(errors(source(", online = 1, exponents = per_channel"))).toMatch(/per_channel/);
    expect(errors(source(", online = 1", "if(vth = 1)").replace(", cycle = 20ms", ""))).toMatch(/does not leak and has no cycle/);
  });

  it("a synapse-memory write keeps the stored synapses and the sign within the projection's bits", async () => {
    const network = compile(source(", online = 1"));
    for (const emulator of [createReferenceEmulator(network), await createWasmEmulator(network, core)]) {
      const weights = Int32Array.from(network.projections[0].connectivity.weights);
      const created = weights.slice();
      created[1] = 5; // off the column diagonal: no synapse there
      expect(() => emulator.writeProjectionWeights(0, created)).toThrow(SynapseWriteError);
      const tooLarge = weights.slice();
      tooLarge[0] = 256;
      expect(() => emulator.writeProjectionWeights(0, tooLarge)).toThrow(/8 bits/);
      expect(() => createCalibratingChip(createReferenceEmulator(compile(source(""))))).toThrow(/online = 1/);
    }
  });
});
