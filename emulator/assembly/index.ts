/**
 * @fileoverview The fast chip core: advances the chip of docs/chip.md by many steps per call.
 *
 * Memory is owned by the host (emulator/wasm.ts): it grows this module's memory above
 * `heapBase()`, writes the tables and a header (emulator/core-layout.ts), calls `init(header)`
 * and then `runSteps(t0, n)` per chunk of steps. Nothing here allocates, so array views on the
 * host side stay valid. One instance holds one network.
 *
 * Per step (docs/chip.md §3): neuron update / encoders per population (neuron.ts, encoder.ts),
 * probes, then event-driven delivery of the step's spikes into the delay ring, then the per-core
 * cycle count of §7. Packets and hops per spiking neuron are precomputed by the host; synaptic
 * events per destination core come from precomputed (core, synapses) pairs on small meshes, or are
 * counted from the synapse rows on big ones (see `deliver`).
 */
import {
  H_NPAD, H_RING, H_POPS, H_POP_TABLE, H_V, H_U, H_REF, H_ACC, H_SEG_START, H_SEG_SYN,
  H_SEG_DELAY, H_SEG_SHIFT, H_POST, H_WEIGHT, H_CORE_OF, H_PACKETS, H_HOPS, H_DEST_START, H_DEST,
  H_CORES, H_CORE_UPDATES, H_STEP_COUNTS, H_TOTALS, H_SPIKE_LIST, H_PROBES, H_PROBE_TABLE,
  H_OUT_SPIKES, H_OUT_CAP, H_OUT_COUNTS, H_OUT_CYCLES, H_OUT_EVENTS, H_OUT_CRITICAL, H_SEED, H_WRAP_HI, H_WRAP_LO,
  H_TWO_H, H_VMAX, H_SCALAR, H_IDLE_CORE, H_OUT_WRITTEN, H_DEST_BITS, H_POST_BITS, H_COSTS, POP_WORDS, P_KIND, P_DECAY,
  P_REFRACTORY, P_RESET_SUB, POP_NEURON, POP_RATE, POP_RASTER, POP_COMPARE, POP_DELTA, PROBE_WORDS, Q_SRC, Q_COUNT, Q_DST,
} from "../core-layout";
import { rd, setState, setOut } from "./state";
import { updateNeurons } from "./neuron";
import { rateEncoder, rasterEncoder, compareEncoder, deltaEncoder } from "./encoder";
export { prng } from "./encoder";

let hdr: usize = 0;

/** First free byte; the host lays its tables out from here (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** Points the core at a header written by the host. */
export function init(header: usize): void {
  hdr = header;
}

/** Compile-time flag carried by a type argument (as in neuron.ts): `Y` is true, `N` is false. */
type Y = u8;
type N = u16;

/**
 * Delivers the step's spikes (docs/chip.md §3 phase 2) and counts their packets, hops and the
 * synaptic events at each destination core into the per-step scratch counters.
 *
 * Two layouts of the event counters, chosen per image by the host (emulator/wasm-image.ts):
 * - pairs (`Fused` = N): per spiking neuron, a list of (core, synapses) entries, one add per
 *   destination core. Best when a spike reaches few cores (long runs of one core in the row).
 * - fused (`Fused` = Y): each `post` entry carries its target's core above the byte offset, and the
 *   synapse loop counts ev[core]++ itself. Best on big meshes, where a spike reaches nearly as many
 *   cores as synapses and the pairs table would be as long as the synapse list.
 */
