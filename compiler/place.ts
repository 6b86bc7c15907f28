/**
 * @fileoverview Mapping onto cores. Neurons are packed in id order onto consecutive cores; a core
 * is closed when the next neuron would exceed its neuron count or its synapse memory (each neuron's
 * incoming synapses are stored on its own core). When the network cannot fit, the diagnostic names
 * the resource, the core or neuron, the amount over, and what would make it fit.
 */
import { error, type Diagnostic } from "../dsl/diagnostic.ts";
import type { ChipConfig, CoreSlice, Placement } from "./ir.ts";

export interface PlacementDemand {
  populations: { name: string; size: number; firstNeuron: number }[];
  /** Synapse memory bits needed by each neuron's incoming synapses, by global id. */
  synapseBits: Float64Array;
  /** Incoming synapse count per neuron, by global id. */
  fanIn: Float64Array;
}

export function placeNetwork(demand: PlacementDemand, chip: ChipConfig, diagnostics: Diagnostic[]): Placement | null {
  const { neuronsPerCore, synapseMemoryBitsPerCore, maxFanIn } = chip.limits;
  const alternatives = `fewer weight bits, a sparser connection, or another preset (--chip generic)`;
  let fits = true;
  for (const pop of demand.populations) {
    for (let i = 0; i < pop.size; i++) {
      const id = pop.firstNeuron + i;
      if (demand.fanIn[id] > maxFanIn) {
        diagnostics.push(error("E120", `neuron ${i} of '${pop.name}' has ${demand.fanIn[id]} incoming synapses; the ${chip.preset} chip allows ${maxFanIn} (over by ${demand.fanIn[id] - maxFanIn}): use ${alternatives}`, null));
        fits = false;
        break;
      }
      if (demand.synapseBits[id] > synapseMemoryBitsPerCore) {
        diagnostics.push(error("E120", `neuron ${i} of '${pop.name}' needs ${demand.synapseBits[id]} bits of synapse memory, more than a whole core of the ${chip.preset} chip holds (${synapseMemoryBitsPerCore}, over by ${demand.synapseBits[id] - synapseMemoryBitsPerCore}); use ${alternatives}`, null));
        fits = false;
        break;
      }
    }
  }
  if (!fits) return null;

  const cores: CoreSlice[][] = [];
  let current: CoreSlice[] = [];
  let neuronsOnCore = 0;
  let bitsOnCore = 0;
  for (let p = 0; p < demand.populations.length; p++) {
    const pop = demand.populations[p];
    for (let i = 0; i < pop.size; i++) {
      const bits = demand.synapseBits[pop.firstNeuron + i];
      if (neuronsOnCore === neuronsPerCore || bitsOnCore + bits > synapseMemoryBitsPerCore) {
        cores.push(current);
        current = [];
        neuronsOnCore = 0;
        bitsOnCore = 0;
      }
      const last = current[current.length - 1];
      if (last && last.population === p) last.count++;
      else current.push({ population: p, start: i, count: 1 });
      neuronsOnCore++;
      bitsOnCore += bits;
    }
  }
  if (current.length > 0) cores.push(current);
  if (cores.length > chip.coreCount) {
    diagnostics.push(
      error(
        "E120",
        `the network needs ${cores.length} cores but the ${chip.preset} chip has ${chip.coreCount} (over by ${cores.length - chip.coreCount}); use fewer neurons, raise 'cores' (or 'neurons_per_core') in the chip block, or use a larger preset (--chip generic)`,
        null,
      ),
    );
    return null;
  }
  return { cores };
}

/** Core index of every neuron, by global id. */
export function coreOfNeurons(placement: Placement, populationStarts: number[], neuronCount: number): Int32Array {
  const coreOf = new Int32Array(neuronCount);
  placement.cores.forEach((slices, core) => {
    for (const slice of slices) {
      const first = populationStarts[slice.population] + slice.start;
      coreOf.fill(core, first, first + slice.count);
    }
  });
  return coreOf;
}
