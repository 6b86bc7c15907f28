/**
 * @fileoverview The wasm chip core (emulator/wasm.ts + emulator/assembly/) on tiny hand-built
 * networks whose spikes, traces and counters were worked out by hand from docs/chip.md. Every case
 * runs on both neuron kernels (SIMD and scalar), which must agree with the hand values and so with
 * each other. The random bit-exact comparison with the reference model is crosscheck.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChipConfig, ChipNetwork, CoreSlice, NeuronConstants, Population, Projection } from "../../compiler/ir.ts";
import type { EncoderTable, RunOptions, RunResult } from "../../emulator/types.ts";
import { createWasmEmulator } from "../../emulator/wasm.ts";
import { loadWasmCore } from "../../emulator/wasm-node.ts";
import { packDestinations } from "../../emulator/wasm-image.ts";

let core: WebAssembly.Module;
beforeAll(async () => {
  core = await loadWasmCore();
});

function chip(over: Omit<Partial<ChipConfig>, "formats"> & { formats?: Partial<ChipConfig["formats"]> } = {}): ChipConfig {
  const { formats, ...rest } = over;
  return {
    preset: "generic", coreCount: 1, meshWidth: 1,
    limits: { neuronsPerCore: 1 << 20, synapseMemoryBitsPerCore: 2 ** 40, maxFanIn: 1 << 20, maxFanOutCores: 64, maxDelaySteps: 62 },
    formats: {
      currentBits: 24, voltageBits: 24, maxWeightBits: 16, weightShift: 0, minWeightExponent: -8,
      maxWeightExponent: 16, decayKinds: ["multiply", "shift"], ...formats,
    },
    timing: { cyclesPerNeuronUpdate: 0, cyclesPerSynapticEvent: 0, cyclesPerSpikeSent: 0, cyclesPerHop: 0, cyclesPerBarrier: 0, clockMHz: 100 },
    energy: { pjPerNeuronUpdate: 0, pjPerSynapticEvent: 0, pjPerSpikeSent: 0, pjPerHop: 0, pjPerCycleStatic: 0 },
    ...rest,
  };
}

/** IF neuron by default: u is this step's input, v never leaks. */
function lif(over: Partial<NeuronConstants> = {}): NeuronConstants {
  return {
    model: "LIF", decay: { kind: "multiply", currentRetain: 0, voltageRetain: 4096 }, threshold: 1 << 20,
    bias: 0, reset: { kind: "zero" }, refractorySteps: 0, ...over,
  };
}

type Kind = NeuronConstants | "spikes" | "rate";
/** Populations laid out one after the other in the order given. */
function pops(...specs: [string, number, Kind][]): Population[] {
  let first = 0;
  return specs.map(([name, size, kind]) => {
    const base = { name, size, shape: [size], firstNeuron: first, initialVoltage: null };
    first += size;
    if (kind === "spikes") return { ...base, kind: "input", encoder: { kind: "spikes", steps: [] } };
    if (kind === "rate") return { ...base, kind: "input", encoder: { kind: "rate", gain: 1, offset: 0, firstSpikeStep: 0 } };
    return { ...base, kind: "neuron", neuron: kind };
  });
}

function proj(source: number, target: number, connectivity: Projection["connectivity"], extra: Partial<Projection> = {}): Projection {
  return { name: `${source}->${target}`, source, target, connectivity, weightBits: 16, weightExponent: 0, delaySteps: 1, delays: null, ...extra };
}
const dense = (w: number[]) => ({ kind: "dense" as const, weights: Int32Array.from(w) });
const oneToOne = (w: number[]) => ({ kind: "oneToOne" as const, weights: Int32Array.from(w) });
const sparse = (rowStart: number[], post: number[], w: number[]) =>
  ({ kind: "sparse" as const, rowStart: Int32Array.from(rowStart), post: Int32Array.from(post), weights: Int32Array.from(w) });

