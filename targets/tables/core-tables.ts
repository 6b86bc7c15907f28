/**
 * @fileoverview The chip network as the per-core memories a hardware flow loads: for each core, its
 * neurons (contiguous global ids), one neuron-constant profile per population it holds, the axon
 * table (one row per source neuron that has synapses on the core) pointing into the synapse memory
 * (target, mantissa, shift, delay), and the routing table of its own neurons (destination core,
 * axon there). The C (targets/c/) and Verilog (targets/verilog/) targets print these tables;
 * docs/targets.md describes them. Synapses come from compiler/synapses.ts, so every connectivity
 * kind — convolutions included, expanded here — is covered.
 */
import type { ChipNetwork, Population } from "../../compiler/ir.ts";
import { forEachStoredSynapse } from "../../compiler/synapses.ts";

/** A population's constants as the chip's integers (one record per population present on a core). */
export interface Profile {
  population: number;
  input: boolean;
  /** 0: multiply (retain/4096), 1: shift. */
  decayKind: 0 | 1;
  currentDecay: number;
  voltageDecay: number;
  threshold: number;
  bias: number;
  /** 0: zero, 1: value, 2: subtract. */
  resetKind: 0 | 1 | 2;
  resetValue: number;
  refractorySteps: number;
  /** Input populations: 1 for a rate encoder (the chip draws from host probabilities), 0 otherwise. */
  rate: 0 | 1;
  /** Rate encoders: no spike before this step. */
  firstSpikeStep: number;
}

export interface CoreTable {
  core: number;
  /** Global id of local neuron 0; the core holds firstNeuron .. firstNeuron + neuronCount − 1. */
  firstNeuron: number;
  neuronCount: number;
  profiles: Profile[];
  /** Per local neuron: index into `profiles`. */
  profileOf: Int32Array;
  initialVoltage: Int32Array;
  /** Per axon: the global id of its source neuron (axons sorted by it). */
  axonSource: Int32Array;
  /** Axon a owns synapses axonStart[a] .. axonStart[a + 1] − 1. */
  axonStart: Int32Array;
  synapseTarget: Int32Array;
  synapseMantissa: Int32Array;
  /** weightShift + exponent of the synapse: it adds mantissa << shift (kept to 32 bits). */
  synapseShift: Int32Array;
  synapseDelay: Int32Array;
  /** Local neuron i sends packets routes routeStart[i] .. routeStart[i + 1] − 1. */
  routeStart: Int32Array;
  routeCore: Int32Array;
  routeAxon: Int32Array;
}

export interface NetworkTables {
  neuronCount: number;
  /** Delay ring slots: maxDelaySteps + 1. */
  ringSlots: number;
  cores: CoreTable[];
}

/** A network the tables cannot hold (e.g. a field wider than its table column). */
export class TableError extends Error {}

interface Synapse {
  source: number;
  target: number;
  mantissa: number;
  shift: number;
  delay: number;
}

export function buildCoreTables(network: ChipNetwork): NetworkTables {
  const neuronCount = network.populations.reduce((n, p) => n + p.size, 0);
  const coreOf = new Int32Array(neuronCount);
  const firstOf: number[] = [];
  network.placement.cores.forEach((slices, core) => {
    let expected = -1;
    for (const slice of slices) {
      const first = network.populations[slice.population].firstNeuron + slice.start;
      if (expected >= 0 && first !== expected) throw new TableError(`core ${core} holds neurons that are not contiguous; the tables need contiguous ids per core`);
      if (expected < 0) firstOf[core] = first;
      expected = first + slice.count;
      coreOf.fill(core, first, first + slice.count);
    }
  });
  const byCore: Synapse[][] = network.placement.cores.map(() => []);
  const shiftBase = network.chip.formats.weightShift;
  for (const p of network.projections) {
    const source = network.populations[p.source];
    const target = network.populations[p.target];
    const perChannel = p.channelExponents ? target.size / p.channelExponents.length : 0;
    forEachStoredSynapse(p, source, target, (pre, post, k) => {
      const exponent = p.channelExponents ? p.channelExponents[Math.floor(post / perChannel)] : p.weightExponent;
      const delay = p.delays && p.connectivity.kind !== "conv2d" ? p.delays[k] : p.delaySteps;
      const targetId = target.firstNeuron + post;
      byCore[coreOf[targetId]].push({ source: source.firstNeuron + pre, target: targetId, mantissa: p.connectivity.weights[k], shift: shiftBase + exponent, delay });
    });
  }
  const cores = network.placement.cores.map((slices, core) => coreTable(network, core, firstOf[core] ?? 0, slices.reduce((n, s) => n + s.count, 0), byCore[core]));
  addRoutes(cores);
  return { neuronCount, ringSlots: network.chip.limits.maxDelaySteps + 1, cores };
}

