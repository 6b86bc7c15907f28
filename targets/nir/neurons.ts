/**
 * @fileoverview NIR neuron nodes → layers of neurocc's DSL, with an explicit timestep dt.
 *
 * NIR is continuous-time; an input spike is taken as an input of value 1 held for one step (the
 * convention of NIR's exact LIF trace and of Norse/Lava, where a spike through weight w moves v by
 * about w·R·dt/τ). Three discretizations (docs/targets.md, "NIR import" gives every formula):
 *
 * - `exact` (default on generic/edge): the zero-order-hold solution. Per step a state with time
 *   constant τ keeps k = exp(−dt/τ) and takes g = 1 − k of its input. LIF → `lif`, CubaLIF → `cuba`,
 *   IF → `if`; inputs are scaled into the layer's units (weight factor R·g, R·w_in·g_syn, R·dt).
 * - `euler`: forward Euler, k = 1 − dt/τ and g = dt/τ, as snnTorch/Norse/Rockpool simulate NIR; the
 *   DSL's τ is then chosen so that exp(−dt/τ') = 1 − dt/τ.
 * - `lava` (the loihi preset): nir_to_lava.py's fixed-point mapping with `loihi_cuba` — du = 4095
 *   (or int(dt/τ_syn·4095)), dv = int(dt/τ·4095), vth = int(θ·131071) >> 9, input weight
 *   w·R·int(256·dt/τ) (a weight w adds w << 6 to u).
 *
 * Non-spiking nodes (LI, CubaLI, I) become `loihi_cuba` layers whose threshold (131071 << 6) lies at
 * the 24-bit voltage's saturation, so they never fire; their voltage is read through a probe.
 * Threshold becomes `gif(gamma = 0)`: no memory, fires when the step's input reaches θ.
 */
import type { ChipConfig } from "../../compiler/ir.ts";
import { formatNumber as num } from "../printers/snn.ts";
import { NirError, neuronParam, neuronShape, sizeOf, type NirNode } from "./graph.ts";

export type Discretization = "exact" | "euler" | "lava";

export interface LayerPlan {
  /** The DSL model call, e.g. `lif(tau = 2.5ms, vth = 0.1)`. */
  model: string;
  shape: number[];
  /** DSL weight per unit of NIR input, per neuron (one entry: the same for all). */
  inputFactor: Float64Array;
  /** Constant input per neuron in DSL weight units, delivered by the always-on bias population. */
  constantInput: Float64Array | null;
  spiking: boolean;
  /** What Lava's integers could not hold exactly (a decay clamped to its range), for the user. */
  notes: string[];
}

export interface NeuronContext {
  dtMs: number;
  discretization: Discretization;
  chip: ChipConfig;
}

/** Voltage scale of `loihi_cuba` layers made from NIR values: 1.0 ↦ 2^14 LSB (Lava's vth·2^8 << 6). */
export const RAW_VOLTAGE_SCALE = 2 ** 14;
/** Lava's threshold mantissa that v can never exceed (v saturates at 2^23 − 1 > 131071 << 6 only by 63 LSB). */
export const NEVER_FIRES_VTH = 131071;

