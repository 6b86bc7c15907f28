/**
 * @fileoverview The linear algebra behind NIR import (targets/nir/operators.ts, connections.ts),
 * checked against plain dense matrices on random cases (fast-check, seeded): composing two
 * convolutions into one (when it reports exactness), folding input scales into kernels, embedding
 * rectangular kernels in the DSL's square ones, and composing matrices.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { squareKernel } from "../../targets/nir/connections.ts";
import { applyConv, applyMatrix, composeConv, convOutput, identitySignal, scaleSignal, toDense, type ConvSpec } from "../../targets/nir/operators.ts";

const SEED = 20261123;

/** A random convolution with small sizes; `depthwise` makes a pooling-like one. */
const convArb = (inC: number, h: number, w: number) =>
  fc.record({ k: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), p: fc.integer({ min: 0, max: 1 }), outC: fc.integer({ min: 1, max: 3 }), depthwise: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }) })
    .map(({ k, kw, s, p, outC, depthwise, seed }): ConvSpec | null => {
      const groups = depthwise ? inC : 1;
      const out = depthwise ? inC : outC;
      const oh = convOutput(h, k, s, p);
      const ow = convOutput(w, kw, s, p);
      if (oh < 1 || ow < 1) return null;
      const weights = Float64Array.from({ length: out * (inC / groups) * k * kw }, (_, i) => ((Math.sin(seed + i * 7.3) * 1e4) % 1));
      return { inShape: [inC, h, w], outShape: [out, oh, ow], kernel: [k, kw], stride: [s, s], padding: [p, p], groups, weights };
    });

function multiply(a: { rows: number; cols: number; matrix: Float64Array }, b: { rows: number; cols: number; matrix: Float64Array }): Float64Array {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) for (let k = 0; k < a.cols; k++) for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += a.matrix[i * a.cols + k] * b.matrix[k * b.cols + j];
  return out;
}

const close = (a: Float64Array, b: Float64Array) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 9));
};

describe("convolutions", () => {
  it("composeConv gives the same map as multiplying the two dense matrices, whenever it accepts", () => {
    let composed = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 3, max: 7 }), fc.integer({ min: 3, max: 7 }), fc.context(), (inC, h, w, ctx) => {
        const first = fc.sample(convArb(inC, h, w), { seed: h * 31 + w, numRuns: 1 })[0];
        if (!first) return;
        const second = fc.sample(convArb(first.outShape[0], first.outShape[1], first.outShape[2]), { seed: h + w * 17, numRuns: 1 })[0];
        if (!second) return;
        const result = composeConv(first, second);
        ctx.log(JSON.stringify({ first: first.kernel, second: second.kernel, accepted: result !== null }));
        if (!result) return;
        composed++;
        const size = inC * h * w;
        const expected = multiply(toDense({ kind: "conv", conv: second }, first.outShape.reduce((a, b) => a * b, 1), "b"), toDense({ kind: "conv", conv: first }, size, "a"));
        close(toDense({ kind: "conv", conv: result }, size, "ab").matrix, expected);
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect(composed).toBeGreaterThan(10);
  });

  it("sum pooling followed by a convolution composes into one exact convolution (the NIR CNN's case)", () => {
    const pool: ConvSpec = { inShape: [2, 8, 8], outShape: [2, 4, 4], kernel: [2, 2], stride: [2, 2], padding: [0, 0], groups: 2, weights: new Float64Array(8).fill(1) };
    const conv: ConvSpec = { inShape: [2, 4, 4], outShape: [3, 4, 4], kernel: [3, 3], stride: [1, 1], padding: [1, 1], groups: 1, weights: Float64Array.from({ length: 54 }, (_, i) => i - 27) };
    const result = composeConv(pool, conv)!;
    expect(result).not.toBeNull();
    expect([result.kernel, result.stride, result.padding]).toEqual([[6, 6], [2, 2], [2, 2]]);
    close(toDense({ kind: "conv", conv: result }, 128, "x").matrix, multiply(toDense({ kind: "conv", conv }, 32, "c"), toDense({ kind: "conv", conv: pool }, 128, "p")));
  });

  it("a rectangular kernel (Conv1d) embedded in a square one reads the same inputs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 4, max: 9 }), (k, p, length) => {
        const weights = Float64Array.from({ length: 2 * 2 * k }, (_, i) => i + 1);
        const out = convOutput(length, k, 1, p);
        if (out < 1) return;
        const conv: ConvSpec = { inShape: [2, 1, length], outShape: [2, 1, out], kernel: [1, k], stride: [1, 1], padding: [0, p], groups: 1, weights };
        const square = squareKernel(conv);
        if (!square) return; // then the importer falls back to a dense table
        const embedded: ConvSpec = { ...conv, kernel: [square.kernel, square.kernel], stride: [square.stride, square.stride], padding: [square.padding, square.padding], weights: square.weights };
        close(toDense({ kind: "conv", conv: embedded }, 2 * length, "e").matrix, toDense({ kind: "conv", conv }, 2 * length, "c").matrix);
      }),
      { seed: SEED, numRuns: 60 },
    );
    // 'same' padding of an odd kernel always embeds.
    expect(squareKernel({ inShape: [1, 1, 10], outShape: [1, 1, 10], kernel: [1, 5], stride: [1, 1], padding: [0, 2], groups: 1, weights: new Float64Array(5).fill(1) })).not.toBeNull();
  });

  it("a per-channel input scale folds into the kernel; a per-element one falls back to a dense table", () => {
    const conv: ConvSpec = { inShape: [2, 3, 3], outShape: [1, 2, 2], kernel: [2, 2], stride: [1, 1], padding: [0, 0], groups: 1, weights: Float64Array.from({ length: 8 }, (_, i) => i + 1) };
    const perChannel = scaleSignal(identitySignal([2, 3, 3]), Float64Array.from({ length: 18 }, (_, i) => (i < 9 ? 2 : 3)), "s");
    const folded = applyConv(perChannel, conv, "c");
    expect(folded.op.kind).toBe("conv");
    const perElement = applyConv(scaleSignal(identitySignal([2, 3, 3]), Float64Array.from({ length: 18 }, (_, i) => i), "s"), conv, "c");
    expect(perElement.op.kind).toBe("dense");
    const plainConv = toDense({ kind: "conv", conv }, 18, "c");
    close(toDense(folded.op, 18, "f").matrix, plainConv.matrix.map((w, i) => w * ((i % 18) < 9 ? 2 : 3)));
  });
});

it("matrices compose by multiplication, keeping the source's size", () => {
  const a = applyMatrix(identitySignal([3]), 2, 3, Float64Array.of(1, 2, 3, 4, 5, 6), [2], "a");
  const b = applyMatrix(a, 2, 2, Float64Array.of(0, 1, 1, 0), [2], "b");
  expect(b.op).toEqual({ kind: "dense", rows: 2, cols: 3, matrix: Float64Array.of(4, 5, 6, 1, 2, 3) });
  expect(() => applyMatrix(a, 2, 3, new Float64Array(6), [2], "node 'x'")).toThrow("node 'x' has a weight matrix of 2×3 but receives 2 values");
});
