/**
 * @fileoverview The quantization rules for neurons and weights (compiler/quantize.ts, lower.ts),
 * checked through the public entry `compileSource`:
 *   - neuron constants: decay codes for known τ/dt, threshold scale and grid, reset and origin, bias;
 *   - weights: exponent choice, unsigned/signed mantissa ranges, the half-step error bound.
 * Sparse connectivity and placement are in lowering-connectivity.test.ts, the random-DSL property in
 * lowering-property.test.ts. Expected numbers are derived from the rules as stated in the brief/docs,
 * not from the code.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork, NeuronConstants } from "../../compiler/ir.ts";
import { PRESETS } from "../../compiler/presets.ts";
import { compile, net, pop } from "./lowering-support.ts";

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

