/**
 * @fileoverview Seeded generator of random, valid ChipNetworks and matching RunOptions, for tests
 * that hold two implementations of docs/chip.md equal (reference vs wasm) or check invariants.
 *
 * One seed → one case, always: `randomNetwork(seed)` is a plain function, and the fast-check
 * Arbitrary just draws a seed and maps it, so a failing property prints a seed that reproduces the
 * case outside fast-check. (Shrinking a seed gives an unrelated network, so shrinking is off.)
 *
 * Draws come in three flavours, so that the rare corners of the spec are hit on purpose:
 *  - "normal": weights scaled to thresholds, so that neurons spike now and then;
 *  - "extreme": narrow formats and full-scale weights and biases, so that u wraps (both ends), v
 *    saturates (both ends, even at v == threshold), the 32-bit accumulator wraps, and negative values
 *    exercise round-toward-zero;
 *  - "exact": no-leak neurons with weights, biases and thresholds on one grid, so that v lands
 *    exactly on the threshold (which must not spike).
 */
import fc from "fast-check";
import { forEachStoredSynapse } from "../../compiler/synapses.ts";
import type {
  ChipConfig,
  ChipNetwork,
  Connectivity,
  CoreSlice,
  Decay,
  NeuronConstants,
  Population,
  Probe,
  Projection,
  Reset,
} from "../../compiler/ir.ts";
import type { EncoderTable, RunOptions } from "../../emulator/types.ts";

export type Flavour = "normal" | "extreme" | "exact";

export interface GeneratorOptions {
  /** Largest population (default 12). */
  maxPopulationSize?: number;
  /** Largest number of steps of the run (default 40). */
  maxSteps?: number;
}

export interface NetworkCase {
  seed: number;
  flavour: Flavour;
  network: ChipNetwork;
  options: RunOptions;
}

/** splitmix32: small, fast, and good enough to draw test cases; u32 arithmetic via Math.imul. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  }
  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.next() / 2 ** 32) * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() / 2 ** 32 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  /** Integer in [−limit, limit]: 1 in 4 draws hits an end or zero, the rest are uniform. */
  signed(limit: number): number {
    if (this.bool(0.25)) return this.pick([-limit, limit, 0]);
    return this.int(-limit, limit);
  }
}

/** Everything one population draw needs to know about the chip's formats. */
interface Context {
  rng: Rng;
  flavour: Flavour;
  chip: ChipConfig;
  /** Largest |v|: 2^(voltageBits−1) − 1. */
  vmax: number;
  steps: number;
  /** Weights so large that two of them overflow the 32-bit accumulator (an "extreme" sub-case). */
  overflow: boolean;
}

export function randomNetwork(seed: number, options: GeneratorOptions = {}): NetworkCase {
  const rng = new Rng(seed);
  const maxSize = options.maxPopulationSize ?? 12;
  const steps = rng.int(1, options.maxSteps ?? 40);
  const flavour: Flavour = rng.pick(["normal", "normal", "extreme", "exact"] as const);
  const overflow = flavour === "extreme" && rng.bool(0.35);
  const chip = randomChip(rng, flavour, overflow);
  const cx: Context = { rng, flavour, chip, vmax: 2 ** (chip.formats.voltageBits - 1) - 1, steps, overflow };

  const populations: Population[] = [];
  const encoders: (EncoderTable | null)[] = [];
  let firstNeuron = 0;
  const inputCount = rng.int(1, 2);
  const neuronCount = rng.int(1, 3);
  for (let p = 0; p < inputCount + neuronCount; p++) {
    const size = rng.bool(0.15) ? 1 : rng.int(1, maxSize);
    const isInput = p < inputCount;
    const population = isInput ? inputPopulation(cx, size, firstNeuron, `in${p}`) : neuronPopulation(cx, size, firstNeuron, `pop${p}`);
    populations.push(population);
    encoders.push(isInput ? encoderTable(cx, population) : null);
    firstNeuron += size;
  }

  const projections = randomProjections(cx, populations, inputCount);
  const placement = randomPlacement(rng, populations, chip);
  chip.limits.maxFanIn = Math.max(1, maxFanIn(populations, projections));

  const probes: Probe[] = [];
  for (let p = inputCount; p < populations.length; p++) {
    for (const variable of ["v", "u"] as const) if (rng.bool(0.5)) probes.push({ population: p, variable });
  }
  const network: ChipNetwork = {
    name: `random-${seed}`,
    chip,
    dtUs: 1000,
    defaultSteps: steps,
    seed: rng.next(),
    populations,
    projections,
    placement,
    probes,
  };
  const run: RunOptions = { steps, encoders };
  if (rng.bool(0.3)) run.seed = rng.next();
  if (rng.bool(0.1)) run.recordProbes = false;
  return { seed, flavour, network, options: run };
}

