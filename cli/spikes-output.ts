/**
 * @fileoverview Spike output formats of `neurocc run --out` (documented in docs/targets.md):
 * `.csv` (one spike per line: step, time_ms, population, index, neuron), `.json` (per population
 * lists of [step, index]) and `.npy` (int32 array [spikes, 2] of (step, global neuron id)).
 */
import { formatNpy } from "../compiler/arrays.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import type { RunResult } from "../emulator/types.ts";

/** Population index of every global neuron id. */
export function populationOfNeurons(network: ChipNetwork): Int32Array {
  const total = network.populations.reduce((n, p) => n + p.size, 0);
  const out = new Int32Array(total);
  network.populations.forEach((p, i) => out.fill(i, p.firstNeuron, p.firstNeuron + p.size));
  return out;
}

export function formatSpikes(network: ChipNetwork, result: RunResult, extension: string): Uint8Array | string {
  const popOf = populationOfNeurons(network);
  const dtMs = network.dtUs / 1000;
  if (extension === ".npy") {
    const pairs = new Int32Array(result.spikeSteps.length * 2);
    for (let i = 0; i < result.spikeSteps.length; i++) {
      pairs[2 * i] = result.spikeSteps[i];
      pairs[2 * i + 1] = result.spikeNeurons[i];
    }
    return formatNpy(pairs, [result.spikeSteps.length, 2]);
  }
  if (extension === ".json") {
    const populations = network.populations.map((p) => ({ name: p.name, size: p.size, firstNeuron: p.firstNeuron, spikes: [] as [number, number][] }));
    for (let i = 0; i < result.spikeSteps.length; i++) {
      const id = result.spikeNeurons[i];
      const pop = populations[popOf[id]];
      pop.spikes.push([result.spikeSteps[i], id - pop.firstNeuron]);
    }
    return JSON.stringify({ network: network.name, dtMs, steps: result.steps, populations }) + "\n";
  }
  const lines = ["step,time_ms,population,index,neuron"];
  for (let i = 0; i < result.spikeSteps.length; i++) {
    const id = result.spikeNeurons[i];
    const pop = network.populations[popOf[id]];
    const step = result.spikeSteps[i];
    lines.push(`${step},${+(step * dtMs).toFixed(6)},${pop.name},${id - pop.firstNeuron},${id}`);
  }
  return lines.join("\n") + "\n";
}

/** `--counters`: one line per step: step, spikes, synaptic events, critical core, its cycles, and time. */
export function formatStepCounters(network: ChipNetwork, result: RunResult): string {
  const spikesPerStep = new Float64Array(result.steps);
  for (const step of result.spikeSteps) spikesPerStep[step]++;
  const clockHz = network.chip.timing.clockMHz * 1e6;
  const lines = ["step,spikes,synaptic_events,critical_core,critical_cycles,step_time_us"];
  for (let t = 0; t < result.steps; t++) {
    lines.push(`${t},${spikesPerStep[t]},${result.stepSynapticEvents[t]},${result.stepCriticalCore[t]},${result.stepCycles[t]},${+((result.stepCycles[t] / clockHz) * 1e6).toFixed(6)}`);
  }
  return lines.join("\n") + "\n";
}