/** Everything on core 0 unless `cores` is given; v and u probes on every neuron population. */
function net(populations: Population[], projections: Projection[], config = chip(), cores?: CoreSlice[][]): ChipNetwork {
  return {
    name: "hand", chip: config, dtUs: 1000, defaultSteps: 10, seed: 7, populations, projections,
    placement: { cores: cores ?? [populations.map((p, i) => ({ population: i, start: 0, count: p.size }))] },
    probes: populations.flatMap((p, i) => (p.kind === "neuron" ? [{ population: i, variable: "v" as const }, { population: i, variable: "u" as const }] : [])),
  };
}

/** A raster of `size` input neurons: row t lists the neurons spiking at step t. */
function raster(steps: number, size: number, at: Record<number, number[]>): EncoderTable {
  const r = new Uint8Array(steps * size);
  for (const [t, ids] of Object.entries(at)) for (const i of ids) r[Number(t) * size + i] = 1;
  return { raster: r };
}

const KERNELS = ["simd", "scalar"] as const;

/** Runs on both kernels, checks they agree exactly, returns the SIMD result with helpers. */
async function run(network: ChipNetwork, options: RunOptions, chunkBytes?: number) {
  const results: RunResult[] = [];
  for (const kernel of KERNELS) results.push((await createWasmEmulator(network, core, { kernel, chunkBytes })).run(options));
  expect(results[1]).toEqual(results[0]);
  const r = results[0];
  const probe = (population: number, variable: "u" | "v", neuron = 0) => {
    const p = r.probes.find((q) => q.population === population && q.variable === variable)!;
    const size = network.populations[population].size;
    return Array.from({ length: r.steps }, (_, t) => p.values[t * size + neuron]);
  };
  const spikesOf = (id: number) => Array.from(r.spikeSteps).filter((_, k) => r.spikeNeurons[k] === id);
  const spikes = Array.from(r.spikeNeurons, (id, k) => `${r.spikeSteps[k]}:${id}`);
  return { r, probe, spikesOf, spikes };
}

