/**
 * @fileoverview Enumerates the synapses a projection stores, whatever its connectivity kind, as
 * (pre, post, weight index) triples with local neuron indices. Used for placement demand, fan-out
 * checks, reports and exporters; emulators walk connectivity their own way.
 */
import type { Connectivity, Population, Projection } from "./ir.ts";

export type SynapseVisitor = (pre: number, post: number, weightIndex: number) => void;

/** Visits every synapse with a non-zero mantissa. */
export function forEachStoredSynapse(projection: Projection, source: Population, target: Population, visit: SynapseVisitor): void {
  const c = projection.connectivity;
  switch (c.kind) {
    case "dense":
      for (let post = 0; post < target.size; post++) {
        for (let pre = 0; pre < source.size; pre++) if (c.weights[post * source.size + pre] !== 0) visit(pre, post, post * source.size + pre);
      }
      return;
    case "sparse":
      for (let pre = 0; pre < source.size; pre++) {
        for (let k = c.rowStart[pre]; k < c.rowStart[pre + 1]; k++) if (c.weights[k] !== 0) visit(pre, c.post[k], k);
      }
      return;
    case "oneToOne":
      for (let i = 0; i < source.size; i++) if (c.weights[i] !== 0) visit(i, i, i);
      return;
    case "conv2d":
      forEachConvSynapse(c, source.shape, target.shape, visit);
      return;
  }
}

/** Output-major walk of a convolution: for each output (o, i, j), its receptive field. */
function forEachConvSynapse(c: Extract<Connectivity, { kind: "conv2d" }>, sourceShape: number[], targetShape: number[], visit: SynapseVisitor): void {
  const [inChannels, inHeight, inWidth] = sourceShape;
  const [outChannels, outHeight, outWidth] = targetShape;
  const [kh, kw] = c.kernel;
  const inPerGroup = inChannels / c.groups;
  const outPerGroup = outChannels / c.groups;
  for (let o = 0; o < outChannels; o++) {
    const firstInput = Math.floor(o / outPerGroup) * inPerGroup;
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        const post = (o * outHeight + i) * outWidth + j;
        for (let ci = 0; ci < inPerGroup; ci++) {
          for (let ky = 0; ky < kh; ky++) {
            const y = i * c.stride[0] - c.padding[0] + ky;
            if (y < 0 || y >= inHeight) continue;
            for (let kx = 0; kx < kw; kx++) {
              const x = j * c.stride[1] - c.padding[1] + kx;
              if (x < 0 || x >= inWidth) continue;
              const weightIndex = ((o * inPerGroup + ci) * kh + ky) * kw + kx;
              if (c.weights[weightIndex] !== 0) visit(((firstInput + ci) * inHeight + y) * inWidth + x, post, weightIndex);
            }
          }
        }
      }
    }
  }
}

/** Number of synapses with a non-zero mantissa. */
export function storedSynapseCount(projection: Projection, source: Population, target: Population): number {
  const c = projection.connectivity;
  if (c.kind !== "conv2d") {
    let n = 0;
    for (const w of c.weights) if (w !== 0) n++;
    return n;
  }
  let n = 0;
  forEachStoredSynapse(projection, source, target, () => n++);
  return n;
}

/** [C, H, W] of a population for convolution ([H, W] counts as one channel), or null for flat layers. */
export function asFeatureMap(shape: number[]): [number, number, number] | null {
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 2) return [1, shape[0], shape[1]];
  return null;
}

/** Output size of a convolution along one axis. */
export function convOutputSize(input: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((input + 2 * padding - kernel) / stride) + 1;
}
