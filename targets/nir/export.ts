/**
 * @fileoverview Chip network → NIR graph. Populations become Input nodes and neuron nodes (LIF, IF,
 * CubaLIF, or the non-spiking LI, I, CubaLI, or Threshold for `gif(gamma = 0)`), projections become
 * Linear (dense and sparse), Scale (one-to-one) or Conv2d nodes, preceded by a Delay node when the
 * delay is longer than the chip's one step, and a Flatten when a feature map feeds a Linear. The
 * float parameters are the chip's integers read back through the same exact (zero-order-hold)
 * formulas the importer uses (docs/targets.md, "NIR export"), so other NIR tools see the network the
 * chip runs; the integers themselves go into the `neurocc` metadata (targets/nir/record.ts), which
 * makes a round trip through neurocc lossless.
 */
import type { ChipNetwork, Population, Projection } from "../../compiler/ir.ts";
import { forEachStoredSynapse } from "../../compiler/synapses.ts";
import { NIR_WRITE_VERSION } from "./hdf5.ts";
import { NirError, type NirArray, type NirDocument, type NirGraph, type NirNode, type NirValue } from "./graph.ts";
import { MAX_DENSE_ENTRIES } from "./operators.ts";
import {
  DELAYS_KEY, neverFires, RECORD_FORMAT, RECORD_KEY, retention, V_INIT_KEY, voltageUnit,
  type NetworkRecord, type PopulationRecord, type ProjectionRecord,
} from "./record.ts";

export interface NirExport {
  document: NirDocument;
  warnings: string[];
}

/** Stand-in for an infinite time constant (no decay), in units of dt. */
const NO_DECAY_STEPS = 1e9;
/** Stand-in for "emptied every step": exp(−20) ≈ 2e-9 of the state survives a step. */
const EMPTY_STEPS = 1 / 20;

export function exportNir(network: ChipNetwork): NirExport {
  const warnings: string[] = [];
  const dt = network.dtUs / 1e6;
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  const units = network.populations.map((pop) => populationNode(network, pop, dt, nodes, warnings));
  network.projections.forEach((projection, index) => projectionNodes(network, projection, index, units, nodes, edges, warnings));
  const sends = new Set(network.projections.map((p) => p.source));
  const probed = new Set(network.probes.map((p) => p.population));
  const outputs = network.populations.filter((p, i) => p.kind === "neuron" && (!sends.has(i) || probed.has(i)));
  for (const pop of outputs) {
    const name = outputs.length === 1 ? "output" : `${pop.name}:output`;
    nodes.set(name, node("Output", { shape: ints(pop.shape) }));
    edges.push([pop.name, name]);
  }
  const record: NetworkRecord = {
    format: RECORD_FORMAT,
    network: network.name,
    dtUs: network.dtUs,
    seed: network.seed,
    defaultSteps: network.defaultSteps,
    chip: network.chip,
    probes: network.probes.map((p) => ({ population: network.populations[p.population].name, variable: p.variable })),
  };
  const metadata = new Map<string, NirValue>([["dt", floats([dt], [])], [RECORD_KEY, JSON.stringify(record)]]);
  const graph: NirGraph = { nodes, edges, metadata };
  return { document: { version: NIR_WRITE_VERSION, graph }, warnings };
}

function node(type: string, fields: Record<string, NirValue>, metadata = new Map<string, NirValue>()): NirNode {
  return { type, fields: new Map(Object.entries(fields)), metadata };
}

const floats = (values: ArrayLike<number>, shape: number[] = [values.length]): NirArray => ({ shape, values: Float64Array.from(values) });
const ints = floats;
const filled = (shape: number[], value: number): NirArray => floats(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape);

/** Adds the population's node; returns the LSB one unit of NIR weight into it stands for. */
function populationNode(network: ChipNetwork, pop: Population, dt: number, nodes: Map<string, NirNode>, warnings: string[]): number {
  const index = network.populations.indexOf(pop);
  const record: PopulationRecord = { population: index, kind: pop.kind, shape: pop.shape, encoder: pop.encoder, neuron: pop.neuron };
  const metadata = new Map<string, NirValue>([[RECORD_KEY, JSON.stringify(record)]]);
  if (pop.kind === "input") {
    nodes.set(pop.name, node("Input", { shape: ints(pop.shape) }, metadata));
    return 1;
  }
  if (pop.initialVoltage) metadata.set(V_INIT_KEY, ints(pop.initialVoltage, pop.shape));
  const n = pop.neuron!;
  const U = voltageUnit(n, network.chip);
  const k = retention(n.decay);
  const spiking = !neverFires(n, network.chip);
  const tauOf = (keep: number) => (keep >= 1 ? NO_DECAY_STEPS * dt : keep <= 0 ? EMPTY_STEPS * dt : -dt / Math.log(keep));
  const per = (value: number) => filled(pop.shape, value);
  const leak = k.voltage < 1 ? n.bias / ((1 - k.voltage) * U) : 0;
  if (k.voltage >= 1 && n.bias !== 0) warnings.push(`'${pop.name}': NIR's ${spiking ? "IF" : "I"} has no bias; its bias of ${n.bias} LSB per step is kept in the neurocc metadata only`);
  if (n.reset.kind === "subtract") warnings.push(`'${pop.name}': NIR has no subtractive reset; exported as reset to 0, the metadata keeps 'subtract'`);
  if (n.refractorySteps > 0) warnings.push(`'${pop.name}': NIR has no refractory period; ${n.refractorySteps} steps are kept in the metadata only`);
  const threshold = per(n.threshold / U);
  const reset = per(n.reset.kind === "value" ? n.reset.value / U : 0);
  let type: string;
  let fields: Record<string, NirValue>;
  let weightUnit: number;
  if (n.model === "gif" && k.voltage === 0 && spiking) {
    // gif(gamma = 0): no memory, fires when the step's input reaches θ — NIR's Threshold.
    type = "Threshold";
    fields = { threshold: per((n.threshold + (network.chip.formats.thresholdShift ? 0 : 1)) / U) };
    weightUnit = U;
  } else if (k.current === 0 && k.voltage >= 1) {
    type = spiking ? "IF" : "I";
    fields = spiking ? { r: per(1), v_threshold: threshold, v_reset: reset } : { r: per(1) };
    weightUnit = U * dt;
  } else if (k.current === 0) {
    type = spiking ? "LIF" : "LI";
    fields = { tau: per(tauOf(k.voltage)), r: per(1), v_leak: per(leak), ...(spiking ? { v_threshold: threshold, v_reset: reset } : {}) };
    weightUnit = U * (1 - k.voltage);
  } else {
    type = spiking ? "CubaLIF" : "CubaLI";
    if (k.voltage >= 1) warnings.push(`'${pop.name}': a synaptic current with no membrane leak has no NIR form; exported with τ_mem = ${NO_DECAY_STEPS}·dt`);
    fields = { tau_syn: per(tauOf(k.current)), tau_mem: per(tauOf(k.voltage)), r: per(1), v_leak: per(leak), w_in: per(1), ...(spiking ? { v_threshold: threshold, v_reset: reset } : {}) };
    weightUnit = U * Math.max(1 - k.voltage, 1 / NO_DECAY_STEPS) * (1 - k.current);
  }
  nodes.set(pop.name, node(type, fields, metadata));
  return weightUnit;
}