describe("wasm core: neuron update (docs/chip.md §4)", () => {
  it("drives a single IF neuron from a raster, one step of delay", async () => {
    const n = net(pops(["in", 1, "spikes"], ["if", 1, lif({ threshold: 1000 })]), [proj(0, 1, oneToOne([10]), { weightExponent: 0 })], chip({ formats: { weightShift: 6 } }));
    const { spikes, probe } = await run(n, { steps: 6, encoders: [raster(6, 1, { 0: [0], 1: [0], 2: [0] }), null] });
    // each input spike adds 10 << 6 = 640 to u one step later; v: 640, 1280 > 1000 → spike, reset 0
    expect(probe(1, "u")).toEqual([0, 640, 640, 640, 0, 0]);
    expect(probe(1, "v")).toEqual([0, 640, 0, 640, 640, 640]);
    expect(spikes).toEqual(["0:0", "1:0", "2:0", "2:1"]);
  });

  it("decays u and v toward zero with the multiply decay (negative values round up)", async () => {
    const leaky = lif({ decay: { kind: "multiply", currentRetain: 2048, voltageRetain: 3000 } });
    const n = net(pops(["in", 1, "spikes"], ["lif", 1, leaky]), [proj(0, 1, oneToOne([-10]))], chip({ formats: { weightShift: 6 } }));
    const { probe } = await run(n, { steps: 5, encoders: [raster(5, 1, { 0: [0], 1: [0], 2: [0] }), null] });
    // u: −640; −320−640; −480−640; −560. v: −640; −468−960 (1920000>>12 = 468); −1045−1120; −1585−560
    expect(probe(1, "u")).toEqual([0, -640, -960, -1120, -560]);
    expect(probe(1, "v")).toEqual([0, -640, -1428, -2165, -2145]);
  });

  it("applies reset to zero, to a value and by subtraction", async () => {
    const k = (reset: NeuronConstants["reset"]) => lif({ bias: 300, threshold: 1000, reset });
    const n = net(pops(["zero", 1, k({ kind: "zero" })], ["value", 1, k({ kind: "value", value: 500 })], ["sub", 1, k({ kind: "subtract" })]), []);
    const { probe, spikesOf } = await run(n, { steps: 11, encoders: [] });
    expect(probe(0, "v")).toEqual([300, 600, 900, 0, 300, 600, 900, 0, 300, 600, 900]);
    expect(probe(1, "v")).toEqual([300, 600, 900, 500, 800, 500, 800, 500, 800, 500, 800]);
    // 1000 is not > 1000: no spike at step 9
    expect(probe(2, "v")).toEqual([300, 600, 900, 200, 500, 800, 100, 400, 700, 1000, 300]);
    expect(spikesOf(0)).toEqual([3, 7]);
    expect(spikesOf(1)).toEqual([3, 5, 7, 9]);
    expect(spikesOf(2)).toEqual([3, 6, 10]);
  });

  it("holds v during the refractory period while u keeps integrating", async () => {
    const k = (reset: NeuronConstants["reset"], refractorySteps: number) => lif({ bias: 300, threshold: 1000, reset, refractorySteps });
    const n = net(
      pops(["in", 1, "spikes"], ["zero", 1, k({ kind: "zero" }, 2)], ["sub", 1, k({ kind: "subtract" }, 1)], ["value", 1, k({ kind: "value", value: 500 }, 1)]),
      [proj(0, 1, oneToOne([7]))],
    );
    const { probe, spikesOf } = await run(n, { steps: 10, encoders: [raster(10, 1, { 3: [0] })] });
    expect(probe(1, "v")).toEqual([300, 600, 900, 0, 0, 0, 300, 600, 900, 0]);
    expect(probe(1, "u")).toEqual([0, 0, 0, 0, 7, 0, 0, 0, 0, 0]); // arrives while refractory
    expect(spikesOf(1)).toEqual([3, 9]);
    expect(probe(2, "v")).toEqual([300, 600, 900, 200, 200, 500, 800, 100, 100, 400]);
    expect(spikesOf(2)).toEqual([3, 7]);
    expect(probe(3, "v")).toEqual([300, 600, 900, 500, 500, 800, 500, 500, 800, 500]);
    expect(spikesOf(3)).toEqual([3, 6, 9]);
  });

  it("wraps u by Lava's rule and saturates v", async () => {
    const keep = lif({ decay: { kind: "multiply", currentRetain: 4096, voltageRetain: 4096 }, threshold: 32767 });
    const n = net(
      pops(["in", 2, "spikes"], ["a", 1, keep], ["b", 1, keep], ["up", 1, lif({ bias: 20000, threshold: 32767 })], ["down", 1, lif({ bias: -20000, threshold: 32767 })]),
      [proj(0, 1, dense([20000, 0])), proj(0, 2, dense([0, -32768]))],
      chip({ formats: { currentBits: 16, voltageBits: 16 } }),
    );
    const every = Object.fromEntries(Array.from({ length: 8 }, (_, t) => [t, t === 0 ? [0, 1] : [0]]));
    const { probe, spikes } = await run(n, { steps: 8, encoders: [raster(8, 2, every)] });
    // H = 32768: 40000 > H → −25536; 34464 → −31072
    expect(probe(1, "u")).toEqual([0, 20000, -25536, -5536, 14464, -31072, -11072, 8928]);
    // −32768 ≤ −H → +32768 = H, which is in range (−H, H] and stays
    expect(probe(2, "u")).toEqual([0, 32768, 32768, 32768, 32768, 32768, 32768, 32768]);
    // v saturates at ±32767, and v == threshold does not spike
    expect(probe(3, "v")).toEqual([20000, 32767, 32767, 32767, 32767, 32767, 32767, 32767]);
    expect(probe(4, "v")).toEqual([-20000, -32767, -32767, -32767, -32767, -32767, -32767, -32767]);
    expect(probe(1, "v").slice(0, 3)).toEqual([0, 20000, -5536]);
    expect(spikes.filter((s) => !s.endsWith(":0") && !s.endsWith(":1"))).toEqual([]);
  });

  it("adds into a 32-bit accumulator that wraps modulo 2^32", async () => {
    const n = net(pops(["in", 3, "spikes"], ["x", 1, lif()]), [proj(0, 1, dense([16384, 16384, 16384]), { weightExponent: 16 })], chip({ formats: { currentBits: 32 } }));
    const { probe } = await run(n, { steps: 2, encoders: [raster(2, 3, { 0: [0, 1, 2] })] });
    expect(probe(1, "u")).toEqual([0, -(2 ** 30)]); // 3 · 2^30 mod 2^32 as i32
  });

  it("decays by shifts: shift 0 empties, shift 31 keeps", async () => {
    const shift = (currentShift: number, voltageShift: number) => lif({ decay: { kind: "shift", currentShift, voltageShift }, bias: 0 });
    const n = net(pops(["in", 1, "spikes"], ["s2", 1, shift(2, 31)], ["s0", 1, shift(0, 1)]), [proj(0, 1, oneToOne([-100])), proj(0, 2, oneToOne([100]))]);
    const { probe } = await run(n, { steps: 4, encoders: [raster(4, 1, { 0: [0] })] });
    // u: −100, −100 − (−100 >> 2 = −25) = −75, −75 − (−19) = −56; v (no decay) accumulates u
    expect(probe(1, "u")).toEqual([0, -100, -75, -56]);
    expect(probe(1, "v")).toEqual([0, -100, -175, -231]);
    // shift 0: u − u = 0 after the step it arrives; v − (v >> 1) halves v
    expect(probe(2, "u")).toEqual([0, 100, 0, 0]);
    expect(probe(2, "v")).toEqual([0, 100, 50, 25]);
  });
});

