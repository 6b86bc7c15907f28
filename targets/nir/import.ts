/**
 * @fileoverview NIR graph → `.snn` program (text + weight files), checked afterwards by the normal
 * compiler like any hand-written network. Input nodes become `spikes()` inputs (raster given at run
 * time); neuron nodes become layers (targets/nir/neurons.ts); every path of weight nodes from a
 * population to a layer is composed into one connection (targets/nir/operators.ts,
 * connections.ts). Affine/Conv biases are constant inputs: they come from one always-firing
 * population `nir_bias` through ordinary connections, so they enter each layer where NIR adds them
 * (the synaptic current for CubaLIF). Layers feeding an Output node are probed (`probe X.v`).
 * Files written by neurocc carry its quantization in metadata and are rebuilt exactly instead
 * (targets/nir/exact-import.ts).
 */
import type { ChipConfig } from "../../compiler/ir.ts";
import { PRESET_NAMES, presetConfig } from "../../compiler/presets.ts";
import { SnnBuilder, formatNumber, type SnnProgram } from "../printers/snn.ts";
import { emitConnection, type Endpoint } from "./connections.ts";
import { flattenGraph, type FlatGraph } from "./flatten.ts";
import { NEURON_TYPES, NirError, shapeField, sizeOf, type NirDocument } from "./graph.ts";
import { importExact, readNetworkRecord } from "./exact-import.ts";
import type { NetworkRecord } from "./record.ts";
import { planLayer, type Discretization, type LayerPlan } from "./neurons.ts";
import { applyNode, biasOf, type NodeContext } from "./nodes.ts";
import { biasSignal, identitySignal, scaleSignal, type Signal } from "./operators.ts";

export interface NirImportOptions {
  /** Timestep; default: the file's metadata (`dt` in seconds, or neurocc's record). */
  dtMs?: number;
  /** Chip preset (default generic, or the preset neurocc's record names). */
  chip?: string;
  /** Default: `lava` on the loihi preset, `exact` otherwise. */
  discretization?: Discretization;
  /** Weight mantissa bits (default: the preset's largest). */
  bits?: number;
  networkName: string;
  /** Folder for weight files, relative to the .snn file. */
  dataFolder: string;
}

const BIAS = "nir_bias";

interface PopulationInfo {
  id: string;
  shape: number[];
  /** null for inputs and the bias population. */
  plan: LayerPlan | null;
}

interface PendingConnection {
  source: string;
  target: string;
  signal: Signal;
  origin: string[];
}

export function importNir(document: NirDocument, file: string, options: NirImportOptions): SnnProgram {
  const record = readNetworkRecord(document.graph, file);
  const metadataDt = record ? record.dtUs / 1000 : metadataDtMs(document.graph);
  const sameDt = (r: NetworkRecord) => options.dtMs === undefined || Math.abs(options.dtMs - r.dtUs / 1000) < 1e-12;
  if (record && sameDt(record) && (options.chip === undefined || options.chip === record.chip.preset)) {
    return importExact(document, record, file, options);
  }
  const dtMs = options.dtMs ?? metadataDt;
  if (dtMs === null || dtMs === undefined) {
    throw new NirError(`${file} does not say its timestep (no 'dt' in its metadata); give one, e.g. neurocc import ${file} --dt 0.1ms`);
  }
  const chip = presetConfig(options.chip ?? "generic");
  if (!chip) throw new NirError(`unknown chip preset '${options.chip}'; presets are ${PRESET_NAMES.join(", ")}`);
  const discretization = options.discretization ?? (chip.preset === "loihi" ? "lava" : "exact");
  const bits = options.bits ?? chip.formats.maxWeightBits;
  if (bits > chip.formats.maxWeightBits) throw new NirError(`--bits ${bits} exceeds the ${chip.preset} preset's ${chip.formats.maxWeightBits}-bit weights`);
  const flat = flattenGraph(document.graph);
  return new Importer(flat, { ...options, dtMs, discretization, chip, bits, file, version: document.version }).run();
}

/** The graph's `dt` metadata (seconds), as Lava's exporter and others write it, in ms. */
function metadataDtMs(graph: NirDocument["graph"]): number | null {
  const dt = graph.metadata.get("dt");
  return dt && typeof dt !== "string" && dt.values.length === 1 && dt.values[0] > 0 ? dt.values[0] * 1000 : null;
}

interface Settings extends Omit<NirImportOptions, "chip"> {
  dtMs: number;
  discretization: Discretization;
  chip: ChipConfig;
  bits: number;
  file: string;
  version: string;
}

