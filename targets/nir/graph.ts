/**
 * @fileoverview NIR graphs in memory: the node types of the Neuromorphic Intermediate
 * Representation (neuromorphs/NIR), their fields as NIR's HDF5 files store them, and the checks
 * every graph passes before neurocc maps it (types known, fields present, finite numbers,
 * consistent parameter shapes). Reading and writing the HDF5 layout is targets/nir/hdf5.ts; the
 * mapping onto neurocc's DSL is targets/nir/import.ts. Browser-safe.
 */

/** A numeric field: row-major values and their shape (scalars have shape []). */
export interface NirArray {
  shape: number[];
  values: Float64Array;
}

/** A field's value: numbers, or a string (Conv padding 'same' | 'valid'). */
export type NirValue = NirArray | string;

export interface NirNode {
  type: string;
  /** Every field by its NIR name (`tau`, `v_threshold`, `weight`, ...). */
  fields: Map<string, NirValue>;
  /** The node's `metadata` group (neurocc's own record is the JSON string under `neurocc`). */
  metadata: Map<string, NirValue>;
  /** NIRGraph nodes only: the subgraph. */
  graph?: NirGraph;
}

export interface NirGraph {
  nodes: Map<string, NirNode>;
  edges: [string, string][];
  metadata: Map<string, NirValue>;
}

export interface NirDocument {
  /** The file's `version` string ("0.1.1", "0.2.0", ...). */
  version: string;
  graph: NirGraph;
}

/** A problem with a NIR file or graph that the user must fix; the message names the node or file. */
export class NirError extends Error {}

type FieldKind = "array" | "int" | "pair" | "padding" | "shape";
interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Missing fields are allowed (older NIR versions); the reader of the field supplies the default. */
  optional?: boolean;
}

const array = (name: string, optional = false): FieldSpec => ({ name, kind: "array", optional });
const int = (name: string, optional = false): FieldSpec => ({ name, kind: "int", optional });
const pair = (name: string, optional = false): FieldSpec => ({ name, kind: "pair", optional });

/** Fields of every NIR node type, as NIR's `write` stores them (nir/ir/*.py). */
export const NODE_FIELDS: Readonly<Record<string, FieldSpec[]>> = {
  Input: [{ name: "shape", kind: "shape" }],
  Output: [{ name: "shape", kind: "shape", optional: true }],
  Affine: [array("weight"), array("bias", true)],
  Linear: [array("weight")],
  Scale: [array("scale")],
  Conv1d: [int("input_shape", true), array("weight"), int("stride", true), { name: "padding", kind: "padding", optional: true }, int("dilation", true), int("groups", true), array("bias", true)],
  Conv2d: [pair("input_shape", true), array("weight"), pair("stride", true), { name: "padding", kind: "padding", optional: true }, pair("dilation", true), int("groups", true), array("bias", true)],
  SumPool2d: [pair("kernel_size"), pair("stride", true), pair("padding", true)],
  AvgPool2d: [pair("kernel_size"), pair("stride", true), pair("padding", true)],
  Flatten: [{ name: "input_type", kind: "shape", optional: true }, int("start_dim", true), int("end_dim", true)],
  Delay: [array("delay")],
  Threshold: [array("threshold")],
  I: [array("r")],
  IF: [array("r"), array("v_threshold"), array("v_reset", true)],
  LI: [array("tau"), array("r"), array("v_leak")],
  LIF: [array("tau"), array("r"), array("v_leak"), array("v_threshold"), array("v_reset", true)],
  CubaLI: [array("tau_syn"), array("tau_mem"), array("r"), array("v_leak"), array("w_in", true)],
  CubaLIF: [array("tau_syn"), array("tau_mem"), array("r"), array("v_leak"), array("v_threshold"), array("v_reset", true), array("w_in", true)],
  NIRGraph: [],
};

export const NODE_TYPES = Object.keys(NODE_FIELDS);

/** Neuron models: nodes with state, which neurocc maps to layers. */
export const NEURON_TYPES = ["I", "IF", "LI", "LIF", "CubaLI", "CubaLIF", "Threshold"];

/** Per-neuron parameters that must all share one shape (the node's neuron shape). */
const NEURON_PARAMS: Readonly<Record<string, string[]>> = {
  I: ["r"],
  IF: ["r", "v_threshold", "v_reset"],
  LI: ["tau", "r", "v_leak"],
  LIF: ["tau", "r", "v_leak", "v_threshold", "v_reset"],
  CubaLI: ["tau_syn", "tau_mem", "r", "v_leak", "w_in"],
  CubaLIF: ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"],
  Threshold: ["threshold"],
};

/** Time constants: must be > 0 (seconds). */
const TIME_CONSTANTS = new Set(["tau", "tau_syn", "tau_mem"]);

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The numeric field `name` of a node (throws NirError naming the node when absent). */
export function field(node: NirNode, name: string, where: string): NirArray {
  const value = node.fields.get(name);
  if (value === undefined || typeof value === "string") throw new NirError(`${where} (${node.type}) has no numeric field '${name}'`);
  return value;
}

