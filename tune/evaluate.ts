/**
 * @fileoverview Runs a compiled network over a labelled (or unlabelled) dataset, one sample per run,
 * and measures what `neurocc tune gain` and the benchmarks report: accuracy (argmax of the output
 * population's spike counts), spikes per sample, and saturation. Browser-safe: the caller supplies
 * the emulator and the arrays (cli/ reads the files).
 *
 * Definitions (also in docs/precision.md):
 * - accuracy: a sample is right when the output neuron with the most spikes is unique and equals
 *   the label; a tie for the most spikes (including a silent output) counts as wrong.
 * - spikes per sample: spikes of every layer (non-input population) in one run, averaged.
 * - saturation: the fraction of layer neurons that fire as often as they possibly can — at every
 *   step, or every (refractory + 1) steps, from step 1 on (the first step input can reach a layer
 *   through a one-step delay): at least ⌈(steps − 1) / (refractory + 1)⌉ spikes — averaged over
 *   samples.
 */
import type { ChipNetwork, Population } from "../compiler/ir.ts";
import { buildEncoderTables, elementsPerFrame } from "../emulator/inputs.ts";
import type { Emulator } from "../emulator/types.ts";

/**
 * Input samples for one input population, as `tune`/`quantize`/`calibrate` read them: any finite
 * values (sensor readings, not only [0, 1] pixels), labels optional. (Labelled image data sets for
 * learning are `Dataset` in learn/dataset.ts.) `values` holds `samples` samples of
 * `frames × features` values each (row-major).
 */
export interface InputSet {
  samples: number;
  /** Values per frame: the input population's elements. */
  features: number;
  frames: number;
  values: Float64Array;
  /** One class index per sample, or null. */
  labels: Int32Array | null;
}

export class InputSetError extends Error {}

/**
 * Checks a data array (`[samples, features]`, or `[samples, frames, features]` for time-varying
 * input) and optional labels (`[samples]`) against the input population; `what` names the files.
 */
export function makeInputSet(
  population: Population,
  data: { shape: number[]; values: ArrayLike<number> },
  labels: { shape: number[]; values: ArrayLike<number> } | null,
  files: { data: string; labels?: string },
  outputSize: number | null,
): InputSet {
  const features = elementsPerFrame(population);
  // A one-row CSV reads as [features]: one sample.
  const shape = data.shape.length === 1 && data.shape[0] === features ? [1, features] : data.shape;
  const samples = shape[0] ?? 0;
  const perSample = shape.slice(1).reduce((a, b) => a * b, 1);
  if (data.values.length === 0 || samples === 0) throw new InputSetError(`${files.data} is empty`);
  if (shape.length < 2 || perSample % features !== 0) {
    throw new InputSetError(`${files.data} has shape [${data.shape.join(", ")}]; input '${population.name}' takes ${features} values per sample: give [samples, ${features}]`);
  }
  for (let i = 0; i < data.values.length; i++) {
    if (!Number.isFinite(data.values[i])) throw new InputSetError(`${files.data} holds a NaN or infinite value at sample ${Math.floor(i / perSample)}`);
  }
  let labelArray: Int32Array | null = null;
  if (labels) {
    if (labels.values.length !== samples) throw new InputSetError(`${files.labels} has ${labels.values.length} labels for ${samples} samples in ${files.data}`);
    for (let i = 0; i < samples; i++) {
      const v = labels.values[i];
      if (!Number.isInteger(v) || v < 0 || (outputSize !== null && v >= outputSize)) {
        throw new InputSetError(`${files.labels}: label ${v} of sample ${i} is not a class index 0..${(outputSize ?? 1) - 1} of the output population`);
      }
    }
    labelArray = Int32Array.from(labels.values);
  }
  return { samples, features, frames: perSample / features, values: Float64Array.from(data.values), labels: labelArray };
}

