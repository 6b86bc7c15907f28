/**
 * @fileoverview The host side of the input encoders (docs/chip.md §5): turns the user's input values
 * for each input population into the tables the chip's encoders read. Rate inputs become 16-bit
 * probabilities p = clamp(round(65536·(x·gain + offset)), 0, 65536) per frame; spike inputs become a
 * raster. Shared by both emulator implementations, so they see exactly the same tables.
 */
import type { ChipNetwork, Population } from "../compiler/ir.ts";
import type { EncoderTable } from "./types.ts";

/** A user-supplied array for one input population: `[size]` (static) or `[frames, size]`. */
export interface InputArray {
  shape: number[];
  values: ArrayLike<number>;
}

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

function framesOf(pop: Population, data: InputArray): number {
  const count = data.values.length;
  if (count % pop.size !== 0 || count === 0) {
    throw new InputError(`input '${pop.name}' has ${pop.size} neurons, but the data has shape [${data.shape.join(", ")}] (${count} values); give [${pop.size}] or [steps, ${pop.size}]`);
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(data.values[i])) throw new InputError(`input '${pop.name}' contains a NaN or infinite value at index ${i}`);
  }
  return count / pop.size;
}

function encoderTable(pop: Population, data: InputArray | null, steps: number): EncoderTable {
  const encoder = pop.encoder!;
  if (encoder.kind === "rate") {
    const frames = data ? framesOf(pop, data) : 1;
    const probability = new Uint32Array(frames * pop.size);
    for (let i = 0; i < probability.length; i++) {
      const x = data ? data.values[i] : 0;
      probability[i] = Math.min(65536, Math.max(0, Math.round(65536 * (x * encoder.gain + encoder.offset))));
    }
    return { probability, frames };
  }
  const raster = new Uint8Array(steps * pop.size);
  if (data) {
    const frames = framesOf(pop, data);
    for (let i = 0; i < Math.min(frames, steps) * pop.size; i++) {
      const v = data.values[i];
      if (v !== 0 && v !== 1) throw new InputError(`spike input '${pop.name}' must hold 0 or 1, found ${v} at step ${Math.floor(i / pop.size)}`);
      raster[i] = v;
    }
  } else {
    for (const t of encoder.steps) if (t < steps) raster.fill(1, t * pop.size, (t + 1) * pop.size);
  }
  return { raster };
}