describe("wasm core: delays and weights (§3)", () => {
  it("delivers after 1, 5 and 62 steps, reusing the ring", async () => {
    const n = net(pops(["in", 1, "spikes"], ["x", 3, lif()]), [
      proj(0, 1, sparse([0, 3], [0, 1, 2], [1, 2, 3]), { delays: Uint8Array.from([1, 5, 62]) }),
    ]);
    const { r } = await run(n, { steps: 130, encoders: [raster(130, 1, { 0: [0], 63: [0] })] });
    const u = r.probes.find((p) => p.variable === "u")!.values;
    const seen: string[] = [];
    for (let t = 0; t < 130; t++) for (let j = 0; j < 3; j++) if (u[t * 3 + j]) seen.push(`${t}:${j}=${u[t * 3 + j]}`);
    expect(seen).toEqual(["1:0=1", "5:1=2", "62:2=3", "64:0=1", "68:1=2", "125:2=3"]);
  });

  it("uses the projection's delay, and a short ring when long delays are unused", async () => {
    const n = net(pops(["in", 1, "spikes"], ["x", 2, lif()]), [proj(0, 1, dense([1, 0])), proj(0, 1, dense([0, 1]), { delaySteps: 5 })]);
    const every = Object.fromEntries(Array.from({ length: 13 }, (_, t) => [t, [0]]));
    const { r } = await run(n, { steps: 20, encoders: [raster(20, 1, every)] });
    const v = r.probes.find((p) => p.variable === "v")!.values;
    expect(Array.from({ length: 20 }, (_, t) => v[2 * t])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 13, 13, 13, 13, 13]);
    expect(Array.from({ length: 20 }, (_, t) => v[2 * t + 1])).toEqual([0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 13]);
  });

  it("scales by 2^(weightShift + exponent), dividing toward zero when it is negative", async () => {
    const n = net(pops(["in", 1, "spikes"], ["x", 4, lif()]), [
      proj(0, 1, dense([-7, 7, 0, 0]), { weightExponent: -2 }),
      proj(0, 1, dense([0, 0, 3, -3]), { weightExponent: 3 }),
    ], chip({ formats: { weightShift: 1 } }));
    const { r } = await run(n, { steps: 2, encoders: [raster(2, 1, { 0: [0] })] });
    const u = r.probes.find((p) => p.variable === "u")!.values;
    expect(Array.from(u.subarray(4))).toEqual([-3, 3, 48, -48]); // ∓7/2 → ∓3; ±3·16
  });
});

