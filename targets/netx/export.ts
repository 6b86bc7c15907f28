/**
 * @fileoverview Chip network → lava-dl netx HDF5 (lava.lib.dl.netx.hdf5): `layer/0 … n−1` in order,
 * `simulation/{Ts, tSample}`. netx describes a chain, so the network must be one: population 0 an
 * input, each later population a layer fed by exactly one projection from the one before it. Layers
 * are `dense` or `conv` (a feature map feeding a dense layer gets a `flatten` layer between them),
 * with a CUBA neuron {iDecay, vDecay, vThMant, refDelay} in Lava's integers and weights in Lava's
 * units (a weight w adds w << 6 to u). neurocc adds `name`, `weightBits`, `weightExponent` and
 * `delay` (per synapse, in steps beyond the one-step minimum) so that its own importer
 * (targets/netx/import.ts) rebuilds the same network. docs/targets.md ("netx") lists every field.
 */
import type { ChipNetwork, Population, Projection } from "../../compiler/ir.ts";
import { forEachStoredSynapse } from "../../compiler/synapses.ts";
import { emptyTree, floats, int, ints, text, type H5Tree } from "../hdf5/tree.ts";

/** A network netx cannot describe; the message names the population or projection. */
export class NetxExportError extends Error {}

/** Lava aligns weights, biases and thresholds by 6 bits (w << 6, bias_mant << 6, vth << 6). */
const LAVA_SHIFT = 64;

export function exportNetx(network: ChipNetwork): H5Tree {
  const root = emptyTree();
  const simulation = emptyTree();
  simulation.datasets.set("Ts", int(1));
  simulation.datasets.set("tSample", int(network.defaultSteps));
  root.groups.set("simulation", simulation);
  const layers = emptyTree();
  root.groups.set("layer", layers);
  const pops = network.populations;
  if (pops.length === 0 || pops[0].kind !== "input") throw new NetxExportError("netx starts with an input layer, but population 0 is not an input");
  let index = 0;
  const add = (layer: H5Tree) => layers.groups.set(String(index++), layer);
  add(inputLayer(pops[0]));
  for (let i = 1; i < pops.length; i++) {
    const pop = pops[i];
    if (pop.kind === "input") throw new NetxExportError(`'${pop.name}' is a second input; netx has one input layer`);
    const incoming = network.projections.filter((p) => p.target === i);
    if (incoming.length !== 1 || incoming[0].source !== i - 1) {
      const found = incoming.map((p) => pops[p.source].name).join(", ") || "nothing";
      throw new NetxExportError(`netx is a chain of layers: '${pop.name}' must be fed by '${pops[i - 1].name}' alone, but is fed by ${found}`);
    }
    const projection = incoming[0];
    const source = pops[i - 1];
    if (projection.connectivity.kind !== "conv2d" && source.shape.length > 1) add(flattenLayer(source));
    add(synapseLayer(network, projection, source, pop));
  }
  const extra = network.projections.find((p) => p.target <= p.source || p.target !== p.source + 1);
  if (extra) throw new NetxExportError(`projection ${extra.name.replace(/#\d+$/, "")} is recurrent or skips a layer; netx describes a chain`);
  return root;
}

function inputLayer(pop: Population): H5Tree {
  const layer = emptyTree();
  layer.datasets.set("type", text("input"));
  layer.datasets.set("shape", ints(pop.shape));
  layer.datasets.set("name", text(pop.name));
  return layer;
}

function flattenLayer(pop: Population): H5Tree {
  const layer = emptyTree();
  layer.datasets.set("type", text("flatten"));
  layer.datasets.set("shape", ints([pop.size]));
  return layer;
}

