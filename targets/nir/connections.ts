/**
 * @fileoverview A composed path (targets/nir/operators.ts) → one `connect` statement of the DSL:
 * `one_to_one` for a diagonal, `sum_pool` for a constant depthwise kernel, `conv2d` when the kernel
 * fits the DSL's square kernel/stride/padding (a Conv1d or a rectangular kernel is embedded in a
 * square one with zero taps when that gives the same outputs), else `dense`. Delays: one per
 * connection (`delay = d·dt`), or a per-synapse delay file (dense and one_to_one only).
 */
import type { SnnBuilder } from "../printers/snn.ts";
import { formatNumber } from "../printers/snn.ts";
import { sizeOf } from "./graph.ts";
import { convOutput, toDense, type ConvSpec, type Signal } from "./operators.ts";

export interface Endpoint {
  id: string;
  shape: number[];
}

export interface ConnectionOptions {
  bits: number;
  dtMs: number;
  /** A comment saying which NIR nodes the connection came from. */
  origin: string;
  /** Stem for weight files. */
  stem: string;
}

/** Writes the statement; returns false when every weight is zero (nothing to connect). */
export function emitConnection(b: SnnBuilder, source: Endpoint, target: Endpoint, signal: Signal, options: ConnectionOptions): boolean {
  let op = signal.op;
  const perSynapseDelays = signal.preDelay !== null || signal.postDelay !== null;
  const common = `bits = ${options.bits}${delayArgument(signal, options)}`;
  const say = (text: string) => {
    b.comment(options.origin);
    b.line(`  connect ${source.id} -> ${target.id} : ${text};`);
    return true;
  };
  if (op.kind === "conv" && !perSynapseDelays) {
    const call = convCall(b, op.conv, source, target, options.stem);
    if (call) return say(`${call.kind}(${call.args}, ${common})`);
  }
  if (op.kind === "diagonal" && sizeOf(source.shape) === sizeOf(target.shape)) {
    if (op.scale.every((w) => w === 0)) return false;
    const delay = perSynapseDelays ? `, delay = ${b.values(synapseDelays(signal, "diagonal", options.dtMs), [op.scale.length], `${options.stem}_delay`, "ms")}` : "";
    return say(`one_to_one(weight = ${b.values(op.scale, [op.scale.length], options.stem)}, bits = ${options.bits}${perSynapseDelays ? delay : delayArgument(signal, options)})`);
  }
  op = toDense(op, signal.sourceSize, options.origin);
  if (op.matrix.every((w) => w === 0)) return false;
  const shape = [op.rows, op.cols];
  const delay = perSynapseDelays ? `, delay = ${b.values(synapseDelays(signal, "dense", options.dtMs, op.cols), shape, `${options.stem}_delay`, "ms")}` : "";
  return say(`dense(weight = ${b.values(op.matrix, shape, options.stem)}, bits = ${options.bits}${perSynapseDelays ? delay : delayArgument(signal, options)})`);
}

/** `, delay = …ms` for a path with one delay (NIR's delay adds to the chip's one-step minimum). */
function delayArgument(signal: Signal, options: ConnectionOptions): string {
  const steps = 1 + signal.delaySteps;
  return steps === 1 ? "" : `, delay = ${formatNumber(steps * options.dtMs)}ms`;
}

/** Per-synapse delays in ms, in the order of the weights ([target, source] for dense). */
function synapseDelays(signal: Signal, layout: "diagonal" | "dense", dtMs: number, cols = 0): Float64Array {
  const pre = (i: number) => signal.preDelay?.[i] ?? 0;
  const post = (i: number) => signal.postDelay?.[i] ?? 0;
  const ms = (steps: number) => (1 + signal.delaySteps + steps) * dtMs;
  if (layout === "diagonal") return Float64Array.from({ length: signal.sourceSize }, (_, i) => ms(pre(i) + post(i)));
  const rows = sizeOf(signal.shape);
  return Float64Array.from({ length: rows * cols }, (_, k) => ms(pre(k % cols) + post(Math.floor(k / cols))));
}

/** `sum_pool` or `conv2d` and its arguments (without bits/delay), or null when the DSL cannot express it. */
function convCall(b: SnnBuilder, conv: ConvSpec, source: Endpoint, target: Endpoint, stem: string): { kind: string; args: string } | null {
  if (!sameShape(source.shape, conv.inShape) || !sameShape(target.shape, conv.outShape)) return null;
  const square = squareKernel(conv);
  if (!square) return null;
  const { kernel, stride, padding, weights } = square;
  const [inC] = conv.inShape;
  const [outC] = conv.outShape;
  const pool = conv.groups === inC && inC === outC && weights.every((w) => w === weights[0]) && conv.kernel[0] === kernel && conv.kernel[1] === kernel;
  if (pool) return { kind: "sum_pool", args: `kernel = ${kernel}, stride = ${stride}, padding = ${padding}, weight = ${formatNumber(weights[0])}` };
  const file = b.values(weights, [outC, inC / conv.groups, kernel, kernel], stem);
  return { kind: "conv2d", args: `weight = ${file}, kernel = ${kernel}, stride = ${stride}, padding = ${padding}, groups = ${conv.groups}` };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The convolution with one square kernel k, one stride and one padding, if there is one: the
 * original kernel sits at an offset inside the k×k kernel (the other taps are zero), and each output
 * reads the same inputs. A stride may differ only along an axis with a single output.
 */
export function squareKernel(conv: ConvSpec): { kernel: number; stride: number; padding: number; weights: Float64Array } | null {
  const [kh, kw] = conv.kernel;
  const start = Math.max(kh, kw);
  for (const stride of new Set(conv.stride)) {
    for (let k = start; k <= start + 2 * Math.max(...conv.padding) + 2; k++) {
      for (let p = 0; p <= k; p++) {
        const offsets = [0, 1].map((d) => p - conv.padding[d]);
        const fits = [0, 1].every((d) => {
          const o = offsets[d];
          if (o < 0 || o > k - conv.kernel[d]) return false;
          const out = conv.outShape[d + 1];
          if (convOutput(conv.inShape[d + 1], k, stride, p) !== out) return false;
          return conv.stride[d] === stride || out === 1;
        });
        if (fits) return { kernel: k, stride, padding: p, weights: embed(conv, k, offsets[0], offsets[1]) };
      }
    }
  }
  return null;
}

function embed(conv: ConvSpec, k: number, dy: number, dx: number): Float64Array {
  const [kh, kw] = conv.kernel;
  if (kh === k && kw === k) return conv.weights;
  const blocks = conv.weights.length / (kh * kw);
  const out = new Float64Array(blocks * k * k);
  for (let blk = 0; blk < blocks; blk++) {
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[(blk * k + y + dy) * k + x + dx] = conv.weights[(blk * kh + y) * kw + x];
  }
  return out;
}
