/**
 * @fileoverview The readable reference model of the chip: `createReferenceEmulator(network)`.
 *
 * Meant to be read next to docs/chip.md. A step is the spec's §3, phase by phase: neuron update
 * (§4, neuron.ts) or encoder (§5, encoders.ts) for every neuron, then delivery of the step's spikes
 * into the delay ring (delivery.ts), counting the work per core as it happens (§7–8, counters.ts).
 * Clarity beats speed here; the wasm core (emulator/wasm.ts) is the fast one, and the test suite
 * holds the two equal bit for bit.
 */
import type { ChipNetwork, Population } from "../../compiler/ir.ts";
import type { Emulator, ProbeTrace, RunOptions, RunResult } from "../types.ts";
import { withProjectionWeights } from "../calibration/synapse-memory.ts";
import { weightContribution } from "./arithmetic.ts";
import {
  coreCount,
  energyPj,
  finishStep,
  hopsBetween,
  neuronCores,
  newCoreCounters,
  newStepWork,
  type StepWork,
} from "./counters.ts";
import { forEachSynapse, outgoingProjections, synapseExponent } from "./delivery.ts";
import { inputRule, type InputRule } from "./encoders.ts";
import { updateNeuron, type NeuronState } from "./neuron.ts";

export function createReferenceEmulator(network: ChipNetwork): Emulator {
  let loaded = network; // the chip's memory: a weight write replaces the projection in a new value
  return {
    get network() {
      return loaded;
    },
    run: (options) => runReference(loaded, options),
    writeProjectionWeights: (index, mantissas) => {
      loaded = withProjectionWeights(loaded, index, mantissas);
    },
  };
}

/** Everything about the network that does not change during a run. */
interface Layout {
  neuronCount: number;
  /** Slots of the delay ring: maxDelaySteps + 1 (chip.md §1). */
  ringSlots: number;
  populationOf: Int32Array;
  coreOf: Int32Array;
  neuronsPerCore: Float64Array;
  /** Scratch: 1 for the cores the spike being delivered has already sent a packet to. */
  reached: Uint8Array;
}

function layout(network: ChipNetwork): Layout {
  const populations = network.populations;
  const neuronCount = populations.reduce((n, p) => Math.max(n, p.firstNeuron + p.size), 0);
  const populationOf = new Int32Array(neuronCount);
  populations.forEach((p, index) => populationOf.fill(index, p.firstNeuron, p.firstNeuron + p.size));
  const coreOf = neuronCores(network.placement, (p) => populations[p].firstNeuron, neuronCount);
  const neuronsPerCore = new Float64Array(coreCount(network.chip, network.placement));
  for (const core of coreOf) neuronsPerCore[core] += 1;
  return {
    neuronCount,
    ringSlots: network.chip.limits.maxDelaySteps + 1,
    populationOf,
    coreOf,
    neuronsPerCore,
    reached: new Uint8Array(neuronsPerCore.length),
  };
}

