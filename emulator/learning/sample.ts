/**
 * @fileoverview One sample through the learning chip, step by step, in the float reference's order
 * (learn/sfdfa/sample.ts; docs/learning.md §8) but in the chip's integers. For each step m and each
 * layer in order:
 *
 *   1. presynaptic traces  p_j ← decayU(p_j) + 4096·s_j[m−d];  Q_j ← decayV(Q_j) + p_j     (Q12)
 *   2. synaptic input      a_i = Σ_j q_ij << unit (the chip's accumulator, docs/chip.md §3 phase 2)
 *                          acc_i += Σ_j trunc(q_ij·ṫ_j·w24 / 2^24)                         (Q16, SFDFA)
 *   3. neuron update       the chip's own updateNeuron (emulator/reference/neuron.ts, §4), inlined
 *   4. at a spike          slope = max(U − V_prev, slope_min); f = clamp(⌊(Θ − V_prev)·4096/slope⌋, 0, 4096)
 *                          c1 = trunc(a·Θ/(2·slope)), c2 = trunc(b·Θ/(2·slope)) with a = b + f,
 *                          b = ((4096 − f)·β⁻¹) >> 12                                        (Q11)
 *                          E_ij −= trunc((c1·Q_j − c2·p_j) / 2^15)                          (Q8)
 *                          ṫ_i = acc_i + ε_i·first_i; acc_i = 0; first_i = 0; D_i += ṫ_i   (Q16)
 *
 * The forward pass (steps 2–3) is exactly the chip's: the test holds its spikes equal to
 * createReferenceEmulator's. Steps 1 and 4 are phase 3 of docs/chip.md §3 (the learning hook).
 * Speed (docs/learning.md §13): typed arrays allocated once per engine (the hot ones in the engine's
 * kernel memory), traces and eligibility rows stored by active slot, delivery and the eligibility
 * loop run by the kernel (wasm or TypeScript), constants hoisted; test/learn/chip-pin.test.ts pins
 * the integers.
 */
import { decayMultiply, decayShift, toInt32 } from "../reference/arithmetic.ts";
import { prng } from "../reference/prng.ts";
import type { LearningChain } from "./chain.ts";
import { FORMAT, perturbationSeed, type LearningEngine, type LearningLayer } from "./state.ts";

/** Spikes grouped by step (CSR): step m's neurons are neurons[stepStart[m] .. stepStart[m + 1]). */
export interface InputRaster {
  steps: number;
  stepStart: Int32Array;
  neurons: Int32Array;
}

/** Work done in one sample, for the chip's cycle and energy model (learning/cost.ts). */
export interface SampleWork {
  neuronUpdates: number;
  synapticEvents: number;
  spikes: number;
  traceUpdates: number;
  eligibilityUpdates: number;
  tangentEvents: number;
}

export interface LayerSampleState {
  readonly current: Int32Array;
  readonly voltage: Int32Array;
  readonly counts: Int32Array;
  /**
   * Presynaptic neurons that have spiked this sample, in order of their first spike: the only ones
   * with non-zero traces, so trace decay and eligibility updates visit just these (event-driven).
   * Neuron activePre[a] owns slot a of the traces and of every eligibility row: the learning unit's
   * memory is allocated per active presynaptic neuron, so its loops run over consecutive words.
   */
  readonly activePre: Int32Array;
  activePreCount: number;
  /** Slot of presynaptic neuron j in activePre, or −1 while j has not spiked this sample. */
  readonly preSlot: Int32Array;
  /** p and Q (Q12) of activePre[a], at slot a. */
  readonly preTrace: Int32Array;
  readonly preTraceQ: Int32Array;
  /**
   * E, post-major, Q8: E_ij of j = activePre[a] at eligibility[i·preSize + a] (chipEligibility reads
   * it by j); only rows of neurons that spiked are non-zero.
   */
  readonly eligibility: Int32Array;
  readonly eligibleNeurons: Int32Array;
  eligibleCount: number;
  /**
   * 1 for a neuron whose membrane hit the voltage limit ±(2^(voltageBits−1) − 1) this sample: its U
   * is clipped, so its E is the chip's, no longer the unclipped float reference's (docs/learning.md §11).
   */
  readonly saturated: Uint8Array;
  /** ε_i in Q16 (±σ); 0 for the output layer, in inference, and in a layer `perturb = alternate` leaves out of this sample. */
  readonly perturbation: Int32Array;
  /** Whether this (hidden) layer drew ε in this sample, i.e. whether its B learns from it. */
  perturbed: boolean;
  readonly tangentAcc: Float64Array;
  readonly tangentFirst: Uint8Array;
  /** D_i = Σ ṫ over i's spikes, Q16. */
  readonly directional: Float64Array;
  readonly spikeStart: Int32Array;
  readonly spikeNeuron: Int32Array;
  readonly spikeTangent: Int32Array;
  /** Scratch: this step's input per neuron. */
  readonly input: Int32Array;
  /** Pseudo-spikes (layer.silentFloor > 0): each neuron's peak pre-reset v and its step, and Q of every step (by slot). */
  readonly peakVoltage: Int32Array;
  readonly peakStep: Int32Array;
  readonly preTraceQHistory: Int32Array;
  /**
   * The silent neurons that pseudo-spiked, after the last step: [0, pseudoCount). Their eligibility
   * (pseudoEligibility) is formed where it is used, in the batch gradient, not stored in `eligibility`.
   */
  readonly pseudoNeurons: Int32Array;
  pseudoCount: number;
}