export function planLayer(node: NirNode, name: string, context: NeuronContext): LayerPlan {
  const where = `node '${name}'`;
  const shape = neuronShape(node, where);
  const n = sizeOf(shape);
  const dt = context.dtMs / 1000; // seconds, NIR's time unit
  const p = (param: string) => neuronParam(node, param, where).values;
  const one = (param: string) => uniform(p(param), param, node, where);
  const r = node.type === "Threshold" ? Float64Array.of(1) : p("r");
  const lava = context.discretization === "lava";
  const keep = (tau: number) => (context.discretization === "exact" ? Math.exp(-dt / tau) : 1 - dt / tau);
  const times = (values: Float64Array | number[], factor: number) => Float64Array.from(values, (v) => v * factor);
  const perNeuron = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  const at = (values: Float64Array, i: number) => (values.length === 1 ? values[0] : values[i]);

  switch (node.type) {
    case "LIF":
    case "LI": {
      const tau = one("tau");
      const leak = p("v_leak");
      if (node.type === "LIF" && !lava) {
        const k = keep(tau);
        // A per-neuron v_leak enters v exactly as a constant input would (u is unfiltered): (1 − k)·v_leak.
        const leakUniform = isUniform(leak);
        const call = `lif(tau = ${ms(dslTau(k, dt, where))}, vth = ${num(one("v_threshold"))}, reset = ${num(one("v_reset"))}${leakUniform && leak[0] !== 0 ? `, rest = ${num(leak[0])}` : ""})`;
        return { model: call, shape, inputFactor: perNeuron((i) => at(r, i) * (1 - k)), constantInput: leakUniform ? null : perNeuron((i) => (1 - k) * at(leak, i)), spiking: true, notes: [] };
      }
      if (node.type === "LIF") {
        const reset = one("v_reset");
        return rawLayer({ du: 4095, dv: Math.trunc((dt / tau) * 4095), vth: Math.trunc((one("v_threshold") - reset) * 131071) >> 9, biasLsb: (dt / tau) * (uniform(leak, "v_leak", node, where) - reset) * RAW_VOLTAGE_SCALE, shape, inputFactor: times(r, Math.trunc(256 * (dt / tau))), where, context });
      }
      const g = lava ? dt / tau : 1 - keep(tau);
      return rawLayer({ du: 4095, dv: lava ? Math.trunc(g * 4095) : decayCode(1 - g), vth: NEVER_FIRES_VTH, biasLsb: g * uniform(leak, "v_leak", node, where) * RAW_VOLTAGE_SCALE, shape, inputFactor: times(r, lava ? Math.trunc(256 * g) : (g * RAW_VOLTAGE_SCALE) / 64), where, context });
    }
    case "CubaLIF":
    case "CubaLI": {
      const tauMem = one("tau_mem");
      const tauSyn = one("tau_syn");
      const wIn = p("w_in");
      const gMem = lava ? dt / tauMem : 1 - keep(tauMem);
      const gSyn = lava ? dt / tauSyn : 1 - keep(tauSyn);
      const leak = uniform(p("v_leak"), "v_leak", node, where);
      if (node.type === "CubaLIF" && !lava) {
        const call = `cuba(tau_mem = ${ms(dslTau(1 - gMem, dt, where))}, tau_syn = ${ms(dslTau(1 - gSyn, dt, where))}, vth = ${num(one("v_threshold"))}, reset = ${num(one("v_reset"))}${leak !== 0 ? `, rest = ${num(leak)}` : ""})`;
        return { model: call, shape, inputFactor: perNeuron((i) => at(r, i) * at(wIn, i) * gSyn), constantInput: null, spiking: true, notes: [] };
      }
      const reset = node.type === "CubaLIF" ? one("v_reset") : 0;
      const vth = node.type === "CubaLIF" ? Math.trunc((one("v_threshold") - reset) * 131071) >> 9 : NEVER_FIRES_VTH;
      const du = lava ? Math.trunc(gSyn * 4095) : 4095 - Math.round(4096 * (1 - gSyn));
      const dv = lava ? Math.trunc(gMem * 4095) : decayCode(1 - gMem);
      // u holds g_mem·R·I in LSB, so that v' = k_mem·v + u' (docs/targets.md).
      const scale = lava ? 256 : RAW_VOLTAGE_SCALE / 64;
      return rawLayer({ du, dv, vth, biasLsb: gMem * (leak - reset) * RAW_VOLTAGE_SCALE, shape, inputFactor: perNeuron((i) => at(r, i) * at(wIn, i) * gMem * gSyn * scale), where, context });
    }
    case "IF": {
      if (lava) {
        const reset = one("v_reset");
        return rawLayer({ du: 4095, dv: 0, vth: Math.trunc((one("v_threshold") - reset) * 131071) >> 9, biasLsb: 0, shape, inputFactor: times(r, dt * 256), where, context });
      }
      return { model: `if(vth = ${num(one("v_threshold"))}, reset = ${num(one("v_reset"))})`, shape, inputFactor: times(r, dt), constantInput: null, spiking: true, notes: [] };
    }
    case "I":
      return rawLayer({ du: 4095, dv: 0, vth: NEVER_FIRES_VTH, biasLsb: 0, shape, inputFactor: times(r, dt * (lava ? 256 : RAW_VOLTAGE_SCALE / 64)), where, context });
    case "Threshold":
      return { model: `gif(gamma = 0, vth = ${num(one("threshold"))})`, shape, inputFactor: Float64Array.of(1), constantInput: null, spiking: true, notes: [] };
  }
  throw new NirError(`${where} (${node.type}) is not a neuron node`);
}

