/**
 * @fileoverview The input raster of one training sample, from the network's own input encoder: the
 * features go through buildEncoderTables (the host side, emulator/inputs.ts) and the encoder's
 * per-step rule (emulator/reference/encoders.ts), exactly as a run of the chip would see them, so
 * the learning chip trains on the spikes the deployed network will receive. Any encoder kind works;
 * the rate encoder's draws use the chip PRNG with the given seed.
 */
import type { ChipNetwork, Population } from "../../compiler/ir.ts";
import { buildEncoderTables } from "../inputs.ts";
import { inputRule } from "../reference/encoders.ts";
import type { EncoderTable } from "../types.ts";
import type { InputRaster } from "./sample.ts";

/** Reusable scratch for rasters of one input population. */
export interface RasterBuilder {
  readonly population: Population;
  readonly steps: number;
  build(features: ArrayLike<number>, seed: number): InputRaster;
}

export function createRasterBuilder(network: ChipNetwork, population: Population, steps: number): RasterBuilder {
  const size = population.size;
  const neurons = new Int32Array(size * steps);
  const stepStart = new Int32Array(steps + 1);
  const stepCounts = new Int32Array(steps + 1);
  /**
   * The latency rule (emulator/reference/encoders.ts: neuron i spikes at step values[i] of the table's
   * first frame) as a counting sort by step: the same raster as asking the rule for every (step,
   * neuron), in the same order, without 784 × steps calls per sample.
   */
  const latencyRaster = (table: EncoderTable | null): InputRaster => {
    const values = table?.values;
    const frames = values ? table.frames ?? Math.floor(values.length / size) : 0;
    stepCounts.fill(0);
    if (values && frames >= 1) {
      for (let i = 0; i < size; i++) {
        const step = values[i];
        if (step >= 0 && step < steps && Number.isInteger(step)) stepCounts[step + 1]++;
      }
    }
    stepStart[0] = 0;
    for (let m = 0; m < steps; m++) stepStart[m + 1] = stepStart[m] + stepCounts[m + 1];
    if (values && frames >= 1) {
      stepCounts.set(stepStart.subarray(0, steps));
      for (let i = 0; i < size; i++) {
        const step = values[i];
        if (step >= 0 && step < steps && Number.isInteger(step)) neurons[stepCounts[step]++] = i;
      }
    }
    return { steps, stepStart, neurons };
  };
  return {
    population, steps,
    build(features, seed) {
      const tables = buildEncoderTables(network, new Map([[population.name, { shape: [features.length], values: features }]]), steps);
      const index = network.populations.indexOf(population);
      if (population.encoder?.kind === "latency") return latencyRaster(tables[index]);
      const rule = inputRule(population, tables[index], seed);
      let count = 0;
      for (let m = 0; m < steps; m++) {
        stepStart[m] = count;
        for (let i = 0; i < size; i++) if (rule(m, i, population.firstNeuron + i)) neurons[count++] = i;
      }
      stepStart[steps] = count;
      return { steps, stepStart, neurons };
    },
  };
}
