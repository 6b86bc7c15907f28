/**
 * @fileoverview Lowering: CheckedNetwork → ChipNetwork (the quantized IR). Neuron constants and
 * weights become the chip's integers (compiler/quantize.ts), synapses are drawn
 * (compiler/connectivity.ts), and the network is placed on cores (compiler/place.ts). Reports the
 * quantization it did as notes and warnings, and resource overflows as errors.
 */
import { error, warning, type Diagnostic } from "../dsl/diagnostic.ts";
import type { CheckedNetwork, CheckedPopulation } from "./checked.ts";
import { buildSynapses, sample, type FloatSynapses } from "./connectivity.ts";
import type { ChipNetwork, Connectivity, Encoder, Population, Projection } from "./ir.ts";
import { coreOfNeurons, placeNetwork } from "./place.ts";
import { quantizeNeuron, quantizeWeights, type VoltageScale } from "./quantize.ts";
import { Random } from "./random.ts";

export function lowerNetwork(checked: CheckedNetwork, diagnostics: Diagnostic[]): ChipNetwork | null {
  const chip = checked.chip;
  const dt = checked.dtMs;
  const populations: Population[] = [];
  const scales: (VoltageScale | null)[] = [];
  let firstNeuron = 0;
  const voltageLimit = 2 ** (chip.formats.voltageBits - 1) - 1;
  for (const pop of checked.populations) {
    const lowered = lowerPopulation(pop, firstNeuron, checked, voltageLimit, diagnostics);
    populations.push(lowered.population);
    scales.push(lowered.scale);
    firstNeuron += pop.size;
  }
  const neuronCount = firstNeuron;

  const projections: Projection[] = [];
  const fanIn = new Float64Array(neuronCount);
  const synapseBits = new Float64Array(neuronCount);
  checked.connections.forEach((connection) => {
    const source = populations[connection.source];
    const target = populations[connection.target];
    const scale = scales[connection.target]!;
    const synapses = buildSynapses(connection, source.size, target.size, checked.seed);
    const scaled = synapses.weights.map((w) => w * scale.inputGain * scale.lsbPerMv);
    const quantized = quantizeWeights(scaled, connection.bits, chip, connection.exponent);
    if (!quantized) {
      diagnostics.push(error("E106", `weights of ${describe(connection.name)} are too large for the ${chip.preset} chip even with its largest exponent (${chip.formats.maxWeightExponent}); lower them or raise vth of '${target.name}'`, connection.span));
      return;
    }
    if (connection.bits > chip.formats.maxWeightBits) {
      diagnostics.push(error("E106", `${describe(connection.name)} asks for ${connection.bits}-bit weights; the ${chip.preset} chip stores at most ${chip.formats.maxWeightBits}`, connection.span));
      return;
    }
    if (quantized.exponent < chip.formats.minWeightExponent) {
      diagnostics.push(error("E106", `exponent ${quantized.exponent} of ${describe(connection.name)} is below the chip's smallest (${chip.formats.minWeightExponent})`, connection.span));
      return;
    }
    if (quantized.relativeError > 0.05) {
      diagnostics.push(warning("W201", `${describe(connection.name)}: ${connection.bits}-bit weights lose up to ${(quantized.relativeError * 100).toFixed(1)}% of the largest weight; consider more bits`, connection.span));
    }
    const delays = quantizeDelays(synapses, dt, chip.limits.maxDelaySteps, connection, diagnostics);
    if (delays === undefined) return;
    const fixedDelay = connection.delay.kind === "fixed" ? connection.delay.steps : 1;
    if (fixedDelay > chip.limits.maxDelaySteps) {
      diagnostics.push(error("E106", `delay of ${fixedDelay} steps in ${describe(connection.name)} exceeds the ${chip.preset} chip's maximum of ${chip.limits.maxDelaySteps} steps`, connection.span));
      return;
    }
    const connectivity = toConnectivity(synapses, quantized.mantissas);
    const bitsPerSynapse = connection.bits + (delays ? 6 : 0) + (synapses.kind === "sparse" ? Math.ceil(Math.log2(Math.max(2, source.size))) : 0);
    countDemand(connectivity, source.size, target.firstNeuron, target.size, bitsPerSynapse, fanIn, synapseBits);
    projections.push({
      name: connection.name,
      source: connection.source,
      target: connection.target,
      connectivity,
      weightBits: connection.bits,
      weightExponent: quantized.exponent,
      delaySteps: fixedDelay,
      delays,
    });
  });
  if (diagnostics.some((d) => d.severity === "error")) return null;

  const placement = placeNetwork({ populations, synapseBits, fanIn }, chip, diagnostics);
  if (!placement) return null;
  checkFanOut(projections, populations, placement, chip, neuronCount, diagnostics);
  if (diagnostics.some((d) => d.severity === "error")) return null;
  return {
    name: checked.name,
    chip,
    dtUs: Math.round(dt * 1000 * 1e6) / 1e6,
    defaultSteps: checked.steps,
    seed: checked.seed,
    populations,
    projections,
    placement,
    probes: checked.probes.map((p) => ({ population: p.population, variable: p.variable })),
  };
}

