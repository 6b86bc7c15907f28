/**
 * @fileoverview Training and evaluation loops of the float reference over a Dataset: a seeded
 * shuffle per epoch, latency coding, one runSample + accumulateSample per sample, applyBatch every
 * `batchSize` samples (and once for a last partial batch), and prediction by spike count. Accuracy
 * is reported two ways: strict (a tie for the top count, all-silent included, is wrong) and
 * lowest-index (ties go to the lowest class, the official code's `argmax`).
 */
import { DatasetError, featureCount, sampleFeatures, seededPermutation, type Dataset } from "../dataset.ts";
import { latencyRaster } from "./encode.ts";
import { classTotals, predictByCount } from "../../emulator/learning/index.ts";
import type { FloatNetwork } from "./network.ts";
import { createSampleState, runSample, type SampleState } from "./sample.ts";
import { accumulateSample, applyBatch, createBatchAccumulator, type BatchAccumulator } from "./update.ts";

/**
 * The class with the most output spikes (summed over its `outputsPerClass` neurons): `strict` is −1
 * on a tie for the top; `lowestIndex` takes the first.
 */
export function predictFromCounts(counts: ArrayLike<number>, outputsPerClass = 1): { strict: number; lowestIndex: number } {
  const totals = classTotals(counts, outputsPerClass);
  let first = 0;
  for (let c = 1; c < totals.length; c++) if (totals[c] > totals[first]) first = c;
  return { strict: predictByCount(totals), lowestIndex: first };
}

/** Accuracy and activity over a set of samples. */
export interface RunStats {
  samples: number;
  correctStrict: number;
  correctLowestIndex: number;
  /** Mean spikes per neuron per sample, one entry per layer (hidden..., output). */
  spikesPerNeuron: number[];
  /** Samples in which no output spiked. */
  allSilent: number;
  seconds: number;
}

export interface EvaluationStats extends RunStats {
  /** confusion[true·classes + predicted], predicted by lowest index (ties are counted in `ties`). */
  confusion: Int32Array;
  ties: number;
}

export interface ProgressReport {
  epoch: number;
  samplesDone: number;
  samplesTotal: number;
  /** Running strict accuracy on the training samples seen this epoch. */
  runningAccuracy: number;
  /** Mean spikes per sample over all non-input neurons so far this epoch. */
  spikesPerSample: number;
  seconds: number;
}

/** A network with the per-sample and per-batch scratch it trains with. */
export interface Trainer {
  readonly network: FloatNetwork;
  readonly state: SampleState;
  readonly batch: BatchAccumulator;
}

export function createTrainer(network: FloatNetwork): Trainer {
  return { network, state: createSampleState(network), batch: createBatchAccumulator(network) };
}

/** Throws DatasetError unless the data's features and classes fit the network's input and output sizes. */
export function checkDataFitsNetwork(network: FloatNetwork, dataset: Dataset): void {
  const features = featureCount(dataset);
  if (features !== network.config.inputSize) {
    throw new DatasetError(`${dataset.name} has ${features} features per sample ([${dataset.shape.join(", ")}]), but the network has ${network.config.inputSize} inputs`);
  }
  const outputs = network.layers[network.layers.length - 1].size;
  const perClass = network.config.outputsPerClass ?? 1;
  if (dataset.classCount * perClass !== outputs) {
    throw new DatasetError(`${dataset.name} has ${dataset.classCount} classes, but the network's output layer has ${outputs} neurons (${perClass === 1 ? "one" : perClass} per class)`);
  }
}

export interface EpochOptions {
  epoch: number;
  /** Train on the first `limit` samples of the shuffled order only. */
  limit?: number;
  /** Called after every batch. */
  onProgress?: (report: ProgressReport) => void;
}

