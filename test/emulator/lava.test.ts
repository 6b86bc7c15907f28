/**
 * @fileoverview Bit-exactness with Lava's fixed-point CUBA LIF (PyLifModelBitAcc + Dense BitAcc).
 *
 * `simulateLava` below is an independent implementation of the equations exactly as
 * shared/reference/algorithms.md §6 states them (not a port of Lava's code, and not of our reference
 * model): int64 products (BigInt here), sign–magnitude shift by 12, du with ds_offset = 1, dv with
 * dm_offset = 0, the one-sided u wrap into (−2^23, 2^23], v clipped to ±(2^23 − 1), spike iff
 * v > vth << 6, reset v = 0 (u kept), a Dense whose output is one step late, bias_mant << bias_exp.
 * The same network is then written as a ChipNetwork (currentRetain = 4095 − du, voltageRetain =
 * 4096 − dv, threshold = vth << 6, weightShift 6, bias = bias_mant << bias_exp, delay 1, 24-bit u and v)
 * and run on createReferenceEmulator; spikes and the u/v traces must agree exactly at every step.
 * Finally both are checked against Lava's own recorded trace (lif_lava_cpu_fixed.csv).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChipNetwork, Population, Projection } from "../../compiler/ir.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";

interface LifParams { du: number; dv: number; vth: number; biasMant: number; biasExp: number }
/** A Dense from the input spikes (source −1) or a LIF group to a LIF group; weights[post][pre]. */
interface Dense { source: number; target: number; weights: number[][]; weightExp: number }
interface LavaNet { inputs: number; raster: number[][]; lifs: { size: number; params: LifParams }[]; denses: Dense[] }
interface Traces { spikes: string[]; u: number[][][]; v: number[][][] }

const ONE = 1n << 23n; // 2^23
const signMagnitudeShift12 = (p: bigint): bigint => (p < 0n ? -(-p >> 12n) : p >> 12n);

/** algorithms.md §6 in int64, one group of LIF neurons, one step. Returns the spikes. */
function lifStep(u: bigint[], v: bigint[], a: bigint[], p: LifParams): boolean[] {
  const bias = BigInt(p.biasMant) << BigInt(p.biasExp);
  return u.map((_, i) => {
    let un = signMagnitudeShift12(u[i] * (4096n - BigInt(p.du + 1))) + (a[i] << 6n);
    if (un > ONE) un -= 2n * ONE;
    else if (un <= -ONE) un += 2n * ONE;
    let vn = signMagnitudeShift12(v[i] * (4096n - BigInt(p.dv))) + un + bias;
    if (vn > ONE - 1n) vn = ONE - 1n;
    if (vn < -(ONE - 1n)) vn = -(ONE - 1n);
    const spike = vn > BigInt(p.vth) << 6n;
    u[i] = un;
    v[i] = spike ? 0n : vn;
    return spike;
  });
}

/** Lock-step simulation: each Dense sends last step's W·s, then takes this step's spikes. */
function simulateLava(net: LavaNet, steps: number): Traces {
  const u = net.lifs.map((g) => Array<bigint>(g.size).fill(0n));
  const v = net.lifs.map((g) => Array<bigint>(g.size).fill(0n));
  const buffers = net.denses.map((d) => Array<bigint>(d.weights.length).fill(0n));
  const out: Traces = { spikes: [], u: net.lifs.map(() => []), v: net.lifs.map(() => []) };
  for (let t = 0; t < steps; t++) {
    const a = net.lifs.map((g) => Array<bigint>(g.size).fill(0n));
    net.denses.forEach((d, k) => buffers[k].forEach((x, i) => (a[d.target][i] += x)));
    const spikes = net.lifs.map((g, k) => lifStep(u[k], v[k], a[k], g.params));
    const inputSpikes = net.raster[t];
    net.denses.forEach((d, k) => {
      const s = d.source < 0 ? inputSpikes.map((x) => x !== 0) : spikes[d.source];
      buffers[k] = d.weights.map((row) => row.reduce((sum, w, j) => (s[j] ? sum + BigInt(w) : sum), 0n) << BigInt(d.weightExp));
    });
    inputSpikes.forEach((x, i) => x && out.spikes.push(`${t}:${i}`)); // ids as on the chip: inputs first
    let first = net.inputs;
    spikes.forEach((group, k) => {
      group.forEach((x, i) => x && out.spikes.push(`${t}:${first + i}`));
      first += group.length;
      out.u[k].push(u[k].map(Number));
      out.v[k].push(v[k].map(Number));
    });
  }
  return out;
}

