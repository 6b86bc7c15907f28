/**
 * @fileoverview Nested NIR graphs → one flat graph. A NIRGraph node's children are renamed
 * `<graph>.<child>`; the subgraph's own Input and Output nodes become pass-through `Identity` nodes,
 * and an edge into (out of) the subgraph node is redirected to that Input (from that Output). Edge
 * endpoints are resolved in this order: a node of the same graph; a dotted path into a subgraph
 * (`lif1.lif`); and — for files whose edges name a node that does not exist, such as NIR's own
 * `braille_*_subgraph.nir`, whose edges say `lif` for the node `lif1` — the one node whose name
 * starts with the given name, with a warning. Anything else is an error naming the edge.
 */
import { NirError, validateGraph, type NirGraph, type NirNode } from "./graph.ts";

export interface FlatGraph {
  /** Qualified names → nodes; top-level Input/Output nodes keep their types. */
  nodes: Map<string, NirNode>;
  edges: [string, string][];
  /** Things resolved by a guess, for the user to check. */
  warnings: string[];
}

export function flattenGraph(graph: NirGraph): FlatGraph {
  validateGraph(graph);
  const flat: FlatGraph = { nodes: new Map(), edges: [], warnings: [] };
  inline(graph, "", flat);
  return flat;
}

interface Ports {
  inputs: string[];
  outputs: string[];
}

function inline(graph: NirGraph, prefix: string, flat: FlatGraph): Ports {
  const ports: Ports = { inputs: [], outputs: [] };
  const subgraphPorts = new Map<string, Ports>();
  for (const [name, node] of graph.nodes) {
    const qualified = prefix + name;
    if (node.type === "NIRGraph") {
      subgraphPorts.set(name, inline(node.graph!, `${qualified}.`, flat));
      continue;
    }
    const inner = prefix !== "" && (node.type === "Input" || node.type === "Output");
    flat.nodes.set(qualified, inner ? { ...node, type: "Identity" } : node);
    if (node.type === "Input") ports.inputs.push(qualified);
    if (node.type === "Output") ports.outputs.push(qualified);
  }
  const graphName = prefix === "" ? "the root graph" : `subgraph '${prefix.slice(0, -1)}'`;
  for (const [from, to] of graph.edges) {
    const source = resolve(from, "source", graph, prefix, subgraphPorts, graphName, flat);
    const target = resolve(to, "target", graph, prefix, subgraphPorts, graphName, flat);
    flat.edges.push([source, target]);
  }
  return ports;
}

function resolve(name: string, role: "source" | "target", graph: NirGraph, prefix: string, subgraphs: Map<string, Ports>, graphName: string, flat: FlatGraph): string {
  const node = graph.nodes.get(name);
  if (node) return node.type === "NIRGraph" ? port(name, role, subgraphs.get(name)!, prefix) : prefix + name;
  // A dotted path into a subgraph: "sub.node" (or deeper).
  const dot = name.indexOf(".");
  if (dot > 0) {
    const head = graph.nodes.get(name.slice(0, dot));
    if (head?.type === "NIRGraph" && flat.nodes.has(`${prefix}${name}`)) return prefix + name;
  }
  const candidates = [...graph.nodes.keys()].filter((n) => n.startsWith(name) && n !== name);
  if (name !== "" && candidates.length === 1) {
    const warning = `${graphName}: an edge names '${name}', which is not a node; using '${candidates[0]}', the only node whose name starts with it`;
    if (!flat.warnings.includes(warning)) flat.warnings.push(warning);
    return resolve(candidates[0], role, graph, prefix, subgraphs, graphName, flat);
  }
  throw new NirError(`${graphName}: an edge names '${name}', which is not one of its nodes (${[...graph.nodes.keys()].join(", ")})`);
}

/** The subgraph port an edge into (out of) a subgraph node goes to. */
function port(name: string, role: "source" | "target", ports: Ports, prefix: string): string {
  const list = role === "target" ? ports.inputs : ports.outputs;
  const what = role === "target" ? "Input" : "Output";
  if (list.length === 1) return list[0];
  if (list.length === 0) throw new NirError(`subgraph '${prefix}${name}' has no ${what} node, so an edge ${role === "target" ? "into" : "out of"} it has nowhere to go`);
  throw new NirError(`subgraph '${prefix}${name}' has several ${what} nodes (${list.join(", ")}); edges must name one of them`);
}