/** The fast-check form: a seed, mapped through randomNetwork (see the file comment on shrinking). */
export function networkCaseArbitrary(options: GeneratorOptions = {}): fc.Arbitrary<NetworkCase> {
  return fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })).map((seed) => randomNetwork(seed, options));
}

function randomChip(rng: Rng, flavour: Flavour, overflow: boolean): ChipConfig {
  const narrow = flavour === "extreme" && rng.bool(0.6);
  // Overflow draws: 2^15 << (6 + 9) = 2^30 per synapse, so the accumulator, and then the sums
  // decay(u) + a and decay(v) + u + bias, leave the int32 range.
  const weightShift = overflow ? 6 : rng.int(0, 6);
  const coreCount = rng.int(1, 9);
  // Energy costs are multiples of 1/8 pJ: exactly representable, so any summation order is exact.
  const pj = (max: number) => rng.int(0, max * 8) / 8;
  return {
    preset: "generic",
    limits: {
      neuronsPerCore: 0, // set by randomPlacement
      synapseMemoryBitsPerCore: 2 ** 30,
      maxFanIn: 0, // set once the projections exist
      maxFanOutCores: coreCount,
      maxDelaySteps: rng.bool(0.8) ? rng.int(1, 8) : rng.int(9, 62),
    },
    coreCount,
    meshWidth: rng.int(1, coreCount),
    formats: {
      currentBits: narrow ? rng.int(8, 12) : rng.int(8, 24),
      voltageBits: narrow ? rng.int(8, 12) : rng.int(8, 24),
      maxWeightBits: overflow ? 16 : rng.int(2, 16),
      weightShift,
      // Exponents never make the total shift negative: the spec only defines a left shift.
      minWeightExponent: -rng.int(0, weightShift),
      maxWeightExponent: overflow ? 9 : rng.int(0, 7),
      decayKinds: ["multiply", "shift"],
    },
    timing: {
      cyclesPerNeuronUpdate: rng.int(0, 8),
      cyclesPerSynapticEvent: rng.int(0, 4),
      cyclesPerSpikeSent: rng.int(0, 10),
      cyclesPerHop: rng.int(0, 5),
      cyclesPerBarrier: rng.int(0, 100),
      clockMHz: rng.pick([100, 200, 500]),
    },
    energy: {
      pjPerNeuronUpdate: pj(60),
      pjPerSynapticEvent: pj(30),
      pjPerSpikeSent: pj(10),
      pjPerHop: pj(5),
      pjPerCycleStatic: pj(2),
    },
  };
}

function inputPopulation(cx: Context, size: number, firstNeuron: number, name: string): Population {
  const { rng } = cx;
  const firstSpikeStep = rng.bool(0.7) ? 0 : rng.int(1, cx.steps);
  // The table-driven encoders (latency, phase, delta) read tables made here directly, with values
  // beyond what the host would produce (negative steps, phases ≥ cycle, extreme deltas).
  const kind = rng.pick(["rate", "rate", "spikes", "spikes", "latency", "phase", "delta"] as const);
  let encoder: Population["encoder"];
  let shape = [size];
  switch (kind) {
    case "rate":
      encoder = { kind, gain: 1, offset: 0, firstSpikeStep };
      break;
    case "spikes":
      encoder = { kind, steps: [] };
      break;
    case "latency":
      encoder = { kind, gain: 1, tauSteps: 1, threshold: 0.01, linear: false, normalize: false, clip: false, firstSpikeStep: 0 };
      break;
    case "phase":
      encoder = { kind, gain: 1, cycleSteps: rng.int(1, 12), firstSpikeStep, value: null };
      break;
    case "delta": {
      const offSpikes = size % 2 === 0 && rng.bool(0.6);
      if (offSpikes) shape = [2, size / 2];
      encoder = { kind, gain: 1, threshold: rng.pick([1, 100, 65536, 2 ** 30]) / 65536, offSpikes, padding: rng.bool(0.5) };
      break;
    }
  }
  return { name, size, shape, firstNeuron, kind: "input", encoder, initialVoltage: null };
}

/**
 * The run-time table of an input population. A spikes encoder gets either a raster or listed steps
 * in the image (never both: chip.md §5 leaves their combination open). 1 in 8 inputs gets no table.
 */
