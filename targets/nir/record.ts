/**
 * @fileoverview neurocc's record in NIR metadata: what the chip ran, exactly, so that a NIR file
 * exported by neurocc imports back into the same chip network. The graph's `metadata` holds `dt`
 * (seconds, for any NIR reader) and `neurocc` (a JSON string, NetworkRecord); every node made from a
 * population or projection holds `neurocc` (PopulationRecord / ProjectionRecord) and, when needed,
 * the integer datasets `neurocc_v_init` (initial voltages) and `neurocc_delays` (per-synapse delays).
 * docs/targets.md ("NIR export") documents every key. Browser-safe.
 */
import type { ChipConfig, Decay, Encoder, NeuronConstants } from "../../compiler/ir.ts";
import { NirError, type NirGraph, type NirNode, type NirValue } from "./graph.ts";

/** Bumped when the record's meaning changes; readers refuse newer versions. */
export const RECORD_FORMAT = 1;
export const RECORD_KEY = "neurocc";
export const V_INIT_KEY = "neurocc_v_init";
export const DELAYS_KEY = "neurocc_delays";

export interface NetworkRecord {
  format: number;
  network: string;
  dtUs: number;
  seed: number;
  defaultSteps: number;
  /** The chip configuration the image was compiled for (preset and any `chip { ... }` overrides). */
  chip: ChipConfig;
  probes: { population: string; variable: "v" | "u" }[];
}

export interface PopulationRecord {
  population: number;
  kind: "input" | "neuron";
  shape: number[];
  encoder?: Encoder;
  neuron?: NeuronConstants;
}

export interface ProjectionRecord {
  projection: number;
  source: string;
  target: string;
  connectivity: "dense" | "sparse" | "oneToOne" | "conv2d";
  weightBits: number;
  weightExponent: number;
  channelExponents: number[] | null;
  /** A synapse adds mantissa << (weightShift + exponent) LSB; the NIR weight is that / weightUnit. */
  weightUnit: number;
  weightShift: number;
  delaySteps: number;
}

function parse<T>(value: NirValue | undefined, where: string): T | null {
  if (value === undefined) return null;
  if (typeof value !== "string") throw new NirError(`${where}: metadata '${RECORD_KEY}' must be a JSON string`);
  try {
    return JSON.parse(value) as T;
  } catch (e) {
    throw new NirError(`${where}: metadata '${RECORD_KEY}' is not valid JSON (${(e as Error).message})`);
  }
}

export function readNetworkRecord(graph: NirGraph, file: string): NetworkRecord | null {
  const record = parse<NetworkRecord>(graph.metadata.get(RECORD_KEY), file);
  if (!record) return null;
  if (record.format !== RECORD_FORMAT) throw new NirError(`${file} was written by a neurocc with record format ${record.format}; this neurocc reads format ${RECORD_FORMAT}`);
  return record;
}

/** The population record of a node made from a population, or null. */
export function readPopulationRecord(node: NirNode, where: string): PopulationRecord | null {
  const record = parse<PopulationRecord>(node.metadata.get(RECORD_KEY), where);
  return record && typeof record.population === "number" ? record : null;
}

/** The projection record of a weight node, or null. */
export function readProjectionRecord(node: NirNode, where: string): ProjectionRecord | null {
  const record = parse<ProjectionRecord>(node.metadata.get(RECORD_KEY), where);
  return record && typeof record.projection === "number" ? record : null;
}

/** An integer metadata dataset (initial voltages, per-synapse delays), or null. */
export function metadataInts(node: NirNode, key: string): Float64Array | null {
  const value = node.metadata.get(key);
  return value && typeof value !== "string" ? value.values : null;
}

// ---------------------------------------------------------------------------------------------
// The float view of the chip's integers (what other NIR tools read), shared by export and import.

/** LSB per NIR voltage unit: Lava's 2^14 for loihi_cuba layers, else the DSL's threshold scale. */
export function voltageUnit(neuron: NeuronConstants, chip: ChipConfig): number {
  return neuron.model === "loihi_cuba" ? 2 ** 14 : 2 ** (chip.formats.voltageBits - 8);
}

/** Per-step retention of u and v that a decay realises. */
export function retention(decay: Decay): { current: number; voltage: number } {
  if (decay.kind === "multiply") return { current: decay.currentRetain / 4096, voltage: decay.voltageRetain / 4096 };
  const keep = (s: number) => (s >= 31 ? 1 : 1 - 2 ** -s);
  return { current: keep(decay.currentShift), voltage: keep(decay.voltageShift) };
}

/** True for layers whose threshold v can never exceed (neurocc's non-spiking LI/CubaLI/I layers). */
export function neverFires(neuron: NeuronConstants, chip: ChipConfig): boolean {
  return neuron.threshold >= 2 ** (chip.formats.voltageBits - 1) - 64;
}
