/**
 * @fileoverview From floating-point model parameters to the chip's integers (docs/ir.md,
 * "Quantization"): the voltage scale of a population, decay constants, threshold/bias/reset, and
 * weight mantissas with a shared power-of-two exponent (as lava-dl's `optimize_weight_bits`).
 */
import type { NeuronModelSpec } from "./checked.ts";
import type { ChipConfig, Decay, NeuronConstants } from "./ir.ts";
import type { Random } from "./random.ts";

/** How a population's float voltages map to chip integers: chip = round((v − originMv) · lsbPerMv). */
export interface VoltageScale {
  originMv: number;
  lsbPerMv: number;
  /** Factor applied to incoming weights before scaling (CUBA: the membrane's per-step input gain). */
  inputGain: number;
}

export interface QuantizedNeuron {
  constants: NeuronConstants;
  scale: VoltageScale;
  /** Relative error of the realised decay factors (|retain_q − retain| / retain), for reports. */
  decayError: number;
}

/** The threshold maps to 2^(voltageBits − 8): 8 bits of headroom above it, the rest below for precision. */
export function thresholdLsb(chip: ChipConfig): number {
  return 2 ** (chip.formats.voltageBits - 8);
}

export function quantizeNeuron(model: NeuronModelSpec, chip: ChipConfig): QuantizedNeuron {
  if (model.raw) return rawLoihiNeuron(model, model.raw);
  // Measuring v from the reset value makes the reset a "reset to zero" (Loihi's only reset) and the
  // threshold positive; the resting potential then becomes a bias.
  const originMv = model.reset.kind === "value" ? model.reset.valueMv : model.restMv;
  const span = Math.abs(model.thresholdMv - originMv) || 1;
  const grid = 2 ** (chip.formats.thresholdShift ?? 0);
  const lsbPerMv = thresholdLsb(chip) / span;
  const useShift = model.shiftDecay || !chip.formats.decayKinds.includes("multiply");
  const voltage = quantizeDecay(model.voltageKeep, useShift);
  const current = quantizeDecay(model.currentKeep, useShift);
  const decay: Decay = useShift
    ? { kind: "shift", currentShift: current.code, voltageShift: voltage.code }
    : { kind: "multiply", currentRetain: current.code, voltageRetain: voltage.code };
  // Leaky models: tau·dv/dt = −(v − rest) + bias  →  per step v += (1 − keep)·(rest − origin + bias).
  const leak = 1 - voltage.realised;
  const biasPerStepMv = model.biasMode === "perStep" ? model.biasMv : leak * (model.restMv - originMv + model.biasMv);
  let threshold = Math.round((model.thresholdMv - originMv) * lsbPerMv);
  // The chip fires on v > threshold; "V ≥ θ" on integers is v > θ − 1 — unless the threshold must lie
  // on a grid (Loihi's vth << 6), where θ − 1 rounds back to θ: the compiler warns (W203).
  if (model.spikeAtEqual) threshold -= 1;
  threshold = Math.round(threshold / grid) * grid + 0; // + 0: never −0 (msgpack would not keep it)
  const constants: NeuronConstants = {
    model: model.model,
    decay,
    threshold,
    bias: Math.round(biasPerStepMv * lsbPerMv) + 0,
    reset: model.reset.kind === "value" ? { kind: "zero" } : { kind: "subtract" },
    refractorySteps: model.refractorySteps,
  };
  // The layer's gain is an input scale folded into the incoming weights: its error is the weights'.
  const inputGain = (model.inputGain === "leak" ? leak : 1) * model.inputScale;
  const decayError = Math.max(relativeError(voltage.realised, model.voltageKeep), relativeError(current.realised, model.currentKeep));
  return { constants, scale: { originMv, lsbPerMv, inputGain }, decayError };
}

/** Lava's integers taken as they are: du, dv, vth << 6, bias_mant << bias_exp; a weight w adds w << 6. */
function rawLoihiNeuron(model: NeuronModelSpec, raw: NonNullable<NeuronModelSpec["raw"]>): QuantizedNeuron {
  return {
    constants: {
      model: model.model,
      decay: { kind: "multiply", currentRetain: 4095 - raw.du, voltageRetain: 4096 - raw.dv },
      threshold: raw.vth * 64,
      bias: raw.biasMant * 2 ** raw.biasExp,
      reset: { kind: "zero" },
      refractorySteps: model.refractorySteps,
    },
    scale: { originMv: 0, lsbPerMv: 64, inputGain: model.inputScale },
    decayError: 0,
  };
}

function relativeError(realised: number, wanted: number): number {
  return wanted === 0 ? Math.abs(realised) : Math.abs(realised - wanted) / wanted;
}

