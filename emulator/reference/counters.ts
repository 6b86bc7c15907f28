/**
 * @fileoverview The timing and energy models (docs/chip.md §1, §7, §8): per-core work counters,
 * mesh hops, per-step critical-core cycles, latency and energy.
 */
import type { ChipConfig, Placement } from "../../compiler/ir.ts";
import type { CoreCounters } from "../types.ts";

/** `(x, y)` of core `c` on the row-major mesh. */
export function corePosition(core: number, meshWidth: number): { x: number; y: number } {
  return { x: core % meshWidth, y: Math.floor(core / meshWidth) };
}

/** Dimension-order routing takes exactly the Manhattan distance; a packet to its own core costs 0. */
export function hopsBetween(from: number, to: number, meshWidth: number): number {
  const a = corePosition(from, meshWidth);
  const b = corePosition(to, meshWidth);
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
}

/** Core of every neuron (global id), from the placement's slices. */
export function neuronCores(
  placement: Placement,
  firstNeuron: (population: number) => number,
  neuronCount: number,
): Int32Array {
  const cores = new Int32Array(neuronCount).fill(-1);
  placement.cores.forEach((slices, core) => {
    for (const slice of slices) {
      const first = firstNeuron(slice.population) + slice.start;
      for (let id = first; id < first + slice.count; id++) cores[id] = core;
    }
  });
  const unplaced = cores.indexOf(-1);
  if (unplaced >= 0) throw new Error(`neuron ${unplaced} is not placed on any core`);
  return cores;
}

/** The chip's cores: all `coreCount` of them take part in every barrier, used or not. */
export function coreCount(chip: ChipConfig, placement: Placement): number {
  return Math.max(chip.coreCount, placement.cores.length);
}

/** Counters of one step, per core; reset at the start of each step. */
export interface StepWork {
  updates: Float64Array;
  synapticEvents: Float64Array;
  packetsSent: Float64Array;
  hops: Float64Array;
}

export function newStepWork(cores: number): StepWork {
  return {
    updates: new Float64Array(cores),
    synapticEvents: new Float64Array(cores),
    packetsSent: new Float64Array(cores),
    hops: new Float64Array(cores),
  };
}

export function newCoreCounters(cores: number): CoreCounters {
  return { ...newStepWork(cores), cycles: new Float64Array(cores) };
}

/** `cycles(core, t)` of §7: the work of one core in one step, plus the barrier. */
export function coreCycles(work: StepWork, core: number, chip: ChipConfig): number {
  const t = chip.timing;
  return (
    work.updates[core] * t.cyclesPerNeuronUpdate +
    work.synapticEvents[core] * t.cyclesPerSynapticEvent +
    work.packetsSent[core] * t.cyclesPerSpikeSent +
    work.hops[core] * t.cyclesPerHop +
    t.cyclesPerBarrier
  );
}

/**
 * Closes a step: adds its work to the run totals and returns the critical core — the lowest-index
 * core with the most cycles — and its cycles (the step lasts as long as its slowest core).
 */
export function finishStep(work: StepWork, totals: CoreCounters, chip: ChipConfig): { cycles: number; core: number } {
  let critical = -Infinity;
  let criticalCore = 0;
  for (let core = 0; core < totals.cycles.length; core++) {
    const cycles = coreCycles(work, core, chip);
    totals.updates[core] += work.updates[core];
    totals.synapticEvents[core] += work.synapticEvents[core];
    totals.packetsSent[core] += work.packetsSent[core];
    totals.hops[core] += work.hops[core];
    totals.cycles[core] += cycles;
    if (cycles > critical) {
      critical = cycles;
      criticalCore = core;
    }
  }
  return { cycles: Math.max(critical, 0), core: criticalCore };
}

/**
 * §8: dynamic energy of every operation plus static energy over the critical path. The sum runs over
 * cores in index order on the run totals (the spec fixes no order; with costs that are not exactly
 * representable, a different order could differ in the last bit).
 */
export function energyPj(totals: CoreCounters, latencyCycles: number, chip: ChipConfig): number {
  const e = chip.energy;
  let dynamic = 0;
  for (let core = 0; core < totals.cycles.length; core++) {
    dynamic +=
      totals.updates[core] * e.pjPerNeuronUpdate +
      totals.synapticEvents[core] * e.pjPerSynapticEvent +
      totals.packetsSent[core] * e.pjPerSpikeSent +
      totals.hops[core] * e.pjPerHop;
  }
  return dynamic + latencyCycles * e.pjPerCycleStatic;
}
