/**
 * @fileoverview The one in-memory form of a labelled data set that every learning tool reads
 * (`Dataset`), the error every loader throws (`DatasetError`), and the few pure operations on it
 * (checking, slicing, a seeded shuffle order). Loaders live beside it: `idx.ts` (IDX bytes),
 * `array-dataset.ts` (.npy/.csv), and `datasets-node.ts` (files and installed packages, Node only).
 */
import { Random } from "../compiler/random.ts";

/** A labelled data set, every sample flattened. */
export interface Dataset {
  /** What it is, for messages: "fashion-mnist train", "digits.npy". */
  name: string;
  /** `count × featureCount` values in [0, 1], sample-major (sample k starts at k·featureCount). */
  images: Float32Array;
  /** One class index per sample, in [0, classCount). */
  labels: Uint8Array;
  /** The shape of ONE sample, e.g. [28, 28]; its product is the feature count. */
  shape: number[];
  /** Number of classes (labels are below it). */
  classCount: number;
}

/** A data set that is missing, unreadable, or has the wrong shape; the message says which and why. */
export class DatasetError extends Error {}

export function sampleCount(dataset: Dataset): number {
  return dataset.labels.length;
}

export function featureCount(dataset: Dataset): number {
  return dataset.shape.reduce((a, b) => a * b, 1);
}

/** The features of sample `index` (a view, not a copy). */
export function sampleFeatures(dataset: Dataset, index: number): Float32Array {
  const features = featureCount(dataset);
  return dataset.images.subarray(index * features, (index + 1) * features);
}

/** Throws DatasetError unless sizes agree, values lie in [0, 1] and labels in [0, classCount). */
export function checkDataset(dataset: Dataset): Dataset {
  const features = featureCount(dataset);
  const count = dataset.labels.length;
  if (features <= 0) throw new DatasetError(`${dataset.name}: a sample has no features (shape [${dataset.shape.join(", ")}])`);
  if (dataset.images.length !== count * features) {
    throw new DatasetError(
      `${dataset.name}: ${count} labels need ${count} × ${features} = ${count * features} feature values, but there are ${dataset.images.length}`,
    );
  }
  for (let i = 0; i < dataset.images.length; i++) {
    const value = dataset.images[i];
    if (!(value >= 0 && value <= 1)) {
      throw new DatasetError(`${dataset.name}: feature value ${value} of sample ${Math.floor(i / features)} is outside [0, 1]`);
    }
  }
  for (let k = 0; k < count; k++) {
    if (dataset.labels[k] >= dataset.classCount) {
      throw new DatasetError(`${dataset.name}: label ${dataset.labels[k]} of sample ${k} is not below the class count ${dataset.classCount}`);
    }
  }
  return dataset;
}

/** Samples [start, start + count) as a new Dataset sharing the buffers (count is clipped to the end). */
export function sliceDataset(dataset: Dataset, start: number, count = Infinity): Dataset {
  const total = dataset.labels.length;
  const begin = Math.max(0, Math.min(start, total));
  const end = Math.min(total, begin + count);
  const features = featureCount(dataset);
  return {
    ...dataset,
    name: begin === 0 && end === total ? dataset.name : `${dataset.name}[${begin}:${end}]`,
    images: dataset.images.subarray(begin * features, end * features),
    labels: dataset.labels.subarray(begin, end),
  };
}

/** A copy of the chosen samples, in the given order. */
export function selectSamples(dataset: Dataset, indices: ArrayLike<number>, name = dataset.name): Dataset {
  const features = featureCount(dataset);
  const images = new Float32Array(indices.length * features);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    images.set(sampleFeatures(dataset, indices[k]), k * features);
    labels[k] = dataset.labels[indices[k]];
  }
  return { ...dataset, name, images, labels };
}

/**
 * A permutation of 0..count−1 (Fisher–Yates) from the seeded stream (seed, label): the same seed and
 * label give the same order on every platform (compiler/random.ts). Trainers shuffle each epoch
 * with label `shuffle.epoch<N>`.
 */
export function seededPermutation(count: number, seed: number, label: string): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const random = new Random(seed, label);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    const held = order[i];
    order[i] = order[j];
    order[j] = held;
  }
  return order;
}
