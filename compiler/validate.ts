/**
 * @fileoverview Structural validation of a ChipNetwork read from outside (an image file, a test
 * generator): types, array lengths, index ranges and every integer against the chip's formats
 * (docs/chip.md §2). Returns the first problem in words, or null. The emulators rely on this: they
 * never see a network that could make them read out of bounds.
 */
import type { ChipNetwork, Encoder, LearningSpec, Population, Projection } from "./ir.ts";
import { onlineCalibrationProblem } from "./hetquant.ts";

type Problem = string | null;

const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);
const inRange = (x: unknown, low: number, high: number): boolean => isInt(x) && x >= low && x <= high;

export function validateNetwork(value: unknown): Problem {
  try {
    return validate(value as ChipNetwork);
  } catch (e) {
    return `malformed network (${e instanceof Error ? e.message : String(e)})`;
  }
}

function validate(net: ChipNetwork): Problem {
  if (typeof net !== "object" || net === null) return "the network is not an object";
  const chip = net.chip;
  if (!chip?.formats || !chip.limits || !chip.timing || !chip.energy) return "the chip configuration is incomplete";
  const f = chip.formats;
  if (!inRange(f.currentBits, 2, 32) || !inRange(f.voltageBits, 2, 32)) return "state widths must be 2..32 bits";
  if (!inRange(f.weightShift, 0, 16) || !isInt(f.minWeightExponent) || !isInt(f.maxWeightExponent)) return "bad weight format";
  if (!inRange(chip.coreCount, 1, 1 << 24) || !inRange(chip.meshWidth, 1, 1 << 24)) return "bad core count or mesh width";
  if (!inRange(chip.limits.maxDelaySteps, 1, 255)) return "maxDelaySteps must be 1..255";
  if (!Array.isArray(net.populations) || !Array.isArray(net.projections)) return "populations or projections missing";
  if (!isInt(net.seed) || !isInt(net.defaultSteps) || net.defaultSteps < 0) return "bad seed or default steps";
  if (typeof net.dtUs !== "number" || !(net.dtUs > 0) || !Number.isFinite(net.dtUs)) return "dtUs must be a positive number";
  let expectedFirst = 0;
  for (const [i, pop] of net.populations.entries()) {
    const problem = validatePopulation(pop, expectedFirst, net);
    if (problem) return `population ${i} (${pop?.name}): ${problem}`;
    expectedFirst += pop.size;
  }
  for (const [i, projection] of net.projections.entries()) {
    const problem = validateProjection(projection, net);
    if (problem) return `projection ${i} (${projection?.name}): ${problem}`;
  }
  if (net.learning !== undefined) {
    const problem = validateLearning(net.learning, net);
    if (problem) return `learning: ${problem}`;
  }
  return validatePlacement(net, expectedFirst);
}