function projectionNodes(network: ChipNetwork, p: Projection, index: number, units: number[], nodes: Map<string, NirNode>, edges: [string, string][], warnings: string[]): void {
  const source = network.populations[p.source];
  const target = network.populations[p.target];
  const shift = network.chip.formats.weightShift;
  const name = p.name;
  const exponentOf = (post: number) => (p.channelExponents ? p.channelExponents[Math.floor(post / (target.size / p.channelExponents.length))] : p.weightExponent);
  const value = (mantissa: number, post: number) => (mantissa * 2 ** (shift + exponentOf(post))) / units[p.target];
  const record: ProjectionRecord = {
    projection: index, source: source.name, target: target.name, connectivity: p.connectivity.kind, weightBits: p.weightBits,
    weightExponent: p.weightExponent, channelExponents: p.channelExponents ? Array.from(p.channelExponents) : null,
    weightUnit: units[p.target], weightShift: shift, delaySteps: p.delaySteps,
  };
  const metadata = new Map<string, NirValue>([[RECORD_KEY, JSON.stringify(record)]]);
  const c = p.connectivity;
  let weightNode: NirNode;
  let flatten = false;
  if (c.kind === "oneToOne") {
    weightNode = node("Scale", { scale: floats(Array.from(c.weights, (m, i) => value(m, i)), [target.size]) }, metadata);
  } else if (c.kind === "conv2d") {
    const [outC] = target.shape;
    weightNode = node("Conv2d", {
      input_shape: ints(source.shape.slice(-2)),
      weight: floats(Array.from(c.weights, (m, i) => value(m, Math.floor(i / (c.weights.length / outC)) * (target.size / outC))), [outC, source.shape[0] / c.groups, c.kernel[0], c.kernel[1]]),
      stride: ints(c.stride), padding: ints(c.padding), dilation: ints([1, 1]), groups: ints([c.groups], []), bias: floats(new Float64Array(outC)),
    }, metadata);
  } else {
    if (target.size * source.size > MAX_DENSE_ENTRIES) throw new NirError(`projection ${name} has ${target.size}×${source.size} entries as a dense NIR Linear, more than ${MAX_DENSE_ENTRIES}`);
    const matrix = new Float64Array(target.size * source.size);
    forEachStoredSynapse(p, source, target, (pre, post, k) => (matrix[post * source.size + pre] = value(c.weights[k], post)));
    weightNode = node("Linear", { weight: floats(matrix, [target.size, source.size]) }, metadata);
    flatten = source.shape.length > 1;
  }
  if (p.delays) {
    metadata.set(DELAYS_KEY, perSynapseDelays(p, source, target));
    warnings.push(`${name.replace(/#\d+$/, "")}: per-synapse delays have no NIR node; they are kept in the neurocc metadata only`);
  }
  let from = source.name;
  const chain = (nodeName: string, n: NirNode) => {
    nodes.set(nodeName, n);
    edges.push([from, nodeName]);
    from = nodeName;
  };
  if (p.delaySteps > 1 && !p.delays) chain(`${name}:delay`, node("Delay", { delay: filled(source.shape, ((p.delaySteps - 1) * network.dtUs) / 1e6) }));
  if (flatten) chain(`${name}:flatten`, node("Flatten", { input_type: ints(source.shape), start_dim: ints([0], []), end_dim: ints([-1], []) }));
  chain(name, weightNode);
  edges.push([from, target.name]);
}

/** Per-synapse delays in the layout of the NIR weights ([target, source], or [n] for Scale). */
function perSynapseDelays(p: Projection, source: Population, target: Population): NirArray {
  if (p.connectivity.kind === "oneToOne") return ints(p.delays!, [target.size]);
  if (p.connectivity.kind === "dense") return ints(p.delays!, [target.size, source.size]);
  // Sparse: pairs without a synapse get the chip's shortest delay (they carry no weight).
  const delays = new Float64Array(target.size * source.size).fill(1);
  forEachStoredSynapse(p, source, target, (pre, post, k) => (delays[post * source.size + pre] = p.delays![k]));
  return ints(delays, [target.size, source.size]);
}