/** The same network as chip IR: population 0 is the input raster, population k + 1 is LIF group k. */
function toChipNetwork(net: LavaNet): ChipNetwork {
  const populations: Population[] = [
    { name: "in", size: net.inputs, shape: [net.inputs], firstNeuron: 0, kind: "input", encoder: { kind: "spikes", steps: [] }, initialVoltage: null },
  ];
  let first = net.inputs;
  for (const [k, g] of net.lifs.entries()) {
    const { du, dv, vth, biasMant, biasExp } = g.params;
    populations.push({
      name: `lif${k}`, size: g.size, shape: [g.size], firstNeuron: first, kind: "neuron", initialVoltage: null,
      neuron: {
        model: "CUBA", decay: { kind: "multiply", currentRetain: 4095 - du, voltageRetain: 4096 - dv },
        threshold: vth << 6, bias: biasMant * 2 ** biasExp, reset: { kind: "zero" }, refractorySteps: 0,
      },
    });
    first += g.size;
  }
  const projections: Projection[] = net.denses.map((d, k) => ({
    name: `dense${k}`, source: d.source + 1, target: d.target + 1,
    connectivity: { kind: "dense", weights: Int32Array.from(d.weights.flat()) },
    weightBits: 8, weightExponent: d.weightExp, delaySteps: 1, delays: null,
  }));
  return {
    name: "lava", dtUs: 100, defaultSteps: 1, seed: 0, populations, projections,
    placement: { cores: [populations.map((p, i) => ({ population: i, start: 0, count: p.size }))] },
    probes: net.lifs.flatMap((_, k) => [{ population: k + 1, variable: "u" as const }, { population: k + 1, variable: "v" as const }]),
    chip: {
      preset: "loihi", coreCount: 1, meshWidth: 1,
      limits: { neuronsPerCore: 1024, synapseMemoryBitsPerCore: 2 ** 24, maxFanIn: 4096, maxFanOutCores: 1, maxDelaySteps: 1 },
      formats: { currentBits: 24, voltageBits: 24, maxWeightBits: 8, weightShift: 6, minWeightExponent: 0, maxWeightExponent: 7, decayKinds: ["multiply"] },
      timing: { cyclesPerNeuronUpdate: 1, cyclesPerSynapticEvent: 1, cyclesPerSpikeSent: 1, cyclesPerHop: 1, cyclesPerBarrier: 1, clockMHz: 1 },
      energy: { pjPerNeuronUpdate: 1, pjPerSynapticEvent: 1, pjPerSpikeSent: 1, pjPerHop: 1, pjPerCycleStatic: 1 },
    },
  };
}

/** Runs the reference model and reshapes its output like `simulateLava`'s. */
function simulateChip(net: LavaNet, steps: number): Traces {
  const r = createReferenceEmulator(toChipNetwork(net)).run({ steps, encoders: [{ raster: Uint8Array.from(net.raster.flat()) }] });
  const reshape = (values: Int32Array, size: number) => Array.from({ length: steps }, (_, t) => Array.from(values.subarray(t * size, (t + 1) * size)));
  const trace = (k: number, variable: "u" | "v") => reshape(r.probes.find((p) => p.population === k + 1 && p.variable === variable)!.values, net.lifs[k].size);
  return {
    spikes: Array.from(r.spikeNeurons, (id, i) => `${r.spikeSteps[i]}:${id}`),
    u: net.lifs.map((_, k) => trace(k, "u")),
    v: net.lifs.map((_, k) => trace(k, "v")),
  };
}

function expectSame(net: LavaNet, steps: number): Traces {
  const lava = simulateLava(net, steps);
  const chip = simulateChip(net, steps);
  expect(chip.u).toEqual(lava.u);
  expect(chip.v).toEqual(lava.v);
  expect(chip.spikes).toEqual(lava.spikes);
  return lava;
}

