/**
 * @fileoverview Where the wasm core keeps a projection's weights: for each stored synapse, its slot
 * in the flat CSR of emulator/flatten.ts, whose weight order the core's i16 synapse memory keeps.
 * Used by emulator/wasm.ts to write mantissas between runs (synapse-memory.ts checks the write).
 * Browser-safe.
 */
import type { ChipNetwork } from "../../compiler/ir.ts";
import { forEachStoredSynapse } from "../../compiler/synapses.ts";
import { flattenNetwork, type FlatNetwork } from "../flatten.ts";
import { SynapseWriteError } from "./synapse-memory.ts";

/** Where the stored synapses of one projection are: weight index in the IR → slot in the flat CSR. */
export interface SynapseSlots {
  weightIndex: Int32Array;
  flatIndex: Int32Array;
}

/**
 * Maps stored synapses to flat-CSR slots, matching (pre, post, delay, shift): the flattener groups a
 * presynaptic neuron's synapses by (delay, shift) but keeps each one. Flattens the network once, on
 * the first request; a synapse that another projection duplicates exactly cannot be told apart and
 * is refused.
 */
export class FlatSynapseSlots {
  private flat: FlatNetwork | null = null;
  private readonly cache = new Map<number, SynapseSlots>();

  constructor(private readonly network: ChipNetwork) {}

  of(index: number): SynapseSlots {
    const known = this.cache.get(index);
    if (known) return known;
    this.flat ??= flattenNetwork(this.network);
    const slots = findSlots(this.network, this.flat, index);
    this.cache.set(index, slots);
    return slots;
  }
}

function findSlots(network: ChipNetwork, flat: FlatNetwork, index: number): SynapseSlots {
  const projection = network.projections[index];
  if (!projection) throw new SynapseWriteError(`no projection ${index}`);
  const source = network.populations[projection.source];
  const target = network.populations[projection.target];
  const channelSize = projection.channelExponents ? target.size / projection.channelExponents.length : target.size;
  const weightIndex: number[] = [];
  const flatIndex: number[] = [];
  forEachStoredSynapse(projection, source, target, (pre, post, k) => {
    const delay = projection.delays ? projection.delays[k] : projection.delaySteps;
    const exponent = projection.channelExponents ? projection.channelExponents[Math.floor(post / channelSize)] : projection.weightExponent;
    const shift = network.chip.formats.weightShift + exponent;
    const g = source.firstNeuron + pre;
    const postId = target.firstNeuron + post;
    let found = -1;
    for (let seg = flat.segStart[g]; seg < flat.segStart[g + 1]; seg++) {
      if (flat.segDelay[seg] !== delay || flat.segShift[seg] !== shift) continue;
      for (let s = flat.segSyn[seg]; s < flat.segSyn[seg + 1]; s++) {
        if (flat.post[s] !== postId) continue;
        if (found >= 0) throw new SynapseWriteError(`${projection.name}: synapse ${pre} → ${post} is duplicated by another projection; its weight cannot be written alone`);
        found = s;
      }
    }
    if (found < 0) throw new SynapseWriteError(`${projection.name}: synapse ${pre} → ${post} is not in the core's synapse memory`);
    weightIndex.push(k);
    flatIndex.push(found);
  });
  return { weightIndex: Int32Array.from(weightIndex), flatIndex: Int32Array.from(flatIndex) };
}