function runReference(network: ChipNetwork, options: RunOptions): RunResult {
  const { chip, populations } = network;
  const steps = options.steps;
  const seed = (options.seed ?? network.seed) >>> 0;
  const net = layout(network);
  const outgoing = outgoingProjections(populations.length, network.projections);

  // Initial state: u = 0, v = the image's initial voltage, not refractory, empty delay ring.
  const states: NeuronState[] = new Array(net.neuronCount);
  for (const p of populations) {
    for (let i = 0; i < p.size; i++) states[p.firstNeuron + i] = { u: 0, v: p.initialVoltage?.[i] ?? 0, refractory: 0 };
  }
  const ring = new Int32Array(net.ringSlots * net.neuronCount);
  const rules: (InputRule | null)[] = populations.map((p, index) =>
    p.kind === "input" ? inputRule(p, options.encoders[index] ?? null, seed) : null,
  );

  const recordProbes = options.recordProbes ?? true;
  const probes: ProbeTrace[] = recordProbes
    ? network.probes.map((probe) => ({
        population: probe.population,
        variable: probe.variable,
        values: new Int32Array(steps * populations[probe.population].size),
      }))
    : [];

  const totals = newCoreCounters(net.neuronsPerCore.length);
  const work = newStepWork(net.neuronsPerCore.length);
  const stepCycles = new Float64Array(steps);
  const stepCriticalCore = new Int32Array(steps);
  const stepSynapticEvents = new Float64Array(steps);
  const spikeSteps: number[] = [];
  const spikeNeurons: number[] = [];
  let latencyCycles = 0;

  for (let t = 0; t < steps; t++) {
    work.updates.set(net.neuronsPerCore); // every neuron is visited every step, spiking or not
    work.synapticEvents.fill(0);
    work.packetsSent.fill(0);
    work.hops.fill(0);

    // Phase 1: neuron update, populations in index order, neurons in id order.
    const spikes: number[] = [];
    const slot = (t % net.ringSlots) * net.neuronCount;
    populations.forEach((population, index) => {
      const rule = rules[index];
      for (let i = 0; i < population.size; i++) {
        const id = population.firstNeuron + i;
        const input = ring[slot + id];
        ring[slot + id] = 0; // the slot is consumed; it will receive step t + R's input next
        const spiked = rule
          ? rule(t, i, id)
          : updateNeuron(states[id], input, population.neuron!, chip.formats);
        if (spiked) spikes.push(id);
      }
    });
    for (const trace of probes) recordProbe(trace, populations[trace.population], states, t);

    // Phase 2: routing and delivery, spikes in neuron-id order.
    spikes.sort((a, b) => a - b);
    for (const id of spikes) {
      deliverSpike(network, net, outgoing, ring, work, id, t);
      spikeSteps.push(t);
      spikeNeurons.push(id);
    }
    // Phase 3 (learning) is reserved; phase 4 is the barrier, which closes the step's timing.
    const critical = finishStep(work, totals, chip);
    stepCycles[t] = critical.cycles;
    stepCriticalCore[t] = critical.core;
    stepSynapticEvents[t] = work.synapticEvents.reduce((sum, n) => sum + n, 0);
    latencyCycles += stepCycles[t];
  }

  return {
    steps,
    spikeSteps: Int32Array.from(spikeSteps),
    spikeNeurons: Int32Array.from(spikeNeurons),
    probes,
    perCore: totals,
    stepCycles,
    stepCriticalCore,
    stepSynapticEvents,
    latencyCycles,
    energyPj: energyPj(totals, latencyCycles, chip),
  };
}

/** Writes a population's u or v after this step's update (input neurons have neither: 0). */
function recordProbe(trace: ProbeTrace, population: Population, states: NeuronState[], t: number): void {
  if (population.kind === "input") return;
  for (let i = 0; i < population.size; i++) {
    const state = states[population.firstNeuron + i];
    trace.values[t * population.size + i] = trace.variable === "v" ? state.v : state.u;
  }
}

/**
 * Delivers one spike through all its outgoing projections. Each synapse adds its weight to the
 * target's ring slot `(t + delay) mod R` and counts one event on the target's core. The spike leaves
 * its core as one packet per distinct destination core (over all its projections together), each
 * costing the Manhattan distance in hops; both are counted on the source core.
 */
function deliverSpike(
  network: ChipNetwork,
  net: Layout,
  outgoing: ReturnType<typeof outgoingProjections>,
  ring: Int32Array,
  work: StepWork,
  id: number,
  t: number,
): void {
  const { populations, chip } = network;
  const { coreOf, reached, ringSlots, neuronCount } = net;
  const events = work.synapticEvents;
  const source = populations[net.populationOf[id]];
  const sourceCore = coreOf[id];
  reached.fill(0);
  for (const projection of outgoing[net.populationOf[id]]) {
    const target = populations[projection.target];
    forEachSynapse(projection, source, target, id - source.firstNeuron, (post, mantissa, delay) => {
      const shift = chip.formats.weightShift + synapseExponent(projection, target, post);
      const targetId = target.firstNeuron + post;
      const slot = ((t + delay) % ringSlots) * neuronCount + targetId;
      // The accumulator is a 32-bit register: Int32Array stores the sum modulo 2^32.
      ring[slot] = (ring[slot] + weightContribution(mantissa, shift)) | 0;
      const targetCore = coreOf[targetId];
      events[targetCore] += 1;
      if (reached[targetCore] === 0) {
        // First synapse of this spike into targetCore: one packet, over the Manhattan distance.
        reached[targetCore] = 1;
        work.packetsSent[sourceCore] += 1;
        work.hops[sourceCore] += hopsBetween(sourceCore, targetCore, chip.meshWidth);
      }
    });
  }
}
