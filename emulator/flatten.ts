/**
 * @fileoverview Flattens a ChipNetwork's projections and placement into flat, backend-neutral
 * tables: one CSR over all projections by presynaptic global id, grouped into segments that share a
 * delay and a weight shift, plus what one spike of each neuron costs in packets, hops and
 * synaptic events per destination core (docs/chip.md §1, §7).
 *
 * Used by the wasm host (emulator/wasm.ts); any backend that wants event-driven delivery with
 * per-spike precomputed counters can reuse it. Invalid IR (a delay outside [1, maxDelaySteps], a
 * mantissa that does not fit 16 bits, a neuron placed twice or not at all, ...) throws, since the
 * compiler is supposed to have rejected it already.
 *
 *   segments of pre n:   segStart[n] .. segStart[n+1]−1
 *   synapses of seg g:   segSyn[g] .. segSyn[g+1]−1, all with delay segDelay[g] and
 *                        contribution mantissa << segShift[g] (>> −segShift[g] if negative)
 *   destinations of n:   destStart[n] .. destStart[n+1]−1, pairs (dest[2k] core, dest[2k+1] synapses)
 */
import type { ChipNetwork, Projection } from "../compiler/ir.ts";

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
  /** Per global id: packets and hops one spike of it causes. */
  packets: Int32Array;
  hops: Int32Array;
  destStart: Int32Array;
  dest: Int32Array;
}

/** A row of one projection: the nonzero synapses of one presynaptic neuron, in IR order. */
interface Row {
  len: number;
  post: Int32Array;
  weight: Int32Array;
  /** Per-synapse delays, or null when the projection has one delay. */
  delay: Uint8Array | null;
}

function fail(message: string): never {
  throw new Error(`invalid chip network: ${message}`);
}