/** The optional `learning` section: ranges as compiler/check-learn.ts checks them. */
function validateLearning(l: LearningSpec, net: ChipNetwork): Problem {
  if (typeof l !== "object" || l === null) return "not an object";
  if (l.rule !== "sfdfa" && l.rule !== "dfa") return "rule must be sfdfa or dfa";
  const output = net.populations.find((p) => p.name === l.output);
  if (!output || output.kind !== "neuron") return `output '${String(l.output)}' is not a layer of the network`;
  const within = (x: number, low: number, high: number) => typeof x === "number" && x >= low && x <= high;
  if (!(l.learningRate > 0 && l.learningRate <= 1)) return "learningRate must be in (0, 1]";
  if (l.loss !== undefined && l.loss !== "spike_count" && l.loss !== "spike_count_hinge") return "loss must be spike_count or spike_count_hinge";
  if (l.perturbLayers !== undefined && l.perturbLayers !== "all" && l.perturbLayers !== "alternate") return "perturbLayers must be all or alternate";
  if (l.outputErrorPerSpike !== undefined && typeof l.outputErrorPerSpike !== "boolean") return "outputErrorPerSpike must be a boolean";
  if (l.silentFloorFraction !== undefined && !(l.silentFloorFraction >= 0 && l.silentFloorFraction <= 1)) return "silentFloorFraction must be in [0, 1]";
  if (l.outputsPerClass !== undefined && !(inRange(l.outputsPerClass, 1, 4096) && output.size % l.outputsPerClass === 0)) return "outputsPerClass must be 1..4096 and divide the output layer's size";
  if (l.outputLearningRate !== undefined && !(l.outputLearningRate > 0 && l.outputLearningRate <= 1)) return "outputLearningRate must be in (0, 1]";
  if (!inRange(l.perturbationLog2, -8, 4) || !inRange(l.feedbackRateShift, 0, 16)) return "bad perturbation or feedback shift";
  if (l.weightAverageShift !== undefined && !inRange(l.weightAverageShift, 1, 16)) return "weightAverageShift must be an integer in [1, 16]";
  if (l.weightDecay !== undefined && !within(l.weightDecay, 0, 64)) return "weightDecay must be in [0, 64]";
  if (!inRange(l.adamFirstShift, 1, 12) || !inRange(l.adamSecondShift, 1, 16)) return "bad Adam shifts";
  if (!inRange(l.batchSize, 1, 4096)) return "batchSize must be 1..4096";
  if (!within(l.dfaFeedbackRange, 0, 16) || !within(l.rateRegularisation, 0, 16) || !(l.slopeMinFraction > 0 && l.slopeMinFraction <= 1)) return "bad feedback range, rate regulariser or slope";
  if (![l.targetTrueCount, l.targetOtherCount, l.rateTargetSpikes].every((x) => within(x, 0, 1e9))) return "bad spike targets";
  const numbers = (list: unknown, low: number, high: number) => list === undefined || (Array.isArray(list) && list.length > 0 && list.every((x) => within(x, low, high)));
  if (!numbers(l.layerRateRegularisation, 0, 16) || !numbers(l.layerRateTargetSpikes, 0, 1e9)) return "bad per-layer rate regulariser or target";
  if (!numbers(l.layerLearningRate, Number.MIN_VALUE, 1)) return "layerLearningRate must be in (0, 1]";
  return null;
}

/** The latency, delta and phase encoders (docs/ir.md): finite gains, ranges as the DSL checks them. */
function validateEncoder(e: Encoder, pop: Population): Problem {
  const normalization = "normalization" in e ? e.normalization : undefined;
  if (!("gain" in e) || !Number.isFinite(e.gain) || ![undefined, "none", "l1"].includes(normalization)) return `bad ${e.kind} encoder`;
  switch (e.kind) {
    case "latency":
      return e.tauSteps > 0 && Number.isFinite(e.tauSteps) && e.threshold > 0 && e.threshold < 1 && inRange(e.firstSpikeStep, 0, 2 ** 31) ? null : "bad latency encoder";
    case "delta":
      return e.threshold > 0 && Number.isFinite(e.threshold) && (!e.offSpikes || (pop.size % 2 === 0 && pop.shape[0] === 2)) ? null : "bad delta encoder (off spikes need shape [2, …])";
    case "phase":
      return inRange(e.cycleSteps, 1, 2 ** 31) && inRange(e.firstSpikeStep, 0, 2 ** 31) && (e.value === null || Number.isFinite(e.value)) ? null : "bad phase encoder";
    default:
      return "unknown encoder";
  }
}

