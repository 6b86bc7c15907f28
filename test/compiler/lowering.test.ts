/**
 * @fileoverview The quantization and lowering rules (compiler/quantize.ts, lower.ts,
 * connectivity.ts, place.ts), checked through the public entry `compileSource`:
 *   - neuron constants: decay codes for known τ/dt, threshold scale and grid, reset and origin, bias;
 *   - weights: exponent choice, unsigned/signed mantissa ranges, the half-step error bound;
 *   - sparse connectivity statistics, self-connections, seeds and determinism, v_init;
 *   - placement of the CUBA example and resource overflows (E120);
 *   - a fast-check property over random DSL text: every compile either reports errors or gives a
 *     network that passes validateNetwork and survives the image round trip unchanged.
 * Expected numbers are derived from the rules as stated in the brief/docs, not from the code.
 */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { decodeImage, encodeImage } from "../../compiler/image.ts";
import type { ChipNetwork, Connectivity, NeuronConstants, Population } from "../../compiler/ir.ts";
import { PRESETS } from "../../compiler/presets.ts";
import { validateNetwork } from "../../compiler/validate.ts";
import type { Diagnostic } from "../../dsl/diagnostic.ts";

const net = (...lines: string[]) => `network n {\n${lines.map((l) => `  ${l}`).join("\n")}\n}\n`;

