/**
 * @fileoverview The linear maps between neuron layers. Every path of weight nodes from a source
 * population (NIR Affine, Linear, Scale, Conv, pooling, Flatten, Delay) composes into one of three
 * forms, kept as structured as the composition allows:
 *
 * - `diagonal`: signal_i = scale_i · source_i (identity, Scale) → the DSL's `one_to_one`;
 * - `conv`: a 2-D convolution with shared weights (Conv1d as height 1, pooling as a constant
 *   depthwise kernel, two convolutions composed when that is exact) → `conv2d` / `sum_pool`;
 * - `dense`: a matrix → `dense`; anything else is composed into one, up to MAX_DENSE_ENTRIES.
 *
 * Delays ride along: one extra delay for the whole path, plus per-source or per-target steps.
 */
import type { Population, Projection } from "../../compiler/ir.ts";
import { forEachStoredSynapse } from "../../compiler/synapses.ts";
import { NirError, sizeOf } from "./graph.ts";

export interface ConvSpec {
  inShape: [number, number, number];
  outShape: [number, number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  groups: number;
  /** [C_out, C_in / groups, kernel[0], kernel[1]], row-major (NIR's and the DSL's layout). */
  weights: Float64Array;
}

export type Operator =
  | { kind: "diagonal"; scale: Float64Array }
  | { kind: "conv"; conv: ConvSpec }
  | { kind: "dense"; rows: number; cols: number; matrix: Float64Array };

/** The map from a source population to the signal at some point of a path. */
export interface Signal {
  op: Operator;
  /** Shape of the signal at this point (its size is the operator's row count). */
  shape: number[];
  sourceSize: number;
  /** Extra delay in steps on every synapse of the path. */
  delaySteps: number;
  /** Extra steps per source neuron, or null. */
  preDelay: Int32Array | null;
  /** Extra steps per signal element (target neuron), or null. */
  postDelay: Int32Array | null;
}

/** Composed dense tables larger than this are refused (a 16-bit table would take 32 MB). */
export const MAX_DENSE_ENTRIES = 1 << 24;

export function identitySignal(shape: number[]): Signal {
  const size = sizeOf(shape);
  return { op: { kind: "diagonal", scale: new Float64Array(size).fill(1) }, shape, sourceSize: size, delaySteps: 0, preDelay: null, postDelay: null };
}

/** A signal that is the constant source (one always-firing neuron) times `bias`. */
export function biasSignal(bias: Float64Array, shape: number[]): Signal {
  return { op: { kind: "dense", rows: bias.length, cols: 1, matrix: Float64Array.from(bias) }, shape, sourceSize: 1, delaySteps: 0, preDelay: null, postDelay: null };
}

export function signalSize(signal: Signal): number {
  return sizeOf(signal.shape);
}

export function reshape(signal: Signal, shape: number[], where: string): Signal {
  if (sizeOf(shape) !== signalSize(signal)) throw new NirError(`${where} expects ${sizeOf(shape)} values but receives ${signalSize(signal)}`);
  return { ...signal, shape };
}

/** Element-wise scaling (NIR Scale, or a target layer's input factor); `scale` of length 1 broadcasts. */
export function scaleSignal(signal: Signal, scale: Float64Array, where: string): Signal {
  const n = signalSize(signal);
  if (scale.length !== 1 && scale.length !== n) throw new NirError(`${where} scales ${scale.length} values but receives ${n}`);
  const s = (i: number) => (scale.length === 1 ? scale[0] : scale[i]);
  const op = signal.op;
  if (op.kind === "diagonal") return { ...signal, op: { kind: "diagonal", scale: op.scale.map((v, i) => v * s(i)) } };
  if (op.kind === "conv") {
    const perChannel = channelScale(scale, op.conv.outShape);
    if (perChannel) {
      const block = op.conv.weights.length / op.conv.outShape[0];
      return { ...signal, op: { kind: "conv", conv: { ...op.conv, weights: op.conv.weights.map((w, i) => w * perChannel[Math.floor(i / block)]) } } };
    }
  }
  const dense = toDense(op, signal.sourceSize, where);
  return { ...signal, op: { ...dense, matrix: dense.matrix.map((w, i) => w * s(Math.floor(i / dense.cols))) } };
}

/** One factor per output channel when `scale` is constant within each channel, else null. */
function channelScale(scale: Float64Array, outShape: [number, number, number]): Float64Array | null {
  if (scale.length === 1) return new Float64Array(outShape[0]).fill(scale[0]);
  const plane = outShape[1] * outShape[2];
  const out = new Float64Array(outShape[0]);
  for (let c = 0; c < outShape[0]; c++) {
    out[c] = scale[c * plane];
    for (let i = 1; i < plane; i++) if (scale[c * plane + i] !== out[c]) return null;
  }
  return out;
}

/** y = W·x for a matrix W (rows × cols), as Affine/Linear do. */
export function applyMatrix(signal: Signal, rows: number, cols: number, weights: Float64Array, shape: number[], where: string): Signal {
  const n = signalSize(signal);
  if (cols !== n) throw new NirError(`${where} has a weight matrix of ${rows}×${cols} but receives ${n} values`);
  assertMixable(signal, where);
  const op = signal.op;
  const S = signal.sourceSize;
  if (op.kind === "diagonal") {
    const matrix = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) matrix[r * cols + c] = weights[r * cols + c] * op.scale[c];
    return moved(signal, { kind: "dense", rows, cols, matrix }, shape);
  }
  const inner = toDense(op, S, where);
  guardSize(rows, S, where);
  const matrix = new Float64Array(rows * S);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < cols; k++) {
      const w = weights[r * cols + k];
      if (w === 0) continue;
      for (let c = 0; c < S; c++) matrix[r * S + c] += w * inner.matrix[k * S + c];
    }
  }
  return moved(signal, { kind: "dense", rows, cols: S, matrix }, shape);
}

