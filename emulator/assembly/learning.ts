/**
 * @fileoverview The learning engine's fast kernel: the three loops that take most of a training
 * sample's time (docs/learning.md §13), in wasm with SIMD where the arithmetic allows it. The engine
 * (emulator/learning/) keeps its hot arrays in this module's memory and calls these per event; its
 * TypeScript kernel (emulator/learning/kernel.ts) is the same arithmetic, and the pinned training
 * checksums (test/learn/chip-pin.test.ts) hold both to the same integers.
 *
 * Memory is owned by the host: it grows this module's memory once, above `heapBase()`, and lays its
 * arrays out from there. Nothing here allocates. Every pointer is a byte offset.
 */

/** First free byte (16-byte aligned): the host's arrays start here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * Synaptic delivery (docs/chip.md §3 phase 2): for each spike k in [start, end), the accumulator
 * row of presynaptic neuron neurons[k] is added to input[0 .. size). Words wrap modulo 2^32, as the
 * chip's 32-bit accumulator; four at a time, then a scalar tail.
 */
export function deliverRows(input: usize, table: usize, neurons: usize, start: i32, end: i32, size: i32): void {
  const rowBytes = <usize>size << 2;
  const vectorBytes = <usize>(size & ~3) << 2;
  for (let k = start; k < end; k++) {
    const row = table + <usize>load<i32>(neurons + (<usize>k << 2)) * rowBytes;
    let offset: usize = 0;
    for (; offset < vectorBytes; offset += 16) {
      v128.store(input + offset, i32x4.add(v128.load(input + offset), v128.load(row + offset)));
    }
    for (; offset < rowBytes; offset += 4) store<i32>(input + offset, load<i32>(input + offset) + load<i32>(row + offset));
  }
}

/**
 * At a spike of neuron i: E_ia −= trunc((c1·Q_a − c2·p_a) / 2^15) for the first `count` slots of its
 * eligibility row (docs/learning.md §11). The traces are unsigned 31-bit and 0 ≤ c < 2^21 (checked
 * when the engine is created), so the difference is exact in 64 bits (and in a double); signed
 * division truncates toward zero; the row keeps E modulo 2^32.
 */
export function accumulateEligibility(row: usize, traceQ: usize, trace: usize, c1: i32, c2: i32, count: i32): void {
  const c1Wide = <i64>c1, c2Wide = <i64>c2;
  const bytes = <usize>count << 2;
  for (let offset: usize = 0; offset < bytes; offset += 4) {
    const drive = c1Wide * <i64>load<i32>(traceQ + offset) - c2Wide * <i64>load<i32>(trace + offset);
    store<i32>(row + offset, load<i32>(row + offset) - <i32>(drive / 32768));
  }
}

/**
 * G_ij += e·E_ia with j = activePre[a], for the first `count` slots (the batch gradient, an f64 row
 * of exact integers; docs/learning.md §11). `gradientRow` and `eligibilityRow` point at neuron i's rows.
 */
export function accumulateGradient(gradientRow: usize, eligibilityRow: usize, activePre: usize, count: i32, error: f64): void {
  for (let a = 0; a < count; a++) {
    const target = gradientRow + (<usize>load<i32>(activePre + (<usize>a << 2)) << 3);
    store<f64>(target, load<f64>(target) + error * <f64>load<i32>(eligibilityRow + (<usize>a << 2)));
  }
}