function describeErrors(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${d.severity} ${d.code} ${d.span ? `${d.span.line}:${d.span.column}` : "-"} ${d.message}`).join("\n");
}

/** Compiles and insists on success. */
function compile(source: string, chipPreset?: string): ChipNetwork {
  const result = compileSource(source, "t.snn", { chipPreset });
  expect(result.network, describeErrors(result.diagnostics)).not.toBeNull();
  return result.network!;
}

function errorsOf(source: string, chipPreset?: string): Diagnostic[] {
  const result = compileSource(source, "t.snn", { chipPreset });
  expect(result.network).toBeNull();
  return result.diagnostics.filter((d) => d.severity === "error");
}

function pop(network: ChipNetwork, name: string): Population {
  const found = network.populations.find((p) => p.name === name);
  expect(found, `population ${name}`).toBeDefined();
  return found!;
}

function neuronOf(network: ChipNetwork, name = "a"): NeuronConstants {
  return pop(network, name).neuron!;
}

function retain(dtMs: number, tauMs: number): number {
  return Math.round(4096 * Math.exp(-dtMs / tauMs));
}

/** One layer `a` compiled with `model` at `dt` on `chip`. */
function layer(model: string, { dt = "1ms", chip = "generic", extra = [] as string[] } = {}): ChipNetwork {
  return compile(net(`chip ${chip};`, `layer a[4] : ${model};`, ...extra, `run { dt = ${dt}; }`));
}

// ---------------------------------------------------------------------------------------------

describe("neuron constants", () => {
  it.each([
    [20, 1],
    [10, 1],
    [20, 0.1],
    [5, 0.5],
    [100, 1],
    [2, 1],
    [1, 1],
  ])("LIF τ = %sms at dt = %sms: voltage retain round(4096·exp(−dt/τ)), current retain 0", (tau, dt) => {
    const n = neuronOf(layer(`lif(tau = ${tau}ms)`, { dt: `${dt}ms` }));
    expect(n.model).toBe("lif");
    expect(n.decay).toEqual({ kind: "multiply", currentRetain: 0, voltageRetain: retain(dt, tau) });
  });

  it("LIF τ = 20ms, dt = 1ms is 3896/4096 (a number worked out by hand)", () => {
    expect(neuronOf(layer("lif(tau = 20ms)")).decay).toEqual({ kind: "multiply", currentRetain: 0, voltageRetain: 3896 });
  });

  it.each([
    [20, 5, 0.1],
    [20, 5, 1],
    [10, 2, 0.5],
  ])("CUBA τ_mem = %sms, τ_syn = %sms at dt = %sms: both retains round(4096·exp(−dt/τ))", (tauMem, tauSyn, dt) => {
    const n = neuronOf(layer(`cuba(tau_mem = ${tauMem}ms, tau_syn = ${tauSyn}ms)`, { dt: `${dt}ms` }));
    expect(n.model).toBe("cuba");
    expect(n.decay).toEqual({ kind: "multiply", currentRetain: retain(dt, tauSyn), voltageRetain: retain(dt, tauMem) });
  });

  it("IF: current retain 0 and voltage retain 4096 (no leak), at any dt", () => {
    for (const dt of ["0.1ms", "1ms"]) expect(neuronOf(layer("if()", { dt })).decay).toEqual({ kind: "multiply", currentRetain: 0, voltageRetain: 4096 });
  });

  it("the edge chip (shift decays only) gets shifts: round(−log2(1 − keep)), 0 empties, 31 keeps", () => {
    const lif = neuronOf(layer("lif(tau = 20ms)", { chip: "edge" }));
    expect(lif.decay).toEqual({ kind: "shift", currentShift: 0, voltageShift: Math.round(-Math.log2(1 - Math.exp(-1 / 20))) });
    expect(lif.decay).toEqual({ kind: "shift", currentShift: 0, voltageShift: 4 });
    expect(neuronOf(layer("if()", { chip: "edge" })).decay).toEqual({ kind: "shift", currentShift: 0, voltageShift: 31 });
  });

  it("a decay kind the chip does not have is refused (lif(decay = shift) on loihi, which only multiplies)", () => {
    const result = compileSource(net("chip loihi;", "layer a[4] : lif(tau = 20ms, decay = shift);"), "t.snn");
    const decayKinds = result.network?.chip.formats.decayKinds ?? PRESETS.loihi.formats.decayKinds;
    const decay = result.network?.populations[0].neuron?.decay;
    // Either an error, or a decay the chip can run.
    if (result.network) expect(decayKinds, `the loihi image holds a ${decay?.kind} decay`).toContain(decay!.kind);
    else expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
  });

  describe.each(["generic", "loihi", "edge"])("threshold on %s", (chip) => {
    const formats = PRESETS[chip].formats;
    const expected = 2 ** (formats.voltageBits - 8);
    it.each([
      "lif(tau = 20ms, vth = 1)",
      "lif(tau = 20ms, vth = -50mV, reset = -60mV, rest = -49mV)",
      "lif(tau = 20ms, vth = 0.3, reset = -0.7)",
      "lif(tau = 20ms, vth = 20mV, reset = subtract, rest = -5mV)",
      "cuba(tau_mem = 20ms, tau_syn = 5ms, vth = 2V, reset = 0)",
      "if(vth = 7, reset = 3)",
    ])(`%s maps to 2^(voltageBits − 8) = ${expected}`, (model) => {
      const n = neuronOf(layer(model, { chip }));
      expect(n.threshold).toBe(expected);
      if (chip === "loihi") expect(n.threshold % 64).toBe(0);
    });
  });

  it.each(["lif(tau = 20ms)", "cuba(tau_mem = 20ms, tau_syn = 5ms)", "if()", "gif(gamma = 0.9, vth = 1)", "plif(tau = 10ms)"])(
    "on loihi the threshold of %s is on the 64 grid (vth is a mantissa << 6)",
    (model) => {
      const n = neuronOf(layer(model, { chip: "loihi" }));
      expect(n.threshold % 64, `threshold ${n.threshold}`).toBe(0);
    },
  );

  it("a reset value becomes a `zero` reset with the origin at the reset value", () => {
    // lsb per mV = 65536 / (vth − reset) = 6553.6; v_init −55 mV sits halfway between reset and vth.
    const network = layer("lif(tau = 20ms, vth = -50mV, reset = -60mV, rest = -60mV, v_init = constant(-55mV))");
    const n = neuronOf(network);
    expect(n.reset).toEqual({ kind: "zero" });
    expect(Array.from(pop(network, "a").initialVoltage!)).toEqual([32768, 32768, 32768, 32768]);
    expect(n.bias).toBe(0); // rest == reset: nothing to relax towards
  });

  it("`reset = subtract` keeps a subtract reset with the origin at rest", () => {
    const network = layer("lif(tau = 20ms, vth = -55mV, reset = subtract, rest = -65mV, v_init = constant(-60mV))");
    const n = neuronOf(network);
    expect(n.reset).toEqual({ kind: "subtract" });
    expect(Array.from(pop(network, "a").initialVoltage!)).toEqual([32768, 32768, 32768, 32768]);
    expect(n.bias).toBe(0); // origin is rest
  });

  it("rest ≠ reset becomes a bias: (1 − retain/4096)·(rest − reset)·lsb per step", () => {
    // τ = 20ms, dt = 1ms: retain 3896, leak 200/4096; rest − reset = 11 mV; lsb = 65536/10 per mV.
    const n = neuronOf(layer("lif(tau = 20ms, vth = -50mV, reset = -60mV, rest = -49mV)"));
    expect(n.bias).toBe(3520);
    expect(n.bias).toBe(Math.round((200 / 4096) * 11 * 6553.6));
  });

  it("an explicit bias adds to the relaxation for leaky models and is per step for IF", () => {
    expect(neuronOf(layer("lif(tau = 20ms, vth = 1, bias = 0.5)")).bias).toBe(Math.round((200 / 4096) * 0.5 * 65536));
    expect(neuronOf(layer("if(vth = 1, bias = 0.25)")).bias).toBe(16384);
  });

  it("refractory periods are whole steps", () => {
    expect(neuronOf(layer("lif(tau = 20ms, refractory = 2ms)", { dt: "0.1ms" })).refractorySteps).toBe(20);
    expect(neuronOf(layer("lif(tau = 20ms, refractory = 255ms)")).refractorySteps).toBe(255);
  });

  it("input encoders keep gain/offset and turn times into steps", () => {
    const network = compile(net("input r[2] : rate(gain = 0.5, offset = 0.1, first_spike = 3ms);", "input s[2] : spikes(times = [5ms, 1ms, 1ms]);", "run { dt = 0.5ms; }"));
    expect(pop(network, "r").encoder).toEqual({ kind: "rate", gain: 0.5, offset: 0.1, firstSpikeStep: 6 });
    expect(pop(network, "s").encoder).toEqual({ kind: "spikes", steps: [2, 10] });
  });
});

// ---------------------------------------------------------------------------------------------

/** One projection a → b (one_to_one) with the given weights, onto LIF vth = 1, reset = 0: 65536 LSB per mV. */
function weightsProjection(weights: number[], bits: number, chip = "generic") {
  const network = compile(
    net(`chip ${chip};`, `layer a[${weights.length}] : lif(tau = 20ms);`, `layer b[${weights.length}] : lif(tau = 20ms, vth = 1, reset = 0);`, `connect a -> b : one_to_one(weight = [${weights.map(String).join(", ")}], bits = ${bits});`),
  );
  const p = network.projections[0];
  return { mantissas: Array.from(p.connectivity.weights), exponent: p.weightExponent, step: 2 ** (network.chip.formats.weightShift + p.weightExponent), network };
}

describe("weight quantization", () => {
  it("excitatory-only weights use the unsigned range 0..2^bits − 1", () => {
    // 255/256 mV = 65280 LSB; with 8 bits the largest mantissa is 255, step 256 = 2^(6 + 2).
    const q = weightsProjection([255 / 256, 0.5, 0.25], 8);
    expect(q.exponent).toBe(2);
    expect(q.mantissas).toEqual([255, 128, 64]);
  });

  it("the exponent is the smallest that fits the largest weight, so it uses the upper half of the range", () => {
    // 1 mV = 65536 LSB; 65536/255 > 256, so the step is 512 (exponent 3) and 1 mV is mantissa 128.
    const q = weightsProjection([1, 0.5, 0.25], 8);
    expect(q.exponent).toBe(3);
    expect(q.mantissas).toEqual([128, 64, 32]);
  });

  it("inhibitory-only weights use −(2^bits − 1)..0", () => {
    const q = weightsProjection([-255 / 256, -0.5], 8);
    expect(q.mantissas).toEqual([-255, -128]);
  });

  it("mixed signs use two's complement −2^(bits−1)..2^(bits−1) − 1", () => {
    const q = weightsProjection([-1, 0.5, 0.25], 8);
    expect(q.mantissas).toEqual([-128, 64, 32]);
    expect(q.exponent).toBe(3);
  });

  it("mixed signs whose largest weight is positive stay within half a step (1 mV with −0.5 mV, 8 bits)", () => {
    // 1 mV = 65536 LSB cannot be +128 in two's complement; the exponent must grow to 4 (step 1024): [64, −32].
    const q = weightsProjection([1, -0.5], 8);
    for (const m of q.mantissas) expect(m).toBeGreaterThanOrEqual(-128), expect(m).toBeLessThanOrEqual(127);
    const errors = [1, -0.5].map((w, i) => Math.abs(w * 65536 - q.mantissas[i] * q.step));
    expect(Math.max(...errors), `mantissas ${q.mantissas} at step ${q.step}`).toBeLessThanOrEqual(q.step / 2);
  });

  it("CUBA weights are scaled by the membrane's per-step input gain (1 − retain/4096)", () => {
    const network = compile(net("layer a[1] : lif(tau = 20ms);", "layer b[1] : cuba(tau_mem = 20ms, tau_syn = 5ms, vth = 1, reset = 0);", "connect a -> b : one_to_one(weight = 1, bits = 16);"));
    const p = network.projections[0];
    const realised = p.connectivity.weights[0] * 2 ** (network.chip.formats.weightShift + p.weightExponent);
    const wanted = (1 - 3896 / 4096) * 65536;
    expect(Math.abs(realised - wanted)).toBeLessThanOrEqual(2 ** (network.chip.formats.weightShift + p.weightExponent) / 2);
  });

  it("an explicit exponent is used as given", () => {
    const network = compile(net("layer a[2] : lif(tau = 20ms);", "connect a -> a : one_to_one(weight = 0.01, exponent = 5);"));
    expect(network.projections[0].weightExponent).toBe(5);
  });

  it("property: mantissas fit the sign's range, errors are ≤ half a step, the largest uses the upper half", () => {
    const weight = fc.oneof(
      fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(1, -1, 0.5, -0.5, 0.25, 2, -2, 0),
    );
    fc.assert(
      fc.property(fc.array(weight, { minLength: 1, maxLength: 6 }), fc.integer({ min: 2, max: 16 }), (weights, bits) => {
        const q = weightsProjection(weights, bits);
        const lsb = weights.map((w) => w * 65536);
        const positive = lsb.some((w) => w > 0);
        const negative = lsb.some((w) => w < 0);
        // Sign modes below 16 bits; a 16-bit mantissa is always two's complement (16-bit weight words).
        const [low, high] = bits >= 16 || (positive && negative) ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : negative ? [-(2 ** bits - 1), 0] : [0, 2 ** bits - 1];
        q.mantissas.forEach((m, i) => {
          expect(m).toBeGreaterThanOrEqual(low);
          expect(m).toBeLessThanOrEqual(high);
          expect(Math.abs(lsb[i] - m * q.step), `w=${weights[i]} m=${m} step=${q.step}`).toBeLessThanOrEqual(q.step / 2 + 1e-9 * Math.abs(lsb[i]));
        });
        const maxAbs = Math.max(...lsb.map(Math.abs));
        if (maxAbs > 0 && q.exponent > PRESETS.generic.formats.minWeightExponent) {
          expect(Math.max(...q.mantissas.map(Math.abs))).toBeGreaterThanOrEqual(Math.max(-low, high) / 2);
        }
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------

describe("property: random DSL text compiles to errors or to a valid, round-trippable network", () => {
  const dtArb = fc.constantFrom(0.1, 0.5, 1);
  const num = (x: number) => String(Math.round(x * 1000) / 1000);

  const neuronArb = fc.record({
    model: fc.constantFrom("lif", "cuba", "if"),
    size: fc.integer({ min: 1, max: 8 }),
    tau: fc.integer({ min: 1, max: 100 }),
    tauSyn: fc.integer({ min: 1, max: 20 }),
    vth: fc.double({ min: -70, max: 10, noNaN: true }),
    gap: fc.double({ min: 0.1, max: 20, noNaN: true }),
    subtract: fc.boolean(),
    rest: fc.option(fc.double({ min: -80, max: 10, noNaN: true }), { nil: undefined }),
    bias: fc.option(fc.double({ min: -2, max: 2, noNaN: true }), { nil: undefined }),
    refractorySteps: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    vInit: fc.boolean(),
  });
  const inputArb = fc.record({
    encoder: fc.constantFrom("rate", "spikes"),
    size: fc.integer({ min: 1, max: 8 }),
    gain: fc.double({ min: 0, max: 3, noNaN: true }),
    times: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3 }),
  });
  const weightArb = fc.oneof(
    fc.double({ min: -3, max: 3, noNaN: true }).map((w) => num(w)),
    fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([a, b]) => `uniform(${num(a)}, ${num(a + b)})`),
    fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true })).map(([m, s]) => `normal(${num(m)}, ${num(s)})`),
  );
  const connectionArb = fc.record({
    source: fc.nat(),
    target: fc.nat(),
    kind: fc.constantFrom("dense", "sparse", "one_to_one"),
    p: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.nat(100),
    weight: weightArb,
    bits: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
    delay: fc.oneof(
      fc.constant(null),
      fc.integer({ min: 1, max: 8 }).map((k) => ({ steps: k })),
      fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 })).map(([lo, span]) => ({ uniform: [lo, lo + span] as const })),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).map((list) => ({ list })),
    ),
  });
  const networkArb = fc.record({
    chip: fc.constantFrom("generic", "loihi", "edge"),
    dt: dtArb,
    seed: fc.nat(1000),
    populations: fc.array(fc.oneof(neuronArb.map((n) => ({ layer: n })), inputArb.map((i) => ({ input: i }))), { minLength: 1, maxLength: 4 }),
    connections: fc.array(connectionArb, { maxLength: 4 }),
    probe: fc.option(fc.tuple(fc.nat(), fc.constantFrom("v", "u")), { nil: undefined }),
  });

  type Spec = typeof networkArb extends fc.Arbitrary<infer T> ? T : never;

  function toSource(spec: Spec): string {
    const lines = [`chip ${spec.chip};`];
    const dt = spec.dt;
    spec.populations.forEach((p, i) => {
      if ("input" in p) {
        const e = p.input;
        lines.push(e.encoder === "rate" ? `input p${i}[${e.size}] : rate(gain = ${num(e.gain)});` : `input p${i}[${e.size}] : spikes(times = [${e.times.map((t) => `${num(t * dt)}ms`).join(", ")}]);`);
        return;
      }
      const n = p.layer;
      const reset = n.subtract ? "subtract" : `${num(n.vth - n.gap)}mV`;
      const args = [`vth = ${num(n.vth)}mV`, `reset = ${reset}`];
      if (n.model === "lif") args.unshift(`tau = ${n.tau}ms`);
      if (n.model === "cuba") args.unshift(`tau_mem = ${n.tau}ms`, `tau_syn = ${n.tauSyn}ms`);
      if (n.model !== "if" && n.rest !== undefined) args.push(`rest = ${num(n.rest)}mV`);
      if (n.bias !== undefined) args.push(`bias = ${num(n.bias)}mV`);
      if (n.refractorySteps !== undefined) args.push(`refractory = ${num(n.refractorySteps * dt)}ms`);
      if (n.vInit) args.push(`v_init = uniform(${num(n.vth - n.gap)}mV, ${num(n.vth)}mV)`);
      lines.push(`layer p${i}[${n.size}] : ${n.model}(${args.join(", ")});`);
    });
    for (const c of spec.connections) {
      const s = c.source % spec.populations.length;
      const t = c.target % spec.populations.length;
      const args = [`weight = ${c.weight}`];
      if (c.kind === "sparse") args.unshift(`p = ${num(c.p)}`, `seed = ${c.seed}`);
      if (c.bits !== undefined) args.push(`bits = ${c.bits}`);
      if (c.delay && "steps" in c.delay) args.push(`delay = ${num(c.delay.steps * dt)}ms`);
      if (c.delay && "uniform" in c.delay) args.push(`delay = uniform(${num(c.delay.uniform[0] * dt)}ms, ${num(c.delay.uniform[1] * dt)}ms)`);
      if (c.delay && "list" in c.delay) {
        // One delay per synapse: only one_to_one has a synapse count known from the text; the others draw.
        const list = c.delay.list;
        const target = spec.populations[t];
        const size = "input" in target ? target.input.size : target.layer.size;
        if (c.kind === "one_to_one") args.push(`delay = [${Array.from({ length: size }, (_, i) => `${num(list[i % list.length] * dt)}ms`).join(", ")}]`);
        else args.push(`delay = uniform(${num(dt)}ms, ${num(Math.max(...list) * dt)}ms)`);
      }
      lines.push(`connect p${s} -> p${t} : ${c.kind}(${args.join(", ")});`);
    }
    if (spec.probe) lines.push(`probe p${spec.probe[0] % spec.populations.length}.${spec.probe[1]};`);
    lines.push(`run { dt = ${dt}ms; steps = 50; seed = ${spec.seed}; }`);
    return net(...lines);
  }

  it("never throws; errors or a valid network equal to its decoded image", () => {
    fc.assert(
      fc.property(networkArb, (spec) => {
        const source = toSource(spec);
        const result = compileSource(source, "t.snn");
        for (const d of result.diagnostics) {
          if (d.span) expect(d.span.end, `${d.code} ${d.message}`).toBeLessThanOrEqual(source.length);
        }
        if (!result.network) {
          expect(result.diagnostics.some((d) => d.severity === "error"), `no network and no error for\n${source}`).toBe(true);
          return;
        }
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(validateNetwork(result.network), source).toBeNull();
        const decoded = decodeImage(encodeImage(result.network)).network;
        expect(decoded).toEqual(result.network);
      }),
      { numRuns: 200 },
    );
  });

  it("the generator reaches both outcomes (so the property is not vacuous)", () => {
    let compiled = 0;
    let refused = 0;
    fc.assert(
      fc.property(networkArb, (spec) => {
        if (compileSource(toSource(spec), "t.snn").network) compiled++;
        else refused++;
      }),
      { numRuns: 100, seed: 42 },
    );
    expect(compiled).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(0);
  });
});
