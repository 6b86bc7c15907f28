/**
 * @fileoverview Data sets from the generic array files users bring, `.npy` and `.csv`, parsed by
 * compiler/arrays.ts: either an image array [n, ...sample shape] plus a label array [n], or one
 * table [n, 1 + features] whose first (or last) column is the label (the common MNIST-as-CSV form).
 * Pure over parsed arrays and bytes; reading the files is datasets-node.ts's job.
 */
import { ArrayFormatError, parseArrayFile, type NumericArray } from "../compiler/arrays.ts";
import { checkDataset, DatasetError, type Dataset } from "./dataset.ts";

export interface ArrayDatasetOptions {
  /** Names the data in messages (usually the file name). */
  name: string;
  /** The shape of one sample; default: the image array's trailing dimensions ([features] for a table). */
  shape?: number[];
  /** Where the label is when there is no separate label array. */
  labelColumn?: "first" | "last";
  /** Number of classes; default: the largest label + 1. */
  classCount?: number;
  /**
   * Feature scale: a number multiplies every value; "auto" (default) divides by 255 when some value
   * exceeds 1 (8-bit pixels) and keeps [0, 1] data as it is.
   */
  scale?: number | "auto";
}

/** Builds a Dataset from an image array and a label array (or a labelled table when `labels` is null). */
export function datasetFromArrays(images: NumericArray, labels: NumericArray | null, options: ArrayDatasetOptions): Dataset {
  const { name } = options;
  let featureValues: Float64Array;
  let labelValues: ArrayLike<number>;
  let count: number;
  let naturalShape: number[];
  if (labels === null) {
    const column = options.labelColumn ?? "first";
    if (images.shape.length !== 2 || images.shape[1] < 2) {
      throw new DatasetError(`${name}: a labelled table must be 2-D [samples, 1 + features] with the label in the ${column} column; it has shape [${images.shape.join(", ")}]`);
    }
    const [rows, columns] = images.shape;
    count = rows;
    naturalShape = [columns - 1];
    featureValues = new Float64Array(rows * (columns - 1));
    const labelsOut = new Float64Array(rows);
    const labelIndex = column === "first" ? 0 : columns - 1;
    const firstFeature = column === "first" ? 1 : 0;
    for (let r = 0; r < rows; r++) {
      labelsOut[r] = images.values[r * columns + labelIndex];
      featureValues.set(images.values.subarray(r * columns + firstFeature, r * columns + firstFeature + columns - 1), r * (columns - 1));
    }
    labelValues = labelsOut;
  } else {
    if (labels.shape.length !== 1 && !(labels.shape.length === 2 && labels.shape[1] === 1)) {
      throw new DatasetError(`${name}: labels must be one class index per sample (shape [n]); they have shape [${labels.shape.join(", ")}]`);
    }
    if (images.shape.length < 2) {
      throw new DatasetError(`${name}: images must have a sample dimension and feature dimensions, e.g. [n, 784]; they have shape [${images.shape.join(", ")}]`);
    }
    count = images.shape[0];
    if (labels.shape[0] !== count) throw new DatasetError(`${name}: ${count} images but ${labels.shape[0]} labels`);
    naturalShape = images.shape.slice(1);
    featureValues = images.values;
    labelValues = labels.values;
  }
  const shape = options.shape ?? naturalShape;
  const features = shape.reduce((a, b) => a * b, 1);
  const naturalFeatures = naturalShape.reduce((a, b) => a * b, 1);
  if (features !== naturalFeatures) {
    throw new DatasetError(`${name}: the sample shape [${shape.join(", ")}] has ${features} features, but each sample in the file has ${naturalFeatures}`);
  }
  const classes = new Uint8Array(count);
  let largest = 0;
  for (let k = 0; k < count; k++) {
    const label = labelValues[k];
    if (!Number.isInteger(label) || label < 0 || label > 255) {
      throw new DatasetError(`${name}: label ${label} of sample ${k} is not a class index (an integer in 0..255)`);
    }
    classes[k] = label;
    largest = Math.max(largest, label);
  }
  const classCount = options.classCount ?? largest + 1;
  const scale = resolveScale(featureValues, options.scale ?? "auto", name);
  const pixels = new Float32Array(featureValues.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = featureValues[i] * scale;
  return checkDataset({ name, images: pixels, labels: classes, shape, classCount });
}

function resolveScale(values: Float64Array, scale: number | "auto", name: string): number {
  if (scale !== "auto") return scale;
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, values[i]);
  if (largest <= 1) return 1;
  if (largest <= 255) return 1 / 255;
  throw new DatasetError(`${name}: feature values go up to ${largest}; expected [0, 1] or 8-bit pixels [0, 255] (or pass an explicit scale)`);
}

/** Parses a .npy or .csv file's bytes; format errors become DatasetErrors naming the file. */
export function parseArrayBytes(bytes: Uint8Array, fileName: string): NumericArray {
  try {
    return parseArrayFile(bytes, fileName);
  } catch (e) {
    if (e instanceof ArrayFormatError) throw new DatasetError(`${fileName}: ${e.message}`);
    throw e;
  }
}
