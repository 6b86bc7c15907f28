/**
 * @fileoverview The reference model's rules against values worked out by hand from docs/chip.md:
 * arithmetic (§2, §4), PRNG (§6), encoders (§5), delays and phases (§3), resets and refractory (§4),
 * counters, timing and energy (§1, §7, §8). The expected numbers are written out, not computed by
 * the code under test, so that a wrong reading of the spec cannot agree with itself.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChipConfig, ChipNetwork, CoreSlice, NeuronConstants, Population, Projection } from "../../compiler/ir.ts";
import type { EncoderTable, RunOptions } from "../../emulator/types.ts";
import {
  decayMultiply,
  decayShift,
  saturateVoltage,
  weightContribution,
  wrapCurrent,
} from "../../emulator/reference/arithmetic.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { mix, prng } from "../../emulator/reference/prng.ts";
import { maxFanIn, networkCaseArbitrary, randomNetwork } from "../support/random-network.ts";

function chip(overrides: Partial<ChipConfig> = {}): ChipConfig {
  return {
    preset: "generic",
    limits: { neuronsPerCore: 4096, synapseMemoryBitsPerCore: 2 ** 30, maxFanIn: 4096, maxFanOutCores: 16, maxDelaySteps: 7 },
    coreCount: 1,
    meshWidth: 1,
    formats: {
      currentBits: 24, voltageBits: 24, maxWeightBits: 16, weightShift: 0,
      minWeightExponent: 0, maxWeightExponent: 7, decayKinds: ["multiply", "shift"],
    },
    timing: { cyclesPerNeuronUpdate: 0, cyclesPerSynapticEvent: 0, cyclesPerSpikeSent: 0, cyclesPerHop: 0, cyclesPerBarrier: 0, clockMHz: 100 },
    energy: { pjPerNeuronUpdate: 0, pjPerSynapticEvent: 0, pjPerSpikeSent: 0, pjPerHop: 0, pjPerCycleStatic: 0 },
    ...overrides,
  };
}

/** IF neuron: u is this step's input only, v never leaks. */
function neuron(overrides: Partial<NeuronConstants> = {}): NeuronConstants {
  return {
    model: "IF", decay: { kind: "multiply", currentRetain: 0, voltageRetain: 4096 },
    threshold: 100, bias: 0, reset: { kind: "zero" }, refractorySteps: 0, ...overrides,
  };
}

function population(name: string, size: number, firstNeuron: number, constants: NeuronConstants | "spikes" | "rate"): Population {
  const base = { name, size, shape: [size], firstNeuron, initialVoltage: null };
  if (constants === "spikes") return { ...base, kind: "input", encoder: { kind: "spikes", steps: [] } };
  if (constants === "rate") return { ...base, kind: "input", encoder: { kind: "rate", gain: 1, offset: 0, firstSpikeStep: 0 } };
  return { ...base, kind: "neuron", neuron: constants };
}

function dense(source: number, target: number, weights: number[], delaySteps = 1, delays: number[] | null = null): Projection {
  return {
    name: `${source}->${target}`, source, target, connectivity: { kind: "dense", weights: Int32Array.from(weights) },
    weightBits: 16, weightExponent: 0, delaySteps, delays: delays && Uint8Array.from(delays),
  };
}

/** A one-core network; every population on core 0 unless `cores` says otherwise. */
function network(populations: Population[], projections: Projection[], config = chip(), cores?: CoreSlice[][]): ChipNetwork {
  return {
    name: "hand", chip: config, dtUs: 1000, defaultSteps: 10, seed: 1, populations, projections,
    placement: { cores: cores ?? [populations.map((p, i) => ({ population: i, start: 0, count: p.size }))] },
    probes: populations.flatMap((p, i) =>
      p.kind === "neuron" ? [{ population: i, variable: "v" as const }, { population: i, variable: "u" as const }] : []),
  };
}

/** A raster with one input neuron spiking at the given steps. */
function raster(steps: number, at: number[]): EncoderTable {
  const r = new Uint8Array(steps);
  for (const t of at) r[t] = 1;
  return { raster: r };
}

function run(net: ChipNetwork, options: RunOptions) {
  const result = createReferenceEmulator(net).run(options);
  const trace = (variable: "u" | "v") => Array.from(result.probes.find((p) => p.variable === variable)?.values ?? []);
  const spikes = Array.from(result.spikeNeurons, (id, k) => `${result.spikeSteps[k]}:${id}`);
  return { result, v: trace("v"), u: trace("u"), spikes };
}