describe("wasm core: shared-weight and per-channel projections", () => {
  it("expands a convolution from each input's receptive field", async () => {
    const p = pops(["in", 9, "spikes"], ["out", 4, lif()]);
    p[0].shape = [1, 3, 3];
    p[1].shape = [1, 2, 2];
    const conv = { kind: "conv2d" as const, kernel: [2, 2] as [number, number], stride: [1, 1] as [number, number], padding: [0, 0] as [number, number], groups: 1, weights: Int32Array.from([1, 2, 3, 4]) };
    const { r } = await run(net(p, [proj(0, 1, conv)]), { steps: 2, encoders: [raster(2, 9, { 0: [4] })] });
    // the centre (1,1) is tap (1,1) of output (0,0), (1,0) of (0,1), (0,1) of (1,0) and (0,0) of (1,1)
    expect(Array.from(r.probes.find((q) => q.variable === "u")!.values.subarray(4))).toEqual([4, 3, 2, 1]);
    expect(Array.from(r.stepSynapticEvents)).toEqual([4, 0]);
  });

  it("scales each output channel by its own exponent", async () => {
    const p = pops(["in", 1, "spikes"], ["out", 4, lif()]);
    p[1].shape = [2, 2];
    const n = net(p, [proj(0, 1, dense([1, 1, -1, 1]), { channelExponents: Int32Array.from([0, 3]) })], chip({ formats: { weightShift: 1 } }));
    const { r } = await run(n, { steps: 2, encoders: [raster(2, 1, { 0: [0] })] });
    expect(Array.from(r.probes.find((q) => q.variable === "u")!.values.subarray(4))).toEqual([2, 2, -16, 16]);
  });
});

describe("wasm core: counters, timing and energy (§1, §7, §8)", () => {
  const config = chip({
    coreCount: 4, meshWidth: 2,
    timing: { cyclesPerNeuronUpdate: 1, cyclesPerSynapticEvent: 2, cyclesPerSpikeSent: 3, cyclesPerHop: 4, cyclesPerBarrier: 5, clockMHz: 100 },
    energy: { pjPerNeuronUpdate: 1, pjPerSynapticEvent: 10, pjPerSpikeSent: 100, pjPerHop: 1000, pjPerCycleStatic: 0.5 },
  });

  it("counts packets, hops and events on a two-core network", async () => {
    // inputs on core 0 at (0,0), the layer on core 3 at (1,1): every packet takes 2 hops
    const n = net(pops(["in", 2, "spikes"], ["x", 3, lif()]), [proj(0, 1, dense([1, 1, 1, 0, 1, 1]))], config,
      [[{ population: 0, start: 0, count: 2 }], [], [], [{ population: 1, start: 0, count: 3 }]]);
    const { r, probe } = await run(n, { steps: 3, encoders: [raster(3, 2, { 0: [0, 1], 1: [1] })] });
    // step 0: core 0 sends 2 packets (4 hops): 2·1 + 2·3 + 4·4 + 5 = 29; core 3 gets 5 events: 3 + 10 + 5
    expect(Array.from(r.stepCycles)).toEqual([29, 18, 8]);
    expect(Array.from(r.stepSynapticEvents)).toEqual([5, 2, 0]);
    expect(r.latencyCycles).toBe(55);
    expect(Array.from(r.perCore.updates)).toEqual([6, 0, 0, 9]);
    expect(Array.from(r.perCore.synapticEvents)).toEqual([0, 0, 0, 7]);
    expect(Array.from(r.perCore.packetsSent)).toEqual([3, 0, 0, 0]);
    expect(Array.from(r.perCore.hops)).toEqual([6, 0, 0, 0]);
    expect(Array.from(r.perCore.cycles)).toEqual([54, 15, 15, 38]);
    expect(r.energyPj).toBe(15 + 70 + 300 + 6000 + 27.5);
    expect([0, 1, 2].map((j) => probe(1, "v", j)[2])).toEqual([3, 1, 3]);
  });

  it("sends one packet with no hop to its own core", async () => {
    const n = net(pops(["a", 2, lif({ bias: 2000, threshold: 1000 })], ["b", 2, lif()]), [proj(0, 1, dense([1, 1, 0, 1]))], config,
      [[{ population: 0, start: 0, count: 2 }, { population: 1, start: 0, count: 2 }]]);
    const { r } = await run(n, { steps: 2, encoders: [] });
    // both a-neurons spike every step: 2 packets, 0 hops, 3 events; 4·1 + 3·2 + 2·3 + 5 = 21
    expect(Array.from(r.perCore.packetsSent)).toEqual([4, 0, 0, 0]);
    expect(Array.from(r.perCore.hops)).toEqual([0, 0, 0, 0]);
    expect(Array.from(r.stepCycles)).toEqual([21, 21]);
  });
});

