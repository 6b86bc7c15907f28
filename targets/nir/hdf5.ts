/**
 * @fileoverview NIR's HDF5 layout (nir/serialization.py) ↔ NirDocument: the root holds `version`
 * (string) and the group `node`; a node group holds `type` (string), one dataset per field, an
 * optional `metadata` group, and for NIRGraph a `nodes` group and `edges` (an N×2 string array).
 * Reading tolerates the older layouts of NIR 0.1.x (missing v_reset, Input `shape` or
 * `input_type/input`) and ignores groups it does not know; docs/targets.md gives the layout written.
 */
import { emptyTree, type H5Tree, type H5Value } from "../hdf5/tree.ts";
import { NirError, NODE_FIELDS, type NirDocument, type NirGraph, type NirNode, type NirValue } from "./graph.ts";

/** The NIR version written: the field layout of NIR's current serializer (v_reset always present). */
export const NIR_WRITE_VERSION = "1.0.0";

export function nirFromTree(tree: H5Tree, file: string): NirDocument {
  const version = tree.datasets.get("version");
  const node = tree.groups.get("node");
  if (!node) {
    const found = [...tree.groups.keys(), ...tree.datasets.keys()].join(", ") || "nothing";
    throw new NirError(`${file} is not a NIR file: it has no 'node' group at its root (found ${found})`);
  }
  const graph = readNode(node, "the root graph", file);
  if (graph.type !== "NIRGraph" || !graph.graph) throw new NirError(`${file}: the root node is a ${graph.type}, not a NIRGraph`);
  return { version: version?.kind === "string" ? version.values[0] : "unknown", graph: graph.graph };
}

function readNode(tree: H5Tree, where: string, file: string): NirNode {
  const type = tree.datasets.get("type");
  if (!type || type.kind !== "string") throw new NirError(`${file}: ${where} has no 'type' string`);
  const node: NirNode = { type: type.values[0], fields: new Map(), metadata: readMetadata(tree.groups.get("metadata")) };
  if (node.type === "NIRGraph") {
    const nodes = new Map<string, NirNode>();
    for (const [name, child] of tree.groups.get("nodes")?.groups ?? []) nodes.set(name, readNode(child, `node '${name}'`, file));
    node.graph = { nodes, edges: readEdges(tree.datasets.get("edges"), where, file), metadata: node.metadata };
    return node;
  }
  for (const [name, value] of tree.datasets) if (name !== "type") node.fields.set(name, toNirValue(value));
  // Newer writers store input_type / output_type as groups {input: shape} / {output: shape}.
  for (const [name, group] of tree.groups) {
    const inner = group.datasets.get(name === "input_type" ? "input" : "output");
    if ((name === "input_type" || name === "output_type") && inner && !node.fields.has(name)) node.fields.set(name, toNirValue(inner));
  }
  if (node.type === "Input" && !node.fields.has("shape") && node.fields.has("input_type")) node.fields.set("shape", node.fields.get("input_type")!);
  if (node.type === "Output" && !node.fields.has("shape") && node.fields.has("output_type")) node.fields.set("shape", node.fields.get("output_type")!);
  return node;
}

function readEdges(value: H5Value | undefined, where: string, file: string): [string, string][] {
  if (!value) return [];
  if (value.kind !== "string" || value.values.length % 2 !== 0) throw new NirError(`${file}: the edges of ${where} must be an N×2 array of node names`);
  const edges: [string, string][] = [];
  for (let i = 0; i < value.values.length; i += 2) edges.push([value.values[i], value.values[i + 1]]);
  return edges;
}

function readMetadata(tree: H5Tree | undefined): Map<string, NirValue> {
  const metadata = new Map<string, NirValue>();
  for (const [name, value] of tree?.datasets ?? []) metadata.set(name, toNirValue(value));
  return metadata;
}

function toNirValue(value: H5Value): NirValue {
  if (value.kind === "string") return value.values.join("");
  return { shape: value.shape, values: value.values };
}

// ---------------------------------------------------------------------------------------------

/** Field kinds stored as integers (int64, as NIR's writer does for sizes, strides and groups). */
const INTEGER_FIELDS = new Set(
  Object.values(NODE_FIELDS).flatMap((specs) => specs.filter((s) => s.kind !== "array").map((s) => s.name)),
);

export function nirToTree(document: NirDocument): H5Tree {
  const root = emptyTree();
  root.datasets.set("version", { kind: "string", shape: [], values: [document.version] });
  root.groups.set("node", writeNode({ type: "NIRGraph", fields: new Map(), metadata: document.graph.metadata, graph: document.graph }));
  return root;
}

function writeNode(node: NirNode): H5Tree {
  const tree = emptyTree();
  tree.datasets.set("type", { kind: "string", shape: [], values: [node.type] });
  if (node.graph) {
    const nodes = emptyTree();
    for (const [name, child] of node.graph.nodes) nodes.groups.set(name, writeNode(child));
    tree.groups.set("nodes", nodes);
    const flat = node.graph.edges.flat();
    tree.datasets.set("edges", { kind: "string", shape: [node.graph.edges.length, 2], values: flat });
  }
  for (const [name, value] of node.fields) tree.datasets.set(name, toH5Value(value, INTEGER_FIELDS.has(name)));
  if (node.metadata.size > 0) {
    const metadata = emptyTree();
    for (const [name, value] of node.metadata) metadata.datasets.set(name, toH5Value(value, false));
    tree.groups.set("metadata", metadata);
  }
  return tree;
}

function toH5Value(value: NirValue, integer: boolean): H5Value {
  if (typeof value === "string") return { kind: "string", shape: [], values: [value] };
  return { kind: integer ? "int" : "float", shape: value.shape, values: value.values };
}