/** y = conv(x). The signal must have conv.inShape's size. */
export function applyConv(signal: Signal, conv: ConvSpec, where: string): Signal {
  const n = signalSize(signal);
  if (sizeOf(conv.inShape) !== n) throw new NirError(`${where} expects an input of shape [${conv.inShape.join(", ")}] (${sizeOf(conv.inShape)} values) but receives ${n}`);
  assertMixable(signal, where);
  const op = signal.op;
  if (op.kind === "diagonal") {
    // Shared weights survive a per-channel input scale: fold it into the kernel's input channels.
    const perChannel = channelScale(op.scale, conv.inShape);
    if (perChannel) return moved(signal, { kind: "conv", conv: scaleInputChannels(conv, perChannel) }, conv.outShape);
  }
  if (op.kind === "conv") {
    const composed = composeConv(op.conv, conv);
    if (composed) return moved(signal, { kind: "conv", conv: composed }, conv.outShape);
  }
  const matrix = toDense({ kind: "conv", conv }, n, where);
  return applyMatrix(signal, matrix.rows, matrix.cols, matrix.matrix, conv.outShape, where);
}

function scaleInputChannels(conv: ConvSpec, perChannel: Float64Array): ConvSpec {
  const inPerGroup = conv.inShape[0] / conv.groups;
  const outPerGroup = conv.outShape[0] / conv.groups;
  const taps = conv.kernel[0] * conv.kernel[1];
  const weights = conv.weights.map((w, index) => {
    const o = Math.floor(index / (inPerGroup * taps));
    const ci = Math.floor(index / taps) % inPerGroup;
    return w * perChannel[Math.floor(o / outPerGroup) * inPerGroup + ci];
  });
  return { ...conv, weights };
}

/** Adds per-element delays (a NIR Delay node) in steps. */
export function applyDelay(signal: Signal, steps: Int32Array, where: string): Signal {
  const n = signalSize(signal);
  if (steps.length !== 1 && steps.length !== n) throw new NirError(`${where} delays ${steps.length} values but receives ${n}`);
  if (steps.every((s) => s === steps[0])) return { ...signal, delaySteps: signal.delaySteps + steps[0] };
  const full = steps.length === 1 ? new Int32Array(n).fill(steps[0]) : steps;
  if (signal.op.kind === "diagonal") {
    const pre = signal.preDelay ?? new Int32Array(n);
    return { ...signal, preDelay: pre.map((d, i) => d + full[i]) };
  }
  const post = signal.postDelay ?? new Int32Array(n);
  return { ...signal, postDelay: post.map((d, i) => d + full[i]) };
}

/** A mixing node after per-target delays would give one synapse several delays. */
function assertMixable(signal: Signal, where: string): void {
  if (signal.postDelay) throw new NirError(`${where} follows a Delay with different delays per element that itself follows a weight node; the composed synapses would need several delays each`);
}

function moved(signal: Signal, op: Operator, shape: number[]): Signal {
  return { ...signal, op, shape };
}

function guardSize(rows: number, cols: number, where: string): void {
  if (rows * cols > MAX_DENSE_ENTRIES) {
    throw new NirError(`${where}: composing this path of weight nodes needs a dense table of ${rows}×${cols} entries (more than ${MAX_DENSE_ENTRIES}); put a neuron layer between the weight nodes`);
  }
}

/** The operator as a dense matrix [rows × sourceSize]. */
export function toDense(op: Operator, sourceSize: number, where: string): Extract<Operator, { kind: "dense" }> {
  if (op.kind === "dense") return op;
  if (op.kind === "diagonal") {
    const n = op.scale.length;
    guardSize(n, n, where);
    const matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) matrix[i * n + i] = op.scale[i];
    return { kind: "dense", rows: n, cols: n, matrix };
  }
  const { conv } = op;
  const rows = sizeOf(conv.outShape);
  guardSize(rows, sourceSize, where);
  const matrix = new Float64Array(rows * sourceSize);
  forEachConvTap(conv, (pre, post, k) => (matrix[post * sourceSize + pre] += conv.weights[k]));
  return { kind: "dense", rows, cols: sourceSize, matrix };
}