interface RawSpec {
  du: number;
  dv: number;
  vth: number;
  /** Bias per step in LSB, before Lava's mantissa/exponent split. */
  biasLsb: number;
  shape: number[];
  inputFactor: Float64Array;
  where: string;
  context: NeuronContext;
}

/** A `loihi_cuba` layer; it needs 24-bit state, the width Lava's integers assume. */
function rawLayer(spec: RawSpec): LayerPlan {
  const { chip } = spec.context;
  if (chip.formats.voltageBits < 24 || chip.formats.currentBits < 24) {
    throw new NirError(`${spec.where} maps onto Lava's fixed-point neuron (loihi_cuba), which needs 24-bit u and v; the ${chip.preset} preset has ${chip.formats.voltageBits}-bit state. Use --chip generic or loihi`);
  }
  if (!chip.formats.decayKinds.includes("multiply")) {
    throw new NirError(`${spec.where} needs multiplicative decays (loihi_cuba); the ${chip.preset} preset only shifts`);
  }
  if (spec.vth < 0) throw new NirError(`${spec.where}: the threshold lies below the reset value`);
  if (spec.vth > NEVER_FIRES_VTH) throw new NirError(`${spec.where}: the threshold needs vth = ${spec.vth}, beyond Lava's largest (${NEVER_FIRES_VTH}); scale the node's voltages down`);
  const [biasMant, biasExp] = lavaBias(spec.biasLsb, spec.where);
  const bias = biasMant !== 0 ? `, bias_mant = ${biasMant}, bias_exp = ${biasExp}` : "";
  const notes: string[] = [];
  const clamp = (name: string, value: number) => {
    const held = Math.max(0, Math.min(4095, value));
    if (held !== value) notes.push(`${spec.where}: ${name} = ${value} is outside Lava's 0..4095; it is ${held} (the nearest decay the chip has)`);
    return held;
  };
  return {
    model: `loihi_cuba(du = ${clamp("du", spec.du)}, dv = ${clamp("dv", spec.dv)}, vth = ${spec.vth}${bias})`,
    shape: spec.shape,
    inputFactor: spec.inputFactor,
    constantInput: null,
    spiking: spec.vth < NEVER_FIRES_VTH,
    notes,
  };
}

/** Lava's bias = bias_mant << bias_exp with a 13-bit signed mantissa: the smallest exponent that fits. */
export function lavaBias(biasLsb: number, where: string): [number, number] {
  for (let exp = 0; exp <= 7; exp++) {
    const mant = Math.round(biasLsb / 2 ** exp);
    if (mant >= -4096 && mant <= 4095) return [mant === 0 ? 0 : mant, mant === 0 ? 0 : exp];
  }
  throw new NirError(`${where}: the bias (${biasLsb.toFixed(0)} LSB per step) exceeds Lava's 13-bit mantissa << 7`);
}

/** Lava's dv for a per-step retention k: voltageRetain = 4096 − dv = round(4096·k) (4096 for k < 1/8192: clamped, with a note). */
function decayCode(k: number): number {
  return 4096 - Math.min(4096, Math.round(4096 * k));
}

/** The DSL time constant whose exp(−dt/τ) is k (the DSL always decays by exp(−dt/τ)). */
function dslTau(k: number, dtSeconds: number, where: string): number {
  if (k <= 0) {
    throw new NirError(`${where}: the time constant is not longer than dt, so the Euler step 1 − dt/τ is ≤ 0; use --discretization exact or a smaller --dt`);
  }
  return k >= 1 ? Infinity : -dtSeconds / Math.log(k);
}

function isUniform(values: Float64Array): boolean {
  return values.every((v) => v === values[0]);
}

/** The one value a per-neuron parameter must have, since a neurocc layer shares it. */
function uniform(values: Float64Array, param: string, node: NirNode, where: string): number {
  if (isUniform(values)) return values[0];
  const low = Math.min(...values);
  const high = Math.max(...values);
  throw new NirError(`${where} (${node.type}): '${param}' differs between its neurons (${low} .. ${high}); a neurocc layer has one ${param} — split the node into groups that share it`);
}

/** A time in seconds as a DSL millisecond literal. */
function ms(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new NirError(`a time constant of ${seconds} s cannot be written`);
  return `${num(seconds * 1000)}ms`;
}