function encoderTable(cx: Context, population: Population): EncoderTable | null {
  const { rng, steps } = cx;
  const encoder = population.encoder!;
  if (encoder.kind === "spikes" && rng.bool(0.3)) {
    for (let t = 0; t < steps + 2; t++) if (rng.bool(0.3)) encoder.steps.push(t);
    return null;
  }
  if (rng.bool(0.125)) return null;
  if (encoder.kind === "latency" || encoder.kind === "phase" || encoder.kind === "delta") {
    const elements = encoder.kind === "delta" && encoder.offSpikes ? population.size / 2 : population.size;
    const frames = encoder.kind === "latency" ? 1 : rng.int(1, 4);
    const values = new Int32Array(frames * elements);
    for (let k = 0; k < values.length; k++) {
      values[k] = encoder.kind === "delta"
        ? (rng.bool(0.3) ? rng.pick([0, 2 ** 30, -(2 ** 30), 65536, -65536]) : rng.signed(2 ** rng.int(4, 30)))
        : encoder.kind === "phase" ? rng.int(-1, encoder.cycleSteps) : rng.int(-1, steps + 1);
    }
    return rng.bool(0.2) && frames === 1 ? { values } : { values, frames };
  }
  if (encoder.kind === "spikes") {
    const density = rng.pick([0.05, 0.2, 0.5, 1]);
    const raster = new Uint8Array(steps * population.size);
    for (let k = 0; k < raster.length; k++) raster[k] = rng.bool(density) ? 1 : 0;
    return { raster };
  }
  const frames = rng.int(1, 3);
  const probability = new Uint32Array(frames * population.size);
  for (let k = 0; k < probability.length; k++) {
    probability[k] = rng.bool(0.3) ? rng.pick([0, 1, 32768, 65535, 65536]) : rng.int(0, 65536);
  }
  return rng.bool(0.2) ? { probability } : { probability, frames }; // frames may be left implicit
}

function neuronPopulation(cx: Context, size: number, firstNeuron: number, name: string): Population {
  const { rng, flavour, vmax } = cx;
  const exact = flavour === "exact";
  const decay = randomDecay(rng, exact);
  const threshold = exact
    ? Math.min(2 ** rng.int(0, 3) * rng.int(1, 8), Math.floor(vmax / 64)) * 64 // on the exact grid
    : flavour === "extreme" && rng.bool(0.3)
      ? vmax // v can only reach it by saturating, and v == threshold must not spike
      : rng.int(0, Math.min(vmax, 2 ** rng.int(3, 20)));
  const bias = exact
    ? rng.pick([0, 0, threshold / 4, -threshold / 8]) // divides the threshold: lands on it exactly
    : flavour === "extreme"
      ? rng.signed(vmax)
      : rng.bool(0.5) ? 0 : rng.int(-threshold, threshold) >> rng.int(1, 5);
  const resetKind = rng.pick(["zero", "value", "subtract"] as const);
  const reset: Reset =
    resetKind === "value" ? { kind: "value", value: rng.signed(exact ? threshold : vmax) } : { kind: resetKind };
  const refractorySteps = rng.bool(0.6) ? 0 : rng.bool(0.9) ? rng.int(1, 5) : 255;
  const neuron: NeuronConstants = { model: "random", decay, threshold, bias, reset, refractorySteps };
  let initialVoltage: Int32Array | null = null;
  if (rng.bool(0.4)) {
    const limit = flavour === "extreme" ? vmax : Math.min(vmax, threshold);
    const grid = exact ? 8 : 1; // stays on the exact grid of thresholds and biases
    initialVoltage = Int32Array.from({ length: size }, () => grid * rng.signed(Math.floor(limit / grid)));
  }
  const shape = size % 2 === 0 && rng.bool(0.3) ? [2, size / 2] : [size];
  return { name, size, shape, firstNeuron, kind: "neuron", neuron, initialVoltage };
}

/** Decays with their edge values over-represented: full decay, no decay, and the smallest leak. */
function randomDecay(rng: Rng, exact: boolean): Decay {
  if (rng.bool(0.6)) {
    if (exact) return { kind: "multiply", currentRetain: rng.pick([0, 4096]), voltageRetain: 4096 };
    // Mostly slow leaks (as compiled LIF/CUBA neurons have), so that inputs add up to spikes.
    const retain = () => (rng.bool(0.4) ? rng.pick([0, 1, 2048, 4095, 4096]) : rng.int(rng.pick([0, 3072]), 4096));
    return { kind: "multiply", currentRetain: retain(), voltageRetain: retain() };
  }
  if (exact) return { kind: "shift", currentShift: rng.pick([0, 31]), voltageShift: 31 };
  const shift = () => (rng.bool(0.4) ? rng.pick([0, 1, 30, 31]) : rng.int(0, 31));
  return { kind: "shift", currentShift: shift(), voltageShift: shift() };
}