/** One LIF neuron driven by `inputs` input neurons that all spike at the listed steps. */
function single(params: Partial<LifParams>, weight: number, at: number[], steps: number, inputs = 1, weightExp = 0): LavaNet {
  const raster = Array.from({ length: steps }, (_, t) => Array<number>(inputs).fill(at.includes(t) ? 1 : 0));
  const full: LifParams = { du: 4095, dv: 0, vth: 25, biasMant: 0, biasExp: 0, ...params };
  return { inputs, raster, lifs: [{ size: 1, params: full }], denses: [{ source: -1, target: 0, weights: [Array(inputs).fill(weight)], weightExp }] };
}

describe("Lava CUBA LIF, edge cases", () => {
  it("u lands on +2^23 and stays; −2^23 wraps to +2^23; 2^23 + 8192 wraps to −2^23 + 8192", () => {
    // 16 inputs · 64 << (7 + 6) = 2^23 exactly; du = 4095 makes u this step's input only.
    const at = [0, 2];
    expect(expectSame(single({ vth: 2 ** 17 - 1 }, 64, at, 4, 16, 7), 4).u[0].map((x) => x[0])).toEqual([0, 2 ** 23, 0, 2 ** 23]);
    expect(expectSame(single({ vth: 2 ** 17 - 1 }, -64, at, 4, 16, 7), 4).u[0][1][0]).toBe(2 ** 23);
    const plus = single({ vth: 2 ** 17 - 1 }, 64, [0], 3, 17, 7);
    plus.denses[0].weights[0][16] = 1; // the 17th input adds 1 << (7 + 6) = 8192
    expect(expectSame(plus, 3).u[0][1][0]).toBe(-(2 ** 23) + 8192);
  });
  it("u wraps while integrating (du = 0 keeps almost all of it), at both ends", () => {
    for (const w of [127, -128]) {
      const lava = expectSame(single({ du: 0, dv: 4095, vth: 2 ** 17 - 1 }, w, Array.from({ length: 30 }, (_, t) => t), 32, 1, 7), 32);
      const u = lava.u[0].map((x) => x[0]);
      expect(u.some((x, t) => t > 0 && Math.sign(x) !== Math.sign(u[t - 1]) && x !== 0)).toBe(true);
    }
  });
  it("v saturates at −(2^23 − 1), and at +(2^23 − 1) when the threshold is out of reach", () => {
    const low = expectSame(single({ dv: 0, biasMant: -4096, biasExp: 7 }, 0, [], 20), 20);
    expect(low.v[0][19][0]).toBe(-(2 ** 23 - 1));
    // vth = 2^17 is one past Lava's 17-bit field, but the equations are the same: vth << 6 = 2^23 > v.
    const high = expectSame(single({ dv: 0, biasMant: 4095, biasExp: 7, vth: 2 ** 17 }, 0, [], 20), 20);
    expect(high.v[0][19][0]).toBe(2 ** 23 - 1);
  });
  it("negative u and v decay toward zero (−1 becomes 0, not −1)", () => {
    const lava = expectSame(single({ du: 2047, dv: 2048 }, -1, [0], 16), 16);
    expect(lava.u[0].map((x) => x[0]).slice(1, 8)).toEqual([-64, -32, -16, -8, -4, -2, -1]);
    // v: −64, −64, −48, −32, −20, −12, −7, −3, −1, then 0 (floor would stay at −1 forever).
    expect(lava.v[0].map((x) => x[0]).slice(1, 11)).toEqual([-64, -64, -48, -32, -20, -12, -7, -3, -1, 0]);
  });
  it("v == vth << 6 does not spike; one more input does", () => {
    const lava = expectSame(single({ vth: 25 }, 25, [0, 2], 4), 4); // 25 << 6 = 1600 = threshold
    expect(lava.v[0].map((x) => x[0])).toEqual([0, 1600, 1600, 0]);
    expect(lava.spikes).toEqual(["0:0", "2:0", "3:1"]);
  });
});

const lifParams: fc.Arbitrary<LifParams> = fc.record({
  du: fc.oneof(fc.constantFrom(0, 1, 2047, 4094, 4095), fc.integer({ min: 0, max: 4095 })),
  dv: fc.oneof(fc.constantFrom(0, 1, 163, 4095), fc.integer({ min: 0, max: 4095 })),
  vth: fc.oneof(fc.constantFrom(0, 1, 25, 2 ** 17 - 1), fc.integer({ min: 0, max: 2000 })),
  biasMant: fc.oneof(fc.constant(0), fc.integer({ min: -4096, max: 4095 })),
  biasExp: fc.integer({ min: 0, max: 7 }),
});

