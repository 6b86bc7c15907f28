/**
 * @fileoverview Convolution and pooling: a conv2d projection must behave on the chip exactly like
 * the dense projection with the equivalent (independently built) weight matrix, and spike max
 * pooling must pass a spike exactly when some input of its window spiked one step earlier.
 */
import { describe, expect, it } from "vitest";
import { formatNpy } from "../../compiler/arrays.ts";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { buildEncoderTables } from "../../emulator/inputs.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import type { RunResult } from "../../emulator/types.ts";

function compile(text: string, files: Record<string, Uint8Array> = {}): ChipNetwork {
  const result = compileSource(text, "test.snn", { readFile: (path) => files[path] ?? (() => { throw new Error("no such file"); })() });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => d.message)).toEqual([]);
  return result.network!;
}

function run(network: ChipNetwork, steps: number, image: number[]): RunResult {
  const encoders = buildEncoderTables(network, new Map([["image", { shape: [image.length], values: image }]]), steps);
  return createReferenceEmulator(network).run({ steps, encoders });
}

/** Dense [out, in] matrix of a convolution, straight from the definition (output-major). */
function convAsDense(kernel: Float64Array, [inC, inH, inW]: number[], outC: number, k: number, stride: number, padding: number, groups: number): { matrix: Float64Array; outH: number; outW: number } {
  const outH = Math.floor((inH + 2 * padding - k) / stride) + 1;
  const outW = Math.floor((inW + 2 * padding - k) / stride) + 1;
  const inSize = inC * inH * inW;
  const matrix = new Float64Array(outC * outH * outW * inSize);
  const inPerGroup = inC / groups;
  const outPerGroup = outC / groups;
  for (let o = 0; o < outC; o++)
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++)
        for (let ci = 0; ci < inPerGroup; ci++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const y = i * stride - padding + ky;
              const x = j * stride - padding + kx;
              if (y < 0 || y >= inH || x < 0 || x >= inW) continue;
              const c = Math.floor(o / outPerGroup) * inPerGroup + ci;
              const post = (o * outH + i) * outW + j;
              matrix[post * inSize + (c * inH + y) * inW + x] = kernel[((o * inPerGroup + ci) * k + ky) * k + kx];
            }
  return { matrix, outH, outW };
}

function sameSpikes(a: RunResult, b: RunResult): void {
  expect(Array.from(a.spikeSteps)).toEqual(Array.from(b.spikeSteps));
  expect(Array.from(a.spikeNeurons)).toEqual(Array.from(b.spikeNeurons));
  expect(Array.from(a.stepSynapticEvents)).toEqual(Array.from(b.stepSynapticEvents));
}

describe("conv2d", () => {
  const cases = [
    { inC: 2, h: 6, w: 7, outC: 4, k: 3, stride: 1, padding: 1, groups: 1 },
    { inC: 2, h: 9, w: 8, outC: 4, k: 3, stride: 2, padding: 0, groups: 2 },
    { inC: 3, h: 5, w: 5, outC: 3, k: 2, stride: 1, padding: 0, groups: 3 },
  ];
  for (const c of cases) {
    it(`equals the dense matrix it stands for (${JSON.stringify(c)})`, () => {
      const kernelShape = [c.outC, c.inC / c.groups, c.k, c.k];
      const kernel = Float64Array.from({ length: kernelShape.reduce((a, b) => a * b) }, (_, i) => ((i * 37) % 11) / 10 - 0.3);
      const { matrix, outH, outW } = convAsDense(kernel, [c.inC, c.h, c.w], c.outC, c.k, c.stride, c.padding, c.groups);
      const layer = `layer maps[${c.outC}, ${outH}, ${outW}] : lif(tau = 4ms, vth = 1, reset = 0);`;
      const files = { "k.npy": formatNpy(kernel, kernelShape), "m.npy": formatNpy(matrix, [c.outC * outH * outW, c.inC * c.h * c.w]) };
      const net = (connection: string) => compile(`network t { input image[${c.inC}, ${c.h}, ${c.w}] : rate(gain = 0.7); ${layer}
        connect image -> maps : ${connection}; run { steps = 60; seed = 3; } }`, files);
      const conv = net(`conv2d(weight = file("k.npy"), stride = ${c.stride}, padding = ${c.padding}, groups = ${c.groups}, bits = 8, exponent = 0)`);
      const dense = net(`dense(weight = file("m.npy"), bits = 8, exponent = 0)`);
      const image = Array.from({ length: c.inC * c.h * c.w }, (_, i) => ((i * 7) % 10) / 10);
      const a = run(conv, 60, image);
      expect(a.spikeNeurons.length).toBeGreaterThan(50);
      sameSpikes(a, run(dense, 60, image));
    });
  }

  it("gives each output channel its own exponent with exponents = per_channel", () => {
    const kernel = Float64Array.from({ length: 2 * 1 * 3 * 3 }, (_, i) => (i < 9 ? 0.01 : 0.9) * (1 + (i % 3) / 10));
    const net = compile(`network t { input image[1, 4, 4] : rate(); layer maps[2, 2, 2] : lif(tau = 4ms);
      connect image -> maps : conv2d(weight = file("k.npy"), bits = 4, exponents = per_channel); }`, { "k.npy": formatNpy(kernel, [2, 1, 3, 3]) });
    const exponents = net.projections[0].channelExponents!;
    expect(exponents.length).toBe(2);
    expect(exponents[1] - exponents[0]).toBeGreaterThanOrEqual(6); // 90× larger weights: ≥ 6 more binary orders
  });
});