/** Every (input, output, weight index) of a convolution, zeros included, by the compiler's own walk. */
export function forEachConvTap(conv: ConvSpec, visit: (pre: number, post: number, weightIndex: number) => void): void {
  // The compiler skips zero mantissas; index + 1 is never zero, so every tap is visited.
  const weights = Int32Array.from({ length: conv.weights.length }, (_, i) => i + 1);
  const projection = { connectivity: { kind: "conv2d", kernel: conv.kernel, stride: conv.stride, padding: conv.padding, groups: conv.groups, weights } } as unknown as Projection;
  const population = (shape: number[]) => ({ shape, size: sizeOf(shape) }) as Population;
  forEachStoredSynapse(projection, population(conv.inShape), population(conv.outShape), (pre, post, index) => visit(pre, post, weights[index] - 1));
}

/** Output size of a convolution along one axis. */
export function convOutput(input: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((input + 2 * padding - kernel) / stride) + 1;
}

/** The same convolution with groups = 1 (cross-group taps are zero). */
function ungroup(conv: ConvSpec): ConvSpec {
  if (conv.groups === 1) return conv;
  const [outC] = conv.outShape;
  const inC = conv.inShape[0];
  const inPerGroup = inC / conv.groups;
  const outPerGroup = outC / conv.groups;
  const taps = conv.kernel[0] * conv.kernel[1];
  const weights = new Float64Array(outC * inC * taps);
  for (let o = 0; o < outC; o++) {
    const first = Math.floor(o / outPerGroup) * inPerGroup;
    for (let ci = 0; ci < inPerGroup; ci++) {
      for (let t = 0; t < taps; t++) weights[(o * inC + first + ci) * taps + t] = conv.weights[(o * inPerGroup + ci) * taps + t];
    }
  }
  return { ...conv, groups: 1, weights };
}

/**
 * B∘A as one convolution (kernel kA + (kB − 1)·sA, stride sA·sB, padding pA + pB·sA), or null when
 * that is not exact: B's zero padding must correspond to input positions outside A's input, and the
 * output sizes must agree. Pooling followed by a convolution is the usual case.
 */
export function composeConv(first: ConvSpec, second: ConvSpec): ConvSpec | null {
  const a = ungroup(first);
  const b = ungroup(second);
  const kernel: [number, number] = [0, 0];
  const stride: [number, number] = [0, 0];
  const padding: [number, number] = [0, 0];
  for (const d of [0, 1] as const) {
    kernel[d] = a.kernel[d] + (b.kernel[d] - 1) * a.stride[d];
    stride[d] = a.stride[d] * b.stride[d];
    padding[d] = a.padding[d] + b.padding[d] * a.stride[d];
    const input = a.inShape[d + 1];
    const middle = a.outShape[d + 1];
    if (convOutput(input, kernel[d], stride[d], padding[d]) !== b.outShape[d + 1]) return null;
    // Every padded middle position B reads must see only A's padding (inputs outside 0..input).
    const last = (b.outShape[d + 1] - 1) * b.stride[d] - b.padding[d] + b.kernel[d] - 1;
    for (let m = -b.padding[d]; m <= last; m++) {
      if (m >= 0 && m < middle) continue;
      const low = m * a.stride[d] - a.padding[d];
      if (low + a.kernel[d] > 0 && low < input) return null;
    }
  }
  const [outC] = b.outShape;
  const [midC] = a.outShape;
  const inC = a.inShape[0];
  const weights = new Float64Array(outC * inC * kernel[0] * kernel[1]);
  for (let o = 0; o < outC; o++) {
    for (let m = 0; m < midC; m++) {
      for (let by = 0; by < b.kernel[0]; by++) {
        for (let bx = 0; bx < b.kernel[1]; bx++) {
          const wb = b.weights[((o * midC + m) * b.kernel[0] + by) * b.kernel[1] + bx];
          if (wb === 0) continue;
          for (let c = 0; c < inC; c++) {
            for (let ay = 0; ay < a.kernel[0]; ay++) {
              for (let ax = 0; ax < a.kernel[1]; ax++) {
                const y = by * a.stride[0] + ay;
                const x = bx * a.stride[1] + ax;
                weights[((o * inC + c) * kernel[0] + y) * kernel[1] + x] += wb * a.weights[((m * inC + c) * a.kernel[0] + ay) * a.kernel[1] + ax];
              }
            }
          }
        }
      }
    }
  }
  return { inShape: a.inShape, outShape: b.outShape, kernel, stride, padding, groups: 1, weights };
}