function randomProjections(cx: Context, populations: Population[], inputCount: number): Projection[] {
  const { rng } = cx;
  const projections: Projection[] = [];
  // Every neuron population gets one projection from an earlier population (so activity flows),
  // then a few more at random, recurrent ones (source = target) included.
  for (let target = inputCount; target < populations.length; target++) {
    projections.push(randomProjection(cx, populations, rng.int(0, target - 1), target));
  }
  const extra = rng.int(0, 3);
  for (let k = 0; k < extra; k++) {
    const target = rng.int(inputCount, populations.length - 1);
    const source = rng.bool(0.4) ? target : rng.int(0, populations.length - 1);
    projections.push(randomProjection(cx, populations, source, target));
  }
  return projections;
}

function randomProjection(cx: Context, populations: Population[], source: number, target: number): Projection {
  const { rng, chip, flavour } = cx;
  const f = chip.formats;
  const pre = populations[source].size;
  const post = populations[target].size;
  const weightBits = cx.overflow ? 16 : rng.bool(0.1) ? 1 : rng.int(Math.min(2, f.maxWeightBits), f.maxWeightBits);
  const fullScale = 2 ** (weightBits - 1);
  // Normal draws aim the largest weight at a fraction (or a multiple) of the target's threshold,
  // picking the exponent that makes the mantissa range reach it, so that spikes happen.
  const aim = Math.max(1, populations[target].neuron!.threshold * rng.pick([2, 1, 0.5, 0.25]));
  const wanted = Math.ceil(Math.log2(aim / Math.max(1, fullScale - 1))) - f.weightShift;
  // "exact" draws keep the weight unit ≤ 64 so that it divides the threshold (a multiple of 64).
  const top = flavour === "exact" ? Math.min(f.maxWeightExponent, 6 - f.weightShift) : f.maxWeightExponent;
  const weightExponent = cx.overflow
    ? top
    : rng.bool(0.7)
    ? Math.min(top, Math.max(f.minWeightExponent, wanted))
    : rng.int(f.minWeightExponent, top);
  const unit = 2 ** (f.weightShift + weightExponent);
  const limit = flavour === "extreme" ? fullScale : Math.max(1, Math.min(fullScale, Math.round(aim / unit)));
  const negative = flavour === "extreme" ? 0.5 : 0.25;
  const mantissa = (): number => {
    const m = Math.min(rng.int(1, limit), fullScale - 1); // zeros come from the density
    if (flavour === "extreme" && rng.bool(0.3)) return rng.pick([-fullScale, fullScale - 1]);
    return rng.bool(negative) && m !== 0 ? -m : m;
  };
  const conv = rng.bool(0.25) ? convGeometry(cx, populations[source], populations[target]) : null;
  const kind = conv ? "conv2d" : pre === post && rng.bool(0.3) ? "oneToOne" : rng.pick(["dense", "sparse"] as const);
  let connectivity: Connectivity;
  if (conv) {
    const density = rng.pick([0.5, 1]);
    connectivity = { ...conv.geometry, weights: Int32Array.from({ length: conv.weightCount }, () => (rng.bool(density) ? mantissa() : 0)) };
  } else if (kind === "oneToOne") {
    connectivity = { kind, weights: Int32Array.from({ length: pre }, mantissa) };
  } else if (kind === "dense") {
    const density = rng.pick([0.1, 0.5, 1]);
    const weights = Int32Array.from({ length: pre * post }, () => (rng.bool(density) ? mantissa() : 0));
    connectivity = { kind, weights };
  } else {
    const rowDensity = rng.pick([0.2, 0.6, 1]);
    const rowStart = new Int32Array(pre + 1);
    const posts: number[] = [];
    const weights: number[] = [];
    for (let i = 0; i < pre; i++) {
      const targets = Array.from({ length: post }, (_, j) => j).filter(() => rng.bool(rowDensity));
      for (const j of targets) {
        posts.push(j);
        weights.push(rng.bool(0.1) ? 0 : mantissa()); // a stored zero must cost nothing
      }
      rowStart[i + 1] = posts.length;
    }
    connectivity = { kind: "sparse", rowStart, post: Int32Array.from(posts), weights: Int32Array.from(weights) };
  }
  const maxDelay = chip.limits.maxDelaySteps;
  const delays = !conv && rng.bool(0.4)
    ? Uint8Array.from({ length: connectivity.weights.length }, () => (rng.bool(0.2) ? maxDelay : rng.int(1, Math.min(3, maxDelay))))
    : null;
  return {
    name: `${populations[source].name}->${populations[target].name}`,
    source,
    target,
    connectivity,
    weightBits,
    weightExponent,
    // Per-output-channel exponents: a spread around the projection's, inside the chip's range.
    channelExponents: rng.bool(0.3)
      ? Int32Array.from({ length: populations[target].shape[0] }, () => Math.min(top, Math.max(f.minWeightExponent, weightExponent + rng.int(-2, 1))))
      : null,
    delaySteps: rng.bool(0.2) ? maxDelay : rng.int(1, Math.min(3, maxDelay)),
    delays,
  };
}