describe("arithmetic (chip.md §2, §4)", () => {
  it("multiply decay rounds toward zero on both signs, exactly beyond 32 bits", () => {
    expect(decayMultiply(5, 2048)).toBe(2);
    expect(decayMultiply(-5, 2048)).toBe(-2); // −2.5 → −2, not −3
    expect(decayMultiply(-4097, 4095)).toBe(-4095); // 4097·4095 = 16777215, >> 12 = 4095
    expect(decayMultiply(8388607, 4095)).toBe(8386559); // 34351345665 needs 36 bits
    expect(decayMultiply(-8388607, 0)).toBe(0);
    expect(decayMultiply(-123, 4096)).toBe(-123);
  });
  it("shift decay uses an arithmetic shift; 0 empties, 31 keeps", () => {
    expect(decayShift(5, 1)).toBe(3); // 5 − 2
    expect(decayShift(-5, 1)).toBe(-2); // −5 − (−3): the shift rounds toward −∞
    expect(decayShift(-1, 30)).toBe(0); // −1 >> 30 = −1
    expect(decayShift(1000, 0)).toBe(0);
    expect(decayShift(-1000, 31)).toBe(-1000);
  });
  it("current wraps with one correction into (−H, H]; voltage saturates", () => {
    const H = 2 ** 23;
    expect(wrapCurrent(H, 24)).toBe(H);
    expect(wrapCurrent(H + 1, 24)).toBe(-H + 1);
    expect(wrapCurrent(-H, 24)).toBe(H);
    expect(wrapCurrent(-H + 1, 24)).toBe(-H + 1);
    expect(wrapCurrent(129, 8)).toBe(-127);
    expect(wrapCurrent(-129, 8)).toBe(127);
    expect(saturateVoltage(H, 24)).toBe(H - 1);
    expect(saturateVoltage(-H, 24)).toBe(-(H - 1));
    expect(saturateVoltage(-200, 8)).toBe(-127);
  });
  it("weight contributions are mantissa << shift, kept to 32 bits", () => {
    expect(weightContribution(-3, 6)).toBe(-192);
    expect(weightContribution(1, 31)).toBe(-(2 ** 31));
    expect(weightContribution(-5, -1)).toBe(-2); // not produced by valid networks; rounds toward zero
  });
});

describe("PRNG (chip.md §6)", () => {
  // Worked out from the formula with arbitrary-precision integers masked to 32 bits, e.g. for
  // (0, 0, 0): mix(0x9E3779B9) = 0x01FCE552, mix(0 ^ 0x01FCE552) = 0xAE6F80F1, i·0x85EBCA6B = 0,
  // mix(0xAE6F80F1) = 0x944FB554.
  it("mix is lowbias32", () => {
    expect(mix(0)).toBe(0);
    expect(mix(1)).toBe(0x688990c0);
    expect(mix(0x9e3779b9)).toBe(0x01fce552);
  });
  it("prng matches hand-computed values", () => {
    expect(prng(0, 0, 0)).toBe(0x944fb554);
    expect(prng(0, 0, 1)).toBe(0x90b942ff);
    expect(prng(0, 1, 0)).toBe(0xd661ff16);
    expect(prng(42, 3, 7)).toBe(0x68174f70);
    expect(prng(0xffffffff, 999, 3999)).toBe(0x09740b2b);
    expect(prng(12345, 0, 100)).toBe(0x8a7350f9);
  });
});