function describe(connectionName: string): string {
  return `connection ${connectionName.replace(/#\d+$/, "")}`;
}

function lowerPopulation(
  pop: CheckedPopulation,
  firstNeuron: number,
  checked: CheckedNetwork,
  voltageLimit: number,
  diagnostics: Diagnostic[],
): { population: Population; scale: VoltageScale | null } {
  const base = { name: pop.name, size: pop.size, shape: pop.shape, firstNeuron, initialVoltage: null };
  if (pop.kind === "input") {
    return { population: { ...base, kind: "input", encoder: lowerEncoder(pop, checked.dtMs) }, scale: null };
  }
  const model = pop.neuron!;
  const quantized = quantizeNeuron(model, checked.chip);
  const { constants, scale } = quantized;
  if (quantized.decayError > 0.05) {
    diagnostics.push(warning("W202", `'${pop.name}': the chip's decay arithmetic realises the time constants only within ${(quantized.decayError * 100).toFixed(1)}% at dt = ${checked.dtMs}ms`, pop.span));
  }
  if (constants.refractorySteps > 255) {
    diagnostics.push(error("E106", `refractory period of '${pop.name}' is ${constants.refractorySteps} steps; the chip counts at most 255`, pop.span));
  }
  if (Math.abs(constants.bias) > voltageLimit || constants.threshold > voltageLimit) {
    diagnostics.push(error("E106", `'${pop.name}': bias or threshold does not fit the chip's ${checked.chip.formats.voltageBits}-bit voltage`, pop.span));
  }
  if (checked.chip.preset === "loihi" && constants.threshold <= 0) {
    diagnostics.push(error("E106", `'${pop.name}': the loihi preset needs vth above the reset value`, pop.span));
  }
  let initialVoltage: Int32Array | null = null;
  if (model.initialVoltage) {
    const values = sample(model.initialVoltage, pop.size, new Random(checked.seed, `${pop.name}.v_init`));
    initialVoltage = Int32Array.from(values, (v) => Math.max(-voltageLimit, Math.min(voltageLimit, Math.round((v - scale.originMv) * scale.lsbPerMv))));
  }
  return { population: { ...base, kind: "neuron", neuron: constants, initialVoltage }, scale };
}

function lowerEncoder(pop: CheckedPopulation, dtMs: number): Encoder {
  const encoder = pop.encoder!;
  if (encoder.kind === "rate") {
    return { kind: "rate", gain: encoder.gain, offset: encoder.offset, firstSpikeStep: Math.round(encoder.firstSpikeMs / dtMs) };
  }
  return { kind: "spikes", steps: [...new Set(encoder.timesMs.map((t) => Math.round(t / dtMs)))].sort((a, b) => a - b) };
}

