/**
 * @fileoverview Flattens a ChipNetwork's projections and placement into flat, backend-neutral
 * tables: one CSR over all projections (dense, sparse, one-to-one and expanded convolutions; rows
 * come from flatten-rows.ts) by presynaptic global id, grouped into segments that share a delay and
 * a weight shift, plus what one spike of each neuron costs in packets, hops and synaptic events
 * per destination core (docs/chip.md §1, §7).
 *
 * Used by the wasm host (emulator/wasm.ts); any backend that wants event-driven delivery with
 * per-spike precomputed counters can reuse it. Invalid IR (a delay outside [1, maxDelaySteps], a
 * mantissa that does not fit 16 bits, a neuron placed twice or not at all, ...) throws, since the
 * compiler is supposed to have rejected it already.
 *
 *   segments of pre n:   segStart[n] .. segStart[n+1]−1
 *   synapses of seg g:   segSyn[g] .. segSyn[g+1]−1, all with delay segDelay[g] and
 *                        contribution mantissa << segShift[g] (>> −segShift[g] if negative)
 *   destinations of n:   destStart[n] .. destStart[n+1]−1, pairs (dest[2k] core, dest[2k+1] synapses),
 *                        built on demand by destinationPairs (only the "pairs" event counters use them)
 */
import type { ChipNetwork } from "../compiler/ir.ts";
import { fail, keyDelay, keyShift, KEY_SHIFT_BITS, rowWalker } from "./flatten-rows.ts";

export interface FlatNetwork {
  /** One past the largest global neuron id. */
  neuronCount: number;
  /**
   * Delay ring slots the emulator needs: the largest delay in use + 1 (at most maxDelaySteps + 1).
   * Equivalent to the chip's ring of maxDelaySteps + 1 slots: a delivery at step t with delay d
   * lands in the slot read next at step t + d either way, since d < ringSlots. A smaller ring keeps
   * the accumulators in cache (CUBA with delay 1: 2 rows instead of 63).
   */
  ringSlots: number;
  /** Cores of the chip: max(chip.coreCount, placement.cores.length); all meet every barrier. */
  coreCount: number;
  /** Cores the placement lists: 0 .. activeCores−1 (placement.cores.length). */
  activeCores: number;
  /** Core of each global id (−1 for an id no population owns). */
  coreOf: Int32Array;
  /** Neurons on each used core, i.e. updates per step (length activeCores). */
  coreUpdates: Int32Array;
  segStart: Int32Array;
  segSyn: Int32Array;
  segDelay: Int32Array;
  segShift: Int32Array;
  /** Target global id of each synapse. */
  post: Int32Array;
  /** Nonzero signed mantissa of each synapse. */
  weight: Int16Array;
  /** Per global id: packets (= destination cores) and hops one spike of it causes. */
  packets: Int32Array;
  hops: Int32Array;
}

/** (core, synapses) pairs of every neuron's spike, in order of each core's first synapse. */
export interface DestinationPairs {
  destStart: Int32Array;
  dest: Int32Array;
}

/** Checks and maps the placement: core of every neuron, neurons per core. */
function placeNeurons(net: ChipNetwork, neuronCount: number): { coreOf: Int32Array; coreUpdates: Int32Array } {
  const cores = net.placement.cores;
  const coreOf = new Int32Array(neuronCount).fill(-1);
  const coreUpdates = new Int32Array(cores.length);
  cores.forEach((slices, core) => {
    for (const s of slices) {
      const pop = net.populations[s.population];
      if (!pop) fail(`core ${core}: no population ${s.population}`);
      if (s.start < 0 || s.count < 0 || s.start + s.count > pop.size) fail(`core ${core}: slice outside ${pop.name}`);
      for (let j = 0; j < s.count; j++) {
        const g = pop.firstNeuron + s.start + j;
        if (coreOf[g] !== -1) fail(`neuron ${g} is placed twice`);
        coreOf[g] = core;
      }
      coreUpdates[core] += s.count;
    }
  });
  for (const pop of net.populations) {
    for (let j = 0; j < pop.size; j++) {
      if (coreOf[pop.firstNeuron + j] === -1) fail(`neuron ${pop.firstNeuron + j} (${pop.name}) is not placed`);
    }
  }
  return { coreOf, coreUpdates };
}