describe("rate encoder (chip.md §5)", () => {
  const size = 64;
  const rate = (p: number[], steps: number, seed?: number, firstSpikeStep = 0) => {
    const pop = population("in", size, 0, "rate");
    (pop.encoder as { firstSpikeStep: number }).firstSpikeStep = firstSpikeStep;
    const probability = Uint32Array.from({ length: p.length * size }, (_, k) => p[Math.floor(k / size)]);
    return createReferenceEmulator(network([pop], [])).run({ steps, seed, encoders: [{ probability, frames: p.length }] });
  };
  it("spike fraction is within 4 sigma of p / 65536", () => {
    for (const p of [1000, 20000, 50000]) {
      const steps = 2000;
      const n = steps * size;
      const q = p / 65536;
      const count = rate([p], steps).spikeNeurons.length;
      expect(Math.abs(count - n * q)).toBeLessThan(4 * Math.sqrt(n * q * (1 - q)));
    }
  });
  it("p = 0 never spikes, p = 65536 always does, frames after the last repeat it", () => {
    expect(rate([0], 100).spikeNeurons.length).toBe(0);
    expect(rate([65536], 100).spikeNeurons.length).toBe(100 * size);
    const r = rate([65536, 0], 10);
    expect(r.spikeNeurons.length).toBe(size); // frame 0 at t = 0, then frame 1 = min(t, 1) forever
  });
  it("same seed gives the same spikes; the run's seed overrides the image's", () => {
    const a = rate([30000], 50);
    const b = rate([30000], 50);
    expect(Array.from(b.spikeNeurons)).toEqual(Array.from(a.spikeNeurons));
    const c = rate([30000], 50, 999);
    expect(Array.from(c.spikeNeurons)).not.toEqual(Array.from(a.spikeNeurons));
    expect(Array.from(rate([30000], 50, 1).spikeNeurons)).toEqual(Array.from(a.spikeNeurons)); // image seed is 1
  });
  it("decides each spike from prng(seed, t, i) and waits for firstSpikeStep", () => {
    const r = rate([40000], 20, 7, 5);
    const expected: string[] = [];
    for (let t = 5; t < 20; t++) {
      for (let i = 0; i < size; i++) if ((prng(7, t, i) & 0xffff) < 40000) expected.push(`${t}:${i}`);
    }
    expect(Array.from(r.spikeNeurons, (id, k) => `${r.spikeSteps[k]}:${id}`)).toEqual(expected);
  });
});

describe("delivery and the delay ring (chip.md §3)", () => {
  it("a spike at step t through delay d reaches u at step t + d", () => {
    for (const d of [1, 3, 7]) {
      const net = network([population("in", 1, 0, "spikes"), population("n", 1, 1, neuron())], [dense(0, 1, [5], d)]);
      const { u } = run(net, { steps: 12, encoders: [raster(12, [2]), null] });
      expect(u.map((x, t) => (x ? t : -1)).filter((t) => t >= 0)).toEqual([2 + d]);
      expect(u[2 + d]).toBe(5);
    }
  });
  it("per-synapse delays and the 32-bit accumulator", () => {
    const net = network(
      [population("in", 2, 0, "spikes"), population("n", 1, 2, neuron({ threshold: 2 ** 30 }))],
      [dense(0, 1, [3, -4], 1, [2, 5])],
    );
    const r = new Uint8Array(20);
    r[0] = 1; r[1] = 1; // both inputs spike at step 0
    const { u } = run(net, { steps: 10, encoders: [{ raster: r }, null] });
    expect(u).toEqual([0, 0, 3, 0, 0, -4, 0, 0, 0, 0]);
  });
  it("a synapse with a zero mantissa costs no event", () => {
    const net = network([population("in", 1, 0, "spikes"), population("n", 2, 1, neuron())], [dense(0, 1, [0, 1])]);
    const { result } = run(net, { steps: 2, encoders: [raster(2, [0]), null] });
    expect(Array.from(result.stepSynapticEvents)).toEqual([1, 0]);
  });
});

