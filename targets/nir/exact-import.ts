/**
 * @fileoverview Import of a NIR file that neurocc exported: its `neurocc` metadata
 * (targets/nir/record.ts) holds the chip's integers, and this module writes the `.snn` program that
 * compiles to exactly those integers again — each population with the DSL model it came from (its
 * constants inverted: τ from the retention, bias and weights from their LSB values), each projection
 * with its bits and exponent, delays, initial voltages, probes, seed, run length and chip overrides.
 */
import type { ChipConfig, NeuronConstants } from "../../compiler/ir.ts";
import { presetConfig } from "../../compiler/presets.ts";
import { thresholdLsb } from "../../compiler/quantize.ts";
import { formatNumber, SnnBuilder, type SnnProgram } from "../printers/snn.ts";
import { flattenGraph } from "./flatten.ts";
import { field, NirError, type NirDocument, type NirNode } from "./graph.ts";
import type { NirImportOptions } from "./import.ts";
import { lavaBias } from "./neurons.ts";
import {
  DELAYS_KEY, metadataInts, readPopulationRecord, readProjectionRecord, retention, V_INIT_KEY,
  type NetworkRecord, type PopulationRecord, type ProjectionRecord,
} from "./record.ts";

export { readNetworkRecord } from "./record.ts";

export function importExact(document: NirDocument, record: NetworkRecord, file: string, options: NirImportOptions): SnnProgram {
  const flat = flattenGraph(document.graph);
  const populations: { node: NirNode; record: PopulationRecord; name: string }[] = [];
  const projections: { node: NirNode; record: ProjectionRecord }[] = [];
  for (const [name, node] of flat.nodes) {
    const where = `${file}: node '${name}'`;
    const pop = readPopulationRecord(node, where);
    if (pop) populations.push({ node, record: pop, name });
    else if (node.type !== "Delay" && node.type !== "Flatten" && node.type !== "Output") {
      const proj = readProjectionRecord(node, where);
      if (proj) projections.push({ node, record: proj });
    }
  }
  populations.sort((a, b) => a.record.population - b.record.population);
  projections.sort((a, b) => a.record.projection - b.record.projection);
  populations.forEach((p, i) => {
    if (p.record.population !== i) throw new NirError(`${file}: the neurocc metadata lists population ${p.record.population} but not population ${i}; the file was edited`);
  });
  const dtMs = record.dtUs / 1000;
  const chip = record.chip;
  const b = new SnnBuilder(options.dataFolder);
  const warnings: string[] = [];
  const ids = new Map<string, string>();
  const units = new Map<string, number>();
  b.line(`// Imported by neurocc from ${file}, which neurocc exported: rebuilt from its quantization record (docs/targets.md, "NIR export").`);
  b.line(`network ${b.identifier(record.network)} {`);
  b.line(`  ${chipStatement(chip, warnings)}`);
  b.line(`  run { dt = ${formatNumber(record.dtUs)}us; steps = ${record.defaultSteps}; seed = ${record.seed}; }`);
  for (const { node, record: pop, name } of populations) {
    const id = b.identifier(name);
    ids.set(name, id);
    const shape = `[${pop.shape.join(", ")}]`;
    if (pop.kind === "input") {
      b.line(`  input ${id}${shape} : ${encoderCall(pop, dtMs, `${file}: population '${name}'`)};`);
      continue;
    }
    const vInit = metadataInts(node, V_INIT_KEY);
    const built = neuronCall(pop.neuron!, chip, dtMs, (unit) => (vInit ? b.values(vInit.map((v) => v / unit), [vInit.length], `${id}_v_init`) : null));
    if (!built) throw new NirError(`${file}: population '${name}' (${pop.neuron!.model}) has constants no .snn model reproduces exactly`);
    units.set(name, built.unit);
    b.line(`  layer ${id}${shape} : ${built.call};`);
  }
  for (const { node, record: proj } of projections) {
    const where = `${file}: projection ${proj.source} -> ${proj.target}`;
    const unit = units.get(proj.target);
    const source = ids.get(proj.source);
    const target = ids.get(proj.target);
    if (unit === undefined || !source || !target) throw new NirError(`${where} connects populations the file does not define`);
    b.line(`  connect ${source} -> ${target} : ${connectionCall(b, node, proj, unit, dtMs, `${source}_${target}_${proj.projection}`, warnings, where)};`);
  }
  for (const probe of record.probes) b.line(`  probe ${ids.get(probe.population)}.${probe.variable};`);
  b.line("}");
  return { text: b.text(), files: b.files, warnings };
}

