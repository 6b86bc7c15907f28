/**
 * @fileoverview The wasm chip emulator's host side (browser-safe: no `fs`, no `process`).
 *
 * `createWasmEmulator` flattens the IR (flatten.ts), instantiates a fresh core for it, writes the
 * image (wasm-image.ts) and returns an Emulator whose `run` drives the core in chunks of steps:
 * per chunk it copies that chunk's encoder rows in, calls `runSteps` once, and drains the spikes,
 * per-step cycles/events and probe rows out. Chunks keep the wasm buffers bounded however long the
 * run; the core stops a chunk early if its spike buffer might not hold another step.
 * Node callers load the module with emulator/wasm-node.ts.
 */
import type { ChipNetwork } from "../compiler/ir.ts";
import type { EncoderTable, Emulator, ProbeTrace, RunOptions, RunResult } from "./types.ts";
import { flattenNetwork } from "./flatten.ts";
import { buildImage, type EventCounterLayout, type CoreExports, type CoreImage, type PopLayout } from "./wasm-image.ts";
import * as L from "./core-layout.ts";
import { deltaThresholdFixed } from "./spikegen.ts";
import { FlatSynapseSlots, type SynapseSlots } from "./calibration/flat-slots.ts";
import { withProjectionWeights } from "./calibration/synapse-memory.ts";

export interface WasmEmulatorOptions {
  /** "scalar" forces the general scalar neuron kernel (for measurement); default "simd". */
  kernel?: "simd" | "scalar";
  /** Upper bound of the per-chunk buffers in bytes (default 32 MiB). */
  chunkBytes?: number;
  /** Layout of the per-core event counters (default "auto"; the results are the same). */
  eventCounters?: EventCounterLayout;
}

/** Loads `network` into a fresh instance of the core. */
export async function createWasmEmulator(
  network: ChipNetwork, wasm: WebAssembly.Module | BufferSource, options: WasmEmulatorOptions = {},
): Promise<Emulator> {
  const module = wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm);
  const instance = await WebAssembly.instantiate(module, {
    env: { abort: () => { throw new Error("wasm core aborted"); } },
  });
  const flat = flattenNetwork(network);
  const image = buildImage(network, flat, instance.exports as unknown as CoreExports, options.kernel ?? "simd", options.eventCounters);
  const chunkBytes = options.chunkBytes ?? 32 << 20;
  let loaded = network;
  const slots = new FlatSynapseSlots(network);
  return {
    get network() {
      return loaded;
    },
    run: (opts) => runImage(network, image, opts, chunkBytes),
    writeProjectionWeights: (index, mantissas) => {
      loaded = withProjectionWeights(loaded, index, mantissas);
      writeSynapseMemory(image, slots.of(index), mantissas);
    },
  };
}

/** Stores mantissas into the core's i16 weight table (flat-CSR order, emulator/calibration/flat-slots.ts). */
function writeSynapseMemory(image: CoreImage, slots: SynapseSlots, mantissas: Int32Array): void {
  const memory = image.exports.memory.buffer;
  const weights = new Int16Array(memory, new Int32Array(memory, image.header, L.HEADER_WORDS)[L.H_WEIGHT]);
  for (let k = 0; k < slots.flatIndex.length; k++) weights[slots.flatIndex[k]] = mantissas[slots.weightIndex[k]];
}

/** How one input population is fed during a run. */
interface Feed {
  layout: PopLayout;
  kind: number;
  /**
   * rate: probabilities (frames × size); raster: steps × size bytes, or null for listed steps;
   * compare, delta: i32 values (frames × elements).
   */
  table: Uint32Array | Uint8Array | Int32Array | null;
  frames: number;
  /** Values per frame of a frame table (rate, compare, delta). */
  elements: number;
  /** spikes encoder without a raster: 1 at the listed steps. */
  listed: Uint8Array | null;
  ptr: number;
}