class Importer {
  private readonly builder: SnnBuilder;
  private readonly populations = new Map<string, PopulationInfo>();
  private readonly out = new Map<string, string[]>();
  private connections: PendingConnection[] = [];
  private outputs = new Set<string>();
  private readonly warnings: string[];
  /** Bias-carrying nodes reached by some path, with their output shape. */
  private biasShapes = new Map<string, number[]>();

  constructor(private readonly flat: FlatGraph, private readonly settings: Settings) {
    this.builder = new SnnBuilder(settings.dataFolder);
    this.warnings = [...flat.warnings];
    for (const [from, to] of flat.edges) {
      const list = this.out.get(from) ?? [];
      list.push(to);
      this.out.set(from, list);
    }
  }

  run(): SnnProgram {
    const { settings, builder: b } = this;
    const context = { dtMs: settings.dtMs, discretization: settings.discretization, chip: settings.chip };
    // Inputs first, so that their neurons take the lowest ids, as in hand-written networks.
    for (const [name, node] of this.flat.nodes) {
      if (node.type !== "Input") continue;
      const shape = shapeField(node, "shape", `node '${name}'`);
      if (!shape) throw new NirError(`node '${name}' (Input) has no shape`);
      this.populations.set(name, { id: b.identifier(name), shape, plan: null });
    }
    for (const name of this.neuronOrder()) {
      const plan = planLayer(this.flat.nodes.get(name)!, name, context);
      this.warnings.push(...plan.notes);
      this.populations.set(name, { id: b.identifier(name), shape: plan.shape, plan });
    }
    const nodeContext: NodeContext = { dtMs: settings.dtMs };
    // A flat layer that a convolution writes takes the convolution's [C, H, W] shape; paths that
    // start from it (pooling, say) need that shape, so the walks repeat until no shape changes.
    for (;;) {
      this.connections = [];
      this.outputs = new Set();
      this.biasShapes = new Map();
      const failures: NirError[] = [];
      for (const [name, info] of this.populations) {
        try {
          this.walk(name, name, identitySignal(info.shape), [name], nodeContext);
        } catch (e) {
          if (!(e instanceof NirError)) throw e;
          failures.push(e);
        }
      }
      if (!this.adoptConvolutionShapes()) {
        if (failures.length) throw failures[0];
        break;
      }
    }
    this.walkBiases(nodeContext);
    this.addConstantInputs();
    return this.write();
  }