function synapseLayer(network: ChipNetwork, p: Projection, source: Population, target: Population): H5Tree {
  const layer = emptyTree();
  const name = p.name.replace(/#\d+$/, "");
  if (p.channelExponents) throw new NetxExportError(`${name} has one exponent per channel; netx weights share one exponent`);
  const shift = network.chip.formats.weightShift;
  // Lava units: the LSB a synapse adds, divided by 64.
  const lava = (mantissa: number) => (mantissa * 2 ** (shift + p.weightExponent)) / LAVA_SHIFT;
  const c = p.connectivity;
  layer.datasets.set("name", text(target.name));
  layer.datasets.set("weightBits", int(p.weightBits));
  layer.datasets.set("weightExponent", int(p.weightExponent + shift - 6));
  if (c.kind === "conv2d") {
    if (c.kernel[0] !== c.kernel[1] || c.stride[0] !== c.stride[1] || c.padding[0] !== c.padding[1]) throw new NetxExportError(`${name}: neurocc's netx reader takes square convolutions only`);
    layer.datasets.set("type", text("conv"));
    layer.datasets.set("shape", ints(target.shape));
    layer.datasets.set("inChannels", int(source.shape[0]));
    layer.datasets.set("outChannels", int(target.shape[0]));
    layer.datasets.set("kernelSize", ints(c.kernel));
    layer.datasets.set("stride", ints(c.stride));
    layer.datasets.set("padding", ints(c.padding));
    layer.datasets.set("dilation", ints([1, 1]));
    layer.datasets.set("groups", int(c.groups));
    layer.datasets.set("weight", floats(Array.from(c.weights, lava), [target.shape[0], source.shape[0] / c.groups, c.kernel[0], c.kernel[1]]));
    if (p.delaySteps > 1) layer.datasets.set("delay", ints(new Float64Array(target.size).fill(p.delaySteps - 1), [target.size]));
  } else {
    const matrix = new Float64Array(target.size * source.size);
    // Per-synapse delays: a dense table keeps one for every entry (zero weights too), in [target, source] order.
    const delays = p.delays || p.delaySteps > 1 ? new Float64Array(target.size * source.size).fill(p.delaySteps - 1) : null;
    if (delays && p.delays && c.kind === "dense") p.delays.forEach((d, k) => (delays[k] = d - 1));
    forEachStoredSynapse(p, source, target, (pre, post, k) => {
      matrix[post * source.size + pre] = lava(c.weights[k]);
      if (delays && p.delays && c.kind !== "dense") delays[post * source.size + pre] = p.delays[k] - 1;
    });
    layer.datasets.set("type", text("dense"));
    layer.datasets.set("shape", ints([target.size]));
    layer.datasets.set("inFeatures", int(source.size));
    layer.datasets.set("outFeatures", int(target.size));
    layer.datasets.set("weight", floats(matrix, [target.size, source.size]));
    if (delays) layer.datasets.set("delay", ints(delays, [target.size, source.size]));
  }
  layer.groups.set("neuron", neuronGroup(target, network));
  // lava-dl's bias is per neuron, with Lava's bias_exp = 6.
  if (target.neuron!.bias !== 0) layer.datasets.set("bias", floats(new Float64Array(target.size).fill(target.neuron!.bias / LAVA_SHIFT)));
  return layer;
}

/** Lava's CUBA neuron: du = iDecay − 1 (currentRetain = 4096 − iDecay), dv = vDecay, vth = vThMant << 6. */
function neuronGroup(pop: Population, network: ChipNetwork): H5Tree {
  const n = pop.neuron!;
  const where = `'${pop.name}'`;
  if (n.decay.kind !== "multiply") throw new NetxExportError(`${where} decays by bit shifts; netx's CUBA neuron multiplies (12-bit decays)`);
  if (n.reset.kind !== "zero") throw new NetxExportError(`${where} resets by ${n.reset.kind}; Lava's neuron resets to zero`);
  if (n.threshold % LAVA_SHIFT !== 0) throw new NetxExportError(`${where}: threshold ${n.threshold} is not a multiple of 64, so it has no vThMant (Lava stores vth << 6)`);
  if (n.bias % LAVA_SHIFT !== 0) throw new NetxExportError(`${where}: bias ${n.bias} is not a multiple of 64 (netx's bias has exponent 6)`);
  if (pop.initialVoltage) throw new NetxExportError(`${where} has initial voltages; netx has none`);
  if (network.chip.formats.currentBits !== 24 || network.chip.formats.voltageBits !== 24) throw new NetxExportError(`netx's neuron has 24-bit state; the ${network.chip.preset} chip has ${network.chip.formats.voltageBits}-bit`);
  const neuron = emptyTree();
  neuron.datasets.set("type", text("CUBA"));
  neuron.datasets.set("iDecay", int(4096 - n.decay.currentRetain));
  neuron.datasets.set("vDecay", int(4096 - n.decay.voltageRetain));
  neuron.datasets.set("vThMant", int(n.threshold / LAVA_SHIFT));
  // Lava's LIF has no refractory period (it ignores refDelay); neurocc keeps its own count apart.
  neuron.datasets.set("refDelay", int(1));
  if (n.refractorySteps > 0) neuron.datasets.set("refractorySteps", int(n.refractorySteps));
  neuron.datasets.set("gradedSpike", int(0));
  return neuron;
}
