/**
 * @fileoverview Lowering: CheckedNetwork → ChipNetwork (the quantized IR). Neuron constants and
 * weights become the chip's integers (compiler/quantize.ts), synapses are drawn
 * (compiler/connectivity.ts), and the network is placed on cores (compiler/place.ts). Reports the
 * quantization it did as notes and warnings, and resource overflows as errors.
 */
import { error, warning, type Diagnostic } from "../dsl/diagnostic.ts";
import type { CheckedConnection, CheckedNetwork, CheckedPopulation } from "./checked.ts";
import { buildSynapses, sample, type FloatSynapses } from "./connectivity.ts";
import type { ChipNetwork, Connectivity, Encoder, Population, Projection } from "./ir.ts";
import { coreOfNeurons, placeNetwork } from "./place.ts";
import { quantizeNeuron, quantizeWeights, weightSign, type Rounding, type VoltageScale } from "./quantize.ts";
import { withOnlineCalibration } from "./hetquant.ts";
import { Random } from "./random.ts";
import { countDemand } from "./resources.ts";
import { forEachStoredSynapse } from "./synapses.ts";

/** What the compiler did to one projection's weights (for `neurocc quantize`'s report). */
export interface QuantizationRecord {
  /** Connection name without its index suffix, e.g. "in->hidden". */
  projection: string;
  bits: number;
  /** One exponent, or one per output channel. */
  exponents: number[];
  /** Worst and RMS rounding error relative to the largest |weight|. */
  maxError: number;
  rmsError: number;
  rounding: "nearest" | "stochastic";
}

export function lowerNetwork(checked: CheckedNetwork, diagnostics: Diagnostic[], onQuantized?: (record: QuantizationRecord) => void): ChipNetwork | null {
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
  for (const connection of checked.connections) {
    const projection = lowerProjection(connection, populations, scales[connection.target]!, checked, diagnostics, onQuantized);
    if (!projection) continue;
    countDemand(projection, populations, fanIn, synapseBits);
    projections.push(projection);
  }
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
    ...(checked.learning ? { learning: { ...checked.learning } } : {}),
  };
}