/** `chip PRESET { overrides }`: the settings the DSL can change, where they differ from the preset. */
function chipStatement(chip: ChipConfig, warnings: string[]): string {
  const preset = presetConfig(chip.preset);
  if (!preset) throw new NirError(`the file was compiled for the chip preset '${chip.preset}', which this neurocc does not know`);
  const settings: [string, number, number][] = [
    ["cores", chip.coreCount, preset.coreCount],
    ["mesh_width", chip.meshWidth, Math.min(preset.meshWidth, chip.coreCount)],
    ["neurons_per_core", chip.limits.neuronsPerCore, preset.limits.neuronsPerCore],
    ["synapse_memory_kib", chip.limits.synapseMemoryBitsPerCore / 8192, preset.limits.synapseMemoryBitsPerCore / 8192],
    ["max_fan_in", chip.limits.maxFanIn, preset.limits.maxFanIn],
    ["max_delay", chip.limits.maxDelaySteps, preset.limits.maxDelaySteps],
  ];
  if (JSON.stringify([chip.formats, chip.timing, chip.energy]) !== JSON.stringify([preset.formats, preset.timing, preset.energy])) {
    warnings.push(`the ${chip.preset} preset's number formats or costs changed since the file was written; the rebuilt network uses today's`);
  }
  const overrides = settings.filter(([, value, base]) => value !== base).map(([name, value]) => `${name} = ${value};`);
  return overrides.length ? `chip ${chip.preset} { ${overrides.join(" ")} }` : `chip ${chip.preset};`;
}

function encoderCall(pop: PopulationRecord, dtMs: number, where: string): string {
  const e = pop.encoder!;
  if (e.kind === "rate") {
    const norm = e.normalization && e.normalization !== "none" ? `, norm = ${e.normalization}` : "";
    return `rate(gain = ${formatNumber(e.gain)}, offset = ${formatNumber(e.offset)}, first_spike = ${formatNumber(e.firstSpikeStep * dtMs)}ms${norm})`;
  }
  if (e.kind === "spikes") return e.steps.length ? `spikes(times = [${e.steps.map((t) => `${formatNumber(t * dtMs)}ms`).join(", ")}])` : "spikes()";
  throw new NirError(`${where}: the ${e.kind} encoder is not rebuilt from NIR metadata yet (rate and spikes are)`);
}

/**
 * The DSL model call that compiles to `n` exactly, and the LSB one DSL weight unit stands for in it.
 * `vInit(unit)` writes the initial voltages in that model's voltage units (or returns null).
 */
function neuronCall(n: NeuronConstants, chip: ChipConfig, dtMs: number, vInit: (unit: number) => string | null): { call: string; unit: number } | null {
  const T = thresholdLsb(chip);
  const grid = 2 ** (chip.formats.thresholdShift ?? 0);
  const onGrid = (x: number) => Math.round(x / grid) * grid;
  const k = retention(n.decay);
  const shift = n.decay.kind === "shift";
  // A retention of 0 (the state emptied every step) needs exp(−dt/τ)·4096 < 0.5: τ = dt/10.
  const tau = (keep: number) => `${formatNumber(keep > 0 ? -dtMs / Math.log(keep) : dtMs / 10)}ms`;
  const tail = (unit: number, withReset = true) => {
    const parts: string[] = [];
    if (withReset) parts.push(`reset = ${n.reset.kind === "subtract" ? "subtract" : "0"}`);
    if (n.refractorySteps > 0) parts.push(`refractory = ${formatNumber(n.refractorySteps * dtMs)}ms`);
    const init = vInit(unit);
    if (init) parts.push(`v_init = ${init}`);
    return parts.length ? `, ${parts.join(", ")}` : "";
  };
  if (n.model === "loihi_cuba" || n.reset.kind === "value" || k.current >= 1) return loihiCall(n, dtMs, vInit);
  if (n.model === "or" && n.threshold === onGrid(T) && n.bias === 0 && k.voltage === 0 && n.reset.kind === "zero") return { call: "or()", unit: 2 * T };
  if (n.model === "gif" && k.current === 0 && n.reset.kind === "zero" && n.refractorySteps === 0 && n.threshold === onGrid(T - 1)) {
    const init = vInit(T);
    return { call: `gif(gamma = ${formatNumber(k.voltage)}, vth = 1${n.bias ? `, bias = ${formatNumber(n.bias / T)}` : ""}${init ? `, v_init = ${init}` : ""})`, unit: T };
  }
  if (n.threshold !== onGrid(T)) return loihiCall(n, dtMs, vInit);
  if (k.current === 0 && k.voltage >= 1) return { call: `if(vth = 1${n.bias ? `, bias = ${formatNumber(n.bias / T)}` : ""}${tail(T)})`, unit: T };
  const bias = (leak: number) => (n.bias ? `, bias = ${formatNumber(n.bias / (leak * T))}` : "");
  if (k.current === 0) return { call: `lif(tau = ${tau(k.voltage)}, vth = 1${bias(1 - k.voltage)}${tail(T)}${shift && chip.formats.decayKinds.includes("multiply") ? ", decay = shift" : ""})`, unit: T };
  if (k.voltage >= 1) return loihiCall(n, dtMs, vInit);
  return { call: `cuba(tau_mem = ${tau(k.voltage)}, tau_syn = ${tau(k.current)}, vth = 1${bias(1 - k.voltage)}${tail(T)})`, unit: (1 - k.voltage) * T };
}

