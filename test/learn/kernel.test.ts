/**
 * @fileoverview The learning engine's two kernels (emulator/learning/kernel.ts) agree word for word on
 * random inputs, including the edges the chip-pin checksums may never reach: rows whose length is not
 * a multiple of four (the SIMD tail), accumulator words that wrap modulo 2^32, traces at their
 * 31-bit limit with the largest coefficients, and eligibility words that wrap.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createTypeScriptKernel, createWasmKernel, plannedBytes, type LearningKernel } from "../../emulator/learning/kernel.ts";
import { loadLearningKernel } from "../../emulator/wasm-node.ts";
import { COEFFICIENT_LIMIT } from "../../emulator/learning/state.ts";

let module: WebAssembly.Module;
beforeAll(async () => {
  module = await loadLearningKernel();
});

const INT32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const TRACE = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(0, 2 ** 31 - 1));
const COEFFICIENT = fc.oneof(fc.integer({ min: 0, max: COEFFICIENT_LIMIT - 1 }), fc.constant(COEFFICIENT_LIMIT - 1));

/** Copies `values` into a new array of the kernel (the wasm kernel works only on its own memory). */
function int32In(kernel: LearningKernel, values: number[]): Int32Array {
  const array = kernel.int32(values.length);
  array.set(values);
  return array;
}

function wasmKernelFor(int32Lengths: number[], float64Lengths: number[] = []): LearningKernel {
  return createWasmKernel(module, plannedBytes(int32Lengths, float64Lengths));
}

describe("learning kernels: wasm = TypeScript, word for word", () => {
  it("deliverRows: accumulator rows added per spike, wrapping modulo 2^32 (any row length)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 6 }), fc.array(INT32, { minLength: 150, maxLength: 150 }),
      fc.array(fc.nat(), { maxLength: 12 }), fc.array(INT32, { minLength: 23, maxLength: 23 }),
      (size, preSize, tableWords, spikes, inputWords) => {
        const table = tableWords.slice(0, size * preSize);
        const neurons = spikes.map((n) => n % preSize);
        const input = inputWords.slice(0, size);
        const results = [createTypeScriptKernel(), wasmKernelFor([size, size * preSize, neurons.length])].map((kernel) => {
          const into = int32In(kernel, input);
          kernel.deliverRows(into, int32In(kernel, table), int32In(kernel, neurons), 0, neurons.length, size);
          return Array.from(into);
        });
        expect(results[1]).toEqual(results[0]);
      },
    ), { numRuns: 200 });
  });

  it("accumulateEligibility: trunc((c1·Q − c2·p) / 2^15) exact at the largest traces and coefficients, E wrapping", () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(TRACE, TRACE, INT32), { minLength: 1, maxLength: 17 }), COEFFICIENT, COEFFICIENT, fc.nat(3),
      (slots, c1, c2, row) => {
        const count = slots.length, rowLength = count + 3;
        const results = [createTypeScriptKernel(), wasmKernelFor([rowLength * 4, count, count])].map((kernel) => {
          const eligibility = kernel.int32(rowLength * 4);
          eligibility.set(slots.map(([, , e]) => e), row * rowLength);
          kernel.accumulateEligibility(eligibility, row * rowLength, int32In(kernel, slots.map(([q]) => q)), int32In(kernel, slots.map(([, p]) => p)), c1, c2, count);
          return Array.from(eligibility);
        });
        expect(results[1]).toEqual(results[0]);
      },
    ), { numRuns: 300 });
  });

  it("accumulateGradient: G[j] += e·E over the active slots, in f64", () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.nat(29), { minLength: 1, maxLength: 30 }), fc.array(INT32, { minLength: 30, maxLength: 30 }),
      fc.integer({ min: -(2 ** 24), max: 2 ** 24 }), fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { minLength: 30, maxLength: 30 }),
      (activePre, eligibilityWords, error, gradientStart) => {
        const results = [createTypeScriptKernel(), wasmKernelFor([30, activePre.length], [60])].map((kernel) => {
          const gradient = kernel.float64(60);
          gradient.set(gradientStart, 30);
          kernel.accumulateGradient(gradient, 30, int32In(kernel, eligibilityWords), 0, int32In(kernel, activePre), activePre.length, error);
          return Array.from(gradient);
        });
        expect(results[1]).toEqual(results[0]);
      },
    ), { numRuns: 200 });
  });

  it("the wasm kernel refuses an array outside its memory and a plan that is too small", () => {
    const kernel = wasmKernelFor([4, 4, 1]);
    const input = kernel.int32(4);
    const table = kernel.int32(4);
    expect(() => kernel.deliverRows(input, table, new Int32Array(1), 0, 1, 4)).toThrow(/outside the kernel's memory/);
    expect(() => kernel.int32(1 + 65536 * 4)).toThrow(/memory plan too small/);
  });
});
