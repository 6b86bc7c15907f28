/**
 * @fileoverview Input encoders (docs/chip.md §5): at each step each input neuron decides to spike
 * from its encoder and the run's EncoderTable, instead of integrating.
 */
import type { Encoder, Population } from "../../compiler/ir.ts";
import type { EncoderTable } from "../types.ts";
import { deltaThresholdFixed } from "../spikegen.ts";
import { prng } from "./prng.ts";

/** Largest rate probability: a 16-bit fraction where 65536 means "always". */
export const PROBABILITY_ONE = 65536;

/** Decides, for one input neuron at one step, whether it spikes. */
export type InputRule = (step: number, localIndex: number, globalId: number) => boolean;

/**
 * Rate encoder: spike iff `t ≥ firstSpikeStep` and `prng(seed, t, i) & 0xFFFF < p`, with `p` read from
 * frame `min(t, frames − 1)` of the table. No table means no external input: p = 0, never a spike.
 * A probability above 65536 is clamped (the spec's range), though inputs.ts never produces one.
 */
export function rateRule(
  encoder: Extract<Encoder, { kind: "rate" }>,
  population: Population,
  table: EncoderTable | null,
  seed: number,
): InputRule {
  const probability = table?.probability;
  if (!probability) return () => false;
  const frames = table.frames ?? Math.floor(probability.length / population.size);
  return (step, localIndex, globalId) => {
    if (step < encoder.firstSpikeStep || frames <= 0) return false;
    const frame = Math.min(step, frames - 1);
    const p = Math.min(probability[frame * population.size + localIndex], PROBABILITY_ONE);
    return (prng(seed, step, globalId) & 0xffff) < p;
  };
}

/**
 * Spikes encoder: the raster given at run time when there is one (`steps × size`, nonzero = spike),
 * otherwise the steps listed in the image, for every neuron of the population. The raster replaces
 * the listed steps rather than adding to them: a run-time raster is the run's input, the listed
 * steps are the image's default (chip.md §5 says "or"; see the report for this reading).
 */
export function spikesRule(
  encoder: Extract<Encoder, { kind: "spikes" }>,
  population: Population,
  table: EncoderTable | null,
): InputRule {
  const raster = table?.raster;
  if (raster) {
    return (step, localIndex) => {
      const index = step * population.size + localIndex;
      return index < raster.length && raster[index] !== 0;
    };
  }
  const listed = new Set(encoder.steps);
  return (step) => listed.has(step);
}

/** Row of the i32 table a step reads: frame min(t, frames − 1). */
function frameRow(table: EncoderTable | null, elements: number): ((step: number) => number) | null {
  const values = table?.values;
  if (!values) return null;
  const frames = table.frames ?? Math.floor(values.length / elements);
  if (frames < 1) return null;
  return (step) => Math.min(step, frames - 1) * elements;
}

/** Latency encoder: neuron i spikes at the step the host computed for it (values[i]; −1 never matches). */
export function latencyRule(population: Population, table: EncoderTable | null): InputRule {
  const row = frameRow(table, population.size);
  if (!row) return () => false;
  const values = table!.values!;
  return (step, localIndex) => values[row(0) + localIndex] === step;
}

/**
 * Phase encoder: the chip's oscillator counts c = (t − firstSpikeStep) mod cycle (nothing before
 * firstSpikeStep); neuron i spikes when c equals its phase in the current frame (−1 never matches).
 */
export function phaseRule(encoder: Extract<Encoder, { kind: "phase" }>, population: Population, table: EncoderTable | null): InputRule {
  const row = frameRow(table, population.size);
  if (!row) return () => false;
  const values = table!.values!;
  return (step, localIndex) => {
    if (step < encoder.firstSpikeStep) return false;
    return values[row(step) + localIndex] === (step - encoder.firstSpikeStep) % encoder.cycleSteps;
  };
}

/**
 * Delta encoder: each element keeps its previous Q16.16 value in a register (at step 0: 0, or the
 * first frame's value with padding). At each step d = x_t − previous; the on neuron i spikes if
 * d ≥ threshold, the off neuron N + i (with offSpikes) if d ≤ −threshold; then previous ← x_t.
 * The step's differences are computed once, when its first neuron asks.
 */
export function deltaRule(encoder: Extract<Encoder, { kind: "delta" }>, population: Population, table: EncoderTable | null): InputRule {
  const elements = encoder.offSpikes ? population.size / 2 : population.size;
  const row = frameRow(table, elements);
  if (!row) return () => false;
  const values = table!.values!;
  const threshold = deltaThresholdFixed(encoder.threshold);
  const previous = new Int32Array(elements);
  const difference = new Int32Array(elements);
  let computedStep = -1;
  return (step, localIndex) => {
    if (step !== computedStep) {
      for (let i = 0; i < elements; i++) {
        const x = values[row(step) + i];
        const before = step === 0 ? (encoder.padding ? x : 0) : previous[i];
        difference[i] = x - before;
        previous[i] = x;
      }
      computedStep = step;
    }
    return localIndex < elements ? difference[localIndex] >= threshold : difference[localIndex - elements] <= -threshold;
  };
}

/** The rule for one input population (its encoder kind picks the table field it reads). */
export function inputRule(
  population: Population,
  table: EncoderTable | null,
  seed: number,
): InputRule {
  const encoder = population.encoder;
  if (!encoder) throw new Error(`input population ${population.name} has no encoder`);
  switch (encoder.kind) {
    case "rate":
      return rateRule(encoder, population, table, seed);
    case "spikes":
      return spikesRule(encoder, population, table);
    case "latency":
      return latencyRule(population, table);
    case "phase":
      return phaseRule(encoder, population, table);
    case "delta":
      return deltaRule(encoder, population, table);
  }
}
