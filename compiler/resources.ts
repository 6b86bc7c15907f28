/**
 * @fileoverview What a network asks of the chip's memories: synapse-memory bits and fan-in per
 * neuron (docs/ir.md, "Placement"). The placer packs cores by it; `inspect` reports it per core.
 */
import type { ChipNetwork, Population, Projection } from "./ir.ts";
import { forEachStoredSynapse } from "./synapses.ts";

/** Adds a projection's synapses to the per-neuron fan-in and synapse-memory demand of its targets. */
export function countDemand(projection: Projection, populations: Population[], fanIn: Float64Array, synapseBits: Float64Array): void {
  const source = populations[projection.source];
  const target = populations[projection.target];
  const c = projection.connectivity;
  forEachStoredSynapse(projection, source, target, (_pre, post) => (fanIn[target.firstNeuron + post] += 1));
  const delayBits = projection.delays ? 6 : 0;
  for (let post = 0; post < target.size; post++) {
    let bits: number;
    if (c.kind === "dense") bits = source.size * projection.weightBits; // stored whole, zeros included
    else if (c.kind === "conv2d") bits = c.weights.length * projection.weightBits / target.size; // shared kernel, amortised
    else bits = 0;
    synapseBits[target.firstNeuron + post] += bits;
  }
  if (c.kind === "sparse" || c.kind === "oneToOne") {
    const indexBits = c.kind === "sparse" ? Math.ceil(Math.log2(Math.max(2, source.size))) : 0;
    forEachStoredSynapse(projection, source, target, (_pre, post) => (synapseBits[target.firstNeuron + post] += projection.weightBits + delayBits + indexBits));
  }
}


/** Synapse-memory bits and fan-in of every neuron of a compiled network, by global id. */
export function networkDemand(network: ChipNetwork): { synapseBits: Float64Array; fanIn: Float64Array } {
  const neuronCount = network.populations.reduce((n, p) => n + p.size, 0);
  const synapseBits = new Float64Array(neuronCount);
  const fanIn = new Float64Array(neuronCount);
  for (const projection of network.projections) countDemand(projection, network.populations, fanIn, synapseBits);
  return { synapseBits, fanIn };
}
