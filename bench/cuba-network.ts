/**
 * @fileoverview A hand-built `ChipNetwork` for Brian2's CUBA benchmark, written before the compiler
 * existed. The benchmarks now use the compiled examples/cuba.snn by default (bench/networks.ts);
 * this generator is the alternative `--source hand` (its own mapping and RNG, independent of the
 * compiler, so it also cross-checks the compiler's quantisation). Entry point:
 * `cubaNetwork({ n, p, seed })`.
 *
 * Model (Brian2 examples/CUBA.py, Brette et al. 2007 benchmark 2):
 *   dv/dt = (ge + gi − (v − El)) / τm,  dge/dt = −ge/τe,  dgi/dt = −gi/τi,
 *   τm = 20 ms, τe = 5 ms, τi = 10 ms, Vt = −50 mV, Vr = −60 mV, El = −49 mV,
 *   refractory 5 ms, we = 1.62 mV, wi = −9 mV, 80 % excitatory, connection probability p,
 *   v(0) = Vr + U[0,1)·(Vt − Vr).
 *
 * Mapping onto the chip (docs/chip.md §4, CUBA row), dt = 0.1 ms, forward Euler:
 *   - voltage is measured from the reset potential, in units of 1/S mV with S = 2^16 units/mV:
 *     v_chip = (V − Vr)·S. So reset is "zero", threshold = (Vt − Vr)·S = 655 360 (< 2^23).
 *   - leak towards El: v ← v·(1 − dt/τm) + (dt/τm)·(El − Vr)·S + (dt/τm)·I·S, hence
 *     voltageRetain = round(4096·(1 − dt/τm)) = 4076 and bias = round((dt/τm)·(El − Vr)·S) = 3604.
 *   - the chip has ONE synaptic current per neuron; u carries (dt/τm)·(ge + gi)·S and decays with
 *     τe: currentRetain = round(4096·(1 − dt/τe)) = 4014. The inhibitory current therefore decays
 *     with 5 ms instead of Brian's 10 ms; as examples/cuba.snn does, the inhibitory weight is
 *     doubled by default (`inhibitoryScale` 2: −9 mV → −18 mV) so that one inhibitory spike
 *     delivers Brian's charge. `inhibitoryScale: 1` gives the literal −9 mV.
 *   - weight contribution to u per spike: w·(dt/τm)·S; contribution = mantissa << (6 + exponent)
 *     (weightShift 6, 8-bit signed mantissas, the exponent picked so the mantissa uses 7 bits):
 *       excitatory 1.62 mV → 530.8 units → mantissa 66, exponent −3 (66 << 3 = 528, −0.5 %)
 *       inhibitory −18 mV  → −5898 units → mantissa −92, exponent 0  (−92 << 6 = −5888, −0.2 %)
 *       (inhibitoryScale 1: −9 mV → −2949 units → mantissa −92, exponent −1: −2944)
 *   - refractory 5 ms = 50 steps; delay 1 step (Brian applies on_pre in the spike's step and v
 *     sees it at the next integration, which is the chip's delay 1).
 *   - initial v = round(U[0,1)·threshold) from a seeded PRNG (not Brian's stream).
 * Connectivity: every (pre, post) pair, autapses included, independently with probability p
 * (geometric skipping, so p·N² work is never done), as `Ce.connect('i<Ne', p)` does.
 * Populations: "exc" (0.8 N, global ids first) and "inh" (0.2 N); 4 sparse projections
 * exc→exc, exc→inh, inh→exc, inh→inh; placement: `neuronsPerCore` consecutive ids per core.
 */
import type { ChipConfig, ChipNetwork, NeuronConstants, Placement, Population, Projection } from "../compiler/ir.ts";

export interface CubaOptions {
  /** Total neurons (80 % excitatory). */
  n: number;
  /** Connection probability. */
  p: number;
  seed?: number;
  /** Neurons per core for the placement (default 1024, Loihi's). */
  neuronsPerCore?: number;
  /** Delay-ring size − 1 (default 62, Loihi's largest axonal delay). */
  maxDelaySteps?: number;
  /** Multiplier of Brian's wi = −9 mV: 2 (default, as examples/cuba.snn) or 1. */
  inhibitoryScale?: 1 | 2;
}

/** Fixed-point constants of the mapping above (exported for the docs and tests). */
export const CUBA_CONSTANTS = {
  dtUs: 100,
  unitsPerMv: 65536,
  threshold: 10 * 65536,
  bias: Math.round((0.1 / 20) * 11 * 65536),
  currentRetain: Math.round(4096 * (1 - 0.1 / 5)),
  voltageRetain: Math.round(4096 * (1 - 0.1 / 20)),
  refractorySteps: 50,
  excMantissa: 66,
  excExponent: -3,
  inhMantissa: -92,
  /** For wi = −18 mV (inhibitoryScale 2); −1 for −9 mV. */
  inhExponent: 0,
  weightBits: 8,
} as const;