/** One epoch over the data in a seeded order (seed, `shuffle.epoch<epoch>`). */
export function trainEpoch(trainer: Trainer, dataset: Dataset, options: EpochOptions): RunStats {
  const { network, state, batch } = trainer;
  checkDataFitsNetwork(network, dataset);
  const { config } = network;
  const order = seededPermutation(dataset.labels.length, network.seed, `shuffle.epoch${options.epoch}`);
  const total = Math.min(order.length, options.limit ?? Infinity);
  const stats = emptyStats(network);
  const start = performance.now();
  for (let k = 0; k < total; k++) {
    const index = order[k];
    const raster = latencyRaster(sampleFeatures(dataset, index), config.latencyWindowSteps, config.steps);
    runSample(network, state, raster, { learning: true, sampleIndex: network.samplesSeen });
    network.samplesSeen++;
    tally(stats, state, dataset.labels[index], network.config.outputsPerClass ?? 1);
    accumulateSample(network, state, dataset.labels[index], batch);
    const batchDone = batch.samples === config.batchSize || k === total - 1;
    if (batchDone) applyBatch(network, batch);
    if (batchDone && options.onProgress) {
      options.onProgress({
        epoch: options.epoch, samplesDone: k + 1, samplesTotal: total,
        runningAccuracy: stats.correctStrict / stats.samples,
        spikesPerSample: spikesPerSample(stats),
        seconds: (performance.now() - start) / 1000,
      });
    }
  }
  return finishStats(stats, start);
}

/** Inference over the data in its own order (no learning state is touched). */
export function evaluate(network: FloatNetwork, dataset: Dataset, limit = Infinity): EvaluationStats {
  checkDataFitsNetwork(network, dataset);
  const { config } = network;
  const state = createSampleState(network);
  const classes = dataset.classCount;
  const stats = { ...emptyStats(network), confusion: new Int32Array(classes * classes), ties: 0 };
  const start = performance.now();
  const total = Math.min(dataset.labels.length, limit);
  for (let index = 0; index < total; index++) {
    const raster = latencyRaster(sampleFeatures(dataset, index), config.latencyWindowSteps, config.steps);
    runSample(network, state, raster, { learning: false });
    const prediction = tally(stats, state, dataset.labels[index], network.config.outputsPerClass ?? 1);
    stats.confusion[dataset.labels[index] * classes + prediction.lowestIndex]++;
    if (prediction.strict < 0) stats.ties++;
  }
  return finishStats(stats, start);
}

interface Accumulating extends RunStats {
  spikeTotals: number[];
  layerSizes: number[];
}

function emptyStats(network: FloatNetwork): Accumulating {
  return {
    samples: 0, correctStrict: 0, correctLowestIndex: 0, allSilent: 0, seconds: 0,
    spikesPerNeuron: network.layers.map(() => 0), spikeTotals: network.layers.map(() => 0),
    layerSizes: network.layers.map((layer) => layer.size),
  };
}

function tally(stats: Accumulating, state: SampleState, label: number, outputsPerClass: number): { strict: number; lowestIndex: number } {
  const output = state.layers[state.layers.length - 1].counts;
  const prediction = predictFromCounts(output, outputsPerClass);
  stats.samples++;
  if (prediction.strict === label) stats.correctStrict++;
  if (prediction.lowestIndex === label) stats.correctLowestIndex++;
  if (output.every((c) => c === 0)) stats.allSilent++;
  state.layers.forEach((s, l) => {
    for (let i = 0; i < s.counts.length; i++) stats.spikeTotals[l] += s.counts[i];
  });
  return prediction;
}

function spikesPerSample(stats: Accumulating): number {
  return stats.spikeTotals.reduce((a, b) => a + b, 0) / Math.max(stats.samples, 1);
}

function finishStats<T extends Accumulating>(stats: T, start: number): Omit<T, "spikeTotals" | "layerSizes"> {
  const { spikeTotals, layerSizes, ...rest } = stats;
  rest.seconds = (performance.now() - start) / 1000;
  rest.spikesPerNeuron = spikeTotals.map((total, l) => total / Math.max(stats.samples, 1) / layerSizes[l]);
  return rest;
}