export interface ChipSampleState {
  readonly layers: LayerSampleState[];
  /** The input raster's spikes of the steps the sample runs, copied into kernel memory (the first layer's sources). */
  readonly inputNeurons: Int32Array;
  readonly work: SampleWork;
}

/**
 * Lengths of the sample state's arrays in kernel memory, in createChipSampleState's order: per layer
 * input, eligibility, preTrace, preTraceQ, activePre, spikeNeuron; then inputNeurons.
 */
export function sampleKernelLengths(chain: LearningChain, steps: number): number[] {
  const perLayer = chain.layers.flatMap(({ population: { size }, preSize }) => [size, size * preSize, preSize, preSize, preSize, size * steps]);
  return [...perLayer, chain.input.size * steps];
}

export function createChipSampleState(engine: LearningEngine): ChipSampleState {
  const steps = engine.settings.steps;
  const { kernel } = engine;
  return {
    layers: engine.layers.map(({ size, preSize, silentFloor }) => ({
      input: kernel.int32(size), eligibility: kernel.int32(size * preSize),
      preTrace: kernel.int32(preSize), preTraceQ: kernel.int32(preSize), activePre: kernel.int32(preSize),
      spikeNeuron: kernel.int32(size * steps),
      current: new Int32Array(size), voltage: new Int32Array(size), counts: new Int32Array(size),
      activePreCount: 0, preSlot: new Int32Array(preSize).fill(-1),
      eligibleNeurons: new Int32Array(size), eligibleCount: 0, saturated: new Uint8Array(size),
      perturbation: new Int32Array(size), perturbed: false, tangentAcc: new Float64Array(size), tangentFirst: new Uint8Array(size),
      directional: new Float64Array(size),
      spikeStart: new Int32Array(steps + 1), spikeTangent: new Int32Array(size * steps),
      peakVoltage: new Int32Array(size), peakStep: new Int32Array(size),
      preTraceQHistory: new Int32Array(silentFloor > 0 ? preSize * steps : 0),
      pseudoNeurons: new Int32Array(size), pseudoCount: 0,
    })),
    inputNeurons: kernel.int32(engine.chain.input.size * steps),
    work: { neuronUpdates: 0, synapticEvents: 0, spikes: 0, traceUpdates: 0, eligibilityUpdates: 0, tangentEvents: 0 },
  };
}

/** Largest value of the unsigned 31-bit trace registers (saturating). */
const TRACE_MAX = 2 ** 31 - 1;
const TRACE_ONE = 1 << FORMAT.traceFraction;
// E_ij −= trunc(c·trace / 2^15): c·trace is Q(11 + 12) and E is Q8 (FORMAT), the kernel's fixed shift.

/**
 * Runs one sample. With `learning`, keeps traces and eligibilities and (SFDFA) draws ε for training
 * sample `sampleIndex` and carries tangents; without, it is the plain chip forward pass.
 */
