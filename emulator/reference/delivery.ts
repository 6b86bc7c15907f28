/**
 * @fileoverview Spike routing and synaptic delivery (docs/chip.md §3 phase 2), walking each
 * projection's connectivity exactly as the IR stores it: dense by column, sparse by CSR row,
 * one-to-one by index, convolutions by inverting the receptive field of the spiking input. Deliberately no merged synapse table — the wasm core builds one, and the two
 * are meant to be written independently so that a cross-check means something.
 */
import type { Population, Projection } from "../../compiler/ir.ts";

/** Called once per stored synapse of a spiking neuron: local target index, mantissa, delay. */
export type SynapseVisitor = (post: number, mantissa: number, delay: number) => void;

/** The delay of synapse `index` (in weight order): per-synapse when given, else the projection's. */
export function synapseDelay(projection: Projection, index: number): number {
  return projection.delays ? projection.delays[index] : projection.delaySteps;
}

/**
 * Visits every synapse of `projection` whose presynaptic neuron is `pre` (index within the source
 * population). A zero mantissa means "no synapse": it is skipped, so it costs no event and does not
 * make its target's core a packet destination.
 */
export function forEachSynapse(
  projection: Projection,
  source: Population,
  target: Population,
  pre: number,
  visit: SynapseVisitor,
): void {
  const c = projection.connectivity;
  switch (c.kind) {
    case "dense": {
      // weights[post * sourceSize + pre]: a presynaptic neuron owns one column.
      const weights = c.weights;
      for (let post = 0; post < target.size; post++) {
        const index = post * source.size + pre;
        const mantissa = weights[index];
        if (mantissa !== 0) visit(post, mantissa, synapseDelay(projection, index));
      }
      return;
    }
    case "sparse": {
      const { rowStart, post, weights } = c;
      for (let index = rowStart[pre]; index < rowStart[pre + 1]; index++) {
        const mantissa = weights[index];
        if (mantissa !== 0) visit(post[index], mantissa, synapseDelay(projection, index));
      }
      return;
    }
    case "oneToOne": {
      const mantissa = c.weights[pre];
      if (mantissa !== 0) visit(pre, mantissa, synapseDelay(projection, pre));
      return;
    }
    case "conv2d":
      forEachConvSynapse(c, source.shape, target.shape, pre, (post, mantissa) => visit(post, mantissa, projection.delaySteps));
      return;
  }
}

/**
 * A convolution's synapses of input neuron `pre` = (c, y, x): every output (o, i, j) whose
 * receptive field covers (y, x) through kernel tap (ky, kx), i.e. i·stride − padding + ky = y.
 */
function forEachConvSynapse(
  c: Extract<Projection["connectivity"], { kind: "conv2d" }>,
  sourceShape: number[],
  targetShape: number[],
  pre: number,
  visit: (post: number, mantissa: number) => void,
): void {
  const [inChannels, inHeight, inWidth] = sourceShape;
  const [outChannels, outHeight, outWidth] = targetShape;
  const [kh, kw] = c.kernel;
  const inPerGroup = inChannels / c.groups;
  const outPerGroup = outChannels / c.groups;
  const channel = Math.floor(pre / (inHeight * inWidth));
  const y = Math.floor(pre / inWidth) % inHeight;
  const x = pre % inWidth;
  const group = Math.floor(channel / inPerGroup);
  const ci = channel - group * inPerGroup;
  for (let o = group * outPerGroup; o < (group + 1) * outPerGroup; o++) {
    for (let ky = 0; ky < kh; ky++) {
      const rowOffset = y + c.padding[0] - ky;
      if (rowOffset < 0 || rowOffset % c.stride[0] !== 0 || rowOffset / c.stride[0] >= outHeight) continue;
      const i = rowOffset / c.stride[0];
      for (let kx = 0; kx < kw; kx++) {
        const colOffset = x + c.padding[1] - kx;
        if (colOffset < 0 || colOffset % c.stride[1] !== 0 || colOffset / c.stride[1] >= outWidth) continue;
        const j = colOffset / c.stride[1];
        const mantissa = c.weights[((o * inPerGroup + ci) * kh + ky) * kw + kx];
        if (mantissa !== 0) visit((o * outHeight + i) * outWidth + j, mantissa);
      }
    }
  }
}

/** The exponent of synapses into target neuron `post`: its channel's, or the projection's. */
export function synapseExponent(projection: Projection, target: Population, post: number): number {
  const exponents = projection.channelExponents;
  if (!exponents) return projection.weightExponent;
  return exponents[Math.floor(post / (target.size / exponents.length))];
}

/**
 * For each population, the projections leaving it (in projection index order). A plain grouping
 * of the IR's list, so that a spike finds its outgoing projections without scanning all of them.
 */
export function outgoingProjections(populationCount: number, projections: Projection[]): Projection[][] {
  const outgoing: Projection[][] = Array.from({ length: populationCount }, () => []);
  for (const projection of projections) outgoing[projection.source].push(projection);
  return outgoing;
}
