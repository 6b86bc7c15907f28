/**
 * @fileoverview The learning engine's hot loops and the memory they run on, in two implementations
 * of one arithmetic: TypeScript (the readable one, and the default: it runs anywhere) and wasm
 * (emulator/assembly/learning.ts, SIMD delivery). The engine allocates the arrays these loops touch
 * through its kernel, so the wasm kernel works on them in place. Browser-safe: the wasm kernel takes
 * a compiled module; reading the file is the edge's job (emulator/wasm-node.ts).
 *
 * Both kernels give the same integers: test/learn/chip-pin.test.ts trains with each and requires the
 * same pinned checksums.
 */

export type KernelName = "typescript" | "wasm";

export interface LearningKernel {
  readonly name: KernelName;
  /** A zeroed array in the kernel's memory (a plain array for the TypeScript kernel). */
  int32(length: number): Int32Array;
  float64(length: number): Float64Array;
  /** input[i] += table[neurons[k]·size + i] for k in [start, end), i < size; words wrap modulo 2^32. */
  deliverRows(input: Int32Array, table: Int32Array, neurons: Int32Array, start: number, end: number, size: number): void;
  /** eligibility[row + a] −= trunc((c1·traceQ[a] − c2·trace[a]) / 2^15) for a < count, modulo 2^32. */
  accumulateEligibility(eligibility: Int32Array, row: number, traceQ: Int32Array, trace: Int32Array, c1: number, c2: number, count: number): void;
  /** gradient[gradientRow + activePre[a]] += error·eligibility[eligibilityRow + a] for a < count (f64). */
  accumulateGradient(gradient: Float64Array, gradientRow: number, eligibility: Int32Array, eligibilityRow: number, activePre: Int32Array, count: number, error: number): void;
}

/** 1/2^15: multiplying by the inverse of a power of two is exact, and faster than dividing. */
const ELIGIBILITY_SCALE = 2 ** -15;

export function createTypeScriptKernel(): LearningKernel {
  return {
    name: "typescript",
    int32: (length) => new Int32Array(length),
    float64: (length) => new Float64Array(length),
    deliverRows(input, table, neurons, start, end, size) {
      for (let k = start; k < end; k++) {
        const row = neurons[k] * size;
        for (let i = 0; i < size; i++) input[i] += table[row + i]; // the Int32Array store wraps
      }
    },
    accumulateEligibility(eligibility, row, traceQ, trace, c1, c2, count) {
      // c < 2^21 (COEFFICIENT_LIMIT), trace < 2^31: c·trace is exact in a double, as is the scaling;
      // the Int32Array store keeps E modulo 2^32.
      for (let a = 0; a < count; a++) eligibility[row + a] -= Math.trunc((c1 * traceQ[a] - c2 * trace[a]) * ELIGIBILITY_SCALE);
    },
    accumulateGradient(gradient, gradientRow, eligibility, eligibilityRow, activePre, count, error) {
      for (let a = 0; a < count; a++) gradient[gradientRow + activePre[a]] += error * eligibility[eligibilityRow + a];
    },
  };
}

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  deliverRows(input: number, table: number, neurons: number, start: number, end: number, size: number): void;
  accumulateEligibility(row: number, traceQ: number, trace: number, c1: number, c2: number, count: number): void;
  accumulateGradient(gradientRow: number, eligibilityRow: number, activePre: number, count: number, error: number): void;
}

const PAGE_BYTES = 65536;

/**
 * A wasm kernel with room for `bytes` of arrays. Its memory grows once, here: growing later would
 * detach every array already handed out, so the caller plans the total (learningMemoryBytes).
 */
export function createWasmKernel(module: WebAssembly.Module, bytes: number): LearningKernel {
  const instance = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error("learning kernel aborted"); } } });
  const wasm = instance.exports as unknown as KernelExports;
  let next = wasm.heapBase();
  const end = next + bytes;
  const missing = Math.ceil((end - wasm.memory.buffer.byteLength) / PAGE_BYTES);
  if (missing > 0) wasm.memory.grow(missing);
  const take = (byteLength: number): number => {
    const at = next;
    next = at + Math.ceil(byteLength / 16) * 16;
    if (next > end) throw new Error(`learning kernel memory plan too small: ${bytes} bytes planned (learningMemoryBytes)`);
    return at;
  };
  const buffer = wasm.memory.buffer; // never grows again, so never detached
  // A view of another buffer would make the kernel read and write the wrong words: refuse it.
  const own = (a: ArrayBufferView, b: ArrayBufferView, c: ArrayBufferView) => {
    if (a.buffer !== buffer || b.buffer !== buffer || c.buffer !== buffer) throw new Error("learning kernel: an array outside the kernel's memory");
  };
  return {
    name: "wasm",
    int32: (length) => new Int32Array(buffer, take(length * 4), length),
    float64: (length) => new Float64Array(buffer, take(length * 8), length),
    deliverRows(input, table, neurons, start, end, size) {
      own(input, table, neurons);
      wasm.deliverRows(input.byteOffset, table.byteOffset, neurons.byteOffset, start, end, size);
    },
    accumulateEligibility(eligibility, row, traceQ, trace, c1, c2, count) {
      own(eligibility, traceQ, trace);
      wasm.accumulateEligibility(eligibility.byteOffset + 4 * row, traceQ.byteOffset, trace.byteOffset, c1, c2, count);
    },
    accumulateGradient(gradient, gradientRow, eligibility, eligibilityRow, activePre, count, error) {
      own(gradient, eligibility, activePre);
      wasm.accumulateGradient(gradient.byteOffset + 8 * gradientRow, eligibility.byteOffset + 4 * eligibilityRow, activePre.byteOffset, count, error);
    },
  };
}

/** Rounds each array to the allocator's 16-byte grain. */
export function plannedBytes(int32Lengths: number[], float64Lengths: number[]): number {
  const grain = (bytes: number) => Math.ceil(bytes / 16) * 16;
  return int32Lengths.reduce((sum, n) => sum + grain(4 * n), 0) + float64Lengths.reduce((sum, n) => sum + grain(8 * n), 0);
}