export function runChipSample(engine: LearningEngine, state: ChipSampleState, input: InputRaster, learning: boolean, sampleIndex = engine.samplesSeen): void {
  const withTangents = learning && engine.settings.rule === "sfdfa";
  resetState(engine, state, withTangents ? sampleIndex : null);
  const { steps } = engine.settings;
  // Spikes arriving after the last step are never delivered; at most one per input neuron and step.
  const lastStep = Math.max(0, Math.min(input.steps, steps - engine.layers[0].chain.delaySteps));
  const inputSpikes = input.stepStart[lastStep];
  if (inputSpikes > state.inputNeurons.length) throw new RangeError(`input raster has ${inputSpikes} spikes in ${lastStep} steps of ${engine.chain.input.size} neurons`);
  state.inputNeurons.set(input.neurons.subarray(0, inputSpikes));
  for (let m = 0; m < steps; m++) {
    for (let l = 0; l < engine.layers.length; l++) {
      const layer = engine.layers[l];
      const arrival = m - layer.chain.delaySteps;
      let start = 0, end = 0;
      let sourceNeurons = state.inputNeurons;
      let sourceTangents: Int32Array | null = null;
      if (arrival >= 0 && (l > 0 || arrival < input.steps)) {
        if (l === 0) {
          start = input.stepStart[arrival];
          end = input.stepStart[arrival + 1];
        } else {
          const below = state.layers[l - 1];
          start = below.spikeStart[arrival];
          end = below.spikeStart[arrival + 1];
          sourceNeurons = below.spikeNeuron;
          sourceTangents = withTangents ? below.spikeTangent : null;
        }
      }
      stepLayer(engine, layer, state, l, m, sourceNeurons, sourceTangents, start, end, learning, withTangents);
    }
  }
  if (learning) engine.layers.forEach((layer, l) => { if (layer.silentFloor > 0) addPseudoSpikes(layer, state.layers[l], state.work); });
  for (const s of state.layers) state.work.neuronUpdates += s.counts.length * steps;
  state.work.neuronUpdates += engine.chain.input.size * steps;
}

/**
 * Whether hidden layer `hiddenIndex` (of `hiddenCount`, input side first) draws ε in training sample
 * `sample`: always with `perturb = all`; with `alternate` only when sample mod hiddenCount is its index.
 */
function isPerturbedLayer(perturbLayers: "all" | "alternate" | undefined, hiddenIndex: number, hiddenCount: number, sample: number): boolean {
  if (hiddenIndex >= hiddenCount) return false;
  return perturbLayers !== "alternate" || (sample >>> 0) % hiddenCount === hiddenIndex;
}

function resetState(engine: LearningEngine, state: ChipSampleState, perturbationSample: number | null): void {
  const sigmaQ16 = 2 ** (FORMAT.tangentFraction + engine.settings.perturbationLog2);
  const streamSeed = perturbationSeed(engine.seed);
  engine.layers.forEach((layer, l) => {
    const s = state.layers[l];
    for (const array of [s.current, s.voltage, s.counts, s.preTrace, s.preTraceQ, s.spikeStart, s.perturbation, s.saturated, s.peakStep]) array.fill(0);
    s.peakVoltage.fill(-(2 ** 31));
    s.pseudoCount = 0;
    s.tangentAcc.fill(0);
    s.directional.fill(0);
    s.tangentFirst.fill(1);
    // Only slots below the final active count were written in the rows of neurons that spiked.
    for (let k = 0; k < s.eligibleCount; k++) {
      const row = s.eligibleNeurons[k] * layer.preSize;
      s.eligibility.fill(0, row, row + s.activePreCount);
    }
    s.eligibleCount = 0;
    for (let a = 0; a < s.activePreCount; a++) s.preSlot[s.activePre[a]] = -1;
    s.activePreCount = 0;
    s.perturbed = perturbationSample !== null && isPerturbedLayer(engine.settings.perturbLayers, l, engine.layers.length - 1, perturbationSample);
    if (s.perturbed && perturbationSample !== null) {
      // ε = ±σ from the top bit of the chip PRNG, keyed like the float reference's "sign" draws.
      for (let i = 0; i < layer.size; i++) s.perturbation[i] = prng(streamSeed, perturbationSample >>> 0, layer.firstNeuronId + i) >>> 31 ? -sigmaQ16 : sigmaQ16;
    }
  });
  for (const key of Object.keys(state.work) as (keyof SampleWork)[]) state.work[key] = 0;
}

