/**
 * @fileoverview Lays a flattened network out in the wasm core's linear memory (the "image" of one
 * network in one instance) following emulator/core-layout.ts, and owns the bump allocator.
 *
 * Memory map, from the core's heapBase upward, every table 16-byte aligned:
 *   header · population records · v · u · refractory · delay ring acc[ring][nPad]
 *   · CSR (segStart, segSyn, segDelay, segShift, post, weight) · per-neuron spike costs
 *   (coreOf, packets, hops, destStart, dest) · per-core tables · spike list · probe records
 *   — runMark —  per-run buffers (outputs, encoder tables of one chunk, probe rows of one chunk)
 * The image part is written once; each run resets the allocator to runMark, so repeated runs
 * reuse the same memory. Internal neuron index = global id with every population padded to a
 * multiple of POP_ALIGN (populations ordered by first id, so internal order follows global order).
 * Browser-safe: no Node APIs.
 */
import type { ChipNetwork, Population } from "../compiler/ir.ts";
import { destinationPairs, type DestinationPairs, type FlatNetwork } from "./flatten.ts";
import * as L from "./core-layout.ts";

/** What the asc-built core exports (bindings: raw). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  init(header: number): void;
  runSteps(t0: number, n: number): number;
  prng(seed: number, t: number, i: number): number;
}

/** A bump allocator over the exported memory; nothing is freed except by `reset(mark)`. */
export class Arena {
  top: number;
  constructor(readonly memory: WebAssembly.Memory, start: number) {
    this.top = start;
  }
  /** Returns a 16-byte aligned block of `bytes` plus 16 bytes of slack for SIMD over-reads. */
  alloc(bytes: number): number {
    const ptr = (this.top + 15) & ~15;
    const end = ptr + bytes + 16;
    if (end > 0xffff_0000) throw new Error(`the network needs more than 4 GiB of wasm memory`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
    this.top = end;
    return ptr;
  }
  reset(mark: number): void {
    this.top = mark;
  }
}

export interface PopLayout {
  /** Population index in the network. */
  index: number;
  pop: Population;
  /** First internal index and padded size. */
  base: number;
  padded: number;
  /** Byte address of the population's record. */
  record: number;
}

export interface CoreImage {
  exports: CoreExports;
  arena: Arena;
  header: number;
  nPad: number;
  ring: number;
  /** All cores of the chip, and those the placement lists (0 .. activeCores−1). */
  coreCount: number;
  activeCores: number;
  pops: PopLayout[];
  /** Initial voltage in internal order. */
  v0: Int32Array;
  v: number;
  u: number;
  ref: number;
  acc: number;
  stepCounts: number;
  totals: number;
  probeTable: number;
  /** Allocator position where the per-run buffers start. */
  runMark: number;
}

const i32 = (ex: CoreExports, ptr: number, n: number): Int32Array => new Int32Array(ex.memory.buffer, ptr, n);

/** Expands a per-global-id table to internal order; padding slots get `pad(pop)`. */
function toInternal(
  nPad: number, pops: PopLayout[], src: Int32Array, pad: (p: PopLayout) => number, extra = 0,
): Int32Array {
  const out = new Int32Array(nPad + extra);
  for (const p of pops) {
    const { firstNeuron: f, size } = p.pop;
    out.set(src.subarray(f, f + size), p.base);
    out.fill(pad(p), p.base + size, p.base + p.padded);
  }
  return out;
}

/** Writes the record of a neuron population (docs/chip.md §4 constants in the core's encoding). */
function neuronRecord(rec: Int32Array, pop: Population): void {
  const k = pop.neuron;
  if (!k) throw new Error(`invalid chip network: ${pop.name} has no neuron constants`);
  const int = (x: number, what: string, lo = -(2 ** 31), hi = 2 ** 31 - 1): number => {
    if (!Number.isInteger(x) || x < lo || x > hi) {
      throw new Error(`invalid chip network: ${pop.name}: ${what} ${x}`);
    }
    return x;
  };
  if (k.decay.kind === "multiply") {
    rec[L.P_DECAY] = 0;
    rec[L.P_CPARAM] = int(k.decay.currentRetain, "currentRetain", 0, 4096);
    rec[L.P_VPARAM] = int(k.decay.voltageRetain, "voltageRetain", 0, 4096);
  } else {
    // shift 31 means "no decay": stored as shift 0 with a zero mask (x − (x>>0 & 0) = x)
    const cs = int(k.decay.currentShift, "currentShift", 0, 31);
    const vs = int(k.decay.voltageShift, "voltageShift", 0, 31);
    rec[L.P_DECAY] = 1;
    rec[L.P_CPARAM] = cs === 31 ? 0 : cs;
    rec[L.P_CMASK] = cs === 31 ? 0 : -1;
    rec[L.P_VPARAM] = vs === 31 ? 0 : vs;
    rec[L.P_VMASK] = vs === 31 ? 0 : -1;
  }
  rec[L.P_THRESHOLD] = int(k.threshold, "threshold");
  rec[L.P_BIAS] = int(k.bias, "bias");
  rec[L.P_RESET_SUB] = k.reset.kind === "subtract" ? 1 : 0;
  rec[L.P_RESET_VALUE] = k.reset.kind === "value" ? int(k.reset.value, "reset value") : 0;
  rec[L.P_REFRACTORY] = int(k.refractorySteps, "refractorySteps", 0, 255);
}

/**
 * Packs the (core, synapses) pairs into one u32 each: core in the low `bits`, count above it. This
 * halves the table, which is about as long as the synapse list on big meshes (CUBA-160k: 22 M
 * pairs for 51 M synapses). A count that does not fit is split over several entries.
 */
export function packDestinations(flat: DestinationPairs & { neuronCount: number }, cores: number): { bits: number; start: Int32Array; entries: Int32Array } {
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(cores, 2))));
  const most = 2 ** (32 - bits) - 1;
  const n = flat.neuronCount, pairs = flat.dest.length / 2, dest = flat.dest;
  const scale = 2 ** bits;
  let largest = 0;
  for (let k = 1; k < dest.length; k += 2) largest = Math.max(largest, dest[k]);
  if (largest <= most) {
    // the usual case: one entry per pair, same start indices
    const entries = new Int32Array(pairs);
    for (let k = 0; k < pairs; k++) entries[k] = dest[2 * k] | (dest[2 * k + 1] * scale);
    return { bits, start: flat.destStart, entries };
  }
  let extra = 0;
  for (let k = 0; k < pairs; k++) extra += Math.ceil(dest[2 * k + 1] / most) - 1;
  const start = new Int32Array(n + 1), entries = new Int32Array(pairs + extra);
  let e = 0;
  for (let g = 0; g < n; g++) {
    start[g] = e;
    for (let k = flat.destStart[g]; k < flat.destStart[g + 1]; k++) {
      for (let left = dest[2 * k + 1]; left > 0; left -= most) entries[e++] = dest[2 * k] | (Math.min(left, most) * scale);
    }
  }
  start[n] = e;
  return { bits, start, entries };
}