/** Calls `visit(pre, row)` for each presynaptic neuron (index within the source population). */
function forEachRow(
  proj: Projection, sourceSize: number, targetSize: number,
  visit: (pre: number, row: Row) => void,
): void {
  const c = proj.connectivity;
  const perSynapse = proj.delays;
  let cap = targetSize;
  if (c.kind === "sparse") {
    if (c.rowStart.length !== sourceSize + 1) fail(`${proj.name}: rowStart has the wrong length`);
    for (let i = 0; i < sourceSize; i++) cap = Math.max(cap, c.rowStart[i + 1] - c.rowStart[i]);
  }
  const row: Row = {
    len: 0, post: new Int32Array(cap), weight: new Int32Array(cap),
    delay: perSynapse ? new Uint8Array(cap) : null,
  };
  const expected = c.kind === "dense" ? sourceSize * targetSize
    : c.kind === "oneToOne" ? sourceSize : c.weights.length;
  if (c.weights.length !== expected) fail(`${proj.name}: weights have the wrong length`);
  if (perSynapse && perSynapse.length !== expected) fail(`${proj.name}: delays have the wrong length`);
  if (c.kind === "oneToOne" && sourceSize !== targetSize) fail(`${proj.name}: oneToOne sizes differ`);
  const { post, weight, delay } = row;
  const w = c.weights;
  // one loop per kind, no per-synapse call: this runs twice over every synapse (CUBA-160k: 51 M)
  for (let pre = 0; pre < sourceSize; pre++) {
    let len = 0;
    if (c.kind === "sparse") {
      const to = c.post;
      for (let k = c.rowStart[pre], end = c.rowStart[pre + 1]; k < end; k++) {
        if (w[k] === 0) continue; // zero mantissa: no synapse (docs/chip.md §3)
        post[len] = to[k];
        weight[len] = w[k];
        if (delay) delay[len] = perSynapse![k];
        len++;
      }
      for (let j = 0; j < len; j++) if (!(post[j] >= 0 && post[j] < targetSize)) fail(`${proj.name}: target ${post[j]} out of range`);
    } else if (c.kind === "dense") {
      for (let to = 0, k = pre; to < targetSize; to++, k += sourceSize) {
        if (w[k] === 0) continue;
        post[len] = to;
        weight[len] = w[k];
        if (delay) delay[len] = perSynapse![k];
        len++;
      }
    } else if (w[pre] !== 0) {
      post[0] = pre;
      weight[0] = w[pre];
      if (delay) delay[0] = perSynapse![pre];
      len = 1;
    }
    row.len = len;
    visit(pre, row);
  }
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
  if (!Number.isInteger(maxDelay) || maxDelay < 1 || maxDelay > 255) fail(`maxDelaySteps ${maxDelay}`);

  // Pass 1: synapses and segments per presynaptic neuron.
  const synCount = new Int32Array(neuronCount + 1);
  const segCount = new Int32Array(neuronCount + 1);
  const seen = new Int32Array(maxDelay + 1);
  const projs = net.projections.map((proj) => {
    const src = net.populations[proj.source], tgt = net.populations[proj.target];
    if (!src || !tgt) fail(`${proj.name}: unknown population`);
    const shift = chip.formats.weightShift + proj.weightExponent;
    if (!Number.isInteger(shift)) fail(`${proj.name}: weight shift ${shift}`);
    const d = proj.delaySteps;
    if (!proj.delays && !(Number.isInteger(d) && d >= 1 && d <= maxDelay)) fail(`${proj.name}: delay ${d}`);
    // beyond ±31 the result no longer changes: a 16-bit mantissa >> 31 toward zero is 0, and
    // m << 32 is 0 modulo 2^32 (the core skips segments with shift ≥ 32)
    return { proj, src, tgt, shift: Math.min(Math.max(shift, -31), 32) };
  });
  let stamp = 0;
  for (const { proj, src, tgt } of projs) {
    forEachRow(proj, src.size, tgt.size, (pre, row) => {
      if (row.len === 0) return;
      const g = src.firstNeuron + pre;
      synCount[g] += row.len;
      if (!row.delay) { segCount[g] += 1; return; }
      stamp++;
      for (let k = 0; k < row.len; k++) {
        const d = row.delay[k];
        if (d < 1 || d > maxDelay) fail(`${proj.name}: delay ${d}`);
        if (seen[d] !== stamp) { seen[d] = stamp; segCount[g]++; }
      }
    });
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

  // Pass 2: fill, projection by projection; each row becomes one segment per distinct delay.
  const segCursor = segStart.slice(0, neuronCount), synCursor = synStart.slice(0, neuronCount);
  const perDelay = new Int32Array(maxDelay + 2);
  for (const { proj, src, tgt, shift } of projs) {
    forEachRow(proj, src.size, tgt.size, (pre, row) => {
      if (row.len === 0) return;
      const g = src.firstNeuron + pre;
      let s = synCursor[g], seg = segCursor[g];
      const first = tgt.firstNeuron;
      for (let k = 0; k < row.len; k++) {
        const w = row.weight[k];
        if (!(w >= -32768 && w <= 32767 && Number.isInteger(w))) fail(`${proj.name}: mantissa ${w}`);
      }
      if (!row.delay) {
        segSyn[seg] = s; segDelay[seg] = proj.delaySteps; segShift[seg++] = shift;
        for (let k = 0; k < row.len; k++, s++) {
          post[s] = first + row.post[k];
          weight[s] = row.weight[k];
        }
      } else {
        // counting sort by delay: perDelay[d] becomes the next free slot of delay d
        perDelay.fill(0);
        for (let k = 0; k < row.len; k++) perDelay[row.delay[k]]++;
        for (let d = 1; d <= maxDelay; d++) {
          const c = perDelay[d];
          if (c === 0) continue;
          segSyn[seg] = s; segDelay[seg] = d; segShift[seg++] = shift;
          perDelay[d] = s;
          s += c;
        }
        for (let k = 0; k < row.len; k++) {
          const at = perDelay[row.delay[k]]++;
          post[at] = first + row.post[k];
          weight[at] = row.weight[k];
        }
      }
      synCursor[g] = s; segCursor[g] = seg;
    });
  }
  segSyn[nSeg] = nSyn;
  let longest = 1;
  for (let g = 0; g < nSeg; g++) longest = Math.max(longest, segDelay[g]);
  return {
    neuronCount, ringSlots: longest + 1, coreCount: Math.max(chip.coreCount, coreUpdates.length),
    activeCores: coreUpdates.length, coreOf, coreUpdates,
    segStart, segSyn, segDelay, segShift, post, weight,
    ...spikeCosts(coreOf, synStart, post, coreUpdates.length, chip.meshWidth),
  };
}

/** Per neuron: destination cores with their synapse counts, packets (= their number) and hops. */
function spikeCosts(
  coreOf: Int32Array, synStart: Int32Array, post: Int32Array, coreCount: number, meshWidth: number,
): { packets: Int32Array; hops: Int32Array; destStart: Int32Array; dest: Int32Array } {
  const n = coreOf.length;
  if (!(meshWidth >= 1)) fail(`meshWidth ${meshWidth}`);
  const packets = new Int32Array(n), hops = new Int32Array(n), destStart = new Int32Array(n + 1);
  const count = new Int32Array(Math.max(coreCount, 1));
  let dest = new Int32Array(1024), pairs = 0;
  const touched = new Int32Array(Math.max(coreCount, 1));
  for (let g = 0; g < n; g++) {
    let nt = 0;
    for (let k = synStart[g]; k < synStart[g + 1]; k++) {
      const c = coreOf[post[k]];
      if (count[c]++ === 0) touched[nt++] = c; // cores in order of first synapse
    }
    if (2 * (pairs + nt) > dest.length) {
      const grown = new Int32Array(Math.max(2 * dest.length, 2 * (pairs + nt)));
      grown.set(dest);
      dest = grown;
    }
    const home = coreOf[g];
    const hx = home % meshWidth, hy = Math.floor(home / meshWidth);
    let h = 0;
    for (let j = 0; j < nt; j++) {
      const c = touched[j];
      h += Math.abs((c % meshWidth) - hx) + Math.abs(Math.floor(c / meshWidth) - hy);
      dest[2 * pairs] = c;
      dest[2 * pairs + 1] = count[c];
      pairs++;
      count[c] = 0;
    }
    packets[g] = nt;
    hops[g] = h;
    destStart[g + 1] = pairs;
  }
  return { packets, hops, destStart, dest: dest.slice(0, 2 * pairs) };
}
