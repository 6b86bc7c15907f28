/**
 * @fileoverview The host side of the input encoders (docs/chip.md §5): turns the user's input values
 * for each input population into the tables the chip's encoders read. Rate inputs become 16-bit
 * probabilities p = clamp(round(65536·(x·gain + offset)), 0, 65536) per frame; spike inputs become a
 * raster; latency, phase and delta inputs become i32 tables (spikegen.ts has their formulas). Shared
 * by both emulator implementations, so they see exactly the same tables.
 */
import type { ChipNetwork, Encoder, Population } from "../compiler/ir.ts";
import { l1Normalize } from "../compiler/hetquant.ts";
import { deltaFixed, EncoderDataError, latencySpikeSteps, phaseStep } from "./spikegen.ts";
import type { EncoderTable } from "./types.ts";

/** A user-supplied array for one input population: `[size]` (static) or `[frames, size]`. */
export interface InputArray {
  shape: number[];
  values: ArrayLike<number>;
}

/** Bad user data for an input (also raised for the encoders' own data rules, see spikegen.ts). */
export class InputError extends Error {}

/** One table per population (null for non-inputs); `inputs` is keyed by population name. */
export function buildEncoderTables(network: ChipNetwork, inputs: ReadonlyMap<string, InputArray>, steps: number): (EncoderTable | null)[] {
  for (const name of inputs.keys()) {
    const pop = network.populations.find((p) => p.name === name);
    if (!pop) throw new InputError(`input data given for '${name}', but the network has no such population; inputs are ${inputNames(network)}`);
    if (pop.kind !== "input") throw new InputError(`'${name}' is a layer, not an input; inputs are ${inputNames(network)}`);
  }
  return network.populations.map((pop) => (pop.kind === "input" ? encoderTable(pop, inputs.get(pop.name) ?? null, steps) : null));
}

function inputNames(network: ChipNetwork): string {
  return network.populations.filter((p) => p.kind === "input").map((p) => p.name).join(", ") || "(none)";
}

/** Values per frame the user gives: the population size, or N for a delta input with off spikes (2·N neurons). */
export function elementsPerFrame(pop: Population): number {
  return pop.encoder?.kind === "delta" && pop.encoder.offSpikes ? pop.size / 2 : pop.size;
}

function framesOf(pop: Population, data: InputArray): number {
  const count = data.values.length;
  const elements = elementsPerFrame(pop);
  if (count % elements !== 0 || count === 0) {
    const what = elements === pop.size ? `has ${pop.size} neurons` : `takes ${elements} values per frame (its ${pop.size} neurons are on and off channels)`;
    throw new InputError(`input '${pop.name}' ${what}, but the data has shape [${data.shape.join(", ")}] (${count} values); give [${elements}] or [steps, ${elements}]`);
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(data.values[i])) throw new InputError(`input '${pop.name}' contains a NaN or infinite value at index ${i}`);
  }
  return count / elements;
}

/** x·gain for every value, after the encoder's host-side normalisation of each frame. */
function scaled(encoder: Exclude<Encoder, { kind: "spikes" }>, values: ArrayLike<number>, elements: number): Float64Array {
  const normalized = "normalization" in encoder && encoder.normalization === "l1" ? l1Normalize(values, elements) : Float64Array.from(values);
  return normalized.map((x) => x * encoder.gain);
}

function encoderTable(pop: Population, data: InputArray | null, steps: number): EncoderTable {
  const encoder = pop.encoder!;
  try {
    switch (encoder.kind) {
      case "rate": {
        const frames = data ? framesOf(pop, data) : 1;
        const x = data ? scaled(encoder, data.values, pop.size) : new Float64Array(pop.size);
        const probability = Uint32Array.from(x, (v) => Math.min(65536, Math.max(0, Math.round(65536 * (v + encoder.offset)))));
        return { probability, frames };
      }
      case "spikes":
        return { raster: rasterTable(pop, encoder.steps, data, steps) };
      case "latency": {
        if (!data) return { values: new Int32Array(pop.size).fill(-1), frames: 1 };
        if (framesOf(pop, data) !== 1) throw new InputError(`latency input '${pop.name}' encodes one static frame: give [${pop.size}] values, not [${data.shape.join(", ")}]`);
        return { values: latencySpikeSteps(scaled(encoder, data.values, pop.size), steps, encoder, `latency input '${pop.name}'`), frames: 1 };
      }
      case "phase": {
        const values = data?.values ?? (encoder.value === null ? null : new Float64Array(pop.size).fill(encoder.value));
        if (!values) return { values: new Int32Array(pop.size).fill(-1), frames: 1 };
        const frames = data ? framesOf(pop, data) : 1;
        return { values: Int32Array.from(scaled(encoder, values, pop.size), (x) => phaseStep(x, encoder.cycleSteps)), frames };
      }
      case "delta": {
        const elements = elementsPerFrame(pop);
        if (!data) return { values: new Int32Array(elements), frames: 1 };
        const frames = framesOf(pop, data);
        const what = `delta input '${pop.name}'`;
        return { values: Int32Array.from(scaled(encoder, data.values, elements), (x) => deltaFixed(x, what)), frames };
      }
    }
  } catch (err) {
    if (err instanceof EncoderDataError) throw new InputError(err.message);
    throw err;
  }
}

function rasterTable(pop: Population, listed: number[], data: InputArray | null, steps: number): Uint8Array {
  const raster = new Uint8Array(steps * pop.size);
  if (data) {
    const frames = framesOf(pop, data);
    for (let i = 0; i < Math.min(frames, steps) * pop.size; i++) {
      const v = data.values[i];
      if (v !== 0 && v !== 1) throw new InputError(`spike input '${pop.name}' must hold 0 or 1, found ${v} at step ${Math.floor(i / pop.size)}`);
      raster[i] = v;
    }
  } else {
    for (const t of listed) if (t < steps) raster.fill(1, t * pop.size, (t + 1) * pop.size);
  }
  return raster;
}
