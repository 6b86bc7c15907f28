/**
 * @fileoverview Writes a `ChipNetwork` as the flat binary file that the C yardstick
 * (bench/cuba.c) reads, and defines the spike checksum that both sides print.
 *
 * Only what one core of docs/chip.md §3–4 needs is kept: neuron constants per population,
 * initial voltages, and ONE global CSR (all projections merged, rows by global presynaptic id,
 * entries in projection order) holding the already-shifted weight increment
 * `mantissa · 2^(weightShift + exponent)` (the value added to the 32-bit accumulator; an arithmetic
 * right shift of the mantissa when weightShift + exponent < 0, as the wasm core does).
 * Placement, probes, timing and energy are not written (the yardstick keeps no counters besides
 * the spike and synaptic-event totals). Input populations are rejected.
 *
 * Format (all little-endian; every section starts on a 4-byte boundary):
 *
 *   off  type             field
 *   0    u32              magic 0x4243434E ("NCCB")
 *   4    u32              version = 1
 *   8    u32              n, number of neurons (global ids 0..n−1)
 *   12   u32              R, delay-ring slots = maxDelaySteps + 1
 *   16   u32              currentBits
 *   20   u32              voltageBits
 *   24   u32              P, number of population records
 *   28   u32              uniformDelay: the delay of every synapse, or 0 = per-synapse delays follow
 *   32   u64              nnz, number of synapses
 *   40   P × 12 × i32     population records, sorted by first id, covering 0..n−1 contiguously:
 *                         first, size, decayKind (0 multiply, 1 shift), currentParam, voltageParam
 *                         (retain or shift), threshold, bias, resetKind (0 zero, 1 value,
 *                         2 subtract), resetValue, refractorySteps, 0, 0
 *   ..   i32[n]           initial v
 *   ..   u64[n + 1]       rowStart (CSR by presynaptic global id)
 *   ..   u32[nnz]         post (global id)
 *   ..   i32[nnz]         weight increment
 *   ..   u8[nnz]          delays (only when uniformDelay = 0), zero-padded to a multiple of 4
 *
 * CLI: `tsx bench/dump.ts --n 4000 --p 0.02 [--source compiled|hand] --out bench/out/cuba-4000.bin`
 * dumps the CUBA network of bench/networks.ts (compiled examples/cuba.snn by default).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { ChipNetwork } from "../compiler/ir.ts";

export const DUMP_MAGIC = 0x4243434e;
export const DUMP_VERSION = 1;

/** One network merged into a global CSR, as written to the dump. */
export interface FlatNetwork {
  n: number;
  rowStart: Float64Array;
  post: Uint32Array;
  weight: Int32Array;
  /** null when every synapse has the same delay (then `uniformDelay` holds it). */
  delay: Uint8Array | null;
  uniformDelay: number;
}

/** Merges all projections of `net` into one CSR by global presynaptic id. */
export function flattenForDump(net: ChipNetwork): FlatNetwork {
  const pops = net.populations;
  const n = pops.reduce((s, p) => s + p.size, 0);
  const shift0 = net.chip.formats.weightShift;
  const counts = new Float64Array(n + 1);
  // Pass 1: count synapses per global presynaptic neuron, and see whether delays are uniform.
  let uniform = -1;
  let mixed = false;
  const noteDelay = (d: number): void => {
    if (uniform === -1) uniform = d;
    else if (uniform !== d) mixed = true;
  };
  for (const pr of net.projections) {
    const src = pops[pr.source]!;
    const tgt = pops[pr.target]!;
    const c = pr.connectivity;
    const perSyn = pr.delays;
    let idx = 0;
    if (c.kind === "sparse") {
      for (let pre = 0; pre < src.size; pre++) {
        for (let e = c.rowStart[pre]!; e < c.rowStart[pre + 1]!; e++) {
          if (c.weights[e] !== 0) {
            counts[src.firstNeuron + pre]!++;
            noteDelay(perSyn ? perSyn[e]! : pr.delaySteps);
          }
        }
      }
    } else if (c.kind === "dense") {
      for (let post = 0; post < tgt.size; post++) {
        for (let pre = 0; pre < src.size; pre++, idx++) {
          if (c.weights[idx] !== 0) {
            counts[src.firstNeuron + pre]!++;
            noteDelay(perSyn ? perSyn[idx]! : pr.delaySteps);
          }
        }
      }
    } else {
      for (let i = 0; i < src.size; i++) {
        if (c.weights[i] !== 0) {
          counts[src.firstNeuron + i]!++;
          noteDelay(perSyn ? perSyn[i]! : pr.delaySteps);
        }
      }
    }
  }
  const rowStart = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i]! + counts[i]!;
  const nnz = rowStart[n]!;
  if (nnz >= 2 ** 32) throw new Error("dump: more than 2^32 synapses");
  const post = new Uint32Array(nnz);
  const weight = new Int32Array(nnz);
  const delay = mixed ? new Uint8Array(nnz) : null;
  const fill = rowStart.slice(0, n);
  // Pass 2: scatter, projection by projection, so each row holds its entries in projection order.
  for (const pr of net.projections) {
    const src = pops[pr.source]!;
    const tgt = pops[pr.target]!;
    const c = pr.connectivity;
    const perSyn = pr.delays;
    const s = shift0 + pr.weightExponent;
    const scale = 2 ** Math.max(s, 0);
    const rs = Math.min(Math.max(-s, 0), 31); // negative total shift: arithmetic right shift
    const put = (pre: number, postLocal: number, mantissa: number, k: number): void => {
      const g = src.firstNeuron + pre;
      const at = fill[g]!++;
      post[at] = tgt.firstNeuron + postLocal;
      weight[at] = s >= 0 ? (mantissa * scale) | 0 : mantissa >> rs; // 32-bit accumulator (wraps)
      if (delay) delay[at] = perSyn ? perSyn[k]! : pr.delaySteps;
    };
    if (c.kind === "sparse") {
      for (let pre = 0; pre < src.size; pre++) {
        for (let e = c.rowStart[pre]!; e < c.rowStart[pre + 1]!; e++) {
          if (c.weights[e] !== 0) put(pre, c.post[e]!, c.weights[e]!, e);
        }
      }
    } else if (c.kind === "dense") {
      let idx = 0;
      for (let p = 0; p < tgt.size; p++) {
        for (let pre = 0; pre < src.size; pre++, idx++) {
          if (c.weights[idx] !== 0) put(pre, p, c.weights[idx]!, idx);
        }
      }
    } else {
      for (let i = 0; i < src.size; i++) if (c.weights[i] !== 0) put(i, i, c.weights[i]!, i);
    }
  }
  return { n, rowStart, post, weight, delay, uniformDelay: mixed ? 0 : Math.max(uniform, 1) };
}