/**
 * A convolution that fits the two populations' sizes, if one exists: the source is read as
 * [C, H, W] and the target as [C', H', W'] (their shapes are set accordingly; a population that
 * already has a 3D shape keeps it). Searches small kernels, strides, paddings and groups.
 */
function convGeometry(cx: Context, source: Population, target: Population): { geometry: Omit<Extract<Connectivity, { kind: "conv2d" }>, "weights">; weightCount: number } | null {
  const { rng } = cx;
  const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
  const sourceShapes = source.shape.length === 3
    ? [source.shape]
    : divisors(source.size).filter((c) => c <= 4).flatMap((c) => divisors(source.size / c).map((h) => [c, h, source.size / c / h]));
  const options: { inShape: number[]; outShape: number[]; k: number; s: number; p: number; g: number }[] = [];
  for (const inShape of sourceShapes) {
    for (const k of [1, 2, 3]) for (const st of [1, 2]) for (const pad of [0, 1]) {
      const outH = Math.floor((inShape[1] + 2 * pad - k) / st) + 1;
      const outW = Math.floor((inShape[2] + 2 * pad - k) / st) + 1;
      if (outH < 1 || outW < 1 || target.size % (outH * outW) !== 0) continue;
      const outShape = [target.size / (outH * outW), outH, outW];
      if (target.shape.length === 3 && target.shape.join() !== outShape.join()) continue;
      for (const g of divisors(inShape[0])) if (outShape[0] % g === 0) options.push({ inShape, outShape, k, s: st, p: pad, g });
    }
  }
  if (options.length === 0 || (source === target && options.every((o) => o.inShape.join() !== o.outShape.join()))) return null;
  const usable = source === target ? options.filter((o) => o.inShape.join() === o.outShape.join()) : options;
  const o = rng.pick(usable);
  source.shape = o.inShape;
  target.shape = o.outShape;
  return {
    geometry: { kind: "conv2d", kernel: [o.k, o.k], stride: [o.s, o.s], padding: [o.p, o.p], groups: o.g },
    weightCount: o.outShape[0] * (o.inShape[0] / o.g) * o.k * o.k,
  };
}

/**
 * Splits each population into 1–3 contiguous slices and gives them to cores, either filling the
 * cores in order (what a compiler does) or scattering them (a core may then hold non-adjacent ids).
 */
function randomPlacement(rng: Rng, populations: Population[], chip: ChipConfig): ChipNetwork["placement"] {
  const cores: CoreSlice[][] = Array.from({ length: chip.coreCount }, () => []);
  const scatter = rng.bool(0.5);
  let next = 0;
  populations.forEach((population, index) => {
    let start = 0;
    while (start < population.size) {
      const count = rng.bool(0.5) ? population.size - start : rng.int(1, population.size - start);
      const core = scatter ? rng.int(0, chip.coreCount - 1) : Math.min(next++, chip.coreCount - 1);
      cores[core].push({ population: index, start, count });
      start += count;
    }
  });
  const load = cores.map((slices) => slices.reduce((n, s) => n + s.count, 0));
  chip.limits.neuronsPerCore = Math.max(...load) + rng.int(0, 4);
  // The placement lists the used cores; trailing unused ones may be left out (they still exist).
  if (rng.bool(0.3)) while (cores.length > 1 && cores[cores.length - 1].length === 0) cores.pop();
  return { cores };
}

/** Largest number of stored (nonzero) synapses into one neuron. */
export function maxFanIn(populations: Population[], projections: Projection[]): number {
  const total = populations.reduce((n, p) => n + p.size, 0);
  const fanIn = new Int32Array(total);
  for (const projection of projections) {
    const target = populations[projection.target];
    forEachStoredSynapse(projection, populations[projection.source], target, (_pre, post) => (fanIn[target.firstNeuron + post] += 1));
  }
  return fanIn.reduce((m, n) => Math.max(m, n), 0);
}