/** Per-synapse delays in steps, null for a fixed delay, undefined on error. */
function quantizeDelays(synapses: FloatSynapses, dtMs: number, maxDelay: number, connection: { name: string; span: CheckedNetwork["connections"][number]["span"] }, diagnostics: Diagnostic[]): Uint8Array | null | undefined {
  if (!synapses.delaysMs) return null;
  const steps = new Uint8Array(synapses.delaysMs.length);
  for (let i = 0; i < steps.length; i++) {
    const d = Math.round(synapses.delaysMs[i] / dtMs);
    if (d < 1 || d > maxDelay) {
      diagnostics.push(error("E106", `${describe(connection.name)} draws a delay of ${d} steps; the chip's delays are 1..${maxDelay} steps`, connection.span));
      return undefined;
    }
    steps[i] = d;
  }
  return steps;
}

function toConnectivity(synapses: FloatSynapses, mantissas: Int32Array): Connectivity {
  if (synapses.kind === "dense") return { kind: "dense", weights: mantissas };
  if (synapses.kind === "oneToOne") return { kind: "oneToOne", weights: mantissas };
  return { kind: "sparse", rowStart: synapses.rowStart!, post: synapses.post!, weights: mantissas };
}

/** Adds a projection's synapses to the per-neuron fan-in and synapse-memory demand of its targets. */
function countDemand(connectivity: Connectivity, sourceSize: number, targetFirst: number, targetSize: number, bitsPerSynapse: number, fanIn: Float64Array, synapseBits: Float64Array): void {
  if (connectivity.kind === "dense") {
    // A dense table is stored whole, zeros included; only non-zero entries produce events.
    for (let post = 0; post < targetSize; post++) {
      let nonZero = 0;
      for (let pre = 0; pre < sourceSize; pre++) if (connectivity.weights[post * sourceSize + pre] !== 0) nonZero++;
      fanIn[targetFirst + post] += nonZero;
      synapseBits[targetFirst + post] += sourceSize * bitsPerSynapse;
    }
    return;
  }
  const posts = connectivity.kind === "sparse" ? connectivity.post : null;
  for (let i = 0; i < connectivity.weights.length; i++) {
    const post = posts ? posts[i] : i;
    fanIn[targetFirst + post] += 1;
    synapseBits[targetFirst + post] += bitsPerSynapse;
  }
}

function checkFanOut(projections: Projection[], populations: Population[], placement: ChipNetwork["placement"], chip: ChipNetwork["chip"], neuronCount: number, diagnostics: Diagnostic[]): void {
  const coreOf = coreOfNeurons(placement, populations.map((p) => p.firstNeuron), neuronCount);
  const limit = chip.limits.maxFanOutCores;
  if (limit >= placement.cores.length) return;
  const destinations = new Map<number, Set<number>>();
  for (const projection of projections) {
    const source = populations[projection.source];
    const target = populations[projection.target];
    const c = projection.connectivity;
    const add = (pre: number, post: number) => {
      const id = source.firstNeuron + pre;
      let set = destinations.get(id);
      if (!set) destinations.set(id, (set = new Set()));
      set.add(coreOf[target.firstNeuron + post]);
    };
    if (c.kind === "dense") for (let post = 0; post < target.size; post++) for (let pre = 0; pre < source.size; pre++) add(pre, post);
    else if (c.kind === "oneToOne") for (let i = 0; i < source.size; i++) add(i, i);
    else for (let pre = 0; pre < source.size; pre++) for (let k = c.rowStart[pre]; k < c.rowStart[pre + 1]; k++) add(pre, c.post[k]);
  }
  for (const [id, set] of destinations) {
    if (set.size > limit) {
      const pop = populations.find((p) => id >= p.firstNeuron && id < p.firstNeuron + p.size)!;
      diagnostics.push(error("E120", `neuron ${id - pop.firstNeuron} of '${pop.name}' sends to ${set.size} cores; the ${chip.preset} chip allows ${limit} (over by ${set.size - limit}): use fewer, larger cores or a sparser connection`, null));
      return;
    }
  }
}
