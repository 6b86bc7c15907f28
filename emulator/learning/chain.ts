/**
 * @fileoverview Which part of a ChipNetwork the on-chip learning engine can train, read from the IR:
 * a feed-forward chain input → dense → layer → dense → … → output. Everything the rule needs to know
 * about a layer (its neuron constants, the weight unit 2^(weightShift + exponent), its delay) is taken
 * from the compiled network, so the engine runs the same arithmetic as the chip. A network the rule
 * cannot train raises LearningError with one message naming the population or projection.
 */
import type { ChipNetwork, NeuronConstants, Population, Projection } from "../../compiler/ir.ts";

/** A network (or setting) the on-chip rule cannot train; the message names what is wrong. */
export class LearningError extends Error {}

/** One trained layer of the chain: the population it updates and the dense projection into it. */
export interface ChainLayer {
  readonly population: Population;
  readonly populationIndex: number;
  readonly projection: Projection;
  readonly projectionIndex: number;
  readonly constants: NeuronConstants;
  /** A mantissa q adds q·2^weightUnitLog2 voltage LSBs (weightShift + the projection's exponent). */
  readonly weightUnitLog2: number;
  readonly delaySteps: number;
  readonly preSize: number;
}

export interface LearningChain {
  readonly input: Population;
  readonly inputIndex: number;
  /** Hidden layers, then the output layer. */
  readonly layers: readonly ChainLayer[];
}

/**
 * Walks back from the output population to an input population through exactly one incoming
 * projection per layer, and checks that each link is something the rule supports.
 */
export function findLearningChain(network: ChipNetwork, outputName: string): LearningChain {
  const outputIndex = network.populations.findIndex((p) => p.name === outputName);
  if (outputIndex < 0) {
    throw new LearningError(`the learning block's output '${outputName}' is not a population of network '${network.name}'; layers are ${network.populations.filter((p) => p.kind === "neuron").map((p) => p.name).join(", ") || "(none)"}`);
  }
  if (network.populations[outputIndex].kind !== "neuron") throw new LearningError(`the learning block's output '${outputName}' is an input, not a layer`);
  const layers: ChainLayer[] = [];
  const visited = new Set<number>();
  let current = outputIndex;
  while (network.populations[current].kind === "neuron") {
    if (visited.has(current)) throw new LearningError(`population '${network.populations[current].name}' is part of a loop; on-chip learning needs a feed-forward chain`);
    visited.add(current);
    const incoming = network.projections.map((p, index) => ({ p, index })).filter(({ p }) => p.target === current);
    const name = network.populations[current].name;
    if (incoming.length !== 1) {
      throw new LearningError(`layer '${name}' has ${incoming.length} incoming projections; on-chip learning needs exactly one dense projection into each trained layer`);
    }
    layers.unshift(checkLink(network, incoming[0].p, incoming[0].index, current));
    current = incoming[0].p.source;
  }
  for (const p of network.projections) {
    if (visited.has(p.source) && !(layers.some((layer) => layer.projection === p))) {
      throw new LearningError(`projection '${p.name}' leaves trained layer '${network.populations[p.source].name}' outside the chain; on-chip learning supports a plain feed-forward chain only`);
    }
  }
  return { input: network.populations[current], inputIndex: current, layers };
}

function checkLink(network: ChipNetwork, projection: Projection, projectionIndex: number, target: number): ChainLayer {
  const population = network.populations[target];
  const where = `projection '${projection.name}' into '${population.name}'`;
  if (projection.connectivity.kind !== "dense") throw new LearningError(`${where} is ${projection.connectivity.kind}; on-chip learning trains dense projections only`);
  if (projection.source === target) throw new LearningError(`${where} is recurrent; on-chip learning needs a feed-forward chain`);
  if (projection.delays !== null) throw new LearningError(`${where} has per-synapse delays; on-chip learning needs one delay per projection`);
  if (projection.channelExponents) throw new LearningError(`${where} has per-channel exponents; on-chip learning needs one exponent per projection`);
  const constants = population.neuron!;
  if (constants.reset.kind !== "subtract") throw new LearningError(`layer '${population.name}' resets to ${constants.reset.kind}; the learning rule's gradient assumes reset = subtract`);
  if (constants.refractorySteps !== 0) throw new LearningError(`layer '${population.name}' has a refractory period of ${constants.refractorySteps} steps; the learning rule needs none`);
  const unit = network.chip.formats.weightShift + projection.weightExponent;
  if (unit < 0) throw new LearningError(`${where} has a negative total weight shift ${unit}`);
  return {
    population, populationIndex: target, projection, projectionIndex, constants,
    weightUnitLog2: unit, delaySteps: projection.delaySteps, preSize: network.populations[projection.source].size,
  };
}