function lowerProjection(connection: CheckedConnection, populations: Population[], scale: VoltageScale, checked: CheckedNetwork, diagnostics: Diagnostic[], onQuantized?: (record: QuantizationRecord) => void): Projection | null {
  const chip = checked.chip;
  const source = populations[connection.source];
  const target = populations[connection.target];
  const { minWeightExponent, maxWeightExponent } = chip.formats;
  if (connection.exponent !== null && (connection.exponent < minWeightExponent || connection.exponent > maxWeightExponent)) {
    diagnostics.push(error("E106", `exponent ${connection.exponent} of ${describe(connection.name)} is outside the ${chip.preset} chip's range ${minWeightExponent}..${maxWeightExponent}`, connection.span));
    return null;
  }
  if (connection.bits > chip.formats.maxWeightBits) {
    diagnostics.push(error("E106", `${describe(connection.name)} asks for ${connection.bits}-bit weights; the ${chip.preset} chip stores at most ${chip.formats.maxWeightBits}`, connection.span));
    return null;
  }
  const synapses = buildSynapses(connection, source.shape, target.shape, checked.seed);
  const scaled = synapses.weights.map((w) => w * scale.inputGain * scale.lsbPerMv);
  const channels = connection.perChannelExponents ? target.shape[0] : 1;
  const rounding: Rounding = connection.rounding === "stochastic" ? { kind: "stochastic", random: new Random(checked.seed, `${describe(connection.name).slice("connection ".length)}.rounding`) } : { kind: "nearest" };
  const quantized = quantizeByChannel(scaled, channels, channelOfWeight(synapses, source.size, target.size, channels), connection, chip, rounding);
  if (!quantized) {
    diagnostics.push(error("E106", `weights of ${describe(connection.name)} are too large for the ${chip.preset} chip even with its largest exponent (${chip.formats.maxWeightExponent}); lower them or raise vth of '${target.name}'`, connection.span));
    return null;
  }
  if (quantized.relativeError > 0.05) {
    diagnostics.push(warning("W201", `${describe(connection.name)}: ${connection.bits}-bit weights lose up to ${(quantized.relativeError * 100).toFixed(1)}% of the largest weight; consider more bits${channels === 1 && target.shape[0] > 1 ? " or exponents = per_channel" : ""}`, connection.span));
  }
  onQuantized?.({ projection: connection.name.replace(/#\d+$/, ""), bits: connection.bits, exponents: Array.from(quantized.exponents), maxError: quantized.relativeError, rmsError: quantized.rmsError, rounding: connection.rounding });
  const delays = quantizeDelays(synapses, checked.dtMs, chip.limits.maxDelaySteps, connection, diagnostics);
  if (delays === undefined) return null;
  const fixedDelay = connection.delay.kind === "fixed" ? connection.delay.steps : 1;
  if (fixedDelay > chip.limits.maxDelaySteps) {
    diagnostics.push(error("E106", `delay of ${fixedDelay} steps in ${describe(connection.name)} exceeds the ${chip.preset} chip's maximum of ${chip.limits.maxDelaySteps} steps`, connection.span));
    return null;
  }
  return withOnlineCalibration(connection, checked, scale.inputGain * scale.lsbPerMv, {
    name: connection.name,
    source: connection.source,
    target: connection.target,
    connectivity: toConnectivity(synapses, quantized.mantissas, connection.conv),
    weightBits: connection.bits,
    weightExponent: quantized.exponents.length === 1 ? quantized.exponents[0] : Math.max(...quantized.exponents),
    channelExponents: quantized.exponents.length === 1 ? null : quantized.exponents,
    delaySteps: fixedDelay,
    delays,
  });
}

/** Output channel of each stored weight (all 0 when there is one exponent per projection). */
function channelOfWeight(synapses: FloatSynapses, sourceSize: number, targetSize: number, channels: number): (index: number) => number {
  if (channels === 1) return () => 0;
  const perChannel = targetSize / channels;
  switch (synapses.kind) {
    case "dense":
      return (i) => Math.floor(Math.floor(i / sourceSize) / perChannel);
    case "sparse":
      return (i) => Math.floor(synapses.post![i] / perChannel);
    case "oneToOne":
      return (i) => Math.floor(i / perChannel);
    case "conv2d":
      return (i) => Math.floor(i / (synapses.weights.length / channels));
  }
}

/** Quantizes each channel's weights with its own exponent (one channel: the projection's). */
function quantizeByChannel(values: Float64Array, channels: number, channelOf: (index: number) => number, connection: CheckedConnection, chip: ChipNetwork["chip"], rounding: Rounding): { mantissas: Int32Array; exponents: Int32Array; relativeError: number; rmsError: number } | null {
  const sign = weightSign(values);
  if (channels === 1) {
    // One exponent for the projection: no gathering (51 M weights at CUBA 160k made it the hot spot).
    const quantized = quantizeWeights(values, connection.bits, chip, connection.exponent, rounding, sign);
    return quantized && { mantissas: quantized.mantissas, exponents: Int32Array.of(quantized.exponent), relativeError: quantized.relativeError, rmsError: quantized.rmsError };
  }
  const members: number[][] = Array.from({ length: channels }, () => []);
  for (let i = 0; i < values.length; i++) members[channelOf(i)].push(i);
  const mantissas = new Int32Array(values.length);
  const exponents = new Int32Array(channels);
  let relativeError = 0;
  let squares = 0;
  for (let c = 0; c < channels; c++) {
    const quantized = quantizeWeights(Float64Array.from(members[c], (i) => values[i]), connection.bits, chip, connection.exponent, rounding, sign);
    if (!quantized) return null;
    members[c].forEach((i, k) => (mantissas[i] = quantized.mantissas[k]));
    exponents[c] = quantized.exponent;
    relativeError = Math.max(relativeError, quantized.relativeError);
    squares += quantized.rmsError ** 2 * members[c].length;
  }
  return { mantissas, exponents, relativeError, rmsError: values.length ? Math.sqrt(squares / values.length) : 0 };
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
  if (model.shiftDecay && !checked.chip.formats.decayKinds.includes("shift")) {
    diagnostics.push(error("E106", `'${pop.name}' asks for decay = shift, but the ${checked.chip.preset} chip decays by multiplication only; drop 'decay = shift' or use the edge or generic preset`, pop.span));
  }
  const quantized = quantizeNeuron(model, checked.chip);
  if (model.spikeAtEqual && (checked.chip.formats.thresholdShift ?? 0) > 0) {
    diagnostics.push(warning("W203", `'${pop.name}': the ${checked.chip.preset} chip's threshold grid (vth << ${checked.chip.formats.thresholdShift}) cannot express gIF's V ≥ θ; it fires at V > θ`, pop.span));
  }
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
  const toSteps = (ms: number) => Math.round(ms / dtMs);
  switch (encoder.kind) {
    case "rate": {
      const rate: Encoder = { kind: "rate", gain: encoder.gain, offset: encoder.offset, firstSpikeStep: toSteps(encoder.firstSpikeMs) };
      if (encoder.normalization === "l1") rate.normalization = "l1";
      return rate;
    }
    case "latency": {
      const { gain, threshold, linear, normalize, clip } = encoder;
      // snnTorch's tau counts steps; the DSL's is a time, one step by default.
      return { kind: "latency", gain, tauSteps: encoder.tauMs === null ? 1 : encoder.tauMs / dtMs, threshold, linear, normalize, clip, firstSpikeStep: toSteps(encoder.firstSpikeMs) };
    }
    case "delta":
      return { kind: "delta", gain: encoder.gain, threshold: encoder.threshold, offSpikes: encoder.offSpikes, padding: encoder.padding };
    case "phase": {
      const phase: Encoder = { kind: "phase", gain: encoder.gain, cycleSteps: toSteps(encoder.cycleMs), firstSpikeStep: toSteps(encoder.firstSpikeMs), value: encoder.value };
      if (encoder.normalization === "l1") phase.normalization = "l1";
      return phase;
    }
    case "spikes":
      return { kind: "spikes", steps: [...new Set(encoder.timesMs.map(toSteps))].sort((a, b) => a - b) };
  }
}

/**
 * Per-synapse delays in steps, null for a fixed delay, undefined on error. Random draws are rounded
 * to whole steps (documented); delays the user wrote out (a list or a file) must already be whole.
 */
function quantizeDelays(synapses: FloatSynapses, dtMs: number, maxDelay: number, connection: CheckedConnection, diagnostics: Diagnostic[]): Uint8Array | null | undefined {
  if (!synapses.delaysMs) return null;
  const exact = connection.delay.kind === "random" && (connection.delay.initializerMs.kind === "values" || connection.delay.initializerMs.kind === "constant");
  const steps = new Uint8Array(synapses.delaysMs.length);
  for (let i = 0; i < steps.length; i++) {
    const ms = synapses.delaysMs[i];
    const d = Math.round(ms / dtMs);
    if (exact && Math.abs(d * dtMs - ms) > 1e-6 * Math.max(dtMs, Math.abs(ms))) {
      const span = connection.delay.kind === "random" ? connection.delay.span : connection.span;
      diagnostics.push(error("E112", `${describe(connection.name)}: delay ${ms}ms is not a whole number of steps of dt = ${dtMs}ms`, span));
      return undefined;
    }
    if (d < 1 || d > maxDelay) {
      diagnostics.push(error("E106", `${describe(connection.name)} has a delay of ${d} steps; the chip's delays are 1..${maxDelay} steps`, connection.span));
      return undefined;
    }
    steps[i] = d;
  }
  return steps;
}

function toConnectivity(synapses: FloatSynapses, mantissas: Int32Array, conv: CheckedConnection["conv"]): Connectivity {
  if (synapses.kind === "conv2d") return { kind: "conv2d", ...conv!, weights: mantissas };
  if (synapses.kind === "dense") return { kind: "dense", weights: mantissas };
  if (synapses.kind === "oneToOne") return { kind: "oneToOne", weights: mantissas };
  return { kind: "sparse", rowStart: synapses.rowStart!, post: synapses.post!, weights: mantissas };
}

function checkFanOut(projections: Projection[], populations: Population[], placement: ChipNetwork["placement"], chip: ChipNetwork["chip"], neuronCount: number, diagnostics: Diagnostic[]): void {
  const limit = chip.limits.maxFanOutCores;
  if (limit >= placement.cores.length) return;
  const coreOf = coreOfNeurons(placement, populations.map((p) => p.firstNeuron), neuronCount);
  const destinations = new Map<number, Set<number>>();
  for (const projection of projections) {
    const source = populations[projection.source];
    const target = populations[projection.target];
    forEachStoredSynapse(projection, source, target, (pre, post) => {
      const id = source.firstNeuron + pre;
      let set = destinations.get(id);
      if (!set) destinations.set(id, (set = new Set()));
      set.add(coreOf[target.firstNeuron + post]);
    });
  }
  for (const [id, set] of destinations) {
    if (set.size > limit) {
      const pop = populations.find((p) => id >= p.firstNeuron && id < p.firstNeuron + p.size)!;
      diagnostics.push(error("E120", `neuron ${id - pop.firstNeuron} of '${pop.name}' sends to ${set.size} cores; the ${chip.preset} chip allows ${limit} (over by ${set.size - limit}): use fewer, larger cores or a sparser connection`, null));
      return;
    }
  }
}
