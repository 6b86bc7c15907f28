/**
 * @fileoverview The checked network: what the user meant, with names resolved, units converted to
 * canonical ones (ms, mV), shapes known and every value in range — but still in floating point.
 * compiler/check.ts builds it from the AST; compiler/lower.ts quantizes it into the IR.
 */
import type { Span } from "../dsl/ast.ts";
import type { HetquantSpec } from "./hetquant.ts";
import type { ChipConfig, LearningSpec } from "./ir.ts";

/** How to fill an array: a constant, a seeded random draw, or values read from a file. */
export type Initializer =
  | { kind: "constant"; value: number }
  | { kind: "uniform"; low: number; high: number }
  | { kind: "normal"; mean: number; std: number }
  | { kind: "values"; values: Float64Array; shape: number[]; file: string };

export type ResetSpec = { kind: "value"; valueMv: number } | { kind: "subtract" };

/** Every neuron model reduces to the chip's one neuron (docs/chip.md §4) through these numbers. */
export interface NeuronModelSpec {
  model: "lif" | "cuba" | "if" | "plif" | "gif" | "or" | "loihi_cuba";
  /** Fraction of v kept per step, before quantization (1 = no leak). */
  voltageKeep: number;
  /** Fraction of the synaptic current kept per step (0 = the current is only this step's input). */
  currentKeep: number;
  /** Force bit-shift decays (lif(decay = shift)); otherwise the chip's preferred kind. */
  shiftDecay: boolean;
  /**
   * "one": a synaptic event of weight w adds w to v (LIF, IF, gIF). "leak": it adds w·(1 − keep_v),
   * the share of a step's input a leaky membrane integrates (CUBA current, PLIF's X/τ).
   */
  inputGain: "one" | "leak";
  /** "leak": per step v += (1 − keep_v)·(rest − origin + bias); "perStep": v += bias each step. */
  biasMode: "leak" | "perStep";
  /** Layer `gain`: every incoming weight is multiplied by it at compile time (1 = none). */
  inputScale: number;
  /** gIF fires when V ≥ θ; the others when v > vth. */
  spikeAtEqual: boolean;
  thresholdMv: number;
  reset: ResetSpec;
  restMv: number;
  biasMv: number;
  /** Refractory period in whole steps (rounded from the time given). */
  refractorySteps: number;
  initialVoltage: Initializer | null;
  /** loihi_cuba: Lava's integers, used as they are (docs/dsl.md). */
  raw: { du: number; dv: number; vth: number; biasMant: number; biasExp: number } | null;
}

export type EncoderSpec =
  | { kind: "rate"; gain: number; offset: number; firstSpikeMs: number; normalization: "none" | "l1" }
  | { kind: "spikes"; timesMs: number[] }
  | { kind: "latency"; gain: number; tauMs: number | null; threshold: number; linear: boolean; normalize: boolean; clip: boolean; firstSpikeMs: number }
  | { kind: "delta"; gain: number; threshold: number; offSpikes: boolean; padding: boolean }
  | { kind: "phase"; gain: number; cycleMs: number; firstSpikeMs: number; value: number | null; normalization: "none" | "l1" };

export interface CheckedPopulation {
  name: string;
  shape: number[];
  size: number;
  kind: "input" | "neuron";
  encoder?: EncoderSpec;
  neuron?: NeuronModelSpec;
  span: Span;
}

export interface CheckedConnection {
  name: string;
  source: number;
  target: number;
  kind: "dense" | "sparse" | "oneToOne" | "conv2d";
  /** conv2d (and pooling, which compiles to a depthwise conv2d with a constant kernel). */
  conv: { kernel: [number, number]; stride: [number, number]; padding: [number, number]; groups: number } | null;
  /** One exponent per output channel instead of one per projection. */
  perChannelExponents: boolean;
  /** sparse: connection probability and seed of the connectivity draw. */
  probability: number;
  seed: number;
  allowSelf: boolean;
  weight: Initializer;
  /** Mantissa bits; the exponent is chosen by the compiler unless given. */
  bits: number;
  exponent: number | null;
  /** Rounding of the weights to mantissas; stochastic draws come from `SRC->DST.rounding` (docs/ir.md). */
  rounding: "nearest" | "stochastic";
  /** Set for a `hetquant` connection (compiler/hetquant.ts): what its weights were built from. */
  hetquant?: HetquantSpec;
  /** A single delay in steps, or a per-synapse initialiser in ms rounded to steps. */
  delay: { kind: "fixed"; steps: number } | { kind: "random"; initializerMs: Initializer; span: Span };
  span: Span;
}

export interface CheckedNetwork {
  name: string;
  dtMs: number;
  steps: number;
  seed: number;
  chip: ChipConfig;
  populations: CheckedPopulation[];
  connections: CheckedConnection[];
  probes: { population: number; variable: "v" | "u" }[];
  /** The `learn` block (compiler/check-learn.ts). */
  learning?: LearningSpec;
}
