/**
 * @fileoverview Training and evaluation loops of the on-chip learning engine (emulator/learning/)
 * over a Dataset — what `neurocc train` and `neurocc eval` run. Browser-safe. Each epoch visits the
 * samples in the seeded order `seededPermutation(count, seed, "shuffle.epoch<e>")` (as the float
 * reference, learn/sfdfa/train.ts); the input spikes come from the network's own encoder
 * (emulator/learning/raster.ts), with rate-encoder draws keyed by (seed, sample index). A training
 * run can stop after any whole batch and resume there (`startSample`) with the same result.
 */
import type { ChipNetwork } from "../compiler/ir.ts";
import { mix32 } from "../compiler/random.ts";
import { inferChipSample, predictChipClass, trainChipSample, flushChipBatch, withAveragedWeights, type LearningChip } from "../emulator/learning/index.ts";
import { createRasterBuilder, type RasterBuilder } from "../emulator/learning/raster.ts";
import { augmentImage, checkAugmentable, isAugmenting, NO_AUGMENTATION, type Augmentation } from "./augment.ts";
import { DatasetError, featureCount, sampleFeatures, seededPermutation, type Dataset } from "./dataset.ts";
import type { ProgressReport } from "./sfdfa/train.ts";

/** Throws DatasetError unless the data's features and classes fit the chip's input and output layers. */
export function checkDataFitsChip(chip: LearningChip, dataset: Dataset): void {
  const { chain } = chip.engine;
  const features = featureCount(dataset);
  if (features !== chain.input.size) {
    throw new DatasetError(`${dataset.name} has ${features} features per sample ([${dataset.shape.join(", ")}]), but input '${chain.input.name}' has ${chain.input.size} neurons`);
  }
  const output = chain.layers[chain.layers.length - 1].population;
  const perClass = chip.engine.settings.outputsPerClass ?? 1;
  if (dataset.classCount * perClass > output.size) {
    const per = perClass === 1 ? "one per class" : `${perClass} per class`;
    throw new DatasetError(`${dataset.name} has ${dataset.classCount} classes, but output layer '${output.name}' has ${output.size} neurons (${per})`);
  }
}

export function chipRasterBuilder(chip: LearningChip): RasterBuilder {
  return createRasterBuilder(chip.engine.network, chip.engine.chain.input, chip.engine.settings.steps);
}

/** The per-sample seed of the input encoder's draws. */
function sampleSeed(seed: number, epoch: number, index: number): number {
  return mix32((mix32((seed ^ 0x7a11) >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b1) ^ index) >>> 0);
}

/** The float trainer's progress report (a tie is wrong; spikes over all trained layers), plus the samples trained in this call (a resumed epoch starts part-way). */
export interface ChipProgress extends ProgressReport {
  samplesThisRun: number;
  /** Mean spikes per sample of each trained layer (hidden layers first, the output layer last). */
  spikesPerLayer: number[];
}

export interface ChipEpochOptions {
  epoch: number;
  seed: number;
  /** Train on the first `limit` samples of the shuffled order only. */
  limit?: number;
  /** Resume at this position of the epoch's order (a multiple of the batch size). */
  startSample?: number;
  /** Called after every batch. */
  onBatch?: (progress: ChipProgress) => void;
  /**
   * Halve the learning rate every this many epochs (lr·2^−⌊epoch/E⌋; the Adam step is shifted, see
   * LearningEngine.learningRateShift); absent: the learn block's lr throughout. A function of the
   * epoch alone, so a resumed run gets the same schedule when given the same value.
   */
  learningRateHalvingEpochs?: number;
  /** How each training image is moved (learn/augment.ts); absent: shown as is. */
  augmentation?: Augmentation;
}

/** The learning-rate shift of an epoch under a halving schedule (0 without one). */
export function learningRateShiftOf(epoch: number, halvingEpochs: number | undefined): number {
  return halvingEpochs ? Math.min(16, Math.floor(epoch / halvingEpochs)) : 0;
}