/** How the core counts synaptic events per destination core (emulator/assembly/index.ts `deliver`). */
export type EventCounterLayout = "auto" | "pairs" | "fused";

/**
 * "auto" picks the fused layout when the (core, synapses) pairs would be at least a quarter as many
 * as the synapses (measured on CUBA: 40k neurons on 70 cores, 0.59 pairs per synapse, and 160k on
 * 1,206 cores, 0.88, run faster fused; 4k on 6 cores, 0.075, runs faster with pairs) and the core
 * id fits above the byte offset in 32 bits.
 */
export function postBitsFor(layout: EventCounterLayout, flat: FlatNetwork, nPad: number, cores: number): number {
  if (layout === "pairs") return 0;
  const postBits = Math.max(1, Math.ceil(Math.log2(Math.max(nPad, 1) * 4)));
  const coreBits = Math.ceil(Math.log2(Math.max(cores, 2)));
  const fits = postBits + coreBits <= 32;
  if (layout === "fused") {
    if (!fits) throw new Error(`fused event counters need ${postBits} + ${coreBits} bits; use "pairs"`);
    return postBits;
  }
  let pairs = 0;
  for (const packets of flat.packets) pairs += packets;
  return fits && pairs >= 0.25 * flat.post.length ? postBits : 0;
}