function validatePopulation(pop: Population, expectedFirst: number, net: ChipNetwork): Problem {
  if (!inRange(pop.size, 1, 1 << 28)) return "size must be ≥ 1";
  if (!Array.isArray(pop.shape) || !pop.shape.every((d) => inRange(d, 1, 1 << 28)) || pop.shape.reduce((a, b) => a * b, 1) !== pop.size) return "shape does not multiply to size";
  if (pop.firstNeuron !== expectedFirst) return "neuron ids are not contiguous";
  if (pop.initialVoltage !== null && !(pop.initialVoltage instanceof Int32Array && pop.initialVoltage.length === pop.size)) return "initialVoltage has the wrong length or type";
  const vMax = 2 ** (net.chip.formats.voltageBits - 1) - 1;
  if (pop.initialVoltage?.some((v) => v < -vMax || v > vMax)) return "initialVoltage out of the voltage range";
  if (pop.kind === "input") {
    const e = pop.encoder;
    if (!e) return "input without encoder";
    if (e.kind === "rate") return Number.isFinite(e.gain) && Number.isFinite(e.offset) && inRange(e.firstSpikeStep, 0, 2 ** 31) && [undefined, "none", "l1"].includes(e.normalization) ? null : "bad rate encoder";
    if (e.kind === "spikes") return Array.isArray(e.steps) && e.steps.every((s) => inRange(s, 0, 2 ** 31)) ? null : "bad spike times";
    return validateEncoder(e, pop);
  }
  if (pop.kind !== "neuron" || !pop.neuron) return "neuron population without constants";
  const n = pop.neuron;
  const d = n.decay;
  if (!net.chip.formats.decayKinds.includes(d.kind)) return `the chip has no ${d.kind} decay`;
  if (d.kind === "multiply") {
    if (!inRange(d.currentRetain, 0, 4096) || !inRange(d.voltageRetain, 0, 4096)) return "decay retain must be 0..4096";
  } else if (d.kind === "shift") {
    if (!inRange(d.currentShift, 0, 31) || !inRange(d.voltageShift, 0, 31)) return "decay shift must be 0..31";
  } else return "unknown decay kind";
  if (!inRange(n.threshold, -vMax, vMax) || !inRange(n.bias, -vMax, vMax)) return "threshold or bias out of the voltage range";
  if (n.threshold % 2 ** (net.chip.formats.thresholdShift ?? 0) !== 0) return "threshold is off the chip's threshold grid";
  if (!inRange(n.refractorySteps, 0, 255)) return "refractorySteps must be 0..255";
  const r = n.reset;
  if (!(r.kind === "zero" || r.kind === "subtract" || (r.kind === "value" && inRange(r.value, -vMax, vMax)))) return "bad reset";
  return null;
}

function validateProjection(p: Projection, net: ChipNetwork): Problem {
  const pops = net.populations;
  if (!inRange(p.source, 0, pops.length - 1) || !inRange(p.target, 0, pops.length - 1)) return "source or target out of range";
  if (pops[p.target].kind !== "neuron") return "target is an input population";
  const f = net.chip.formats;
  if (!inRange(p.weightBits, 1, Math.min(16, f.maxWeightBits))) return `weightBits must be 1..${Math.min(16, f.maxWeightBits)}`;
  const exponents = p.channelExponents ? [...p.channelExponents] : [p.weightExponent];
  if (p.channelExponents && !(p.channelExponents instanceof Int32Array && p.channelExponents.length === pops[p.target].shape[0] && pops[p.target].size % p.channelExponents.length === 0)) {
    return "channelExponents must have one entry per output channel (target.shape[0])";
  }
  for (const e of exponents) {
    if (!inRange(e, f.minWeightExponent, f.maxWeightExponent) || f.weightShift + e < 0) return "weight exponent out of the chip's range";
    if (f.weightShift + e > 30) return "weight exponent too large";
  }
  if (!inRange(p.delaySteps, 1, net.chip.limits.maxDelaySteps)) return "delaySteps out of range";
  const sourceSize = pops[p.source].size;
  const targetSize = pops[p.target].size;
  const c = p.connectivity;
  let count: number;
  if (c.kind === "dense") {
    count = sourceSize * targetSize;
    if (!(c.weights instanceof Int32Array) || c.weights.length !== count) return "dense weights have the wrong length";
  } else if (c.kind === "oneToOne") {
    count = sourceSize;
    if (sourceSize !== targetSize || !(c.weights instanceof Int32Array) || c.weights.length !== count) return "one-to-one sizes differ";
  } else if (c.kind === "sparse") {
    if (!(c.rowStart instanceof Int32Array) || c.rowStart.length !== sourceSize + 1 || c.rowStart[0] !== 0) return "bad CSR rowStart";
    count = c.rowStart[sourceSize];
    for (let i = 0; i < sourceSize; i++) if (c.rowStart[i + 1] < c.rowStart[i]) return "CSR rowStart is not increasing";
    if (!(c.post instanceof Int32Array) || !(c.weights instanceof Int32Array) || c.post.length !== count || c.weights.length !== count) return "CSR arrays have the wrong length";
    if (c.post.some((j) => j < 0 || j >= targetSize)) return "CSR target index out of range";
  } else if (c.kind === "conv2d") {
    const problem = validateConv(c, pops[p.source].shape, pops[p.target].shape);
    if (problem) return problem;
    count = c.weights.length;
    if (p.delays !== null) return "a convolution has one delay, not per-synapse delays";
  } else return "unknown connectivity";
  // Unsigned (sign-mode) mantissas below 16 bits, two's complement at 16: all fit a signed 16-bit word.
  const limit = 2 ** p.weightBits;
  if (c.weights.some((w) => w <= -limit || w >= limit || w < -32768 || w > 32767)) return `a weight mantissa does not fit ${p.weightBits} bits`;
  if (p.delays !== null) {
    if (!(p.delays instanceof Uint8Array) || p.delays.length !== count) return "per-synapse delays have the wrong length";
    if (p.delays.some((d) => d < 1 || d > net.chip.limits.maxDelaySteps)) return "a per-synapse delay is out of range";
  }
  if (p.calibration !== undefined) return onlineCalibrationProblem(p, net);
  return null;
}