/**
 * One step of one layer. Written for speed without changing a single integer (a test pins a short
 * training run's checksum): the neuron update is the chip's updateNeuron (emulator/reference/
 * neuron.ts) inlined for this engine's neurons (reset = subtract, no refractory period, both checked
 * by the chain), with the decay kind and constants hoisted out of the loops; traces and eligibilities
 * visit only the presynaptic neurons that have fired (the active list, by slot).
 */
function stepLayer(
  engine: LearningEngine, layer: LearningLayer, state: ChipSampleState, l: number, m: number,
  sourceNeurons: Int32Array, sourceTangents: Int32Array | null, start: number, end: number,
  learning: boolean, withTangents: boolean,
): void {
  const s = state.layers[l];
  const { size, preSize, fanOut, fanOutInput, fanOutNonZero } = layer;
  const { decay, threshold, bias } = layer.chain.constants;
  const formats = engine.network.chip.formats;
  const voltageLimit = 2 ** (formats.voltageBits - 1) - 1;
  // wrapCurrent (emulator/reference/arithmetic.ts) inlined with its bound hoisted: its per-call
  // 2 ** (currentBits − 1) was a third of the training time.
  const currentHalf = 2 ** (formats.currentBits - 1);
  const currentSpan = 2 * currentHalf;
  const multiply = decay.kind === "multiply";
  const currentDecay = decay.kind === "multiply" ? decay.currentRetain : decay.currentShift;
  const voltageDecay = decay.kind === "multiply" ? decay.voltageRetain : decay.voltageShift;
  const work = state.work;

  // 1. Presynaptic traces, decayed by this layer's own current and voltage decays.
  // A neuron that has not spiked yet has p = Q = 0 and keeps them: only the active list is visited.
  if (learning) {
    const { preTrace, preTraceQ, activePre, preSlot } = s;
    let activeCount = s.activePreCount;
    for (let a = 0; a < activeCount; a++) {
      preTrace[a] = multiply ? decayMultiply(preTrace[a], currentDecay) : decayShift(preTrace[a], currentDecay);
    }
    for (let k = start; k < end; k++) {
      const j = sourceNeurons[k];
      let a = preSlot[j];
      if (a < 0) {
        a = activeCount++;
        preSlot[j] = a;
        activePre[a] = j;
      }
      preTrace[a] = Math.min(TRACE_MAX, preTrace[a] + TRACE_ONE);
    }
    s.activePreCount = activeCount;
    for (let a = 0; a < activeCount; a++) {
      const q = preTraceQ[a];
      preTraceQ[a] = Math.min(TRACE_MAX, (multiply ? decayMultiply(q, voltageDecay) : decayShift(q, voltageDecay)) + preTrace[a]);
    }
    work.traceUpdates += preSize;
    if (layer.silentFloor > 0) {
      s.preTraceQHistory.set(preTraceQ, m * preSize); // the learning unit's trace history: one word per trace (slot) per step
      work.traceUpdates += preSize;
    }
  }
  // 2. The chip's synaptic delivery (the Int32Array store keeps the sum modulo 2^32, as the
  // accumulator), and the tangent drive.
  const { input, tangentAcc } = s;
  input.fill(0);
  engine.kernel.deliverRows(input, fanOutInput, sourceNeurons, start, end, size);
  let events = 0;
  for (let k = start; k < end; k++) {
    const j = sourceNeurons[k];
    events += fanOutNonZero[j];
    const tangent = sourceTangents === null ? 0 : sourceTangents[k];
    if (tangent !== 0) {
      const row = j * size;
      const scaled = tangent * layer.weightToThresholdQ24;
      for (let i = 0; i < size; i++) tangentAcc[i] += Math.trunc((fanOut[row + i] * scaled) / 16777216);
      work.tangentEvents += size;
    }
  }
  work.synapticEvents += events;
  // 3–4. The chip's neuron update (updateNeuron, inlined); at a spike, the learning hook.
  const { current, voltage, saturated, counts, spikeNeuron, spikeTangent, perturbation, tangentFirst, directional } = s;
  const carriesTangent = sourceTangents !== null || withTangents;
  const tracksPeak = learning && layer.silentFloor > 0;
  const { peakVoltage, peakStep } = s;
  let slot = s.spikeStart[m];
  for (let i = 0; i < size; i++) {
    const previousVoltage = voltage[i];
    let u = toInt32((multiply ? decayMultiply(current[i], currentDecay) : decayShift(current[i], currentDecay)) + input[i]);
    if (u > currentHalf) u -= currentSpan;
    else if (u <= -currentHalf) u += currentSpan;
    current[i] = u;
    let v = toInt32((multiply ? decayMultiply(previousVoltage, voltageDecay) : decayShift(previousVoltage, voltageDecay)) + u + bias);
    if (v > voltageLimit) v = voltageLimit;
    else if (v < -voltageLimit) v = -voltageLimit;
    if (v <= threshold) {
      voltage[i] = v;
      if (tracksPeak && v > peakVoltage[i]) {
        peakVoltage[i] = v;
        peakStep[i] = m;
      }
      if (v <= -voltageLimit) saturated[i] = 1;
      continue;
    }
    voltage[i] = v - threshold; // reset = subtract; v is U before the reset
    if (v >= voltageLimit) saturated[i] = 1;
    if (learning) accumulateEligibility(engine, layer, s, i, previousVoltage, v, work);
    let tangentOut = 0;
    if (carriesTangent) {
      tangentOut = tangentAcc[i] + perturbation[i] * tangentFirst[i];
      tangentAcc[i] = 0;
      tangentFirst[i] = 0;
      directional[i] += tangentOut;
    }
    counts[i]++;
    spikeNeuron[slot] = i;
    spikeTangent[slot] = tangentOut;
    slot++;
  }
  work.spikes += slot - s.spikeStart[m];
  s.spikeStart[m + 1] = slot;
}