/** A per-neuron parameter, with NIR's defaults for fields older files leave out (v_reset = 0, w_in = 1). */
export function neuronParam(node: NirNode, name: string, where: string): NirArray {
  const value = node.fields.get(name);
  if (value !== undefined && typeof value !== "string") return value;
  const shape = neuronShape(node, where);
  if (name === "v_reset") return { shape, values: new Float64Array(sizeOf(shape)) };
  if (name === "w_in") return { shape, values: new Float64Array(sizeOf(shape)).fill(1) };
  return field(node, name, where);
}

/** The shape of a neuron node's population: the shape of its first stored parameter. */
export function neuronShape(node: NirNode, where: string): number[] {
  const first = NEURON_PARAMS[node.type]?.find((name) => node.fields.get(name) !== undefined);
  if (!first) throw new NirError(`${where} (${node.type}) has no parameters to take its size from`);
  const value = field(node, first, where);
  return value.shape.length === 0 ? [1] : value.shape;
}

/** An integer field given as a scalar or a one-element array. */
export function intField(node: NirNode, name: string, fallback: number, where: string): number {
  const value = node.fields.get(name);
  if (value === undefined) return fallback;
  if (typeof value === "string" || value.values.length !== 1 || !Number.isInteger(value.values[0])) {
    throw new NirError(`${where} (${node.type}): '${name}' must be one whole number`);
  }
  return value.values[0];
}

/** An integer pair field (kernel_size, stride, ...), given as a pair or as one number for both. */
export function pairField(node: NirNode, name: string, fallback: [number, number], where: string): [number, number] {
  const value = node.fields.get(name);
  if (value === undefined) return fallback;
  if (typeof value === "string" || (value.values.length !== 1 && value.values.length !== 2) || value.values.some((v) => !Number.isInteger(v))) {
    throw new NirError(`${where} (${node.type}): '${name}' must be one or two whole numbers`);
  }
  return value.values.length === 1 ? [value.values[0], value.values[0]] : [value.values[0], value.values[1]];
}

/** A shape field (Input's `shape`, Flatten's `input_type`) as whole numbers ≥ 1. */
export function shapeField(node: NirNode, name: string, where: string): number[] | null {
  const value = node.fields.get(name);
  if (value === undefined) return null;
  if (typeof value === "string" || value.values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new NirError(`${where} (${node.type}): '${name}' must be a list of sizes ≥ 1`);
  }
  return Array.from(value.values);
}

/**
 * Checks one graph (not its subgraphs' edges, which flattening resolves): every node type is known,
 * required fields are present and have the right kind, numbers are finite, time constants positive,
 * and a neuron node's parameters share one shape. `path` prefixes node names in messages.
 */
export function validateGraph(graph: NirGraph, path = ""): void {
  for (const [name, node] of graph.nodes) {
    const where = `node '${path}${name}'`;
    const specs = NODE_FIELDS[node.type];
    if (!specs) throw new NirError(`${where} has the unknown NIR node type '${node.type}'; neurocc reads ${NODE_TYPES.join(", ")}`);
    if (node.type === "NIRGraph") {
      if (!node.graph) throw new NirError(`${where} (NIRGraph) has no nodes`);
      validateGraph(node.graph, `${path}${name}.`);
      continue;
    }
    for (const spec of specs) {
      const value = node.fields.get(spec.name);
      if (value === undefined) {
        if (!spec.optional) throw new NirError(`${where} (${node.type}) is missing its '${spec.name}' field`);
        continue;
      }
      if (typeof value === "string") {
        if (spec.kind === "padding" && (value === "same" || value === "valid")) continue;
        throw new NirError(`${where} (${node.type}): '${spec.name}' is the string '${value}', expected numbers`);
      }
      const bad = value.values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new NirError(`${where} (${node.type}): '${spec.name}' contains ${value.values[bad]} at index ${bad}; parameters must be finite numbers`);
      if (TIME_CONSTANTS.has(spec.name) && value.values.some((v) => v <= 0)) {
        throw new NirError(`${where} (${node.type}): '${spec.name}' must be > 0 seconds`);
      }
    }
    const params = NEURON_PARAMS[node.type];
    if (params) checkSameShape(node, params, where);
  }
}

function checkSameShape(node: NirNode, params: string[], where: string): void {
  const size = sizeOf(neuronShape(node, where));
  for (const name of params) {
    const value = node.fields.get(name);
    if (value === undefined || typeof value === "string") continue;
    // A one-element parameter broadcasts (NIR allows scalar w_in); anything else must match.
    if (value.values.length !== size && value.values.length !== 1) {
      throw new NirError(`${where} (${node.type}): '${name}' has ${value.values.length} values but the node has ${size} neurons; all its parameters must have one shape`);
    }
  }
}