/** A retain factor in [0, 1] → chip code and the factor the code realises. */
function quantizeDecay(keep: number, useShift: boolean): { code: number; realised: number } {
  if (!useShift) {
    const code = Math.min(4096, Math.max(0, Math.round(keep * 4096)));
    return { code, realised: code / 4096 };
  }
  // x − (x >> s) keeps 1 − 2^−s; shift 31 means "no decay", shift 0 empties the variable.
  if (keep >= 1) return { code: 31, realised: 1 };
  if (keep <= 0) return { code: 0, realised: 0 };
  const code = Math.min(30, Math.max(0, Math.round(-Math.log2(1 - keep))));
  return { code, realised: 1 - 2 ** -code };
}

export interface QuantizedWeights {
  mantissas: Int32Array;
  exponent: number;
  /** Largest |w − mantissa·2^(shift+exponent)| relative to max |w| (0 when all weights are zero). */
  relativeError: number;
  /** Root mean square of the same errors, relative to max |w|. */
  rmsError: number;
}

/**
 * Nearest rounding, or stochastic rounding: w/step rounds up with probability equal to its fractional
 * part (so the expected mantissa is exact), each draw from the given seeded stream in weight order.
 */
export type Rounding = { kind: "nearest" } | { kind: "stochastic"; random: Random };

export type WeightSign = "excitatory" | "inhibitory" | "mixed";

/** Range of mantissas for `bits` bits: unsigned when all weights share a sign, two's complement otherwise. */
export function mantissaRange(bits: number, sign: WeightSign): [number, number] {
  // Weight memory words are 16 bits wide: a 16-bit mantissa has no room for a separate sign
  // mode, so it is always two's complement (docs/chip.md §2).
  if (bits >= 16) return [-32768, 32767];
  if (sign === "excitatory") return [0, 2 ** bits - 1];
  if (sign === "inhibitory") return [-(2 ** bits - 1), 0];
  return [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

export function weightSign(values: Float64Array): WeightSign {
  let positive = false;
  let negative = false;
  for (const v of values) {
    if (v > 0) positive = true;
    else if (v < 0) negative = true;
  }
  return positive && negative ? "mixed" : negative ? "inhibitory" : "excitatory";
}

/**
 * Chooses the exponent (unless given) so that the largest weight uses the mantissa's full range,
 * then rounds every weight (to nearest, or stochastically). `values` are already in the target's
 * voltage LSBs; `projectionSign` is the whole projection's sign mode when `values` is one channel.
 * Returns null when the weights are too large for the chip's largest exponent.
 */
export function quantizeWeights(values: Float64Array, bits: number, chip: ChipConfig, fixedExponent: number | null, rounding: Rounding = { kind: "nearest" }, projectionSign?: WeightSign): QuantizedWeights | null {
  // The sign mode is the projection's (docs/ir.md): one channel of a mixed projection stays two's complement.
  const sign = projectionSign ?? weightSign(values);
  const [low, high] = mantissaRange(bits, sign);
  // The exponent must fit both ends: the largest positive weight against `high` and the most
  // negative against `low` (two's complement has one more negative value than positive ones).
  let needed = 0;
  let maxAbs = 0;
  for (const v of values) {
    maxAbs = Math.max(maxAbs, Math.abs(v));
    if (v > 0) needed = Math.max(needed, v / high);
    else if (v < 0) needed = Math.max(needed, v / low);
  }
  const shift = chip.formats.weightShift;
  let exponent = fixedExponent ?? chip.formats.minWeightExponent;
  if (fixedExponent === null && needed > 0) {
    exponent = Math.max(chip.formats.minWeightExponent, Math.ceil(Math.log2(needed)) - shift);
    // Rounding can push an extreme weight one step over the range; the next exponent then fits.
    const fits = (e: number) => values.every((v) => { const m = Math.round(v / 2 ** (shift + e)); return m >= low && m <= high; });
    if (!fits(exponent)) exponent += 1;
  }
  if (exponent > chip.formats.maxWeightExponent) return null;
  const step = 2 ** (shift + exponent);
  const mantissas = new Int32Array(values.length);
  let worst = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const scaled = values[i] / step;
    const rounded = rounding.kind === "nearest" ? Math.round(scaled) : Math.floor(scaled) + (rounding.random.uniform() < scaled - Math.floor(scaled) ? 1 : 0);
    const m = Math.min(high, Math.max(low, rounded));
    mantissas[i] = m;
    const error = Math.abs(values[i] - m * step);
    worst = Math.max(worst, error);
    squares += error * error;
  }
  const rms = values.length === 0 ? 0 : Math.sqrt(squares / values.length);
  return { mantissas, exponent, relativeError: maxAbs === 0 ? 0 : worst / maxAbs, rmsError: maxAbs === 0 ? 0 : rms / maxAbs };
}