  /** Neuron nodes in breadth-first order from the inputs (then any unreached ones in file order). */
  private neuronOrder(): string[] {
    const order: string[] = [];
    const seen = new Set<string>();
    const queue = [...this.flat.nodes].filter(([, n]) => n.type === "Input").map(([name]) => name);
    while (queue.length) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      if (NEURON_TYPES.includes(this.flat.nodes.get(name)!.type)) order.push(name);
      queue.push(...(this.out.get(name) ?? []));
    }
    for (const [name, node] of this.flat.nodes) if (NEURON_TYPES.includes(node.type) && !seen.has(name)) order.push(name);
    return order;
  }

  /** Follows every edge out of `at`, composing weight nodes, until it reaches layers. */
  private walk(source: string, at: string, signal: Signal, path: string[], context: NodeContext): void {
    for (const next of this.out.get(at) ?? []) {
      const node = this.flat.nodes.get(next)!;
      if (this.populations.has(next)) {
        if (node.type === "Input") throw new NirError(`an edge leads into the Input node '${next}' (from '${at}'); inputs have no incoming edges`);
        this.connections.push({ source, target: next, signal, origin: [...path, next] });
        continue;
      }
      if (node.type === "Output") {
        const direct = signal.op.kind === "diagonal" && signal.op.scale.every((s) => s === 1) && signal.delaySteps === 0;
        if (direct && source !== BIAS) this.outputs.add(source);
        else this.warnings.push(`the path ${[...path, next].join(" → ")} computes a weighted sum straight into an Output; neurocc only outputs neurons, so it is left out`);
        continue;
      }
      if (path.includes(next)) throw new NirError(`the weight nodes ${[...path.slice(path.indexOf(next)), next].join(" → ")} form a loop with no neuron in it`);
      const where = `node '${next}' (${node.type})`;
      const moved = applyNode(node, where, signal, context);
      const bias = biasOf(node);
      if (bias && source !== BIAS && !this.biasShapes.has(next)) this.biasShapes.set(next, moved.shape);
      this.walk(source, next, moved, [...path, next], context);
    }
  }

  /** Each Affine/Conv bias once: a constant input from the bias population, through the rest of the path. */
  private walkBiases(context: NodeContext): void {
    for (const [name, shape] of this.biasShapes) {
      const bias = biasOf(this.flat.nodes.get(name)!)!;
      if (bias.every((b) => b === 0)) continue;
      const perElement = bias.length === sizeOf(shape) ? bias : Float64Array.from({ length: sizeOf(shape) }, (_, i) => bias[Math.floor(i / (sizeOf(shape) / bias.length))]);
      this.ensureBiasPopulation();
      this.walk(BIAS, name, biasSignal(perElement, shape), [BIAS, name], context);
    }
  }

  /** Per-neuron v_leak of LIF layers, as constant inputs from the bias population. */
  private addConstantInputs(): void {
    for (const [name, info] of this.populations) {
      const constant = info.plan?.constantInput;
      if (!constant) continue;
      this.ensureBiasPopulation();
      // Already in the layer's weight units, so divide out the factor the emitter will apply.
      const factor = info.plan!.inputFactor;
      const values = constant.map((c, i) => c / (factor.length === 1 ? factor[0] : factor[i]));
      this.connections.push({ source: BIAS, target: name, signal: biasSignal(values, info.shape), origin: [BIAS, `${name}.v_leak`, name] });
    }
  }

  private ensureBiasPopulation(): void {
    if (!this.populations.has(BIAS)) this.populations.set(BIAS, { id: this.builder.identifier(BIAS), shape: [1], plan: null });
  }

  private write(): SnnProgram {
    const { settings, builder: b } = this;
    b.line(`// Imported by neurocc from ${settings.file} (NIR ${settings.version}) at dt = ${formatNumber(settings.dtMs)} ms,`);
    b.line(`// ${settings.discretization} discretization, for the ${settings.chip.preset} chip (docs/targets.md, "NIR import").`);
    b.line(`network ${b.identifier(settings.networkName)} {`);
    if (settings.chip.preset !== "generic") b.line(`  chip ${settings.chip.preset};`);
    b.line(`  run { dt = ${formatNumber(settings.dtMs)}ms; }`);
    for (const [name, info] of this.populations) {
      const shape = `[${info.shape.join(", ")}]`;
      const node = this.flat.nodes.get(name);
      if (name === BIAS) {
        b.comment("constant inputs (Affine/Conv biases, per-neuron v_leak): one neuron that fires at every step");
        b.line(`  layer ${info.id}${shape} : if(vth = 0.5, bias = 1);`);
      } else if (!info.plan) {
        b.comment(`NIR node '${name}' (Input): a spike raster supplied at run time`);
        b.line(`  input ${info.id}${shape} : spikes();`);
      } else {
        b.comment(`NIR node '${name}' (${node!.type})${info.plan.spiking ? "" : ": non-spiking, read its voltage"}`);
        b.line(`  layer ${info.id}${shape} : ${info.plan.model};`);
      }
    }
    let index = 0;
    for (const c of this.connections) {
      const target = this.populations.get(c.target)!;
      const signal = scaleSignal(c.signal, target.plan!.inputFactor, `the input of node '${c.target}'`);
      const endpoint = (name: string): Endpoint => ({ id: this.populations.get(name)!.id, shape: this.populations.get(name)!.shape });
      const stem = `${endpoint(c.source).id}_${target.id}_${index++}`;
      emitConnection(b, endpoint(c.source), endpoint(c.target), signal, { bits: settings.bits, dtMs: settings.dtMs, origin: `NIR path ${c.origin.join(" → ")}`, stem });
    }
    for (const name of this.populations.keys()) {
      if (this.outputs.has(name) && this.populations.get(name)!.plan) b.line(`  probe ${this.populations.get(name)!.id}.v;`);
    }
    b.line("}");
    return { text: b.text(), files: b.files, warnings: this.warnings };
  }

  /** Gives flat layers the [C, H, W] of the convolutions that read or write them; true if any changed. */
  private adoptConvolutionShapes(): boolean {
    let changed = false;
    for (const c of this.connections) {
      if (c.signal.op.kind !== "conv") continue;
      const { inShape, outShape } = c.signal.op.conv;
      for (const [name, wanted] of [[c.source, inShape], [c.target, outShape]] as const) {
        const info = this.populations.get(name)!;
        if (info.shape.length !== 3 && sizeOf(info.shape) === sizeOf(wanted)) {
          info.shape = [...wanted];
          changed = true;
        }
      }
    }
    return changed;
  }
}