/** One epoch (or its rest, from startSample); a last partial batch is applied at the end. */
export function trainChipEpoch(chip: LearningChip, dataset: Dataset, options: ChipEpochOptions): ChipProgress {
  checkDataFitsChip(chip, dataset);
  const augmentation = options.augmentation ?? NO_AUGMENTATION;
  checkAugmentable(dataset, augmentation);
  const moved = new Float32Array(featureCount(dataset));
  const features = (index: number): Float32Array => isAugmenting(augmentation)
    ? augmentImage(sampleFeatures(dataset, index), dataset.shape[0], dataset.shape[1], augmentation, options.seed, options.epoch, index, moved)
    : sampleFeatures(dataset, index);
  chip.engine.learningRateShift = learningRateShiftOf(options.epoch, options.learningRateHalvingEpochs);
  const builder = chipRasterBuilder(chip);
  const order = seededPermutation(dataset.labels.length, options.seed, `shuffle.epoch${options.epoch}`);
  const total = Math.min(order.length, options.limit ?? Infinity);
  const batchSize = chip.engine.settings.batchSize;
  const start = performance.now();
  let correct = 0, done = 0;
  const spikes = new LayerSpikeSums(chip);
  const progress = (k: number): ChipProgress => ({
    epoch: options.epoch, samplesDone: k, samplesTotal: total, runningAccuracy: correct / Math.max(done, 1),
    spikesPerSample: spikes.total / Math.max(done, 1), spikesPerLayer: spikes.perSample(done),
    seconds: (performance.now() - start) / 1000, samplesThisRun: done,
  });
  for (let k = options.startSample ?? 0; k < total; k++) {
    const index = order[k];
    const label = dataset.labels[index];
    const counts = trainChipSample(chip, builder.build(features(index), sampleSeed(options.seed, options.epoch, index)), label);
    done++;
    if (predictChipClass(chip, counts) === label) correct++;
    spikes.add(chip);
    if (k === total - 1) flushChipBatch(chip);
    if (((k + 1) % batchSize === 0 || k === total - 1) && options.onBatch) options.onBatch(progress(k + 1));
  }
  return progress(total);
}

export interface ChipEvaluation {
  samples: number;
  /** Strict: a tie for the top spike count (all silent included) is wrong. */
  correct: number;
  accuracy: number;
  ties: number;
  /** confusion[true·classes + predicted] over the samples that were not ties. */
  confusion: Int32Array;
  classCount: number;
  spikesPerSample: number;
  /** Mean spikes per sample of each trained layer (hidden layers first, the output layer last). */
  spikesPerLayer: number[];
  seconds: number;
}

/** Spike totals of each trained layer over the samples of a run. */
class LayerSpikeSums {
  readonly sums: Float64Array;
  total = 0;
  constructor(chip: LearningChip) {
    this.sums = new Float64Array(chip.state.layers.length);
  }
  add(chip: LearningChip): void {
    chip.state.layers.forEach((layer, l) => {
      let sum = 0;
      for (let i = 0; i < layer.counts.length; i++) sum += layer.counts[i];
      this.sums[l] += sum;
      this.total += sum;
    });
  }
  perSample(samples: number): number[] {
    return Array.from(this.sums, (sum) => sum / Math.max(samples, 1));
  }
}

/** Inference over the data in its own order; no learning state changes. */
/**
 * Inference over the first `limit` samples, with the weights the chip infers with: the averaged ones
 * under `weight_average` (emulator/learning/average.ts), unless `weights` is "trained".
 */
export function evaluateChip(chip: LearningChip, dataset: Dataset, seed: number, limit = Infinity, weights: "inference" | "trained" = "inference"): ChipEvaluation {
  return weights === "trained" ? evaluateWithCurrentWeights(chip, dataset, seed, limit) : withAveragedWeights(chip.engine, () => evaluateWithCurrentWeights(chip, dataset, seed, limit));
}

function evaluateWithCurrentWeights(chip: LearningChip, dataset: Dataset, seed: number, limit: number): ChipEvaluation {
  checkDataFitsChip(chip, dataset);
  const builder = chipRasterBuilder(chip);
  const classes = dataset.classCount;
  const confusion = new Int32Array(classes * classes);
  const total = Math.min(dataset.labels.length, limit);
  const start = performance.now();
  let correct = 0, ties = 0;
  const spikes = new LayerSpikeSums(chip);
  for (let index = 0; index < total; index++) {
    const label = dataset.labels[index];
    const counts = inferChipSample(chip, builder.build(sampleFeatures(dataset, index), sampleSeed(seed, -1, index)));
    spikes.add(chip);
    const predicted = predictChipClass(chip, counts);
    if (predicted < 0 || predicted >= classes) {
      ties++;
      continue;
    }
    if (predicted === label) correct++;
    confusion[label * classes + predicted]++;
  }
  return { samples: total, correct, accuracy: correct / Math.max(total, 1), ties, confusion, classCount: classes, spikesPerSample: spikes.total / Math.max(total, 1), spikesPerLayer: spikes.perSample(total), seconds: (performance.now() - start) / 1000 };
}

/** Whether two networks have the same structure (populations and projections by name and size). */
export function sameStructure(a: ChipNetwork, b: ChipNetwork): boolean {
  const shape = (n: ChipNetwork) => JSON.stringify([n.name, n.populations.map((p) => [p.name, p.size]), n.projections.map((p) => [p.name, p.source, p.target, p.weightBits])]);
  return shape(a) === shape(b);
}