/** A Loihi-like chip configuration with limits wide enough for any CUBA size. */
export function benchChipConfig(neurons: number, neuronsPerCore: number, maxDelaySteps: number): ChipConfig {
  const coreCount = Math.max(1, Math.ceil(neurons / neuronsPerCore));
  return {
    preset: "generic",
    limits: {
      neuronsPerCore,
      synapseMemoryBitsPerCore: 2 ** 40,
      maxFanIn: 1 << 24,
      maxFanOutCores: coreCount,
      maxDelaySteps,
    },
    coreCount,
    meshWidth: Math.ceil(Math.sqrt(coreCount)),
    formats: {
      currentBits: 24,
      voltageBits: 24,
      maxWeightBits: 8,
      weightShift: 6,
      minWeightExponent: -8,
      maxWeightExponent: 7,
      decayKinds: ["multiply", "shift"],
    },
    // Loihi-flavoured figures (Davies et al. 2018); they only feed the counters, not the spikes.
    timing: {
      cyclesPerNeuronUpdate: 2,
      cyclesPerSynapticEvent: 1,
      cyclesPerSpikeSent: 4,
      cyclesPerHop: 2,
      cyclesPerBarrier: 100,
      clockMHz: 500,
    },
    energy: {
      pjPerNeuronUpdate: 52,
      pjPerSynapticEvent: 23.6,
      pjPerSpikeSent: 1.7,
      pjPerHop: 3.5,
      pjPerCycleStatic: 0.5,
    },
  };
}

/** sfc32: small, fast, seedable; good enough for wiring a benchmark network. */
function makeRng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = 1;
  const next = (): number => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** Growable Int32 buffer. */
class IntBuf {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(x: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = x;
  }
  take(): Int32Array {
    return this.data.length === this.length ? this.data : this.data.slice(0, this.length);
  }
}

/** Bernoulli(p) pairs source × target as CSR by source, targets ascending within a row. */
function randomSparse(
  sourceSize: number,
  targetSize: number,
  p: number,
  mantissa: number,
  rng: () => number,
): Projection["connectivity"] {
  const rowStart = new Int32Array(sourceSize + 1);
  const post = new IntBuf(Math.ceil(sourceSize * targetSize * p * 1.05) + 64);
  const logq = Math.log(1 - p);
  for (let pre = 0; pre < sourceSize; pre++) {
    rowStart[pre] = post.length;
    if (p >= 1) {
      for (let j = 0; j < targetSize; j++) post.push(j);
    } else if (p > 0) {
      // Geometric skipping: the gap to the next selected target is Geom(p).
      let j = -1;
      for (;;) {
        j += 1 + Math.floor(Math.log(1 - rng()) / logq);
        if (j >= targetSize) break;
        post.push(j);
      }
    }
  }
  rowStart[sourceSize] = post.length;
  const posts = post.take();
  const weights = new Int32Array(posts.length).fill(mantissa);
  return { kind: "sparse", rowStart, post: posts, weights };
}

/** Builds the CUBA network for the chip (see the file comment for the mapping). */
export function cubaNetwork(options: CubaOptions): ChipNetwork {
  const { n, p } = options;
  const seed = options.seed ?? 1;
  const neuronsPerCore = options.neuronsPerCore ?? 1024;
  const maxDelaySteps = options.maxDelaySteps ?? 62;
  const ne = Math.round(n * 0.8);
  const ni = n - ne;
  const k = CUBA_CONSTANTS;
  const rng = makeRng(seed);
  const inhExponent = (options.inhibitoryScale ?? 2) === 2 ? k.inhExponent : k.inhExponent - 1;

  const neuron: NeuronConstants = {
    model: "cuba",
    decay: { kind: "multiply", currentRetain: k.currentRetain, voltageRetain: k.voltageRetain },
    threshold: k.threshold,
    bias: k.bias,
    reset: { kind: "zero" },
    refractorySteps: k.refractorySteps,
  };
  const initial = (size: number): Int32Array => {
    const v = new Int32Array(size);
    for (let i = 0; i < size; i++) v[i] = Math.round(rng() * k.threshold);
    return v;
  };
  const populations: Population[] = [
    { name: "exc", size: ne, shape: [ne], firstNeuron: 0, kind: "neuron", neuron, initialVoltage: initial(ne) },
    { name: "inh", size: ni, shape: [ni], firstNeuron: ne, kind: "neuron", neuron: { ...neuron }, initialVoltage: initial(ni) },
  ];
  const proj = (name: string, source: number, target: number, mantissa: number, exponent: number): Projection => ({
    name,
    source,
    target,
    connectivity: randomSparse(populations[source]!.size, populations[target]!.size, p, mantissa, rng),
    weightBits: k.weightBits,
    weightExponent: exponent,
    delaySteps: 1,
    delays: null,
  });
  const projections: Projection[] = [
    proj("exc_exc", 0, 0, k.excMantissa, k.excExponent),
    proj("exc_inh", 0, 1, k.excMantissa, k.excExponent),
    proj("inh_exc", 1, 0, k.inhMantissa, inhExponent),
    proj("inh_inh", 1, 1, k.inhMantissa, inhExponent),
  ];

  // Placement: cut the global id range into chunks of neuronsPerCore, split at population borders.
  const chip = benchChipConfig(n, neuronsPerCore, maxDelaySteps);
  const cores: Placement["cores"] = [];
  for (let c = 0; c < chip.coreCount; c++) {
    const lo = c * neuronsPerCore;
    const hi = Math.min(n, lo + neuronsPerCore);
    const slices = [];
    for (let pi = 0; pi < populations.length; pi++) {
      const pop = populations[pi]!;
      const a = Math.max(lo, pop.firstNeuron);
      const b = Math.min(hi, pop.firstNeuron + pop.size);
      if (a < b) slices.push({ population: pi, start: a - pop.firstNeuron, count: b - a });
    }
    cores.push(slices);
  }

  return {
    name: `cuba_${n}`,
    chip,
    dtUs: k.dtUs,
    defaultSteps: 10000,
    seed,
    populations,
    projections,
    placement: { cores },
    probes: [],
  };
}

/** Total synapses stored in a network (all projections; zero mantissas excluded). */
export function synapseCount(net: ChipNetwork): number {
  let total = 0;
  for (const pr of net.projections) {
    for (const w of pr.connectivity.weights) if (w !== 0) total++;
  }
  return total;
}
