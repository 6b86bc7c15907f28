/**
 * @fileoverview Post-training weight quantization (`neurocc quantize`): float weights to integer
 * mantissas with 1–16 bits and a power-of-two exponent per projection or per output channel, chosen
 * as lava-dl's `optimize_weight_bits` does (compiler/quantize.ts `quantizeWeights`, extended here,
 * not duplicated), with nearest or stochastic rounding; and the report of what that does to a
 * network's spiking activity.
 *
 * "Float" on an integer chip: the reference is the same network with every projection at the chip's
 * widest mantissa that every engine stores — `maxWeightBits`, but at most 15 (the wasm core keeps
 * mantissas in i16, so an unsigned 16-bit mantissa above 32767 does not fit) — the closest the chip
 * comes to the float weights. Each projection's activity change is measured with only that projection at the
 * requested width (the others at the widest), so that one projection's damage is not blamed on
 * another; the last row quantizes them all together.
 */
import type { QuantizationOverride, QuantizationRecord } from "../compiler/index.ts";
import type { ChipConfig, ChipNetwork } from "../compiler/ir.ts";
import { quantizeWeights, weightSign, type Rounding } from "../compiler/quantize.ts";
import { Random } from "../compiler/random.ts";
import type { EncoderTable, Emulator } from "../emulator/types.ts";

/** A chip format for plain arrays: value ≈ mantissa · 2^exponent, any exponent in ±64. */
const ARRAY_FORMAT: ChipConfig["formats"] = {
  currentBits: 32, voltageBits: 32, maxWeightBits: 16, weightShift: 0, minWeightExponent: -64, maxWeightExponent: 64, decayKinds: ["multiply"],
};

export interface QuantizedArray {
  mantissas: Int32Array;
  /** One exponent, or one per output channel (first dimension). */
  exponents: number[];
  maxError: number;
  rmsError: number;
}

/**
 * Quantizes a plain float array (`.npy`/`.csv`): value ≈ mantissa · 2^exponent. Stochastic rounding
 * draws from the stream (seed, "array.rounding") (docs/ir.md, "Random draws").
 */
export function quantizeArray(values: Float64Array, shape: number[], bits: number, perChannel: boolean, rounding: "nearest" | "stochastic", seed: number): QuantizedArray {
  const chip = { formats: ARRAY_FORMAT } as ChipConfig;
  const channels = perChannel && shape.length > 1 ? shape[0] : 1;
  const perRow = values.length / channels;
  const mode: Rounding = rounding === "stochastic" ? { kind: "stochastic", random: new Random(seed, "array.rounding") } : { kind: "nearest" };
  const sign = weightSign(values);
  const mantissas = new Int32Array(values.length);
  const exponents: number[] = [];
  let maxError = 0;
  let squares = 0;
  for (let c = 0; c < channels; c++) {
    const part = values.subarray(c * perRow, (c + 1) * perRow);
    const q = quantizeWeights(part, bits, chip, null, mode, sign)!; // ±64 always fits finite float64 weights of sane size
    mantissas.set(q.mantissas, c * perRow);
    exponents.push(q.exponent);
    maxError = Math.max(maxError, q.relativeError);
    squares += q.rmsError ** 2 * part.length;
  }
  return { mantissas, exponents, maxError, rmsError: Math.sqrt(squares / Math.max(values.length, 1)) };
}

export interface ProjectionReport extends QuantizationRecord {
  /** Spikes of the projection's target population: at the widest weights, and with this projection quantized. */
  targetSpikesReference: number;
  targetSpikesQuantized: number;
}

export interface QuantizationReport {
  network: ChipNetwork;
  projections: ProjectionReport[];
  /** All layers' spikes at the widest weights and with every projection quantized. */
  totalSpikesReference: number;
  totalSpikesQuantized: number;
}

export interface QuantizationPlan {
  /** Bits per connection name ("SRC->DST"). */
  bits: (connection: string) => number;
  rounding: "nearest" | "stochastic";
  perChannelExponents?: boolean;
}

/**
 * Compiles the network with the plan (the result to write) and measures the activity change on one
 * sample input. `compile` compiles the source with a quantization override; `emulate` loads a network.
 */
export async function quantizationReport(
  compile: (override: (connection: string) => QuantizationOverride, onQuantized?: (record: QuantizationRecord) => void) => ChipNetwork,
  emulate: (network: ChipNetwork) => Promise<Emulator>,
  plan: QuantizationPlan,
  run: { steps: number; seed?: number; encoders: (network: ChipNetwork) => (EncoderTable | null)[] },
): Promise<QuantizationReport> {
  const records: QuantizationRecord[] = [];
  const quantizedOverride = (name: string): QuantizationOverride => ({ bits: plan.bits(name), rounding: plan.rounding, perChannelExponents: plan.perChannelExponents });
  const network = compile(quantizedOverride, (r) => records.push(r));
  const widest = referenceBits(network);
  const reference = compile((): QuantizationOverride => ({ bits: widest, rounding: "nearest", perChannelExponents: plan.perChannelExponents }));
  const spikesOf = async (net: ChipNetwork): Promise<Int32Array> => {
    const result = (await emulate(net)).run({ steps: run.steps, seed: run.seed, encoders: run.encoders(net), recordProbes: false });
    const perPopulation = new Int32Array(net.populations.length);
    let p = 0;
    for (const id of result.spikeNeurons) {
      while (id >= net.populations[p].firstNeuron + net.populations[p].size) p++;
      while (id < net.populations[p].firstNeuron) p--;
      perPopulation[p]++;
    }
    return perPopulation;
  };
  const layerTotal = (counts: Int32Array) => network.populations.reduce((sum, pop, i) => sum + (pop.kind === "neuron" ? counts[i] : 0), 0);
  const referenceSpikes = await spikesOf(reference);
  const projections: ProjectionReport[] = [];
  for (const record of records) {
    const alone = compile((name) => (name === record.projection ? quantizedOverride(name) : { bits: widest, rounding: "nearest", perChannelExponents: plan.perChannelExponents }));
    const target = network.projections.find((p) => p.name.replace(/#\d+$/, "") === record.projection)!.target;
    const counts = await spikesOf(alone);
    projections.push({ ...record, targetSpikesReference: referenceSpikes[target], targetSpikesQuantized: counts[target] });
  }
  return { network, projections, totalSpikesReference: layerTotal(referenceSpikes), totalSpikesQuantized: layerTotal(await spikesOf(network)) };
}

/** Mantissa width of the "float" reference run (see the file comment). */
export function referenceBits(network: ChipNetwork): number {
  return Math.min(network.chip.formats.maxWeightBits, 15);
}

/** Relative change b vs a as a signed percentage string (a = 0: "n/a" unless b = 0 too). */
export function percentChange(a: number, b: number): string {
  if (a === 0) return b === 0 ? "0.0%" : "n/a";
  const change = (100 * (b - a)) / a;
  return `${change >= 0 ? "+" : ""}${change.toFixed(1)}%`;
}
