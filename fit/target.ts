/**
 * @fileoverview What the fit aims at: the chip's realisation of one gIF layer (threshold, decay,
 * number formats) and the weight grids the fitted weights must lie on.
 *
 * Nothing here re-derives the compiler's quantization: the target is read off a one-neuron
 * skeleton network compiled with the same chip preset and γ, so the fit models exactly the
 * constants the compiler will emit (docs/fit.md, "The chip's gIF").
 */
import { compileSource } from "../compiler/index.ts";
import type { ChipConfig, NeuronConstants } from "../compiler/ir.ts";
import { decayVoltage } from "../emulator/reference/neuron.ts";

/** Options that fix the model and the precision of the fit. */
export interface TargetSettings {
  /** Chip preset (compiler/presets.ts); "generic" by default. */
  chipPreset: string;
  /** Leak γ of the gIF layer, as in `gif(gamma = γ)`; the chip realises round(4096·γ)/4096 (or a shift). */
  gamma: number;
  /** Largest axonal delay D in steps: every source reaches every neuron through delays 1..D. */
  delays: number;
  /** Weight mantissa bits; null = the chip's largest. */
  weightBits: number | null;
  /** |weight| of at least this many thresholds must be representable (sets the exponent). */
  maxWeightThresholds: number;
}

export const DEFAULT_SETTINGS: TargetSettings = { chipPreset: "generic", gamma: 0.875, delays: 1, weightBits: null, maxWeightThresholds: 1 };

/** A weight grid: weight = mantissa · stepLsb, mantissa in [minMantissa, maxMantissa]. */
export interface WeightGrid {
  bits: number;
  /** The projection's `exponent`: stepLsb = 2^(weightShift + exponent). */
  exponent: number;
  stepLsb: number;
  minMantissa: number;
  maxMantissa: number;
}

export interface FitTarget {
  settings: TargetSettings;
  chip: ChipConfig;
  /** The gIF layer's chip constants (threshold, decay, reset to zero, no bias, no refractory time). */
  neuron: NeuronConstants;
  /** Voltage LSBs per threshold unit: `vth = 1` maps to this many LSB (docs/ir.md, "Voltage scale"). */
  thetaLsb: number;
  /** The chip fires when v > threshold (so on integers: v ≥ threshold + 1). */
  threshold: number;
  /** The per-step retention the chip realises (4096·γ rounded, or 1 − 2^−shift). */
  gammaRealised: number;
  /** True when the decay never rounds (γ realised as exactly 0 or 1). */
  decayExact: boolean;
  /** Grid of the synaptic weights and of the constant drive (bias) weight. */
  weights: WeightGrid;
  bias: WeightGrid;
  /** Bound on |initial potential| in LSB (it must also come from a representable v_init). */
  maxInitialLsb: number;
  /**
   * Bound on |V| the fitted potentials must keep (LSB): a quarter of the voltage range, so that the
   * chip's V never saturates and the step's input |V_k − g·V_{k−1}| never reaches the current wrap.
   */
  potentialLimitLsb: number;
  voltageLimit: number;
}

/** A user-fixable problem with the fit's inputs or settings; the CLI prints the message. */
export class FitError extends Error {}

