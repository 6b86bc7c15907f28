/**
 * @fileoverview lava-dl netx HDF5 → `.snn` program: the input layer becomes a `spikes()` input,
 * each `dense`/`conv` layer a `loihi_cuba` layer (du = iDecay − 1, dv = vDecay, vth = vThMant,
 * bias = bias << 6) fed from the layer before it by `dense` or `conv2d` with the file's weights in
 * Lava's units; `flatten` layers only reshape. Weight bits and exponent come from neurocc's
 * `weightBits`/`weightExponent` when present (else the compiler picks them, like lava-dl's
 * optimize_weight_bits), delays from `delay` (+1: the chip's one-step minimum). netx has no physical
 * time: dt is --dt, or 1 ms. docs/targets.md ("netx") documents the layout.
 */
import { PRESET_NAMES, presetConfig } from "../../compiler/presets.ts";
import type { H5Tree, H5Value } from "../hdf5/tree.ts";
import { lavaBias } from "../nir/neurons.ts";
import { formatNumber, SnnBuilder, type SnnProgram } from "../printers/snn.ts";

export class NetxError extends Error {}

export interface NetxImportOptions {
  dtMs?: number;
  chip?: string;
  bits?: number;
  networkName: string;
  dataFolder: string;
}

/** A netx file has a `layer` group at its root (a NIR file has `node`). */
export function isNetx(tree: H5Tree): boolean {
  return tree.groups.has("layer") && !tree.groups.has("node");
}

export function importNetx(tree: H5Tree, file: string, options: NetxImportOptions): SnnProgram {
  const chip = presetConfig(options.chip ?? "loihi");
  if (!chip) throw new NetxError(`unknown chip preset '${options.chip}'; presets are ${PRESET_NAMES.join(", ")}`);
  const dtMs = options.dtMs ?? 1;
  const layers = tree.groups.get("layer")!;
  const count = layers.groups.size;
  const b = new SnnBuilder(options.dataFolder);
  const warnings: string[] = [];
  b.line(`// Imported by neurocc from ${file} (lava-dl netx) at dt = ${formatNumber(dtMs)} ms (docs/targets.md, "netx").`);
  b.line(`network ${b.identifier(options.networkName)} {`);
  b.line(`  chip ${chip.preset};`);
  const steps = tree.groups.get("simulation")?.datasets.get("tSample");
  b.line(`  run { dt = ${formatNumber(dtMs)}ms;${steps && steps.kind !== "string" ? ` steps = ${steps.values[0]};` : ""} }`);
  let previous = null as { id: string; shape: number[] } | null;
  const connections: string[] = [];
  for (let i = 0; i < count; i++) {
    const layer = layers.groups.get(String(i));
    const where = `${file}: layer ${i}`;
    if (!layer) throw new NetxError(`${file}: the layers must be numbered 0 … ${count - 1}, but layer ${i} is missing`);
    const type = stringOf(layer.datasets.get("type"), "type", where);
    const shape = numbers(layer.datasets.get("shape"), "shape", where).map((d) => d);
    const name = layer.datasets.get("name");
    const id = b.identifier(name?.kind === "string" ? name.values[0] : i === 0 ? "input" : `layer${i}`);
    if (type === "input") {
      if (previous) throw new NetxError(`${where} is a second input layer; neurocc reads chains with one input`);
      b.line(`  input ${id}[${shape.join(", ")}] : spikes();`);
      previous = { id, shape };
      continue;
    }
    if (!previous) throw new NetxError(`${where} (${type}) comes before the input layer`);
    if (type === "flatten") {
      previous = { ...previous, shape: [previous.shape.reduce((a, c) => a * c, 1)] };
      continue;
    }
    if (type !== "dense" && type !== "conv") throw new NetxError(`${where} has type '${type}'; neurocc reads input, flatten, dense and conv layers`);
    b.line(`  layer ${id}[${shape.join(", ")}] : ${neuronCall(layer, where, dtMs)};`);
    connections.push(`  connect ${previous.id} -> ${id} : ${synapseCall(b, layer, type, where, { ...options, dtMs, shift: chip.formats.weightShift, maxBits: chip.formats.maxWeightBits, stem: `${previous.id}_${id}` })};`);
    previous = { id, shape };
  }
  for (const line of connections) b.line(line);
  b.line("}");
  return { text: b.text(), files: b.files, warnings };
}

function stringOf(value: H5Value | undefined, name: string, where: string): string {
  if (!value || value.kind !== "string") throw new NetxError(`${where} has no '${name}' string`);
  return value.values[0].trim();
}

function numbers(value: H5Value | undefined, name: string, where: string): number[] {
  if (!value || value.kind === "string") throw new NetxError(`${where} has no numeric '${name}'`);
  if (value.values.some((v) => !Number.isFinite(v))) throw new NetxError(`${where}: '${name}' contains NaN or infinite values`);
  return Array.from(value.values);
}

function one(group: H5Tree, name: string, where: string): number {
  return numbers(group.datasets.get(name), name, where)[0];
}

