/**
 * @fileoverview Reading the dataset files of `tune gain`, `calibrate` and `quantize` (.npy / .csv
 * arrays) and choosing the input and output populations, with one readable CliError per problem.
 * Also the progress bar those commands draw on stderr.
 */
import { ArrayFormatError, parseArrayFile, type NumericArray } from "../compiler/arrays.ts";
import type { ChipNetwork, Population } from "../compiler/ir.ts";
import { InputSetError, makeInputSet, type InputSet } from "../tune/evaluate.ts";
import { CliError, readBytes } from "./files.ts";

export function readArray(path: string, what: string): NumericArray {
  try {
    return parseArrayFile(readBytes(path, what), path);
  } catch (e) {
    if (e instanceof ArrayFormatError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * The input population named by --input, or the network's only one that needs data (a phase input
 * with a `value`, such as hetquant's oscillator, runs on its own).
 */
export function chooseInput(network: ChipNetwork, name: string | undefined): Population {
  const inputs = network.populations.filter((p) => p.kind === "input");
  if (name === undefined) {
    const fed = inputs.filter((p) => !(p.encoder?.kind === "phase" && p.encoder.value !== null));
    if (fed.length === 1) return fed[0];
    if (inputs.length !== 1) throw new CliError(`the network has ${inputs.length} inputs (${inputs.map((p) => p.name).join(", ") || "none"}); say which one the data feeds with --input NAME`);
    return inputs[0];
  }
  const found = inputs.find((p) => p.name === name);
  if (!found) throw new CliError(`--input ${name}: the network has no input of that name; inputs are ${inputs.map((p) => p.name).join(", ") || "none"}`);
  return found;
}

/** The layer named by --output, or the last layer declared. */
export function chooseOutput(network: ChipNetwork, name: string | undefined): Population {
  const layers = network.populations.filter((p) => p.kind === "neuron");
  const found = name === undefined ? layers[layers.length - 1] : layers.find((p) => p.name === name);
  if (!found) throw new CliError(name === undefined ? "the network has no layer to read an output from" : `--output ${name}: the network has no layer of that name; layers are ${layers.map((p) => p.name).join(", ")}`);
  return found;
}

export function readInputSet(input: Population, output: Population | null, dataPath: string, labelsPath: string | undefined): InputSet {
  const data = readArray(dataPath, "data file");
  const labels = labelsPath ? readArray(labelsPath, "labels file") : null;
  try {
    return makeInputSet(input, data, labels, { data: dataPath, labels: labelsPath }, output?.size ?? null);
  } catch (e) {
    if (e instanceof InputSetError) throw new CliError(e.message);
    throw e;
  }
}

/** A one-line progress bar on stderr, drawn only on a terminal; `done` clears it. */
export function progressBar(label: string): { update: (done: number, total: number) => void; done: () => void } {
  const stream = process.stderr;
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let last = -1;
  return {
    update(done, total) {
      const percent = Math.floor((100 * done) / Math.max(total, 1));
      if (percent === last) return;
      last = percent;
      const width = 30;
      const filled = Math.round((width * done) / Math.max(total, 1));
      stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(percent).padStart(3)}% (${done}/${total})`);
    },
    done() {
      stream.write("\r\x1b[2K");
    },
  };
}

/** Parses a comma-separated list of numbers (`--values 0.25,0.5,1,2`). */
export function numberList(option: string) {
  return (text: string): number[] => {
    const values = text.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
    if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new CliError(`${option} must be a comma-separated list of numbers, got '${text}'`);
    return values;
  };
}