function feedFor(layout: PopLayout, table: EncoderTable | null | undefined, steps: number): Feed {
  const { pop } = layout;
  const enc = pop.encoder;
  const feed: Feed = { layout, kind: L.POP_SILENT, table: null, frames: 0, elements: pop.size, listed: null, ptr: 0 };
  if (!enc || pop.size === 0) return feed;
  if (enc.kind === "rate") {
    const prob = table?.probability;
    if (!prob) return feed; // no input: the encoder never fires
    const frames = table.frames ?? Math.floor(prob.length / pop.size);
    if (frames < 1 || prob.length < frames * pop.size) throw new Error(`${pop.name}: probability table too short`);
    return { ...feed, kind: L.POP_RATE, table: prob, frames };
  }
  if (enc.kind === "latency" || enc.kind === "phase" || enc.kind === "delta") {
    const values = table?.values;
    if (!values) return feed;
    const elements = enc.kind === "delta" && enc.offSpikes ? pop.size / 2 : pop.size;
    const frames = table.frames ?? Math.floor(values.length / elements);
    if (frames < 1 || values.length < frames * elements) throw new Error(`${pop.name}: value table too short`);
    return { ...feed, kind: enc.kind === "delta" ? L.POP_DELTA : L.POP_COMPARE, table: values, frames, elements };
  }
  if (table?.raster) return { ...feed, kind: L.POP_RASTER, table: table.raster };
  if (enc.steps.length === 0) return feed;
  const listed = new Uint8Array(steps);
  for (const t of enc.steps) if (t >= 0 && t < steps) listed[t] = 1;
  return { ...feed, kind: L.POP_RASTER, listed };
}

/** Copies the encoder rows of steps t0 .. t0+n−1 into the feed's chunk buffer. */
function fillFeed(f: Feed, mem: ArrayBuffer, t0: number, n: number): void {
  const rec = new Int32Array(mem, f.layout.record, L.POP_WORDS);
  const size = f.layout.pop.size;
  rec[L.P_KIND] = f.kind;
  rec[L.P_TABLE] = f.ptr;
  const enc = f.layout.pop.encoder!;
  if (f.kind === L.POP_RATE || f.kind === L.POP_COMPARE || f.kind === L.POP_DELTA) {
    const lo = Math.min(t0, f.frames - 1), hi = Math.min(t0 + n - 1, f.frames - 1);
    const rows = f.table!.subarray(lo * f.elements, (hi + 1) * f.elements);
    if (f.kind === L.POP_RATE) {
      const dst = new Uint32Array(mem, f.ptr, rows.length);
      for (let k = 0; k < dst.length; k++) dst[k] = Math.min(rows[k], 65536); // §2: clamped
    } else {
      new Int32Array(mem, f.ptr, rows.length).set(rows);
    }
    rec[L.P_ROW0] = lo;
    rec[L.P_FRAMES] = f.frames;
    rec[L.P_ELEMENTS] = f.elements;
    rec[L.P_FIRST_STEP] = "firstSpikeStep" in enc ? enc.firstSpikeStep : 0;
    rec[L.P_CYCLE] = enc.kind === "phase" ? enc.cycleSteps : 0;
    if (enc.kind === "delta") {
      rec[L.P_DELTA_THRESHOLD] = deltaThresholdFixed(enc.threshold);
      rec[L.P_DELTA_FLAGS] = (enc.offSpikes ? 1 : 0) | (enc.padding ? 2 : 0);
    }
  } else if (f.kind === L.POP_RASTER) {
    const dst = new Uint8Array(mem, f.ptr, n * size);
    if (f.listed) {
      for (let k = 0; k < n; k++) dst.fill(f.listed[t0 + k], k * size, (k + 1) * size);
    } else {
      const src = f.table as Uint8Array;
      const part = src.subarray(Math.min(t0 * size, src.length), Math.min((t0 + n) * size, src.length));
      dst.set(part);
      dst.fill(0, part.length); // a raster shorter than the run: no spikes after its end
    }
    rec[L.P_ROW0] = t0;
  }
}