/** Builds the flat tables of docs/chip.md's event-driven delivery for `net`. */
export function flattenNetwork(net: ChipNetwork): FlatNetwork {
  const { chip } = net;
  let neuronCount = 0;
  for (const pop of net.populations) {
    if (!(pop.firstNeuron >= 0) || !(pop.size >= 0)) fail(`${pop.name}: bad id range`);
    neuronCount = Math.max(neuronCount, pop.firstNeuron + pop.size);
  }
  const owned = new Uint8Array(neuronCount);
  net.populations.forEach((pop) => {
    for (let j = 0; j < pop.size; j++) {
      if (owned[pop.firstNeuron + j]) fail(`${pop.name}: overlaps another population`);
      owned[pop.firstNeuron + j] = 1;
    }
  });
  const { coreOf, coreUpdates } = placeNeurons(net, neuronCount);
  const maxDelay = chip.limits.maxDelaySteps;
  if (!Number.isInteger(maxDelay) || maxDelay < 1 || maxDelay > 65535) fail(`maxDelaySteps ${maxDelay}`);

  // Pass 1: synapses and segments (distinct keys) per presynaptic neuron.
  const synCount = new Int32Array(neuronCount + 1);
  const segCount = new Int32Array(neuronCount + 1);
  const keySpace = (maxDelay + 1) << KEY_SHIFT_BITS;
  const seen = new Int32Array(keySpace);
  const walkers = net.projections.map((proj) => {
    const src = net.populations[proj.source], tgt = net.populations[proj.target];
    if (!src || !tgt) fail(`${proj.name}: unknown population`);
    return { src, tgt, walker: rowWalker(proj, src, tgt, chip.formats.weightShift, maxDelay) };
  });
  let stamp = 0;
  for (const { src, walker } of walkers) {
    const { row, uniformKey } = walker;
    for (let pre = 0; pre < src.size; pre++) {
      walker.fill(pre);
      if (row.len === 0) continue;
      const g = src.firstNeuron + pre;
      synCount[g] += row.len;
      if (uniformKey >= 0) { segCount[g] += 1; continue; }
      stamp++;
      for (let k = 0; k < row.len; k++) {
        if (seen[row.key[k]] !== stamp) { seen[row.key[k]] = stamp; segCount[g]++; }
      }
    }
  }
  const segStart = new Int32Array(neuronCount + 1);
  const synStart = new Int32Array(neuronCount + 1);
  for (let n = 0; n < neuronCount; n++) {
    segStart[n + 1] = segStart[n] + segCount[n];
    synStart[n + 1] = synStart[n] + synCount[n];
  }
  const nSeg = segStart[neuronCount], nSyn = synStart[neuronCount];
  const segSyn = new Int32Array(nSeg + 1), segDelay = new Int32Array(nSeg), segShift = new Int32Array(nSeg);
  const post = new Int32Array(nSyn), weight = new Int16Array(nSyn);

  // Pass 2: fill, projection by projection; a row becomes one segment per distinct key, in order
  // of first appearance (a counting sort over the keys the row touches).
  const segCursor = segStart.slice(0, neuronCount), synCursor = synStart.slice(0, neuronCount);
  const next = new Int32Array(keySpace).fill(-1);
  const keys = new Int32Array(keySpace);
  for (const { src, tgt, walker } of walkers) {
    const { row, uniformKey } = walker;
    const first = tgt.firstNeuron;
    for (let pre = 0; pre < src.size; pre++) {
      walker.fill(pre);
      if (row.len === 0) continue;
      const g = src.firstNeuron + pre;
      let s = synCursor[g], seg = segCursor[g];
      if (uniformKey >= 0) {
        segSyn[seg] = s; segDelay[seg] = keyDelay(uniformKey); segShift[seg++] = keyShift(uniformKey);
        for (let k = 0; k < row.len; k++, s++) {
          post[s] = first + row.post[k];
          weight[s] = row.weight[k];
        }
      } else {
        let nk = 0;
        for (let k = 0; k < row.len; k++) {
          const key = row.key[k];
          if (next[key] < 0) { next[key] = 0; keys[nk++] = key; }
          next[key]++; // count for now
        }
        for (let j = 0; j < nk; j++) {
          const key = keys[j], count = next[key];
          segSyn[seg] = s; segDelay[seg] = keyDelay(key); segShift[seg++] = keyShift(key);
          next[key] = s; // now the next free slot of this key
          s += count;
        }
        for (let k = 0; k < row.len; k++) {
          const at = next[row.key[k]]++;
          post[at] = first + row.post[k];
          weight[at] = row.weight[k];
        }
        for (let j = 0; j < nk; j++) next[keys[j]] = -1;
      }
      synCursor[g] = s; segCursor[g] = seg;
    }
  }
  segSyn[nSeg] = nSyn;
  let longest = 1;
  for (let g = 0; g < nSeg; g++) longest = Math.max(longest, segDelay[g]);
  const tables = { coreOf, segStart, segSyn, post, activeCores: coreUpdates.length };
  return {
    neuronCount, ringSlots: longest + 1, coreCount: Math.max(chip.coreCount, coreUpdates.length),
    activeCores: coreUpdates.length, coreOf, coreUpdates,
    segStart, segSyn, segDelay, segShift, post, weight,
    ...spikeCosts(tables, chip.meshWidth),
  };
}