describe("neuron update (chip.md §4)", () => {
  const drive = (constants: NeuronConstants, weight: number, at: number[], steps = 8) =>
    run(network([population("in", 1, 0, "spikes"), population("n", 1, 1, constants)], [dense(0, 1, [weight])]), {
      steps, encoders: [raster(steps, at), null],
    });
  it("v == threshold does not spike; v > threshold does, then resets to zero", () => {
    const { v, spikes } = drive(neuron(), 50, [0, 1, 2]);
    expect(v).toEqual([0, 50, 100, 0, 0, 0, 0, 0]); // 150 > 100 spikes at step 3
    expect(spikes).toEqual(["0:0", "1:0", "2:0", "3:1"]); // input (id 0) at 0–2, the neuron (id 1) at 3
  });
  it("reset to a value and reset by subtraction", () => {
    expect(drive(neuron({ reset: { kind: "value", value: -7 } }), 150, [0]).v.slice(0, 3)).toEqual([0, -7, -7]);
    expect(drive(neuron({ reset: { kind: "subtract" } }), 130, [0, 1]).v.slice(0, 4)).toEqual([0, 30, 60, 60]);
  });
  it("refractory: v held, no spike, u still integrates", () => {
    const { v, u, spikes } = drive(neuron({ refractorySteps: 2, bias: 10, reset: { kind: "value", value: 5 } }), 200, [0, 1, 2, 3]);
    expect(u).toEqual([0, 200, 200, 200, 200, 0, 0, 0]);
    // t=1: 0+200+10 spikes → 5; t=2,3 held; t=4: 5+200+10 = 215 spikes → 5; t=5: 5+0+10 = 15; t=6: 25...
    // t=0: 0+0+10 = 10; t=1: 10+200+10 spikes → 5, refractory 2; t=2,3 held; t=4: 5+200+10 spikes → 5;
    // t=5,6 held; t=7: 5+0+10 = 15.
    expect(v).toEqual([10, 5, 5, 5, 5, 5, 5, 15]);
    expect(spikes.filter((s) => s.endsWith(":1"))).toEqual(["1:1", "4:1"]);
  });
  it("leaks round toward zero for negative voltages and the current wraps", () => {
    const leak = neuron({ decay: { kind: "multiply", currentRetain: 4096, voltageRetain: 2048 }, threshold: 2 ** 22 });
    const net = network([population("n", 1, 0, leak)], [], chip({ formats: { ...chip().formats, currentBits: 8 } }));
    net.populations[0].initialVoltage = Int32Array.of(-5);
    expect(run(net, { steps: 3, encoders: [null] }).v).toEqual([-2, -1, 0]);
    const wrap = network([population("in", 1, 0, "spikes"), population("n", 1, 1, leak)], [dense(0, 1, [100])],
      chip({ formats: { ...chip().formats, currentBits: 8 } }));
    expect(run(wrap, { steps: 4, encoders: [raster(4, [0, 1]), null] }).u).toEqual([0, 100, -56, -56]); // 200 > 128 → −56
  });
});

describe("counters, timing and energy (chip.md §1, §7, §8)", () => {
  it("matches a hand-computed 2×2 mesh", () => {
    // Input neuron 0 on core 0 projects to pop1 (4 neurons on cores 0, 1, 3, 2; the one on core 2
    // has a zero weight) and to pop2 (1 neuron on core 1). One input spike at step 0.
    const config = chip({
      coreCount: 4, meshWidth: 2,
      timing: { cyclesPerNeuronUpdate: 2, cyclesPerSynapticEvent: 3, cyclesPerSpikeSent: 5, cyclesPerHop: 7, cyclesPerBarrier: 11, clockMHz: 100 },
      energy: { pjPerNeuronUpdate: 1.5, pjPerSynapticEvent: 2.25, pjPerSpikeSent: 4, pjPerHop: 0.5, pjPerCycleStatic: 0.125 },
    });
    const pops = [population("in", 1, 0, "spikes"), population("a", 4, 1, neuron({ threshold: 1000 })), population("b", 1, 5, neuron({ threshold: 1000 }))];
    const projections = [dense(0, 1, [1, 1, 1, 0]), { ...dense(0, 2, [1]), connectivity: { kind: "oneToOne" as const, weights: Int32Array.of(1) } }];
    const cores: CoreSlice[][] = [
      [{ population: 0, start: 0, count: 1 }, { population: 1, start: 0, count: 1 }],
      [{ population: 1, start: 1, count: 1 }, { population: 2, start: 0, count: 1 }],
      [{ population: 1, start: 3, count: 1 }],
      [{ population: 1, start: 2, count: 1 }],
    ];
    const r = createReferenceEmulator(network(pops, projections, config, cores)).run({ steps: 2, encoders: [raster(2, [0]), null, null] });
    // Step 0: packets to cores 0, 1, 3 (hops 0 + 1 + 2); events: core 0: 1, core 1: 2, core 3: 1.
    // core 0: 2·2 + 1·3 + 3·5 + 3·7 + 11 = 54; core 1: 2·2 + 2·3 + 11 = 21; core 2: 2 + 11; core 3: 2 + 3 + 11.
    // Step 1 (no spikes): 15, 15, 13, 13.
    expect(Array.from(r.perCore.updates)).toEqual([4, 4, 2, 2]);
    expect(Array.from(r.perCore.synapticEvents)).toEqual([1, 2, 0, 1]);
    expect(Array.from(r.perCore.packetsSent)).toEqual([3, 0, 0, 0]);
    expect(Array.from(r.perCore.hops)).toEqual([3, 0, 0, 0]);
    expect(Array.from(r.perCore.cycles)).toEqual([69, 36, 26, 29]);
    expect(Array.from(r.stepCycles)).toEqual([54, 15]);
    expect(Array.from(r.stepSynapticEvents)).toEqual([4, 0]);
    expect(r.latencyCycles).toBe(69);
    // 12 updates · 1.5 + 4 events · 2.25 + 3 packets · 4 + 3 hops · 0.5 + 69 cycles · 0.125
    expect(r.energyPj).toBe(18 + 9 + 12 + 1.5 + 8.625);
  });
});