/** Compiles a one-neuron gIF skeleton to learn the chip's constants, then picks the weight grids. */
export function resolveTarget(settings: TargetSettings): FitTarget {
  if (!(settings.gamma >= 0 && settings.gamma <= 1)) throw new FitError(`--gamma must be in [0, 1], got ${settings.gamma}`);
  if (!Number.isInteger(settings.delays) || settings.delays < 1) throw new FitError(`--delays must be a whole number ≥ 1, got ${settings.delays}`);
  if (!(settings.maxWeightThresholds > 0)) throw new FitError(`--max-weight must be > 0 (in thresholds), got ${settings.maxWeightThresholds}`);
  const text = `network skeleton { chip ${settings.chipPreset}; layer N[1] : gif(gamma = ${settings.gamma}, vth = 1); }`;
  const compiled = compileSource(text, "skeleton.snn", { readFile: () => new Uint8Array() });
  const network = compiled.network;
  if (!network) throw new FitError(`cannot build a gIF layer for chip '${settings.chipPreset}': ${compiled.diagnostics.map((d) => d.message).join("; ")}`);
  const chip = network.chip;
  const neuron = network.populations[0].neuron!;
  if (settings.delays > chip.limits.maxDelaySteps) {
    throw new FitError(`--delays ${settings.delays} exceeds the ${chip.preset} chip's largest delay (${chip.limits.maxDelaySteps} steps)`);
  }
  const bits = settings.weightBits ?? chip.formats.maxWeightBits;
  if (!Number.isInteger(bits) || bits < 2 || bits > chip.formats.maxWeightBits) {
    throw new FitError(`--bits must be a whole number in 2..${chip.formats.maxWeightBits} on the ${chip.preset} chip, got ${bits}`);
  }
  const thetaLsb = 2 ** (chip.formats.voltageBits - 8);
  const voltageLimit = 2 ** (chip.formats.voltageBits - 1) - 1;
  const gammaRealised = realisedRetention(neuron);
  const weights = weightGrid(bits, settings.maxWeightThresholds * thetaLsb, chip, "--max-weight");
  // The constant drive covers |I| ≤ θ (a larger I makes the neuron fire at every step anyway).
  const bias = weightGrid(chip.formats.maxWeightBits, thetaLsb, chip, "the bias");
  // v_init must fit the voltage format, and decay(v_init) is what the first step sees.
  const maxInitialLsb = Math.min(2 * thetaLsb, Math.abs(decayVoltage(voltageLimit, neuron.decay)));
  return {
    settings,
    chip,
    neuron,
    thetaLsb,
    threshold: neuron.threshold,
    gammaRealised,
    decayExact: gammaRealised === 0 || gammaRealised === 1,
    weights,
    bias,
    maxInitialLsb,
    potentialLimitLsb: Math.floor(voltageLimit / 4),
    voltageLimit,
  };
}

function realisedRetention(neuron: NeuronConstants): number {
  const decay = neuron.decay;
  if (decay.kind === "multiply") return decay.voltageRetain / 4096;
  if (decay.voltageShift >= 31) return 1;
  return 1 - 2 ** -decay.voltageShift;
}

/**
 * The smallest exponent at which ±maxLsb fits a two's-complement mantissa of `bits` bits
 * (two's complement so that the fitted weights may take either sign).
 */
function weightGrid(bits: number, maxLsb: number, chip: ChipConfig, what: string): WeightGrid {
  const maxMantissa = 2 ** (bits - 1) - 1;
  const shift = chip.formats.weightShift;
  const exponent = Math.max(chip.formats.minWeightExponent, Math.ceil(Math.log2(maxLsb / maxMantissa)) - shift);
  if (exponent > chip.formats.maxWeightExponent) {
    throw new FitError(`${what} needs weight exponent ${exponent}, above the ${chip.preset} chip's largest (${chip.formats.maxWeightExponent}); use more --bits or a smaller --max-weight`);
  }
  return { bits, exponent, stepLsb: 2 ** (shift + exponent), minMantissa: -(maxMantissa + 1), maxMantissa };
}

/**
 * The initial voltage v_init whose decay is exactly `initialLsb` (what the neuron sees at step 0,
 * docs/fit.md), or null if the chip's decay cannot produce it. The decay is monotone and, for a
 * retention in (0, 1], moves by at most one LSB per unit of v, so a short walk finds it.
 */
export function initialVoltageFor(initialLsb: number, target: FitTarget): number | null {
  if (initialLsb === 0) return 0;
  if (target.gammaRealised === 0) return null;
  let v = Math.round(initialLsb / target.gammaRealised);
  for (let guard = 0; guard < 64; guard++) {
    const d = decayVoltage(v, target.neuron.decay);
    if (d === initialLsb) return Math.abs(v) <= target.voltageLimit ? v : null;
    v += d < initialLsb ? 1 : -1;
  }
  return null;
}