/** Random Lava networks: inputs → group 0 → … → last group, plus random recurrent/skip Denses. */
const lavaNet: fc.Arbitrary<{ net: LavaNet; steps: number }> = fc
  .record({
    steps: fc.integer({ min: 1, max: 60 }),
    inputs: fc.integer({ min: 1, max: 5 }),
    groups: fc.array(fc.record({ size: fc.integer({ min: 1, max: 4 }), params: lifParams }), { minLength: 1, maxLength: 3 }),
    extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
    weightSeed: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 64, maxLength: 64 }),
    exps: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 6, maxLength: 6 }),
    density: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
    rasterSeed: fc.integer(),
  })
  .map(({ steps, inputs, groups, extra, weightSeed, exps, density, rasterSeed }) => {
    let k = 0;
    const dense = (source: number, target: number, pre: number): Dense => ({
      source, target, weightExp: exps[(k + target) % exps.length],
      weights: Array.from({ length: groups[target].size }, () => Array.from({ length: pre }, () => weightSeed[k++ % weightSeed.length])),
    });
    const denses = groups.map((_, g) => dense(g - 1, g, g === 0 ? inputs : groups[g - 1].size));
    for (const [a, b] of extra) denses.push(dense(a % groups.length, b % groups.length, groups[a % groups.length].size));
    let x = rasterSeed >>> 0;
    const raster = Array.from({ length: steps }, () => Array.from({ length: inputs }, () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x / 2 ** 32 < density ? 1 : 0;
    }));
    return { net: { inputs, raster, lifs: groups, denses }, steps };
  });

describe("Lava CUBA LIF, random networks", () => {
  it("single neurons and small recurrent networks match step for step", () => {
    fc.assert(fc.property(lavaNet, ({ net, steps }) => void expectSame(net, steps)), { numRuns: 300 });
  });
});

describe("Lava's recorded trace (NIR paper, lif_lava_cpu_fixed.csv)", () => {
  // The file has no header: 1,000 lines "input,voltage,spike" separated by commas, "\n" line ends.
  // Column 1 is an integer 0/1 (the input spike train, 34 spikes), column 2 the voltage as a float
  // with ".0" (always a whole number: it is v itself, not v >> 6), column 3 the output spike as
  // "0.0"/"1.0" (4 spikes). Line k (0-based) is step k. An input spike on line t first shows on line
  // t + 1 (e.g. input at step 60, v = 640 at 61); on a spike line the voltage is already reset (0.0).
  const csv = readFileSync(new URL("../../../shared/nir/paper/01_lif/lif_lava_cpu_fixed.csv", import.meta.url), "utf8");
  const rows = csv.trim().split("\n").map((line) => line.split(",").map(Number));

  it("has the format described above", () => {
    expect(rows.length).toBe(1000);
    expect(rows.every((r) => r.length === 3 && r.every(Number.isInteger))).toBe(true);
    expect(rows.filter((r) => r[0] === 1).length).toBe(34);
    expect(rows.filter((r) => r[2] === 1).length).toBe(4);
  });

  it("every voltage and every spike matches, in the equations and on the chip", () => {
    // NIR LIF as Lava imports it: du = 4095, dv = 163, vth = 25, one input Dense of weight 10.
    const net = single({ du: 4095, dv: 163, vth: 25 }, 10, [], rows.length);
    net.raster = rows.map((r) => [r[0]]);
    const chip = simulateChip(net, rows.length);
    const lava = simulateLava(net, rows.length);
    const voltages = rows.map((r) => r[1]);
    const outputSteps = rows.flatMap((r, t) => (r[2] === 1 ? [t] : []));
    expect(chip.v[0].map((x) => x[0])).toEqual(voltages);
    expect(lava.v[0].map((x) => x[0])).toEqual(voltages);
    const chipOutput = chip.spikes.filter((s) => s.endsWith(":1")).map((s) => Number(s.split(":")[0]));
    expect(chipOutput).toEqual(outputSteps);
    expect(outputSteps).toEqual([461, 511, 711, 761]);
  });
});
