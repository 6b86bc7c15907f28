/**
 * @fileoverview Connectivity and placement as lowered by the compiler (compiler/connectivity.ts,
 * lower.ts, place.ts), checked through the public entry `compileSource`:
 *   - sparse connectivity statistics, self-connections, seeds and determinism, v_init, delays;
 *   - placement of the CUBA example and resource overflows (E120).
 * Expected numbers are derived from the rules as stated in the brief/docs, not from the code.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ChipNetwork, Connectivity } from "../../compiler/ir.ts";
import { compile, errorsOf, net, pop } from "./lowering-support.ts";


function synapses(c: Connectivity): { pre: number; post: number }[] {
  if (c.kind !== "sparse") throw new Error(`expected sparse, got ${c.kind}`);
  const out: { pre: number; post: number }[] = [];
  for (let pre = 0; pre + 1 < c.rowStart.length; pre++) for (let k = c.rowStart[pre]; k < c.rowStart[pre + 1]; k++) out.push({ pre, post: c.post[k] });
  return out;
}

function expectWellFormedCsr(c: Connectivity, sourceSize: number, targetSize: number): void {
  if (c.kind !== "sparse") throw new Error(`expected sparse, got ${c.kind}`);
  expect(c.rowStart.length).toBe(sourceSize + 1);
  expect(c.rowStart[0]).toBe(0);
  expect(c.post.length).toBe(c.rowStart[sourceSize]);
  expect(c.weights.length).toBe(c.post.length);
  for (let pre = 0; pre < sourceSize; pre++) {
    expect(c.rowStart[pre + 1]).toBeGreaterThanOrEqual(c.rowStart[pre]);
    for (let k = c.rowStart[pre]; k < c.rowStart[pre + 1]; k++) {
      expect(c.post[k]).toBeGreaterThanOrEqual(0);
      expect(c.post[k]).toBeLessThan(targetSize);
      if (k > c.rowStart[pre]) expect(c.post[k]).toBeGreaterThan(c.post[k - 1]); // sorted, no duplicates
    }
  }
}

function withinFiveSigma(count: number, trials: number, p: number): void {
  const mean = trials * p;
  const sigma = Math.sqrt(trials * p * (1 - p));
  expect(Math.abs(count - mean), `${count} synapses, expected ${mean} ± ${(5 * sigma).toFixed(0)}`).toBeLessThan(5 * sigma);
}

describe("sparse connectivity", () => {
  const N = 300;
  const recurrent = (extra: string) => net(`layer a[${N}] : lif(tau = 20ms);`, `connect a -> a : sparse(p = 0.1, seed = 5${extra});`);

  it("a recurrent projection has about p·N·(N − 1) synapses and no self-connections", () => {
    const c = compile(recurrent("")).projections[0].connectivity;
    expectWellFormedCsr(c, N, N);
    const all = synapses(c);
    withinFiveSigma(all.length, N * (N - 1), 0.1);
    expect(all.filter((s) => s.pre === s.post)).toEqual([]);
  });

  it("allow_self = 1 allows i → i and gives about p·N² synapses", () => {
    const c = compile(recurrent(", allow_self = 1")).projections[0].connectivity;
    expectWellFormedCsr(c, N, N);
    const all = synapses(c);
    withinFiveSigma(all.length, N * N, 0.1);
    expect(all.filter((s) => s.pre === s.post).length).toBeGreaterThan(0);
  });

  it("between two populations: about p·source·target synapses, self-exclusion does not apply", () => {
    const network = compile(net("layer a[200] : lif(tau = 20ms);", "layer b[150] : lif(tau = 20ms);", "connect a -> b : sparse(p = 0.3, seed = 9);"));
    const c = network.projections[0].connectivity;
    expectWellFormedCsr(c, 200, 150);
    const all = synapses(c);
    withinFiveSigma(all.length, 200 * 150, 0.3);
    expect(all.some((s) => s.pre === s.post)).toBe(true);
  });

  it("p = 0 gives no synapses and p = 1 every pair but i → i", () => {
    const none = compile(net("layer a[20] : lif(tau = 20ms);", "connect a -> a : sparse(p = 0);")).projections[0].connectivity;
    expect(synapses(none)).toEqual([]);
    const all = compile(net("layer a[20] : lif(tau = 20ms);", "connect a -> a : sparse(p = 1);")).projections[0].connectivity;
    expect(synapses(all).length).toBe(20 * 19);
  });

  it("the same source gives the same network (deep equality, typed arrays included)", () => {
    const source = net(
      "input i[10] : rate();",
      "layer a[60] : lif(tau = 20ms, v_init = uniform(-0.5, 0.5));",
      "connect i -> a : dense(weight = normal(0.2, 0.1));",
      "connect a -> a : sparse(p = 0.2, seed = 3, weight = uniform(-0.1, 0.2), delay = uniform(1ms, 4ms));",
      "run { seed = 11; }",
    );
    expect(compile(source)).toEqual(compile(source));
  });

  it("another connection seed draws other synapses; the run seed does not change who connects to whom", () => {
    const source = (sparseSeed: number, runSeed: number) =>
      net("layer a[80] : lif(tau = 20ms);", `connect a -> a : sparse(p = 0.2, seed = ${sparseSeed}, weight = uniform(0.1, 0.2));`, `run { seed = ${runSeed}; }`);
    const base = compile(source(1, 1)).projections[0].connectivity;
    const otherSparse = compile(source(2, 1)).projections[0].connectivity;
    const otherRun = compile(source(1, 2)).projections[0].connectivity;
    expect(synapses(otherSparse)).not.toEqual(synapses(base));
    expect(synapses(otherRun)).toEqual(synapses(base));
    expect(Array.from(otherRun.weights)).not.toEqual(Array.from(base.weights)); // weights come from the run seed
  });

  it("another run seed gives other random weights and initial voltages", () => {
    const source = (seed: number) => net("layer a[50] : lif(tau = 20ms, v_init = uniform(0, 0.9));", "connect a -> a : dense(weight = normal(0, 0.1));", `run { seed = ${seed}; }`);
    const one = compile(source(1));
    const two = compile(source(2));
    expect(two).not.toEqual(one);
    expect(Array.from(two.populations[0].initialVoltage!)).not.toEqual(Array.from(one.populations[0].initialVoltage!));
    expect(Array.from(two.projections[0].connectivity.weights)).not.toEqual(Array.from(one.projections[0].connectivity.weights));
  });

  it("v_init = uniform(low, high) stays within [low, high] and spreads over it", () => {
    // origin −60 mV (the reset), 6553.6 LSB per mV: the range is 0..65536.
    const network = compile(net("layer a[2000] : lif(tau = 20ms, vth = -50mV, reset = -60mV, v_init = uniform(-60mV, -50mV));"));
    const v = Array.from(pop(network, "a").initialVoltage!);
    expect(v.length).toBe(2000);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(65536);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    expect(Math.abs(mean - 32768)).toBeLessThan(5 * (65536 / Math.sqrt(12 * 2000)));
    expect(Math.min(...v)).toBeLessThan(6554); // reaches the lowest tenth
    expect(Math.max(...v)).toBeGreaterThan(58982); // and the highest
  });

  it("per-synapse delays are whole steps within 1..maxDelay", () => {
    const network = compile(net("layer a[40] : lif(tau = 20ms);", "connect a -> a : sparse(p = 0.5, delay = uniform(1ms, 5ms));"));
    const p = network.projections[0];
    expect(p.delays).toBeInstanceOf(Uint8Array);
    expect(p.delays!.length).toBe(p.connectivity.weights.length);
    for (const d of p.delays!) expect(d >= 1 && d <= 5).toBe(true);
    expect(new Set(p.delays!).size).toBe(5);
  });
});

// ---------------------------------------------------------------------------------------------

describe("placement", () => {
  const cuba = readFileSync(new URL("../../examples/cuba.snn", import.meta.url), "utf8");

  /** Synapse-memory bits of every core, counted the way docs/ir.md describes (weights + index + delay). */
  function coreBits(network: ChipNetwork): number[] {
    const bitsOf = new Float64Array(network.populations.reduce((n, p) => n + p.size, 0));
    for (const p of network.projections) {
      const source = network.populations[p.source];
      const target = network.populations[p.target];
      const c = p.connectivity;
      const perSynapse = p.weightBits + (p.delays ? 6 : 0) + (c.kind === "sparse" ? Math.ceil(Math.log2(Math.max(2, source.size))) : 0);
      if (c.kind === "sparse") for (const post of c.post) bitsOf[target.firstNeuron + post] += perSynapse;
      else if (c.kind === "dense") for (let post = 0; post < target.size; post++) bitsOf[target.firstNeuron + post] += source.size * perSynapse;
      else for (let i = 0; i < target.size; i++) bitsOf[target.firstNeuron + i] += perSynapse;
    }
    return network.placement.cores.map((slices) =>
      slices.reduce((sum, s) => {
        const first = network.populations[s.population].firstNeuron + s.start;
        for (let id = first; id < first + s.count; id++) sum += bitsOf[id];
        return sum;
      }, 0),
    );
  }

  function expectCoversInOrder(network: ChipNetwork): void {
    const ids: number[] = [];
    for (const slices of network.placement.cores) {
      for (const s of slices) {
        const first = network.populations[s.population].firstNeuron + s.start;
        for (let i = 0; i < s.count; i++) ids.push(first + i);
      }
    }
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i));
    expect(ids.length).toBe(network.populations.reduce((n, p) => n + p.size, 0));
  }

  it("the CUBA example on loihi needs more cores than its neuron count alone, because of synapse memory", () => {
    const network = compile(cuba);
    expect(network.chip.preset).toBe("loihi");
    const limits = network.chip.limits;
    expect(network.placement.cores.length).toBeGreaterThan(Math.ceil(4000 / limits.neuronsPerCore));
    expectCoversInOrder(network);
    const bits = coreBits(network);
    for (const [core, slices] of network.placement.cores.entries()) {
      expect(slices.reduce((n, s) => n + s.count, 0)).toBeLessThanOrEqual(limits.neuronsPerCore);
      expect(bits[core]).toBeLessThanOrEqual(limits.synapseMemoryBitsPerCore);
    }
    // Memory is what closed the cores: every core but the last could not take the next neuron.
    expect(bits.slice(0, -1).every((b) => b > limits.synapseMemoryBitsPerCore * 0.95)).toBe(true);
  });

  it("the CUBA example on the generic chip fits one core", () => {
    const network = compile(cuba, "generic");
    expect(network.chip.preset).toBe("generic");
    expect(network.placement.cores.length).toBe(1);
    expectCoversInOrder(network);
  });

  it("neurons are packed in id order, a new core when neuronsPerCore is reached", () => {
    const network = compile(net("chip generic { neurons_per_core = 10; cores = 5; }", "input i[7] : rate();", "layer a[25] : lif(tau = 20ms);"));
    expect(network.placement.cores.map((c) => c.map((s) => [s.population, s.start, s.count]))).toEqual([
      [[0, 0, 7], [1, 0, 3]],
      [[1, 3, 10]],
      [[1, 13, 10]],
      [[1, 23, 2]],
    ]);
  });

  describe("a network that cannot fit gives E120 naming the resource and how far over it is", () => {
    it.each([
      ["cores", net("chip edge;", "layer a[2000] : lif(tau = 20ms);"), /cores/],
      ["fan-in", net("chip edge;", "input i[600] : rate();", "layer a[2] : lif(tau = 20ms);", "connect i -> a : dense(weight = 0.01);"), /incoming synapses/],
      ["synapse memory", net("chip generic { synapse_memory_kib = 1; }", "input i[2000] : rate();", "layer a[1] : lif(tau = 20ms);", "connect i -> a : dense(weight = 0.001);"), /synapse memory/],
      ["cores (set in the chip block)", net("chip generic { cores = 2; neurons_per_core = 100; }", "layer a[250] : lif(tau = 20ms);"), /cores/],
    ])("%s", (_, source, resource) => {
      const [e] = errorsOf(source);
      expect(e.code).toBe("E120");
      expect(e.message).toMatch(resource);
      expect(e.message).toMatch(/over by \d+/);
    });
  });
});