/** Writes the dump of `net` to `file` (format in the file comment). Returns the synapse count. */
export function writeDump(net: ChipNetwork, file: string): number {
  const pops = [...net.populations].sort((a, b) => a.firstNeuron - b.firstNeuron);
  let expect = 0;
  for (const p of pops) {
    if (p.kind !== "neuron" || !p.neuron) throw new Error(`dump: input population ${p.name} is not supported`);
    if (p.firstNeuron !== expect) throw new Error("dump: populations do not cover the ids contiguously");
    expect += p.size;
  }
  const flat = flattenForDump(net);
  const header = Buffer.alloc(40 + pops.length * 48);
  header.writeUInt32LE(DUMP_MAGIC, 0);
  header.writeUInt32LE(DUMP_VERSION, 4);
  header.writeUInt32LE(flat.n, 8);
  header.writeUInt32LE(net.chip.limits.maxDelaySteps + 1, 12);
  header.writeUInt32LE(net.chip.formats.currentBits, 16);
  header.writeUInt32LE(net.chip.formats.voltageBits, 20);
  header.writeUInt32LE(pops.length, 24);
  header.writeUInt32LE(flat.uniformDelay, 28);
  header.writeBigUInt64LE(BigInt(flat.post.length), 32);
  pops.forEach((p, i) => {
    const k = p.neuron!;
    const d = k.decay;
    const rec = [
      p.firstNeuron,
      p.size,
      d.kind === "multiply" ? 0 : 1,
      d.kind === "multiply" ? d.currentRetain : d.currentShift,
      d.kind === "multiply" ? d.voltageRetain : d.voltageShift,
      k.threshold,
      k.bias,
      k.reset.kind === "zero" ? 0 : k.reset.kind === "value" ? 1 : 2,
      k.reset.kind === "value" ? k.reset.value : 0,
      k.refractorySteps,
      0,
      0,
    ];
    rec.forEach((x, j) => header.writeInt32LE(x, 40 + i * 48 + j * 4));
  });
  const v0 = new Int32Array(flat.n);
  for (const p of pops) if (p.initialVoltage) v0.set(p.initialVoltage, p.firstNeuron);
  const rows = new BigUint64Array(flat.n + 1);
  for (let i = 0; i <= flat.n; i++) rows[i] = BigInt(flat.rowStart[i]!);

  const fd = openSync(file, "w");
  try {
    const put = (a: ArrayBufferView): void => {
      const CHUNK = 1 << 26;
      for (let off = 0; off < a.byteLength; off += CHUNK) {
        const len = Math.min(CHUNK, a.byteLength - off);
        writeSync(fd, new Uint8Array(a.buffer, a.byteOffset + off, len));
      }
    };
    put(header);
    put(v0);
    put(rows);
    put(flat.post);
    put(flat.weight);
    if (flat.delay) {
      put(flat.delay);
      const pad = (4 - (flat.delay.length % 4)) % 4;
      if (pad) put(new Uint8Array(pad));
    }
  } finally {
    closeSync(fd);
  }
  return flat.post.length;
}

/**
 * Order-dependent 32-bit FNV-1a-style hash of a spike list ordered by step, then neuron id:
 * h = 2166136261; per spike h = (h ^ step)·16777619; h = (h ^ neuron)·16777619 (mod 2^32).
 * bench/cuba.c computes the same.
 */
export function spikeChecksum(steps: ArrayLike<number>, neurons: ArrayLike<number>): number {
  let h = 2166136261;
  for (let i = 0; i < steps.length; i++) {
    h = Math.imul(h ^ steps[i]!, 16777619);
    h = Math.imul(h ^ neurons[i]!, 16777619);
  }
  return h >>> 0;
}

function argValue(args: string[], name: string, fallback?: string): string {
  const i = args.indexOf(name);
  if (i >= 0 && i + 1 < args.length) return args[i + 1]!;
  if (fallback === undefined) throw new Error(`missing ${name}`);
  return fallback;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const { loadCubaNetwork } = await import("./networks.ts");
  const source = argValue(args, "--source", "compiled") as "compiled" | "hand";
  const { network: net } = await loadCubaNetwork(Number(argValue(args, "--n")), Number(argValue(args, "--p")), source);
  const nnz = writeDump(net, argValue(args, "--out"));
  console.log(`wrote ${argValue(args, "--out")}: ${net.populations.reduce((s, p) => s + p.size, 0)} neurons, ${nnz} synapses`);
}