function coreTable(network: ChipNetwork, core: number, firstNeuron: number, neuronCount: number, synapses: Synapse[]): CoreTable {
  const profiles: Profile[] = [];
  const profileIndex = new Map<number, number>();
  const profileOf = new Int32Array(neuronCount);
  const initialVoltage = new Int32Array(neuronCount);
  for (let i = 0; i < neuronCount; i++) {
    const id = firstNeuron + i;
    const populationIndex = network.populations.findIndex((p) => id >= p.firstNeuron && id < p.firstNeuron + p.size);
    const pop = network.populations[populationIndex];
    if (!profileIndex.has(populationIndex)) {
      profileIndex.set(populationIndex, profiles.length);
      profiles.push(profileFor(pop, populationIndex));
    }
    profileOf[i] = profileIndex.get(populationIndex)!;
    initialVoltage[i] = pop.initialVoltage?.[id - pop.firstNeuron] ?? 0;
  }
  synapses.sort((a, b) => a.source - b.source);
  const axonSource: number[] = [];
  const axonStart: number[] = [];
  synapses.forEach((s, i) => {
    if (axonSource[axonSource.length - 1] !== s.source) {
      axonSource.push(s.source);
      axonStart.push(i);
    }
  });
  axonStart.push(synapses.length);
  return {
    core, firstNeuron, neuronCount, profiles, profileOf, initialVoltage,
    axonSource: Int32Array.from(axonSource), axonStart: Int32Array.from(axonStart),
    synapseTarget: Int32Array.from(synapses, (s) => s.target - firstNeuron),
    synapseMantissa: Int32Array.from(synapses, (s) => s.mantissa),
    synapseShift: Int32Array.from(synapses, (s) => s.shift),
    synapseDelay: Int32Array.from(synapses, (s) => s.delay),
    routeStart: new Int32Array(neuronCount + 1), routeCore: new Int32Array(0), routeAxon: new Int32Array(0),
  };
}

function profileFor(pop: Population, population: number): Profile {
  const base = { population, decayKind: 0 as const, currentDecay: 0, voltageDecay: 0, threshold: 0, bias: 0, resetKind: 0 as const, resetValue: 0, refractorySteps: 0 };
  if (pop.kind === "input") {
    const e = pop.encoder!;
    return { ...base, input: true, rate: e.kind === "rate" ? 1 : 0, firstSpikeStep: e.kind === "rate" ? e.firstSpikeStep : 0 };
  }
  const n = pop.neuron!;
  const d = n.decay;
  return {
    ...base,
    input: false,
    decayKind: d.kind === "multiply" ? 0 : 1,
    currentDecay: d.kind === "multiply" ? d.currentRetain : d.currentShift,
    voltageDecay: d.kind === "multiply" ? d.voltageRetain : d.voltageShift,
    threshold: n.threshold,
    bias: n.bias,
    resetKind: n.reset.kind === "zero" ? 0 : n.reset.kind === "value" ? 1 : 2,
    resetValue: n.reset.kind === "value" ? n.reset.value : 0,
    refractorySteps: n.refractorySteps,
    rate: 0,
    firstSpikeStep: 0,
  };
}

/** Each neuron's packets: one per core that holds an axon for it, in core order. */
function addRoutes(cores: CoreTable[]): void {
  const routes = new Map<number, { core: number; axon: number }[]>();
  for (const table of cores) {
    table.axonSource.forEach((source, axon) => {
      const list = routes.get(source) ?? [];
      list.push({ core: table.core, axon });
      routes.set(source, list);
    });
  }
  for (const table of cores) {
    const core: number[] = [];
    const axon: number[] = [];
    for (let i = 0; i < table.neuronCount; i++) {
      table.routeStart[i] = core.length;
      for (const r of routes.get(table.firstNeuron + i) ?? []) {
        core.push(r.core);
        axon.push(r.axon);
      }
    }
    table.routeStart[table.neuronCount] = core.length;
    table.routeCore = Int32Array.from(core);
    table.routeAxon = Int32Array.from(axon);
  }
}