/** Synapses of global id g: segSyn[segStart[g]] .. segSyn[segStart[g + 1]] − 1. */
function synapseRange(flat: Pick<FlatNetwork, "segStart" | "segSyn">, g: number): [number, number] {
  return [flat.segSyn[flat.segStart[g]], flat.segSyn[flat.segStart[g + 1]]];
}

/**
 * Walks the distinct destination cores of every neuron's synapses: `visit(g, core, synapses)` per
 * (neuron, core) in order of the core's first synapse, then `done(g, cores)`. The core lookup is a
 * random access per synapse, so a 16-bit copy of coreOf halves its cache footprint.
 */
function forEachDestination(
  flat: Pick<FlatNetwork, "coreOf" | "segStart" | "segSyn" | "post" | "activeCores">,
  visit: (g: number, core: number, synapses: number) => void, done: (g: number, cores: number) => void,
): void {
  const { coreOf, post } = flat;
  const cores = Math.max(flat.activeCores, 1);
  const count = new Int32Array(cores), touched = new Int32Array(cores);
  const coreOfPost = cores <= 65536 ? Uint16Array.from(coreOf, (c) => Math.max(c, 0)) : coreOf;
  for (let g = 0; g < coreOf.length; g++) {
    const [start, end] = synapseRange(flat, g);
    let nt = 0;
    for (let k = start; k < end; k++) {
      const c = coreOfPost[post[k]];
      if (count[c]++ === 0) touched[nt++] = c;
    }
    for (let j = 0; j < nt; j++) {
      const c = touched[j];
      visit(g, c, count[c]);
      count[c] = 0;
    }
    done(g, nt);
  }
}

/** Per neuron: packets (its distinct destination cores) and hops (their Manhattan distances). */
function spikeCosts(
  flat: Pick<FlatNetwork, "coreOf" | "segStart" | "segSyn" | "post" | "activeCores">, meshWidth: number,
): { packets: Int32Array; hops: Int32Array } {
  if (!(meshWidth >= 1)) fail(`meshWidth ${meshWidth}`);
  const n = flat.coreOf.length;
  const packets = new Int32Array(n), hops = new Int32Array(n);
  const cores = Math.max(flat.activeCores, 1);
  const cx = new Int32Array(cores), cy = new Int32Array(cores);
  for (let c = 0; c < cores; c++) { cx[c] = c % meshWidth; cy[c] = Math.floor(c / meshWidth); }
  let h = 0;
  forEachDestination(flat, (g, c) => {
    const home = flat.coreOf[g];
    h += Math.abs(cx[c] - cx[home]) + Math.abs(cy[c] - cy[home]);
  }, (g, cores) => {
    packets[g] = cores;
    hops[g] = h;
    h = 0;
  });
  return { packets, hops };
}

/** The (core, synapses) pairs of every neuron (as many as Σ packets). */
export function destinationPairs(flat: FlatNetwork): DestinationPairs {
  const n = flat.neuronCount;
  let total = 0;
  for (let g = 0; g < n; g++) total += flat.packets[g];
  const destStart = new Int32Array(n + 1), dest = new Int32Array(2 * total);
  let pairs = 0;
  forEachDestination(flat, (_g, c, synapses) => {
    dest[2 * pairs] = c;
    dest[2 * pairs + 1] = synapses;
    pairs++;
  }, (g) => { destStart[g + 1] = pairs; });
  return { destStart, dest };
}