/** A growable Int32Array. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const grown = new Int32Array(Math.max(2 * this.data.length, this.length + extra));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
  result(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

function runImage(net: ChipNetwork, img: CoreImage, opts: RunOptions, chunkBytes: number): RunResult {
  const steps = opts.steps;
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`steps must be a non-negative integer, got ${steps}`);
  const ex = img.exports;
  const seed = (opts.seed ?? net.seed) >>> 0;
  const record = opts.recordProbes ?? true;
  const byIndex = new Map(img.pops.map((p) => [p.index, p]));
  const feeds = img.pops.filter((p) => p.pop.kind === "input")
    .map((p) => feedFor(p, opts.encoders[p.index], steps));
  const probes = record ? net.probes.map((q) => {
    const layout = byIndex.get(q.population);
    if (!layout) throw new Error(`probe of unknown population ${q.population}`);
    return { q, layout, values: new Int32Array(steps * layout.pop.size), dst: 0 };
  }) : [];

  // chunk length: per-step buffer bytes within chunkBytes, at least one step
  let perStep = 24;
  for (const p of probes) perStep += 4 * p.layout.pop.size;
  for (const f of feeds) perStep += f.kind === L.POP_RASTER ? f.layout.pop.size : 4 * f.elements;
  const chunk = Math.max(1, Math.min(steps, 4096, Math.floor(chunkBytes / perStep)));
  const outCap = Math.max(img.nPad, Math.min(chunk * img.nPad, 1 << 20), 1);

  const arena = img.arena;
  arena.reset(img.runMark);
  const outSpikes = arena.alloc(outCap * 4), outCounts = arena.alloc(chunk * 4);
  const outCycles = arena.alloc(chunk * 8), outEvents = arena.alloc(chunk * 8), outCritical = arena.alloc(chunk * 4);
  for (const f of feeds) {
    if (f.kind === L.POP_RASTER) f.ptr = arena.alloc(chunk * f.layout.pop.size);
    else if (f.kind !== L.POP_SILENT) f.ptr = arena.alloc(Math.min(chunk, f.frames) * f.elements * 4);
  }
  for (const p of probes) p.dst = arena.alloc(chunk * p.layout.pop.size * 4);

  // no allocation from here on: these views stay valid for the whole run
  const mem = ex.memory.buffer;
  const h = new Int32Array(mem, img.header, L.HEADER_WORDS);
  new Int32Array(mem, img.v, img.nPad).set(img.v0);
  new Int32Array(mem, img.u, img.nPad).fill(0);
  new Int32Array(mem, img.ref, img.nPad).fill(0);
  new Int32Array(mem, img.acc, img.ring * img.nPad).fill(0);
  new Int32Array(mem, img.stepCounts, 3 * img.activeCores).fill(0);
  const totals = new Float64Array(mem, img.totals, 4 * img.activeCores).fill(0);
  h[L.H_SEED] = seed | 0;
  h[L.H_OUT_SPIKES] = outSpikes;
  h[L.H_OUT_CAP] = outCap;
  h[L.H_OUT_COUNTS] = outCounts;
  h[L.H_OUT_CYCLES] = outCycles;
  h[L.H_OUT_EVENTS] = outEvents;
  h[L.H_OUT_CRITICAL] = outCritical;
  h[L.H_PROBES] = probes.length;
  const probeTable = new Int32Array(mem, img.probeTable, Math.max(probes.length, 1) * L.PROBE_WORDS);
  probes.forEach((p, k) => {
    probeTable[k * L.PROBE_WORDS + L.Q_SRC] = (p.q.variable === "v" ? img.v : img.u) + 4 * p.layout.base;
    probeTable[k * L.PROBE_WORDS + L.Q_COUNT] = p.layout.pop.size;
    probeTable[k * L.PROBE_WORDS + L.Q_DST] = p.dst;
  });
  ex.init(img.header);

  const spikeSteps = new IntList(), spikeNeurons = new IntList();
  const stepCycles = new Float64Array(steps), stepSynapticEvents = new Float64Array(steps);
  const stepCriticalCore = new Int32Array(steps);
  const counts = new Int32Array(mem, outCounts, chunk);
  const cycles = new Float64Array(mem, outCycles, chunk), events = new Float64Array(mem, outEvents, chunk);
  const critical = new Int32Array(mem, outCritical, chunk);
  for (let t0 = 0; t0 < steps;) {
    const n = Math.min(chunk, steps - t0);
    for (const f of feeds) fillFeed(f, mem, t0, n);
    const done = ex.runSteps(t0, n);
    const written = h[L.H_OUT_WRITTEN];
    spikeNeurons.reserve(written);
    spikeNeurons.data.set(new Int32Array(mem, outSpikes, written), spikeNeurons.length);
    spikeNeurons.length += written;
    spikeSteps.reserve(written);
    for (let k = 0; k < done; k++) {
      spikeSteps.data.fill(t0 + k, spikeSteps.length, spikeSteps.length + counts[k]);
      spikeSteps.length += counts[k];
    }
    stepCycles.set(cycles.subarray(0, done), t0);
    stepSynapticEvents.set(events.subarray(0, done), t0);
    stepCriticalCore.set(critical.subarray(0, done), t0);
    for (const p of probes) {
      const size = p.layout.pop.size;
      p.values.set(new Int32Array(mem, p.dst, done * size), t0 * size);
    }
    t0 += done;
  }
  return finish(net, img, steps, totals, stepCycles, stepSynapticEvents, {
    spikeSteps: spikeSteps.result(), spikeNeurons: spikeNeurons.result(), stepCriticalCore,
    probes: probes.map((p): ProbeTrace => ({ population: p.q.population, variable: p.q.variable, values: p.values })),
  });
}

/** Per-core totals over all coreCount cores, latency and energy (docs/chip.md §7–8). */
function finish(
  net: ChipNetwork, img: CoreImage, steps: number, totals: Float64Array, stepCycles: Float64Array,
  stepSynapticEvents: Float64Array,
  out: Pick<RunResult, "spikeSteps" | "spikeNeurons" | "probes" | "stepCriticalCore">,
): RunResult {
  const { timing, energy: e } = net.chip;
  const { coreCount, activeCores: a } = img;
  const perCore = {
    updates: new Float64Array(coreCount), synapticEvents: new Float64Array(coreCount),
    packetsSent: new Float64Array(coreCount), hops: new Float64Array(coreCount),
    cycles: new Float64Array(coreCount),
  };
  // an empty core still meets every barrier; summed step by step like the used cores' cycles
  let idleCycles = 0;
  if (coreCount > a) for (let t = 0; t < steps; t++) idleCycles += timing.cyclesPerBarrier;
  const placed = net.placement.cores;
  for (let c = 0; c < coreCount; c++) {
    let neurons = 0;
    if (c < a) for (const s of placed[c]) neurons += s.count;
    perCore.updates[c] = neurons * steps;
    if (c < a) {
      perCore.synapticEvents[c] = totals[c];
      perCore.packetsSent[c] = totals[a + c];
      perCore.hops[c] = totals[2 * a + c];
      perCore.cycles[c] = totals[3 * a + c];
    } else {
      perCore.cycles[c] = idleCycles;
    }
  }
  let latencyCycles = 0;
  for (let t = 0; t < steps; t++) latencyCycles += stepCycles[t];
  let energyPj = 0;
  for (let c = 0; c < coreCount; c++) {
    energyPj += perCore.updates[c] * e.pjPerNeuronUpdate + perCore.synapticEvents[c] * e.pjPerSynapticEvent
      + perCore.packetsSent[c] * e.pjPerSpikeSent + perCore.hops[c] * e.pjPerHop;
  }
  energyPj += latencyCycles * e.pjPerCycleStatic;
  return { steps, ...out, perCore, stepCycles, stepSynapticEvents, latencyCycles, energyPj };
}