function validatePlacement(net: ChipNetwork, neuronCount: number): Problem {
  const cores = net.placement?.cores;
  if (!Array.isArray(cores) || cores.length > net.chip.coreCount) return "placement uses more cores than the chip has";
  const covered = new Uint8Array(neuronCount);
  for (const [core, slices] of cores.entries()) {
    let neurons = 0;
    for (const s of slices) {
      const pop = net.populations[s.population];
      if (!pop || !inRange(s.start, 0, pop.size - 1) || !inRange(s.count, 1, pop.size - s.start)) return `placement slice on core ${core} is out of range`;
      for (let i = 0; i < s.count; i++) {
        if (covered[pop.firstNeuron + s.start + i]++) return "a neuron is placed twice";
      }
      neurons += s.count;
    }
    if (neurons > net.chip.limits.neuronsPerCore) return `core ${core} holds more neurons than the chip allows`;
  }
  if (covered.some((c) => c === 0)) return "a neuron is not placed on any core";
  if (!Array.isArray(net.probes) || net.probes.some((p) => !inRange(p.population, 0, net.populations.length - 1) || net.populations[p.population].kind !== "neuron" || (p.variable !== "v" && p.variable !== "u"))) return "bad probe";
  return null;
}

function validateConv(c: Extract<Projection["connectivity"], { kind: "conv2d" }>, sourceShape: number[], targetShape: number[]): Problem {
  if (sourceShape.length !== 3 || targetShape.length !== 3) return "a convolution needs [C, H, W] shapes on both sides";
  const [inC, inH, inW] = sourceShape;
  const [outC, outH, outW] = targetShape;
  const [kh, kw] = c.kernel ?? [];
  if (![kh, kw, ...c.stride, ...c.padding].every((x) => inRange(x, 0, 1 << 16)) || kh < 1 || kw < 1 || c.stride[0] < 1 || c.stride[1] < 1) return "bad kernel, stride or padding";
  if (!inRange(c.groups, 1, inC) || inC % c.groups !== 0 || outC % c.groups !== 0) return "groups must divide both channel counts";
  if (Math.floor((inH + 2 * c.padding[0] - kh) / c.stride[0]) + 1 !== outH || Math.floor((inW + 2 * c.padding[1] - kw) / c.stride[1]) + 1 !== outW) return "the target shape is not the convolution's output shape";
  if (!(c.weights instanceof Int32Array) || c.weights.length !== outC * (inC / c.groups) * kh * kw) return "conv2d weights have the wrong length";
  return null;
}
