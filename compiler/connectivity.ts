/**
 * @fileoverview Builds the synapses of one connection in floating point: which pairs are connected
 * (dense, sparse with probability p, one-to-one), their weights and delays, drawn from the seeded
 * streams documented in docs/ir.md ("Random draws"). Quantization happens afterwards.
 */
import type { CheckedConnection, Initializer } from "./checked.ts";
import { Random } from "./random.ts";

export interface FloatSynapses {
  kind: "dense" | "sparse" | "oneToOne" | "conv2d";
  /** sparse: CSR by presynaptic neuron. */
  rowStart: Int32Array | null;
  post: Int32Array | null;
  /** dense: [post × sourceSize + pre]; sparse: CSR order; oneToOne: [i]; conv2d: the kernel [C', C/g, kh, kw]. */
  weights: Float64Array;
  /** Per-synapse delay in ms (same order as weights), or null when the delay is fixed. */
  delaysMs: Float64Array | null;
}

/** Fills `count` values from an initialiser (a `values` initialiser is indexed by `indexOf`). */
export function sample(init: Initializer, count: number, random: Random, indexOf: (i: number) => number = (i) => i): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (init.kind) {
      case "constant":
        out[i] = init.value;
        break;
      case "uniform":
        out[i] = init.low + (init.high - init.low) * random.uniform();
        break;
      case "normal":
        out[i] = init.mean + init.std * random.normal();
        break;
      case "values":
        out[i] = init.values[indexOf(i)];
        break;
    }
  }
  return out;
}

export function buildSynapses(connection: CheckedConnection, sourceShape: number[], targetShape: number[], networkSeed: number): FloatSynapses {
  const sourceSize = sourceShape.reduce((a, b) => a * b, 1);
  const targetSize = targetShape.reduce((a, b) => a * b, 1);
  const label = connection.name.replace(/#\d+$/, "");
  const weightRandom = new Random(networkSeed, `${label}.weight`);
  const delayRandom = new Random(networkSeed, `${label}.delay`);
  const delaysOf = (count: number, indexOf?: (i: number) => number) =>
    connection.delay.kind === "random" ? sample(connection.delay.initializerMs, count, delayRandom, indexOf) : null;

  if (connection.kind === "conv2d") {
    const { kernel, groups } = connection.conv!;
    const count = targetShape[0] * (sourceShape[0] / groups) * kernel[0] * kernel[1];
    return { kind: "conv2d", rowStart: null, post: null, weights: sample(connection.weight, count, weightRandom), delaysMs: null };
  }
  if (connection.kind === "oneToOne") {
    return { kind: "oneToOne", rowStart: null, post: null, weights: sample(connection.weight, targetSize, weightRandom), delaysMs: delaysOf(targetSize) };
  }
  if (connection.kind === "dense") {
    const count = targetSize * sourceSize;
    return { kind: "dense", rowStart: null, post: null, weights: sample(connection.weight, count, weightRandom), delaysMs: delaysOf(count) };
  }
  const { rowStart, post } = drawSparse(sourceSize, targetSize, connection.probability, connection.allowSelf || connection.source !== connection.target, new Random(connection.seed, `${label}.connectivity`));
  // A weight file for a sparse connection is a dense [target × source] matrix; pick the drawn entries.
  const preOf = new Int32Array(post.length);
  for (let pre = 0; pre < sourceSize; pre++) preOf.fill(pre, rowStart[pre], rowStart[pre + 1]);
  const denseIndex = (i: number) => post[i] * sourceSize + preOf[i];
  return {
    kind: "sparse",
    rowStart,
    post,
    weights: sample(connection.weight, post.length, weightRandom, denseIndex),
    delaysMs: delaysOf(post.length, denseIndex),
  };
}

/**
 * Bernoulli(p) connectivity, row by row, drawn by geometric skipping so that the cost is
 * proportional to the number of synapses rather than source × target.
 */
function drawSparse(sourceSize: number, targetSize: number, p: number, allowSelf: boolean, random: Random): { rowStart: Int32Array; post: Int32Array } {
  const rowStart = new Int32Array(sourceSize + 1);
  const posts: number[] = [];
  const logMiss = Math.log1p(-p);
  for (let pre = 0; pre < sourceSize; pre++) {
    rowStart[pre] = posts.length;
    if (p >= 1) {
      for (let j = 0; j < targetSize; j++) if (allowSelf || j !== pre) posts.push(j);
      continue;
    }
    if (p <= 0) continue;
    let j = -1;
    for (;;) {
      j += 1 + Math.floor(Math.log(1 - random.uniform()) / logMiss);
      if (j >= targetSize) break;
      if (allowSelf || j !== pre) posts.push(j);
    }
  }
  rowStart[sourceSize] = posts.length;
  return { rowStart, post: Int32Array.from(posts) };
}