/** Lava's CUBA LIF with the layer's integers. */
function neuronCall(layer: H5Tree, where: string, dtMs: number): string {
  const neuron = layer.groups.get("neuron");
  if (!neuron) throw new NetxError(`${where} has no neuron description`);
  const type = stringOf(neuron.datasets.get("type"), "neuron/type", where);
  if (type !== "CUBA" && type !== "LOIHI") throw new NetxError(`${where}: neuron type '${type}' is not supported; neurocc reads CUBA (and LOIHI) neurons`);
  const du = one(neuron, "iDecay", where) - 1;
  const dv = one(neuron, "vDecay", where);
  const vth = one(neuron, "vThMant", where);
  if (!(du >= 0 && du <= 4095 && dv >= 0 && dv <= 4095 && Number.isInteger(du) && Number.isInteger(dv))) {
    throw new NetxError(`${where}: iDecay ${du + 1} and vDecay ${dv} must be whole numbers in 1..4096 and 0..4095`);
  }
  let extra = "";
  const bias = layer.datasets.get("bias");
  if (bias) {
    const values = numbers(bias, "bias", where);
    if (values.some((v) => v !== values[0])) throw new NetxError(`${where}: the bias differs between neurons; a neurocc layer has one bias`);
    const [mant, exp] = lavaBias(values[0] * 64, where);
    if (mant * 2 ** exp !== values[0] * 64) throw new NetxError(`${where}: bias ${values[0]} is not a whole number of Lava's bias units`);
    if (mant !== 0) extra += `, bias_mant = ${mant}, bias_exp = ${exp}`;
  }
  const refractory = neuron.datasets.get("refractorySteps");
  if (refractory && refractory.kind !== "string" && refractory.values[0] > 0) extra += `, refractory = ${formatNumber(refractory.values[0] * dtMs)}ms`;
  return `loihi_cuba(du = ${du}, dv = ${dv}, vth = ${vth}${extra})`;
}

interface SynapseOptions {
  dtMs: number;
  bits?: number;
  shift: number;
  maxBits: number;
  stem: string;
}

function synapseCall(b: SnnBuilder, layer: H5Tree, type: string, where: string, options: SynapseOptions): string {
  const weight = layer.datasets.get("weight");
  if (!weight || weight.kind === "string") throw new NetxError(`${where} has no numeric 'weight'`);
  numbers(weight, "weight", where);
  const bitsValue = layer.datasets.get("weightBits");
  const bits = options.bits ?? (bitsValue && bitsValue.kind !== "string" ? bitsValue.values[0] : options.maxBits);
  const exponentValue = layer.datasets.get("weightExponent");
  const exponent = exponentValue && exponentValue.kind !== "string" ? `, exponent = ${exponentValue.values[0] + 6 - options.shift}` : "";
  const delay = delayArgument(b, layer, type, where, options);
  const common = `bits = ${bits}${exponent}${delay}`;
  if (type === "conv") {
    const [outC, inPerGroup, kh, kw] = weight.shape;
    const stride = numbers(layer.datasets.get("stride"), "stride", where);
    const padding = numbers(layer.datasets.get("padding"), "padding", where);
    const dilation = layer.datasets.get("dilation");
    const groups = layer.datasets.get("groups") ? one(layer, "groups", where) : 1;
    if (weight.shape.length < 4 || kh !== kw || stride.some((s) => s !== stride[0]) || padding.some((p) => p !== padding[0]) || (dilation && dilation.values.some((d) => d !== 1))) {
      throw new NetxError(`${where}: neurocc reads square convolutions without dilation (kernel [${weight.shape.slice(2).join(", ")}], stride [${stride.join(", ")}], padding [${padding.join(", ")}])`);
    }
    const file = b.values(weight.values, [outC, inPerGroup, kh, kw], options.stem);
    return `conv2d(weight = ${file}, kernel = ${kh}, stride = ${stride[0]}, padding = ${padding[0]}, groups = ${groups}, ${common})`;
  }
  const [rows, cols] = weight.shape;
  return `dense(weight = ${b.values(weight.values, [rows, cols], options.stem)}, ${common})`;
}

/** netx `delay` (extra steps per synapse, or per output neuron) → the DSL's delay, 1 + that. */
function delayArgument(b: SnnBuilder, layer: H5Tree, type: string, where: string, options: SynapseOptions): string {
  const delay = layer.datasets.get("delay");
  if (!delay) return "";
  const values = numbers(delay, "delay", where);
  if (values.some((d) => !Number.isInteger(d) || d < 0)) throw new NetxError(`${where}: delays must be whole numbers of steps ≥ 0`);
  if (values.every((d) => d === values[0])) return values[0] === 0 ? "" : `, delay = ${formatNumber((values[0] + 1) * options.dtMs)}ms`;
  const weight = layer.datasets.get("weight")!;
  if (type === "conv") throw new NetxError(`${where}: a convolution's delays must all be equal (its weights are shared)`);
  const [rows, cols] = weight.shape;
  // Per output neuron (slayer's axonal delay) or per synapse.
  const full = values.length === rows ? Float64Array.from({ length: rows * cols }, (_, k) => values[Math.floor(k / cols)]) : Float64Array.from(values);
  if (full.length !== rows * cols) throw new NetxError(`${where}: 'delay' has ${values.length} values; expected ${rows} (per neuron) or ${rows * cols} (per synapse)`);
  return `, delay = ${b.values(full.map((d) => (d + 1) * options.dtMs), [rows, cols], `${options.stem}_delay`, "ms")}`;
}
