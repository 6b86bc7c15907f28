/**
 * @fileoverview The closed-loop check: the compiled fitted network runs on an emulator (reference or
 * wasm, through the public Emulator interface) with the same external input, and its layer's spikes
 * are compared with the raster, spike by spike. Unlike the per-neuron open-loop check, an error here
 * propagates: a wrong spike changes what every downstream neuron sees.
 */
import type { ChipNetwork } from "../compiler/ir.ts";
import { buildEncoderTables, type InputArray } from "../emulator/inputs.ts";
import type { Emulator } from "../emulator/types.ts";
import { INPUT_NAME, LAYER_NAME } from "./emit.ts";
import { compareTrains, type Mismatch } from "./neuron-check.ts";
import { countSpikes, type Raster } from "./raster.ts";

export interface Reproduction {
  observedSpikes: number;
  /** Observed spikes the network produced at the same step. */
  reproduced: number;
  missed: number;
  extra: number;
  perNeuron: Mismatch[];
  /** The layer's produced raster. */
  produced: Raster;
  seconds: number;
}

export type EmulatorFactory = (network: ChipNetwork) => Emulator | Promise<Emulator>;

/** Runs the network for the raster's steps and compares the layer's spikes with the raster. */
export async function reproduce(network: ChipNetwork, raster: Raster, input: Raster | null, createEmulator: EmulatorFactory): Promise<Reproduction> {
  const started = performance.now();
  const steps = raster.steps;
  const inputs = new Map<string, InputArray>();
  if (input) inputs.set(INPUT_NAME, { shape: [steps, input.neurons], values: input.spikes });
  const emulator = await createEmulator(network);
  const result = emulator.run({ steps, encoders: buildEncoderTables(network, inputs, steps), recordProbes: false });
  const layer = network.populations.find((p) => p.name === LAYER_NAME)!;
  const produced: Raster = { steps, neurons: layer.size, spikes: new Uint8Array(steps * layer.size) };
  for (let i = 0; i < result.spikeSteps.length; i++) {
    const local = result.spikeNeurons[i] - layer.firstNeuron;
    if (local >= 0 && local < layer.size) produced.spikes[result.spikeSteps[i] * layer.size + local] = 1;
  }
  const perNeuron: Mismatch[] = [];
  let missed = 0;
  let extra = 0;
  for (let n = 0; n < layer.size; n++) {
    const column = (r: Raster) => Uint8Array.from({ length: steps }, (_, t) => r.spikes[t * r.neurons + n]);
    const mismatch = compareTrains(column(raster), column(produced));
    perNeuron.push(mismatch);
    missed += mismatch.missed;
    extra += mismatch.extra;
  }
  const observedSpikes = countSpikes(raster);
  return { observedSpikes, reproduced: observedSpikes - missed, missed, extra, perNeuron, produced, seconds: (performance.now() - started) / 1000 };
}