export interface EvaluateOptions {
  inputName: string;
  /** Layer whose spike counts are the classifier's output. */
  outputName: string;
  steps: number;
  /** Use only the first K samples. */
  samples?: number;
  seed?: number;
  onSample?: (done: number, total: number) => void;
}

export interface Evaluation {
  samples: number;
  /** Null without labels. */
  accuracy: number | null;
  spikesPerSample: number;
  saturation: number;
  /** Output spike counts per sample (`samples × outputSize`), for callers that need more. */
  outputCounts: Int32Array;
}

/** Runs `emulator` (loaded with a network of the same layout as `network`) once per sample. */
export function evaluate(network: ChipNetwork, emulator: Emulator, dataset: InputSet, options: EvaluateOptions): Evaluation {
  const output = network.populations.find((p) => p.name === options.outputName);
  if (!output) throw new InputSetError(`the network has no population '${options.outputName}'`);
  const layers = network.populations.filter((p) => p.kind === "neuron");
  const layerNeurons = layers.reduce((n, p) => n + p.size, 0);
  const total = Math.min(options.samples ?? dataset.samples, dataset.samples);
  const perSample = dataset.frames * dataset.features;
  const outputCounts = new Int32Array(total * output.size);
  const counts = new Int32Array(network.populations.reduce((n, p) => Math.max(n, p.firstNeuron + p.size), 0));
  const isLayer = new Uint8Array(counts.length);
  const maxCount = new Int32Array(counts.length);
  for (const p of layers) {
    isLayer.fill(1, p.firstNeuron, p.firstNeuron + p.size);
    maxCount.fill(Math.max(1, Math.ceil((options.steps - 1) / (p.neuron!.refractorySteps + 1))), p.firstNeuron, p.firstNeuron + p.size);
  }
  let correct = 0;
  let layerSpikes = 0;
  let saturated = 0;
  for (let s = 0; s < total; s++) {
    const values = dataset.values.subarray(s * perSample, (s + 1) * perSample);
    const shape = dataset.frames === 1 ? [dataset.features] : [dataset.frames, dataset.features];
    const encoders = buildEncoderTables(network, new Map([[options.inputName, { shape, values }]]), options.steps);
    const result = emulator.run({ steps: options.steps, seed: options.seed, encoders, recordProbes: false });
    counts.fill(0);
    for (const id of result.spikeNeurons) counts[id]++;
    for (let id = 0; id < counts.length; id++) {
      if (!isLayer[id]) continue;
      layerSpikes += counts[id];
      if (counts[id] >= maxCount[id]) saturated++;
    }
    const row = outputCounts.subarray(s * output.size, (s + 1) * output.size);
    row.set(counts.subarray(output.firstNeuron, output.firstNeuron + output.size));
    if (dataset.labels && uniqueArgmax(row) === dataset.labels[s]) correct++;
    options.onSample?.(s + 1, total);
  }
  return {
    samples: total,
    accuracy: dataset.labels ? correct / total : null,
    spikesPerSample: layerSpikes / total,
    saturation: layerNeurons === 0 ? 0 : saturated / (layerNeurons * total),
    outputCounts,
  };
}

/** Index of the largest count, or −1 when the largest is shared (a silent output included). */
export function uniqueArgmax(counts: ArrayLike<number>): number {
  let best = -1;
  let bestCount = -Infinity;
  let shared = false;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > bestCount) {
      best = i;
      bestCount = counts[i];
      shared = false;
    } else if (counts[i] === bestCount) shared = true;
  }
  return shared ? -1 : best;
}

/** The network with input `name`'s encoder gain replaced (the gain is host-side: no recompilation). */
export function withInputGain(network: ChipNetwork, name: string, gain: number): ChipNetwork {
  return {
    ...network,
    populations: network.populations.map((p) => {
      if (p.name !== name) return p;
      if (!p.encoder || p.encoder.kind === "spikes") throw new InputSetError(`input '${name}' uses the spikes encoder, which has no gain`);
      return { ...p, encoder: { ...p.encoder, gain } };
    }),
  };
}