function deliver<Fused>(nsp: i32, slot: i32): void {
  const FUSED = sizeof<Fused>() == 1;
  const h = hdr;
  const ring = rd(h, H_RING);
  const rowBytes = <usize>rd(h, H_NPAD) << 2;
  const acc = <usize>rd(h, H_ACC);
  const list = <usize>rd(h, H_SPIKE_LIST);
  const segStart = <usize>rd(h, H_SEG_START), segSyn = <usize>rd(h, H_SEG_SYN);
  const segDelay = <usize>rd(h, H_SEG_DELAY), segShift = <usize>rd(h, H_SEG_SHIFT);
  const post = <usize>rd(h, H_POST), weight = <usize>rd(h, H_WEIGHT);
  const coreOf = <usize>rd(h, H_CORE_OF), packets = <usize>rd(h, H_PACKETS);
  const hops = <usize>rd(h, H_HOPS), destStart = <usize>rd(h, H_DEST_START);
  const dest = <usize>rd(h, H_DEST);
  const coreBits = <u32>rd(h, H_DEST_BITS), coreMask = (<u32>1 << coreBits) - 1;
  const postBits = <u32>rd(h, H_POST_BITS), postMask = (<u32>1 << postBits) - 1;
  const cores = <usize>rd(h, H_CORES);
  const evCount = <usize>rd(h, H_STEP_COUNTS);
  const pkCount = evCount + (cores << 2), hopCount = pkCount + (cores << 2);
  for (let s = 0; s < nsp; s++) {
    const n = <usize>load<i32>(list + (<usize>s << 2)) << 2;
    const c = <usize>load<i32>(coreOf + n) << 2;
    store<i32>(pkCount + c, load<i32>(pkCount + c) + load<i32>(packets + n));
    store<i32>(hopCount + c, load<i32>(hopCount + c) + load<i32>(hops + n));
    if (!FUSED) {
      const d1 = <usize>load<i32>(destStart + n, 4) << 2;
      for (let d = <usize>load<i32>(destStart + n) << 2; d < d1; d += 4) {
        const entry = load<u32>(dest + d);
        const e = evCount + ((entry & coreMask) << 2);
        store<i32>(e, load<i32>(e) + <i32>(entry >>> coreBits));
      }
    }
    const g1 = <usize>load<i32>(segStart + n, 4) << 2;
    for (let g = <usize>load<i32>(segStart + n) << 2; g < g1; g += 4) {
      let sl = slot + load<i32>(segDelay + g);
      if (sl >= ring) sl -= ring;
      const row = acc + <usize>sl * rowBytes;
      const sh = load<i32>(segShift + g);
      const k0 = <usize>load<i32>(segSyn + g), k1 = <usize>load<i32>(segSyn + g, 4);
      if (<u32>sh < 32) {
        // the hot loop: one scattered add per synapse (unrolling it measured no faster)
        for (let k = k0; k < k1; k++) {
          const p = row + <usize>(FUSED ? load<u32>(post + (k << 2)) & postMask : load<u32>(post + (k << 2)));
          store<i32>(p, load<i32>(p) + (<i32>load<i16>(weight + (k << 1)) << sh));
        }
      } else if (sh < 0) {
        // negative total shift: divide by 2^−sh rounding toward zero (docs/chip.md §2, Rounding)
        const rs = -sh;
        for (let k = k0; k < k1; k++) {
          const p = row + <usize>(FUSED ? load<u32>(post + (k << 2)) & postMask : load<u32>(post + (k << 2)));
          const m = <i32>load<i16>(weight + (k << 1));
          store<i32>(p, load<i32>(p) + (m < 0 ? -(-m >> rs) : m >> rs));
        }
      } // sh ≥ 32: mantissa << sh is 0 modulo 2^32; the events still count
      if (FUSED) {
        // A second pass over the same (now cached) entries: inside the add loop the increments
        // lengthened each iteration and cut how many cache misses the CPU keeps in flight.
        for (let k = k0; k < k1; k++) countEvent(evCount, load<u32>(post + (k << 2)) >>> postBits);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function countEvent(evCount: usize, core: u32): void {
  const e = evCount + (<usize>core << 2);
  store<i32>(e, load<i32>(e) + 1);
}

/**
 * Ends a step: cycles(core, t) per §7 for the used cores, the critical core's cycles and the
 * step's synaptic events into the chunk outputs, run totals per core; clears the scratch.
 */
function closeStep(k: i32): void {
  const h = hdr;
  const cores = <usize>rd(h, H_CORES);
  const updates = <usize>rd(h, H_CORE_UPDATES);
  const evCount = <usize>rd(h, H_STEP_COUNTS);
  const pkCount = evCount + (cores << 2), hopCount = pkCount + (cores << 2);
  const totals = <usize>rd(h, H_TOTALS);
  const costs = h + (<usize>H_COSTS << 2);
  const cU = load<f64>(costs), cE = load<f64>(costs, 8), cS = load<f64>(costs, 16);
  const cH = load<f64>(costs, 24), cB = load<f64>(costs, 32);
  let worst = rd(h, H_IDLE_CORE) ? cB : -Infinity;
  // Used cores come first in index order, idle ones (barrier only) after: the lowest-index core
  // with the most cycles is always a used one.
  let busiest: f64 = -Infinity;
  let critical = 0;
  let events: f64 = 0;
  for (let c: usize = 0; c < cores; c++) {
    const o = c << 2;
    const ev = <f64>load<i32>(evCount + o), pk = <f64>load<i32>(pkCount + o);
    const hp = <f64>load<i32>(hopCount + o);
    store<i32>(evCount + o, 0);
    store<i32>(pkCount + o, 0);
    store<i32>(hopCount + o, 0);
    // same operation order as the formula in docs/chip.md §7
    const cyc = <f64>load<i32>(updates + o) * cU + ev * cE + pk * cS + hp * cH + cB;
    if (cyc > worst) worst = cyc;
    if (cyc > busiest) {
      busiest = cyc;
      critical = <i32>c;
    }
    events += ev;
    const t = totals + (c << 3);
    store<f64>(t, load<f64>(t) + ev);
    store<f64>(t + (cores << 3), load<f64>(t + (cores << 3)) + pk);
    store<f64>(t + (cores << 4), load<f64>(t + (cores << 4)) + hp);
    store<f64>(t + cores * 24, load<f64>(t + cores * 24) + cyc);
  }
  if (worst == -Infinity) worst = 0; // a chip with no core at all
  store<f64>(<usize>rd(h, H_OUT_CYCLES) + (<usize>k << 3), worst);
  store<f64>(<usize>rd(h, H_OUT_EVENTS) + (<usize>k << 3), events);
  store<i32>(<usize>rd(h, H_OUT_CRITICAL) + (<usize>k << 2), critical);
}

/**
 * Runs steps t0 .. t0+n−1 of the current run and returns how many were done: fewer than n when the
 * spike output buffer could not hold another full step (every neuron spiking). Step k of the call
 * writes its spike count, critical cycles and events at index k of the chunk outputs, its probe
 * values at row k, and its spikes after those of the earlier steps of the call.
 */
export function runSteps(t0: i32, n: i32): i32 {
  const h = hdr;
  const nPad = rd(h, H_NPAD), ring = rd(h, H_RING);
  const rowBytes = <usize>nPad << 2;
  const acc = <usize>rd(h, H_ACC);
  const pops = rd(h, H_POPS), popTable = <usize>rd(h, H_POP_TABLE);
  const probes = rd(h, H_PROBES), probeTable = <usize>rd(h, H_PROBE_TABLE);
  const outSpikes = <usize>rd(h, H_OUT_SPIKES), outCap = rd(h, H_OUT_CAP);
  const outCounts = <usize>rd(h, H_OUT_COUNTS);
  const seed = <u32>rd(h, H_SEED);
  const scalar = rd(h, H_SCALAR) ? 8 : 0;
  const fused = rd(h, H_POST_BITS) != 0;
  setState(
    rd(h, H_V), rd(h, H_U), rd(h, H_REF), rd(h, H_WRAP_HI), rd(h, H_WRAP_LO), rd(h, H_TWO_H),
    rd(h, H_VMAX), rd(h, H_SPIKE_LIST),
  );
  let outPos = 0;
  let k = 0;
  for (; k < n; k++) {
    if (outCap - outPos < nPad) break; // a step emits at most nPad spikes
    const t = t0 + k;
    const slot = t % ring;
    const accRow = acc + <usize>slot * rowBytes;
    setOut(outSpikes + (<usize>outPos << 2));
    let nsp = 0;
    for (let p = 0; p < pops; p++) {
      const pop = popTable + ((<usize>p * POP_WORDS) << 2);
      const kind = rd(pop, P_KIND);
      if (kind == POP_NEURON) {
        const variant = scalar | (rd(pop, P_DECAY) << 2)
          | (rd(pop, P_REFRACTORY) > 0 ? 2 : 0) | rd(pop, P_RESET_SUB);
        nsp = updateNeurons(pop, accRow, nsp, variant, t);
      } else if (kind == POP_RATE) {
        nsp = rateEncoder(pop, t, seed, nsp);
      } else if (kind == POP_RASTER) {
        nsp = rasterEncoder(pop, t, nsp);
      } else if (kind == POP_COMPARE) {
        nsp = compareEncoder(pop, t, nsp);
      } else if (kind == POP_DELTA) {
        nsp = deltaEncoder(pop, t, nsp);
      }
    }
    for (let q = 0; q < probes; q++) {
      const rec = probeTable + ((<usize>q * PROBE_WORDS) << 2);
      const count = <usize>rd(rec, Q_COUNT) << 2;
      memory.copy(<usize>rd(rec, Q_DST) + <usize>k * count, <usize>rd(rec, Q_SRC), count);
    }
    if (nsp > 0) {
      if (fused) deliver<Y>(nsp, slot);
      else deliver<N>(nsp, slot);
    }
    closeStep(k);
    store<i32>(outCounts + (<usize>k << 2), nsp);
    outPos += nsp;
  }
  store<i32>(h + (<usize>H_OUT_WRITTEN << 2), outPos);
  return k;
}
