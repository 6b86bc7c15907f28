/**
 * @fileoverview The learning chip's forward pass is the chip's: for the same weights and input, its
 * spikes equal createReferenceEmulator's bit for bit, with and without the learning hook running.
 */
import { describe, expect, it } from "vitest";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { buildEncoderTables } from "../../emulator/inputs.ts";
import { createChipSampleState, runChipSample } from "../../emulator/learning/sample.ts";
import { chipRaster, compileTiny, randomFeatures, tinyEngine, TINY_STEPS } from "./support/chip.ts";

function emulatorSpikes(network: ReturnType<typeof compileTiny>, features: Float64Array): string[] {
  const result = createReferenceEmulator(network).run({
    steps: TINY_STEPS,
    encoders: buildEncoderTables(network, new Map([["image", { shape: [features.length], values: features }]]), TINY_STEPS),
    recordProbes: false,
  });
  const first = network.populations[1].firstNeuron;
  const keys: string[] = [];
  for (let k = 0; k < result.spikeSteps.length; k++) if (result.spikeNeurons[k] >= first) keys.push(`${result.spikeSteps[k]}:${result.spikeNeurons[k]}`);
  return keys;
}

function engineSpikes(engine: ReturnType<typeof tinyEngine>, features: Float64Array, learning: boolean): string[] {
  const state = createChipSampleState(engine);
  runChipSample(engine, state, chipRaster(engine.network, features), learning, 0);
  const keys: [number, number][] = [];
  engine.layers.forEach((layer, l) => {
    const s = state.layers[l];
    for (let m = 0; m < TINY_STEPS; m++) for (let k = s.spikeStart[m]; k < s.spikeStart[m + 1]; k++) keys.push([m, layer.firstNeuronId + s.spikeNeuron[k]]);
  });
  keys.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return keys.map(([m, id]) => `${m}:${id}`);
}

describe("learning chip forward pass", () => {
  it("spikes exactly as the reference emulator for the compiled network", () => {
    const network = compileTiny();
    const engine = tinyEngine({}, network);
    let total = 0;
    for (let sample = 0; sample < 12; sample++) {
      const features = randomFeatures(20, sample);
      const expected = emulatorSpikes(network, features);
      total += expected.length;
      expect(engineSpikes(engine, features, false)).toEqual(expected);
      expect(engineSpikes(engine, features, true)).toEqual(expected);
    }
    expect(total).toBeGreaterThan(50); // the comparison is not vacuous
  });
});
