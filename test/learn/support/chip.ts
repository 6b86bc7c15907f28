/**
 * @fileoverview Shared set-up of the on-chip learning tests: a tiny compiled network (latency input,
 * two CUBA layers with reset = subtract, one-step delays), its learning engine, and rasters taken
 * from the chip's own latency encoder so the engine and the emulators see the same input spikes.
 */
import { compileSource, type ChipNetwork } from "../../../compiler/index.ts";
import { buildEncoderTables } from "../../../emulator/inputs.ts";
import { createLearningEngine, DEFAULT_CHIP_LEARNING, type ChipLearningSettings } from "../../../emulator/learning/state.ts";
import type { InputRaster } from "../../../emulator/learning/sample.ts";
import { Random } from "../../../compiler/random.ts";

export const TINY_STEPS = 40;

/** 20 latency inputs → 8 hidden → 3 outputs (τ_s 5, τ_m 10 steps, ϑ 1, 8-bit weights). */
export function tinySource(hidden = 8, outputs = 3): string {
  return `network tiny {
  input image[20] : latency(tau = 5ms, threshold = 0.01, normalize = 1, clip = 1, linear = 1);
  layer hidden[${hidden}] : cuba(tau_mem = 10ms, tau_syn = 5ms, vth = 1, reset = subtract);
  layer out[${outputs}] : cuba(tau_mem = 10ms, tau_syn = 5ms, vth = 1, reset = subtract);
  connect image -> hidden : dense(weight = uniform(-2, 9), bits = 8);
  connect hidden -> out : dense(weight = uniform(-2, 10), bits = 8);
  run { steps = ${TINY_STEPS}; dt = 1ms; seed = 3; }
}`;
}

export function compileTiny(source = tinySource()): ChipNetwork {
  const { network, diagnostics } = compileSource(source, "tiny.snn", { chipPreset: "loihi" });
  if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  return network;
}

export function tinySettings(overrides: Partial<ChipLearningSettings> = {}): ChipLearningSettings {
  return { ...DEFAULT_CHIP_LEARNING, output: "out", steps: TINY_STEPS, batchSize: 4, learningRate: 2e-3, ...overrides };
}

export function tinyEngine(overrides: Partial<ChipLearningSettings> = {}, network = compileTiny()) {
  return createLearningEngine(network, tinySettings(overrides));
}

/** Seeded random features in [0, 1) (stream (seed, "chip.features")), some exactly zero. */
export function randomFeatures(count: number, seed: number): Float64Array {
  const random = new Random(seed, "chip.features");
  return Float64Array.from({ length: count }, () => (random.uniform() < 0.2 ? 0 : random.uniform()));
}

/** The chip latency encoder's spike steps for these features, as a raster. */
export function chipRaster(network: ChipNetwork, features: Float64Array): InputRaster {
  const tables = buildEncoderTables(network, new Map([["image", { shape: [features.length], values: features }]]), TINY_STEPS);
  const steps = tables[0]!.values!;
  const pairs: [number, number][] = [];
  steps.forEach((step, j) => { if (step >= 0) pairs.push([step, j]); });
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const stepStart = new Int32Array(TINY_STEPS + 1);
  for (const [step] of pairs) stepStart[step + 1]++;
  for (let m = 0; m < TINY_STEPS; m++) stepStart[m + 1] += stepStart[m];
  return { steps: TINY_STEPS, stepStart, neurons: Int32Array.from(pairs, ([, j]) => j) };
}