/** Allocates and writes the image of `net` into a fresh core instance. */
export function buildImage(
  net: ChipNetwork, flat: FlatNetwork, ex: CoreExports, kernel: "simd" | "scalar",
  counters: EventCounterLayout = "auto",
): CoreImage {
  const arena = new Arena(ex.memory, ex.heapBase());
  const order = net.populations.map((_, i) => i)
    .sort((a, b) => net.populations[a].firstNeuron - net.populations[b].firstNeuron || a - b);
  let nPad = 0;
  const pops: PopLayout[] = order.map((index) => {
    const pop = net.populations[index];
    const padded = Math.ceil(pop.size / L.POP_ALIGN) * L.POP_ALIGN;
    const p = { index, pop, base: nPad, padded, record: 0 };
    nPad += padded;
    return p;
  });
  const g2i = new Int32Array(flat.neuronCount);
  for (const p of pops) for (let j = 0; j < p.pop.size; j++) g2i[p.pop.firstNeuron + j] = p.base + j;
  const ring = flat.ringSlots, cores = flat.activeCores;
  const nSeg = flat.segDelay.length, nSyn = flat.post.length;

  // allocate everything first: growing memory detaches earlier views
  const header = arena.alloc(L.HEADER_WORDS * 4);
  const popTable = arena.alloc(pops.length * L.POP_WORDS * 4);
  pops.forEach((p, k) => { p.record = popTable + k * L.POP_WORDS * 4; });
  const v = arena.alloc(nPad * 4), u = arena.alloc(nPad * 4), ref = arena.alloc(nPad * 4);
  const acc = arena.alloc(ring * nPad * 4);
  const segStart = arena.alloc((nPad + 1) * 4), segSyn = arena.alloc((nSeg + 1) * 4);
  const segDelay = arena.alloc(nSeg * 4), segShift = arena.alloc(nSeg * 4);
  const post = arena.alloc(nSyn * 4), weight = arena.alloc(nSyn * 2);
  const coreOf = arena.alloc(nPad * 4), packets = arena.alloc(nPad * 4), hops = arena.alloc(nPad * 4);
  const postBits = postBitsFor(counters, flat, nPad, cores);
  const packed = postBits ? { bits: 1, start: new Int32Array(flat.neuronCount + 1), entries: new Int32Array(0) }
    : packDestinations({ neuronCount: flat.neuronCount, ...destinationPairs(flat) }, cores);
  const destStart = arena.alloc((nPad + 1) * 4), dest = arena.alloc(packed.entries.length * 4);
  const coreUpdates = arena.alloc(cores * 4), stepCounts = arena.alloc(cores * 12);
  const totals = arena.alloc(cores * 32);
  const spikeList = arena.alloc(nPad * 4);
  const probeTable = arena.alloc(net.probes.length * L.PROBE_WORDS * 4);

  const h = i32(ex, header, L.HEADER_WORDS);
  const set: [number, number][] = [
    [L.H_NPAD, nPad], [L.H_RING, ring], [L.H_POPS, pops.length], [L.H_POP_TABLE, popTable],
    [L.H_V, v], [L.H_U, u], [L.H_REF, ref], [L.H_ACC, acc], [L.H_SEG_START, segStart],
    [L.H_SEG_SYN, segSyn], [L.H_SEG_DELAY, segDelay], [L.H_SEG_SHIFT, segShift], [L.H_POST, post],
    [L.H_WEIGHT, weight], [L.H_CORE_OF, coreOf], [L.H_PACKETS, packets], [L.H_HOPS, hops],
    [L.H_DEST_START, destStart], [L.H_DEST, dest], [L.H_DEST_BITS, packed.bits], [L.H_CORES, cores],
    [L.H_CORE_UPDATES, coreUpdates], [L.H_STEP_COUNTS, stepCounts], [L.H_TOTALS, totals],
    [L.H_SPIKE_LIST, spikeList], [L.H_PROBE_TABLE, probeTable],
    [L.H_SCALAR, kernel === "scalar" ? 1 : 0], [L.H_POST_BITS, postBits],
    [L.H_IDLE_CORE, flat.coreCount > cores ? 1 : 0],
  ];
  for (const [w, x] of set) h[w] = x;
  const { currentBits: cb, voltageBits: vb } = net.chip.formats;
  if (!(Number.isInteger(cb) && cb >= 1 && cb <= 32)) throw new Error(`currentBits ${cb} unsupported`);
  if (!(Number.isInteger(vb) && vb >= 2 && vb <= 32)) throw new Error(`voltageBits ${vb} unsupported`);
  // Lava's wrap with H = 2^(cb−1): u > H → u − 2H; u ≤ −H (u < 1 − H) → u + 2H. For cb = 32 the
  // correction is the identity modulo 2^32, so no lane may trigger it.
  h[L.H_WRAP_HI] = cb === 32 ? 0x7fffffff : 2 ** (cb - 1);
  h[L.H_WRAP_LO] = cb === 32 ? -0x80000000 : 1 - 2 ** (cb - 1);
  h[L.H_TWO_H] = cb === 32 ? 0 : 2 ** cb | 0;
  h[L.H_VMAX] = 2 ** (vb - 1) - 1;
  const t = net.chip.timing;
  new Float64Array(ex.memory.buffer, header + L.H_COSTS * 4, 5).set([
    t.cyclesPerNeuronUpdate, t.cyclesPerSynapticEvent, t.cyclesPerSpikeSent, t.cyclesPerHop,
    t.cyclesPerBarrier,
  ]);

  for (const p of pops) {
    const rec = i32(ex, p.record, L.POP_WORDS);
    rec[L.P_KIND] = p.pop.kind === "neuron" ? L.POP_NEURON : L.POP_SILENT;
    rec[L.P_BASE] = p.base;
    rec[L.P_SIZE] = p.pop.size;
    rec[L.P_GLOBAL] = p.pop.firstNeuron;
    if (p.pop.kind === "neuron") neuronRecord(rec, p.pop);
  }
  const v0 = new Int32Array(nPad);
  for (const p of pops) {
    const iv = p.pop.kind === "neuron" ? p.pop.initialVoltage : null; // input neurons have no v
    if (iv && iv.length !== p.pop.size) throw new Error(`invalid chip network: ${p.pop.name}: initialVoltage length`);
    if (iv) v0.set(iv, p.base);
  }
  const ss = toInternal(nPad, pops, flat.segStart, (p) => flat.segStart[p.pop.firstNeuron + p.pop.size], 1);
  ss[nPad] = nSeg;
  i32(ex, segStart, nPad + 1).set(ss);
  i32(ex, segSyn, nSeg + 1).set(flat.segSyn);
  i32(ex, segDelay, nSeg).set(flat.segDelay);
  i32(ex, segShift, nSeg).set(flat.segShift);
  const postView = i32(ex, post, nSyn);
  // byte offset in a ring row; without padding gaps the internal index is the global id
  if (postBits) {
    const high = 2 ** postBits;
    for (let k = 0; k < nSyn; k++) postView[k] = (g2i[flat.post[k]] << 2) + flat.coreOf[flat.post[k]] * high;
  } else if (pops.every((p) => p.base === p.pop.firstNeuron)) for (let k = 0; k < nSyn; k++) postView[k] = flat.post[k] << 2;
  else for (let k = 0; k < nSyn; k++) postView[k] = g2i[flat.post[k]] << 2;
  new Int16Array(ex.memory.buffer, weight, nSyn).set(flat.weight);
  i32(ex, coreOf, nPad).set(toInternal(nPad, pops, flat.coreOf, () => 0));
  i32(ex, packets, nPad).set(toInternal(nPad, pops, flat.packets, () => 0));
  i32(ex, hops, nPad).set(toInternal(nPad, pops, flat.hops, () => 0));
  const ds = toInternal(nPad, pops, packed.start, (p) => packed.start[p.pop.firstNeuron + p.pop.size], 1);
  ds[nPad] = packed.entries.length;
  i32(ex, destStart, nPad + 1).set(ds);
  i32(ex, dest, packed.entries.length).set(packed.entries);
  i32(ex, coreUpdates, cores).set(flat.coreUpdates);
  ex.init(header);
  return {
    exports: ex, arena, header, nPad, ring, coreCount: flat.coreCount, activeCores: cores, pops, v0, v, u, ref, acc,
    stepCounts, totals, probeTable, runMark: arena.top,
  };
}