describe("random networks", () => {
  it("the generator's networks are valid and deterministic", () => {
    fc.assert(fc.property(networkCaseArbitrary(), ({ seed, network: net, options }) => {
      expect(randomNetwork(seed).network).toEqual(net);
      const placed = new Int32Array(net.populations.reduce((n, p) => n + p.size, 0));
      for (const slices of net.placement.cores) {
        expect(slices.reduce((n, s) => n + s.count, 0)).toBeLessThanOrEqual(net.chip.limits.neuronsPerCore);
        for (const s of slices) for (let k = 0; k < s.count; k++) placed[net.populations[s.population].firstNeuron + s.start + k]++;
      }
      expect(placed.every((n) => n === 1)).toBe(true);
      expect(maxFanIn(net.populations, net.projections)).toBeLessThanOrEqual(net.chip.limits.maxFanIn);
      for (const p of net.projections) {
        const half = 2 ** (p.weightBits - 1);
        expect(p.connectivity.weights.every((w) => w >= -half && w < half)).toBe(true);
        const delays = p.delays ?? [p.delaySteps];
        expect(delays.every((d) => d >= 1 && d <= net.chip.limits.maxDelaySteps)).toBe(true);
      }
      expect(() => createReferenceEmulator(net).run(options)).not.toThrow();
    }), { numRuns: 150 });
  });

  it("runs a 4000-neuron, 1000-step network in seconds", () => {
    // 1000 rate inputs → 2000 leaky neurons (recurrent) ⇄ 1000 IF neurons, 100/50 synapses per
    // neuron, split over 4 cores; weights in [−11, 11] keep a few percent of the neurons firing.
    const size = [1000, 2000, 1000];
    const leaky = neuron({ threshold: 300, decay: { kind: "multiply", currentRetain: 2048, voltageRetain: 3900 } });
    const pops = [population("in", size[0], 0, "rate"), population("a", size[1], 1000, leaky), population("b", size[2], 3000, neuron({ threshold: 500 }))];
    const sparse = (source: number, target: number, fanOut: number, seed: number): Projection => {
      const rowStart = Int32Array.from({ length: size[source] + 1 }, (_, i) => i * fanOut);
      const hash = (k: number) => (Math.imul(k + seed, 2654435761) >>> 0) % size[target];
      const post = Int32Array.from({ length: size[source] * fanOut }, (_, k) => hash(k));
      const weights = Int32Array.from(post, (_, k) => ((k * 7) % 23) - 11);
      return {
        name: "s", source, target, connectivity: { kind: "sparse", rowStart, post, weights },
        weightBits: 16, weightExponent: 0, delaySteps: 2, delays: null,
      };
    };
    const quarters = [0, 1, 2, 3].map((c) => pops.map((p, i) => ({ population: i, start: (c * p.size) / 4, count: p.size / 4 })));
    const projections = [sparse(0, 1, 100, 1), sparse(1, 2, 100, 2), sparse(1, 1, 50, 3), sparse(2, 1, 50, 4)];
    const net = network(pops, projections, chip({ coreCount: 4, meshWidth: 2 }), quarters);
    const rate = { probability: new Uint32Array(1000).fill(6000), frames: 1 };
    const start = performance.now();
    const r = createReferenceEmulator(net).run({ steps: 1000, encoders: [rate, null, null] });
    const seconds = (performance.now() - start) / 1000;
    expect(r.spikeNeurons.length).toBeGreaterThan(50000);
    expect(seconds).toBeLessThan(15);
  }, 60_000);
});