/** `loihi_cuba(...)` when Lava's integers can hold the constants (it has no v_init and resets to 0). */
function loihiCall(n: NeuronConstants, dtMs: number, vInit: (unit: number) => string | null): { call: string; unit: number } | null {
  if (n.decay.kind !== "multiply" || n.reset.kind !== "zero" || vInit(64) !== null) return null;
  const { currentRetain, voltageRetain } = n.decay;
  if (currentRetain > 4095 || voltageRetain < 1 || n.threshold % 64 !== 0 || n.threshold / 64 > 131071 || n.threshold < 0) return null;
  const [mant, exp] = lavaBias(n.bias, "");
  if (mant * 2 ** exp !== n.bias) return null;
  const bias = mant ? `, bias_mant = ${mant}, bias_exp = ${exp}` : "";
  const refractory = n.refractorySteps ? `, refractory = ${formatNumber(n.refractorySteps * dtMs)}ms` : "";
  return { call: `loihi_cuba(du = ${4095 - currentRetain}, dv = ${4096 - voltageRetain}, vth = ${n.threshold / 64}${bias}${refractory})`, unit: 64 };
}

function connectionCall(b: SnnBuilder, node: NirNode, p: ProjectionRecord, unit: number, dtMs: number, stem: string, warnings: string[], where: string): string {
  const exponentArg = p.channelExponents ? "exponents = per_channel" : `exponent = ${p.weightExponent}`;
  if (p.channelExponents) warnings.push(`${where}: the DSL cannot fix per-channel exponents; the compiler chooses them again`);
  const exponentOf = (channel: number) => (p.channelExponents ? p.channelExponents[channel] : p.weightExponent);
  // NIR weight → chip mantissa (exact: the export divided a whole LSB value by weightUnit) → DSL weight.
  const dsl = (w: number, channel: number) => {
    const step = 2 ** (p.weightShift + exponentOf(channel));
    return (Math.round((w * p.weightUnit) / step) * step) / unit;
  };
  const delays = node.metadata.get(DELAYS_KEY);
  const delay = delays && typeof delays !== "string"
    ? `, delay = ${b.values(delays.values.map((d) => d * dtMs), delays.shape, `${stem}_delay`, "ms")}`
    : p.delaySteps !== 1 ? `, delay = ${formatNumber(p.delaySteps * dtMs)}ms` : "";
  const common = `bits = ${p.weightBits}, ${exponentArg}${delay}`;
  if (node.type === "Scale") {
    const scale = field(node, "scale", where).values;
    const perChannel = p.channelExponents ? scale.length / p.channelExponents.length : scale.length;
    return `one_to_one(weight = ${b.values(scale.map((w, i) => dsl(w, Math.floor(i / perChannel))), [scale.length], stem)}, ${common})`;
  }
  if (node.type === "Conv2d") {
    const weight = field(node, "weight", where);
    const [outC, inPerGroup, kh, kw] = weight.shape;
    const stride = field(node, "stride", where).values;
    const padding = field(node, "padding", where).values;
    if (kh !== kw || stride[0] !== stride[1] || padding[0] !== padding[1]) throw new NirError(`${where}: a non-square convolution has no .snn form`);
    const groups = field(node, "groups", where).values[0];
    const values = weight.values.map((w, i) => dsl(w, Math.floor(i / (weight.values.length / outC))));
    return `conv2d(weight = ${b.values(values, [outC, inPerGroup, kh, kw], stem)}, kernel = ${kh}, stride = ${stride[0]}, padding = ${padding[0]}, groups = ${groups}, ${common})`;
  }
  const weight = field(node, "weight", where);
  const [rows, cols] = weight.shape;
  const perChannel = p.channelExponents ? rows / p.channelExponents.length : rows;
  const values = weight.values.map((w, i) => dsl(w, Math.floor(Math.floor(i / cols) / perChannel)));
  if (p.connectivity === "sparse") warnings.push(`${where}: a sparse projection comes back as a dense table with the same synapses`);
  return `dense(weight = ${b.values(values, [rows, cols], stem)}, ${common})`;
}