/** E_ij −= ∂t*_i/∂w_ij at a spike of i (docs/learning.md §2 and §11), in Q8 steps per threshold unit. */
function accumulateEligibility(engine: LearningEngine, layer: LearningLayer, s: LayerSampleState, i: number, previousVoltage: number, membrane: number, work: SampleWork): void {
  if (s.counts[i] === 0) s.eligibleNeurons[s.eligibleCount++] = i;
  const crossing = layer.crossing;
  const slope = Math.max(membrane - previousVoltage, layer.slopeMin);
  const fraction = Math.min(4096, Math.max(0, Math.floor(((crossing - previousVoltage) * 4096) / slope)));
  const before = Math.floor(((4096 - fraction) * layer.betaInverseQ12) / 4096); // (1 − f)/β, Q12
  const after = before + fraction; // (1 − f)/β + f, Q12
  // c = x·Θ/slope in Q11 from x in Q12: x·Θ·2^11 / (2^12·slope).
  const c1 = Math.trunc((after * crossing) / (2 * slope));
  const c2 = Math.trunc((before * crossing) / (2 * slope));
  engine.kernel.accumulateEligibility(s.eligibility, i * layer.preSize, s.preTraceQ, s.preTrace, c1, c2, s.activePreCount);
  work.eligibilityUpdates += layer.preSize;
}

/**
 * Pseudo-spikes, after the last step: a hidden neuron that stayed silent but whose membrane peaked at
 * v ≥ silentFloor joins `pseudoNeurons`; its eligibility is pseudoEligibility (docs/learning.md §4).
 */
function addPseudoSpikes(layer: LearningLayer, s: LayerSampleState, work: SampleWork): void {
  const { counts, peakVoltage } = s;
  for (let i = 0; i < layer.size; i++) {
    if (counts[i] > 0 || peakVoltage[i] < layer.silentFloor) continue;
    s.pseudoNeurons[s.pseudoCount++] = i;
    work.eligibilityUpdates += layer.preSize;
  }
}

/** E_ij (Q8) of a neuron i that spiked, by presynaptic index j (E is stored by j's slot). */
export function chipEligibility(layer: LearningLayer, s: LayerSampleState, i: number, j: number): number {
  const a = s.preSlot[j];
  return a < 0 ? 0 : s.eligibility[i * layer.preSize + a];
}

/**
 * E_ij of a pseudo-spike of i at its peak step m*, slope Θ (c1 = 1 in Q11, c2 = 0):
 * −trunc(2048·Q_j(m*)/2^15) = −(Q_j(m*) >> 4), Q8 from the Q12 trace history; the float reference's −Q_j(m*)/ϑ.
 */
export function pseudoEligibility(layer: LearningLayer, s: LayerSampleState, i: number, j: number): number {
  const a = s.preSlot[j];
  return a < 0 ? 0 : -(s.preTraceQHistory[s.peakStep[i] * layer.preSize + a] >> 4);
}
