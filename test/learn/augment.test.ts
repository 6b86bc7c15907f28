/**
 * Training-time moves (learn/augment.ts): mirroring reverses each row, on half of the samples and
 * independently of the shift; the translation moves every pixel by exactly (dx, dy) and
 * fills with zeros, the drawn shifts cover the whole range and depend only on (seed, epoch, index),
 * bad requests are refused with a DatasetError, and a shifted training run is reproducible and differs
 * from an unshifted one.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { createLearningChip, learnedChecksum, learningSettingsOf } from "../../emulator/learning/index.ts";
import { augmentImage, checkAugmentable, mirrorImage, NO_AUGMENTATION, sampleMirrored, sampleShift, smoothField, translateImage } from "../../learn/augment.ts";
import { Random } from "../../compiler/random.ts";
import { trainChipEpoch } from "../../learn/chip-training.ts";
import { DatasetError, type Dataset } from "../../learn/dataset.ts";
import { loadNamedDataset } from "../../learn/datasets-node.ts";

describe("translateImage", () => {
  it("moves each pixel by (dx, dy) and leaves zeros where nothing moved in", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 }), (rows, columns, dx, dy) => {
        const image = Float32Array.from({ length: rows * columns }, (_, i) => (i + 1) / (rows * columns));
        const out = translateImage(image, rows, columns, dx, dy, new Float32Array(rows * columns).fill(9));
        for (let row = 0; row < rows; row++) {
          for (let column = 0; column < columns; column++) {
            const fromRow = row - dy, fromColumn = column - dx;
            const inside = fromRow >= 0 && fromRow < rows && fromColumn >= 0 && fromColumn < columns;
            expect(out[row * columns + column]).toBe(inside ? image[fromRow * columns + fromColumn] : 0);
          }
        }
      }),
    );
  });
});

describe("mirroring", () => {
  it("reverses each row, and twice is the identity", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), (rows, columns) => {
        const image = Float32Array.from({ length: rows * columns }, (_, i) => (i + 1) / (rows * columns));
        const once = mirrorImage(image, rows, columns, new Float32Array(image.length));
        for (let row = 0; row < rows; row++) {
          for (let column = 0; column < columns; column++) expect(once[row * columns + column]).toBe(image[row * columns + columns - 1 - column]);
        }
        expect(mirrorImage(once, rows, columns, new Float32Array(image.length))).toEqual(image);
      }),
    );
  });

  it("mirrors about half of the samples, independently of their shift, before shifting them", () => {
    const image = Float32Array.from({ length: 784 }, (_, i) => ((i * 37) % 101) / 100);
    const both = { ...NO_AUGMENTATION, maxShiftPixels: 1, mirror: true };
    let mirrored = 0, mirroredAndRight = 0, right = 0;
    for (let index = 0; index < 4000; index++) {
      const flip = sampleMirrored(2, 3, index);
      const { dx, dy } = sampleShift(2, 3, index, 1);
      mirrored += Number(flip);
      right += Number(dx === 1);
      mirroredAndRight += Number(flip && dx === 1);
      if (index < 50) {
        const source = flip ? mirrorImage(image, 28, 28, new Float32Array(784)) : image;
        expect(augmentImage(image, 28, 28, both, 2, 3, index, new Float32Array(784))).toEqual(translateImage(source, 28, 28, dx, dy, new Float32Array(784)));
      }
    }
    expect(Math.abs(mirrored - 2000)).toBeLessThan(130);
    // independent draws: P(mirrored and dx = 1) ≈ ½ · ⅓
    expect(Math.abs(mirroredAndRight - mirrored * (right / 4000))).toBeLessThan(80);
    expect(new Set(Array.from({ length: 40 }, (_, epoch) => sampleMirrored(2, epoch, 11))).size).toBe(2);
  });
});

describe("sampleShift", () => {
  it("is a function of (seed, epoch, index) that covers every shift in [−m, m]² about evenly", () => {
    const seen = new Map<string, number>();
    for (let index = 0; index < 5000; index++) {
      const { dx, dy } = sampleShift(3, 1, index, 2);
      expect(sampleShift(3, 1, index, 2)).toEqual({ dx, dy });
      expect(Math.abs(dx)).toBeLessThanOrEqual(2);
      expect(Math.abs(dy)).toBeLessThanOrEqual(2);
      seen.set(`${dx},${dy}`, (seen.get(`${dx},${dy}`) ?? 0) + 1);
    }
    expect(seen.size).toBe(25);
    for (const count of seen.values()) expect(Math.abs(count - 200)).toBeLessThan(60);
    const epochs = Array.from({ length: 50 }, (_, epoch) => JSON.stringify(sampleShift(3, epoch, 7, 2)));
    expect(new Set(epochs).size).toBeGreaterThan(10);
  });
});

describe("elastic distortion", () => {
  const digit = Float32Array.from({ length: 784 }, (_, k) => (Math.abs((k % 28) - 14) < 3 && Math.floor(k / 28) > 5 && Math.floor(k / 28) < 22 ? 1 : 0));
  const elastic = { ...NO_AUGMENTATION, elasticAlphaPixels: 34 };
  const moved = (index: number, augmentation = elastic) => augmentImage(digit, 28, 28, augmentation, 1, 0, index, new Float32Array(784));

  it("smooths the field to the documented size: three box blurs of radius 4 leave an r.m.s. of about 1/√(4π·20·3)", () => {
    const field = smoothField(new Random(1, "field"), 28, 28, 4);
    const rms = Math.sqrt(field.reduce((sum, v) => sum + v * v, 0) / field.length);
    expect(rms).toBeGreaterThan(0.02);
    expect(rms).toBeLessThan(0.05);
  });

  it("moves the image by a couple of pixels, differently per sample, and the same for the same (seed, epoch, index)", () => {
    expect(moved(3)).toEqual(moved(3));
    expect(moved(3)).not.toEqual(moved(4));
    const image = moved(3);
    const ink = (values: Float32Array) => values.reduce((a, b) => a + b, 0);
    expect(Math.abs(ink(image) - ink(digit)) / ink(digit)).toBeLessThan(0.3);
    expect(Math.min(...image)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...image)).toBeLessThanOrEqual(1);
    expect(image).not.toEqual(digit);
  });

  it("with α = 0 is the plain shift", () => {
    const shiftOnly = { ...NO_AUGMENTATION, maxShiftPixels: 2 };
    const { dx, dy } = sampleShift(1, 0, 5, 2);
    expect(moved(5, shiftOnly)).toEqual(translateImage(digit, 28, 28, dx, dy, new Float32Array(784)));
  });
});

describe("checkAugmentable", () => {
  const shift = (maxShiftPixels: number) => ({ ...NO_AUGMENTATION, maxShiftPixels });
  const images = (shape: number[]): Dataset => ({ name: "toy", images: new Float32Array(shape.reduce((a, b) => a * b, 1)), labels: new Uint8Array(1), shape, classCount: 2 });

  it("accepts 2-D images larger than the shift, and no shift on anything", () => {
    expect(() => checkAugmentable(images([28, 28]), shift(2))).not.toThrow();
    expect(() => checkAugmentable(images([784]), shift(0))).not.toThrow();
  });

  it("refuses flat samples, shifts as large as the image, and fractional or negative shifts", () => {
    expect(() => checkAugmentable(images([784]), shift(2))).toThrow(DatasetError);
    expect(() => checkAugmentable(images([784]), shift(2))).toThrow(/2-D images.*\[784\]/);
    expect(() => checkAugmentable(images([3, 3]), shift(3))).toThrow(DatasetError);
    expect(() => checkAugmentable(images([28, 28]), shift(1.5))).toThrow(/whole number/);
    expect(() => checkAugmentable(images([28, 28]), shift(-1))).toThrow(/whole number/);
    expect(() => checkAugmentable(images([784]), { ...NO_AUGMENTATION, elasticAlphaPixels: 8 })).toThrow(/an elastic distortion needs 2-D images/);
    expect(() => checkAugmentable(images([784]), { ...NO_AUGMENTATION, mirror: true })).toThrow(/mirroring needs 2-D images/);
    expect(() => checkAugmentable(images([28, 28]), { ...NO_AUGMENTATION, elasticAlphaPixels: -1 })).toThrow(/elastic scale/);
    expect(() => checkAugmentable(images([28, 28]), { ...NO_AUGMENTATION, elasticAlphaPixels: 8, elasticRadiusPixels: 0 })).toThrow(/blur radius/);
  });
});

describe("training with shifts", () => {
  it("learns the same weights twice from the same seed, and other weights than without shifts", () => {
    const example = readFileSync(new URL("../../examples/mnist.snn", import.meta.url), "utf8");
    const source = example.replace(/hidden\[\d+\]/, "hidden[40]");
    expect(source).toContain("hidden[40]"); // a small hidden layer keeps the test fast
    const { network, diagnostics } = compileSource(source, "mnist.snn", {});
    if (!network) throw new Error(diagnostics.map((d) => d.message).join("\n"));
    const train = loadNamedDataset("mnist", "train", { limit: 60 });
    const checksum = (maxShiftPixels: number) => {
      const chip = createLearningChip(network, learningSettingsOf(network, {}), 1);
      trainChipEpoch(chip, train, { epoch: 0, seed: 1, augmentation: { ...NO_AUGMENTATION, maxShiftPixels } });
      return learnedChecksum(chip);
    };
    const shifted = checksum(2);
    expect(checksum(2)).toBe(shifted);
    expect(checksum(0)).not.toBe(shifted);
  }, 60_000);
});
