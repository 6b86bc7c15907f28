/**
 * @fileoverview Spike rasters and observed potentials as the fit reads them: `[steps, neurons]`
 * 0/1 matrices from `.csv`/`.npy` arrays, or the `.json` spike list that `neurocc run --out` writes.
 * Pure functions over parsed data; every rejection is a FitError naming the file and the offending
 * entry (docs/fit.md, "Files").
 */
import type { NumericArray } from "../compiler/arrays.ts";
import { FitError } from "./target.ts";

/** `spikes[t · neurons + n]` is 1 when neuron n spikes at step t. */
export interface Raster {
  steps: number;
  neurons: number;
  spikes: Uint8Array;
}

/** Membrane potentials in chip LSB, `[steps, neurons]`, as `probe N.v` records them (after the reset). */
export interface Potentials {
  steps: number;
  neurons: number;
  values: Int32Array;
}

export function countSpikes(raster: Raster): number {
  let total = 0;
  for (const s of raster.spikes) total += s;
  return total;
}

/** A `[steps, neurons]` array of 0/1 → raster. `what` names the file in messages. */
export function rasterFromArray(array: NumericArray, what: string): Raster {
  if (array.shape.length !== 2) {
    throw new FitError(`${what}: a raster must be a 2-D [steps, neurons] array of 0/1, got shape [${array.shape.join(", ")}]${array.shape.length === 1 ? " (for one neuron, write one value per line)" : ""}`);
  }
  const [steps, neurons] = array.shape;
  if (steps < 1 || neurons < 1) throw new FitError(`${what}: the raster is empty (shape [${steps}, ${neurons}])`);
  const spikes = new Uint8Array(steps * neurons);
  for (let i = 0; i < spikes.length; i++) {
    const v = array.values[i];
    if (v !== 0 && v !== 1) {
      const hint = Number.isInteger(v) && v > 1 ? "; a spike list from `neurocc run --out` must be written as .json to be read here" : "";
      throw new FitError(`${what}: raster entries must be 0 or 1, found ${v} at step ${Math.floor(i / neurons)}, neuron ${i % neurons}${hint}`);
    }
    spikes[i] = v;
  }
  return { steps, neurons, spikes };
}

/** A single-column CSV parses as shape [n]; for a raster that means n steps of one neuron. */
export function asRasterShape(array: NumericArray, fromCsv: boolean): NumericArray {
  return fromCsv && array.shape.length === 1 ? { shape: [array.shape[0], 1], values: array.values } : array;
}

interface SpikeListPopulation {
  name: string;
  size: number;
  spikes: [number, number][];
}

/**
 * The `.json` spike list of `neurocc run --out` ({steps, populations: [{name, size, spikes: [[step,
 * index], ...]}]}). The raster is the populations named in `select` (all of them when empty), side
 * by side in the file's order.
 */
export function rasterFromSpikeList(text: string, what: string, select: readonly string[] = []): Raster {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FitError(`${what}: not valid JSON (${(e as Error).message})`);
  }
  const doc = parsed as { steps?: unknown; populations?: unknown };
  if (typeof doc !== "object" || doc === null || !Number.isInteger(doc.steps) || !Array.isArray(doc.populations)) {
    throw new FitError(`${what}: expected the spike list of \`neurocc run --out FILE.json\` ({"steps": ..., "populations": [...]})`);
  }
  const steps = doc.steps as number;
  const all = doc.populations as SpikeListPopulation[];
  for (const name of select) {
    if (!all.some((p) => p?.name === name)) throw new FitError(`${what}: no population '${name}'; the file has ${all.map((p) => p?.name).join(", ")}`);
  }
  const chosen = select.length === 0 ? all : all.filter((p) => select.includes(p.name));
  const neurons = chosen.reduce((n, p) => n + (Number.isInteger(p?.size) ? p.size : NaN), 0);
  if (!(steps >= 1) || !(neurons >= 1)) throw new FitError(`${what}: the spike list has ${steps} steps and ${neurons} neurons; both must be ≥ 1`);
  const spikes = new Uint8Array(steps * neurons);
  let offset = 0;
  for (const pop of chosen) {
    for (const pair of Array.isArray(pop.spikes) ? pop.spikes : []) {
      const [step, index] = Array.isArray(pair) ? pair : [NaN, NaN];
      if (!Number.isInteger(step) || step < 0 || step >= steps) throw new FitError(`${what}: population '${pop.name}' has a spike at step ${step}, outside the run's ${steps} steps`);
      if (!Number.isInteger(index) || index < 0 || index >= pop.size) throw new FitError(`${what}: population '${pop.name}' has a spike of neuron ${index}, outside its ${pop.size} neurons`);
      spikes[step * neurons + offset + index] = 1;
    }
    offset += pop.size;
  }
  return { steps, neurons, spikes };
}

/**
 * Observed potentials, checked against the raster and the chip: chip integers, `[steps, neurons]`
 * like the raster, zero where the neuron spiked (the chip resets to zero in that step), at most the
 * threshold where it did not (or it would have spiked).
 */
export function potentialsFromArray(array: NumericArray, raster: Raster, threshold: number, voltageLimit: number, what: string): Potentials {
  if (array.shape.length !== 2 || array.shape[0] !== raster.steps || array.shape[1] !== raster.neurons) {
    throw new FitError(`${what}: potentials must have the raster's shape [${raster.steps}, ${raster.neurons}], got [${array.shape.join(", ")}]`);
  }
  const values = new Int32Array(array.values.length);
  for (let i = 0; i < values.length; i++) {
    const v = array.values[i];
    const where = `step ${Math.floor(i / raster.neurons)}, neuron ${i % raster.neurons}`;
    if (!Number.isInteger(v) || Math.abs(v) > voltageLimit) {
      throw new FitError(`${what}: potentials must be chip integers within ±${voltageLimit} (LSB, as \`probe N.v\` records them), found ${v} at ${where}`);
    }
    if (raster.spikes[i] === 1 && v !== 0) {
      throw new FitError(`${what}: inconsistent with the raster at ${where}: the neuron spikes there, so the chip resets its potential to 0, but the file has ${v}`);
    }
    if (raster.spikes[i] === 0 && v > threshold) {
      throw new FitError(`${what}: inconsistent with the raster at ${where}: potential ${v} is above the threshold ${threshold}, but the neuron does not spike there`);
    }
    values[i] = v;
  }
  return { steps: raster.steps, neurons: raster.neurons, values };
}
