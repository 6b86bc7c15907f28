/**
 * @fileoverview Input encoders (docs/chip.md §5): at each step each input neuron decides to spike
 * from its encoder and the run's EncoderTable, instead of integrating.
 */
import type { Encoder, Population } from "../../compiler/ir.ts";
import type { EncoderTable } from "../types.ts";
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

/** The rule for one input population (its encoder kind picks the table field it reads). */
export function inputRule(
  population: Population,
  table: EncoderTable | null,
  seed: number,
): InputRule {
  const encoder = population.encoder;
  if (!encoder) throw new Error(`input population ${population.name} has no encoder`);
  return encoder.kind === "rate"
    ? rateRule(encoder, population, table, seed)
    : spikesRule(encoder, population, table);
}