describe("wasm core: input encoders (§5, §6)", () => {
  /** docs/chip.md §6 written out with Math.imul. */
  const mix = (x: number) => {
    x ^= x >>> 16; x = Math.imul(x, 0x7feb352d); x ^= x >>> 15; x = Math.imul(x, 0x846ca68b); x ^= x >>> 16;
    return x >>> 0;
  };
  const prng = (seed: number, t: number, i: number) => mix(mix(seed ^ mix((t + 0x9e3779b9) >>> 0)) ^ Math.imul(i, 0x85ebca6b));

  it("fires always at p = 65536 and never at p = 0, from firstSpikeStep on", async () => {
    const p = pops(["x", 6, "rate"]);
    (p[0].encoder as { firstSpikeStep: number }).firstSpikeStep = 2;
    const n = net(p, []);
    const { spikes } = await run(n, { steps: 5, encoders: [{ probability: Uint32Array.from([65536, 0, 65536, 0, 65536, 0]), frames: 1 }] });
    expect(spikes).toEqual(["2:0", "2:2", "2:4", "3:0", "3:2", "3:4", "4:0", "4:2", "4:4"]);
    const none = await run(n, { steps: 5, encoders: [null] });
    expect(none.spikes).toEqual([]);
  });

  it("draws prng(seed, t, i) & 0xFFFF < p per neuron and frame", async () => {
    const n = net(pops(["pad", 3, lif()], ["x", 9, "rate"]), []);
    const frames = [Array(9).fill(32768), Array(9).fill(1000)];
    const probability = Uint32Array.from(frames.flat());
    for (const seed of [undefined, 12345]) {
      const { spikes } = await run(n, { steps: 6, seed, encoders: [null, { probability, frames: 2 }] });
      const expected: string[] = [];
      for (let t = 0; t < 6; t++) for (let i = 0; i < 9; i++) if ((prng(seed ?? 7, t, 3 + i) & 0xffff) < frames[Math.min(t, 1)][i]) expected.push(`${t}:${3 + i}`);
      expect(spikes).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it("uses the listed steps of a spikes encoder when no raster is given", async () => {
    const p = pops(["x", 2, "spikes"]);
    (p[0].encoder as { steps: number[] }).steps = [1, 3];
    const { spikes } = await run(net(p, []), { steps: 4, encoders: [] });
    expect(spikes).toEqual(["1:0", "1:1", "3:0", "3:1"]);
  });
});

describe("wasm core: host edge cases", () => {
  it("handles odd sizes, unordered ids, empty projections and idle populations", async () => {
    const p = pops(["x", 17, lif({ bias: 5, threshold: 4 })], ["one", 1, lif()], ["idle", 5, lif()]);
    p.reverse(); // population indices no longer follow the ids
    const n = net(p, [proj(2, 1, dense(Array(17).fill(1))), proj(2, 0, dense(Array(85).fill(0)))]);
    const { r, spikes } = await run(n, { steps: 2, encoders: [] });
    expect(spikes).toEqual(Array.from({ length: 17 }, (_, i) => `0:${i}`).concat(Array.from({ length: 17 }, (_, i) => `1:${i}`)));
    expect(r.probes.find((q) => q.population === 1 && q.variable === "v")!.values[1]).toBe(17);
    expect(Array.from(r.stepSynapticEvents)).toEqual([17, 17]);
  });

  it("gives the same result in one chunk, in one-step chunks, and when run again", async () => {
    const n = net(pops(["in", 3, "rate"], ["x", 20, lif({ bias: 1, threshold: 3, refractorySteps: 1 })]),
      [proj(0, 1, dense(Array.from({ length: 60 }, (_, k) => (k % 7) - 3)), { delays: Uint8Array.from({ length: 60 }, (_, k) => 1 + (k % 4)) })]);
    const options = { steps: 50, encoders: [{ probability: Uint32Array.from([30000, 50000, 65536]), frames: 1 }, null] };
    const emulator = await createWasmEmulator(n, core);
    const once = emulator.run(options);
    expect(emulator.run(options)).toEqual(once);
    expect((await run(n, options, 1)).r).toEqual(once);
    expect(once.spikeNeurons.length).toBeGreaterThan(100);
  });

  it("drains the spike buffer when a chunk fills it", async () => {
    const n = net(pops(["x", 70000, lif({ bias: 2, threshold: 1 })]), []);
    n.probes = [];
    const r = (await createWasmEmulator(n, core)).run({ steps: 40, encoders: [] });
    expect(r.spikeNeurons.length).toBe(40 * 70000);
    expect(r.spikeSteps[69999]).toBe(0);
    expect(r.spikeSteps[40 * 70000 - 1]).toBe(39);
    expect(r.spikeNeurons[15 * 70000 + 123]).toBe(123);
  });

  it("runs zero steps, skips probes on request, and rejects invalid placements", async () => {
    const n = net(pops(["x", 2, lif()]), []);
    const zero = (await createWasmEmulator(n, core)).run({ steps: 0, encoders: [] });
    expect(zero.spikeNeurons.length).toBe(0);
    expect(zero.latencyCycles).toBe(0);
    expect((await createWasmEmulator(n, core)).run({ steps: 3, encoders: [], recordProbes: false }).probes).toEqual([]);
    await expect(createWasmEmulator({ ...n, placement: { cores: [[{ population: 0, start: 0, count: 1 }]] } }, core)).rejects.toThrow(/not placed/);
  });

  it("splits destination counts that do not fit their packed field", () => {
    const flat = { neuronCount: 1, destStart: Int32Array.from([0, 2]), dest: Int32Array.from([5, 7, 9, 2]) };
    const { bits, start, entries } = packDestinations(flat, 2 ** 30); // 30 core bits leave counts ≤ 3
    expect(bits).toBe(30);
    expect(Array.from(start)).toEqual([0, 4]);
    expect(Array.from(entries, (e) => [e & (2 ** 30 - 1), e >>> 30])).toEqual([[5, 3], [5, 3], [5, 1], [9, 2]]);
  });
});

describe("wasm core: Node loader", () => {
  it("says how to build the core when the file is missing", async () => {
    await expect(loadWasmCore(new URL("file:///nonexistent/neurocc/release.wasm"))).rejects.toThrow(/not built: run `npm run asbuild`/);
  });
});