describe("pooling", () => {
  const source = `network t {
    input image[2, 6, 6] : rate(gain = 0.3);
    layer maps[2, 6, 6] : if(vth = 0.5);
    layer pooled[2, 3, 3] : or();
    layer summed[2, 3, 3] : if(vth = 1000);
    connect image -> maps : one_to_one(weight = 1);
    connect maps -> pooled : max_pool(kernel = 2);
    connect maps -> summed : sum_pool(kernel = 2, weight = 1);
    probe summed.v;
    run { steps = 40; seed = 9; } }`;

  it("max pooling passes a spike exactly when any input of the window spiked one step before", () => {
    const net = compile(source);
    const steps = 40;
    const image = Array.from({ length: 72 }, (_, i) => (i % 5) / 4);
    const result = run(net, steps, image);
    const maps = net.populations[1];
    const pooled = net.populations[2];
    const fired = new Set<string>();
    for (let s = 0; s < result.spikeSteps.length; s++) fired.add(`${result.spikeSteps[s]}:${result.spikeNeurons[s]}`);
    let checked = 0;
    for (let t = 1; t < steps; t++)
      for (let c = 0; c < 2; c++)
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) {
            let any = false;
            for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) any ||= fired.has(`${t - 1}:${maps.firstNeuron + (c * 6 + 2 * i + dy) * 6 + 2 * j + dx}`);
            expect(fired.has(`${t}:${pooled.firstNeuron + (c * 3 + i) * 3 + j}`)).toBe(any);
            checked += any ? 1 : 0;
          }
    expect(checked).toBeGreaterThan(100);
  });

  it("sum pooling adds every spike of the window, with the weight, into the target", () => {
    const net = compile(source);
    const result = run(net, 40, Array.from({ length: 72 }, (_, i) => (i % 5) / 4));
    const v = result.probes[0].values; // IF without leak: v counts every spike of the window so far
    const maps = net.populations[1];
    const pool = net.projections[2];
    const unit = pool.connectivity.weights[0] * 2 ** (net.chip.formats.weightShift + pool.weightExponent);
    const count = new Float64Array(18);
    for (let s = 0; s < result.spikeSteps.length; s++) {
      const local = result.spikeNeurons[s] - maps.firstNeuron;
      if (local < 0 || local >= 72 || result.spikeSteps[s] >= 39) continue;
      const c = Math.floor(local / 36), y = Math.floor(local / 6) % 6, x = local % 6;
      count[(c * 3 + Math.floor(y / 2)) * 3 + Math.floor(x / 2)]++;
    }
    expect(count.reduce((a, b) => a + b)).toBeGreaterThan(50);
    for (let n = 0; n < 18; n++) expect(v[39 * 18 + n]).toBe(count[n] * unit);
  });

  it("rejects max pooling into a layer that is not an 'or' layer, and wrong output shapes", () => {
    const bad = (body: string) => compileSource(`network t { input a[1, 4, 4] : rate(); ${body} }`, "t.snn").diagnostics.map((d) => d.code + " " + d.message);
    expect(bad("layer p[1, 2, 2] : if(); connect a -> p : max_pool(kernel = 2);").join()).toMatch(/E107 .*'or' layer/);
    expect(bad("layer p[1, 3, 3] : or(); connect a -> p : max_pool(kernel = 2);").join()).toMatch(/E107 .*output has shape \[1, 2, 2\]/);
    expect(bad("layer p[8] : or(); connect a -> p : max_pool(kernel = 2);").join()).toMatch(/E107 .*feature maps/);
  });
});
