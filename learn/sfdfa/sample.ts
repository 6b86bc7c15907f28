/**
 * @fileoverview One sample through the float reference, step by step, in the order the chip will
 * do it (docs/learning.md §1–§3). For each step m and each layer in order:
 *
 *   1. presynaptic traces   p_j ← α·p_j + s_j[m];  Q_j ← β·Q_j + p_j               (learning only)
 *   2. synaptic current     I_i ← α·I_i + Σ_j w_ij·s_j[m];  drive_i = Σ_j w_ij·s_j[m]·ṫ_j
 *   3. tangent              simple: acc_i += drive_i
 *                           exact:  Ȧ_i ← β·Ȧ_i + λ_β·drive_i;  Ḃ_i ← α·Ḃ_i + λ_α·drive_i;  Ṙ_i ← β·Ṙ_i;
 *                                   U̇_i = (β·Ȧ_i − α·Ḃ_i)/(β − α) + Ṙ_i
 *   4. membrane             U_i = β·V_i + I_i;  spike if U_i ≥ ϑ;  V_i ← U_i − ϑ·s_i
 *   5. at a spike           slope = max(U_i − V_prev, slope_min);  f = clamp((ϑ − V_prev)/slope, 0, 1)
 *                           E_ij += −(c1·Q_j − c2·p_j), c1 = ((1 − f)/β + f)/slope, c2 = (1 − f)/(β·slope)
 *                           simple: ṫ_i = acc_i + ε_i·first_i; acc_i = 0; first_i = 0
 *                           exact:  ṫ_i = −((1 − f)·V̇_prev + f·U̇_i)/slope + ε_i;  Ṙ_i −= ϑ·λ_β·ṫ_i
 *                           D_i += ṫ_i;  count_i += 1
 *   6. exact tangent        V̇_i = U̇_i − ϑ·λ_β·ṫ_i·s_i
 *
 * Pseudo-spikes (silentEligibilityFraction φ > 0, hidden layers): each neuron's peak U and its step m*
 * are kept, and Q_j of every step; after the last step a neuron that never spiked but peaked at
 * U ≥ φ·ϑ gets E_ij = −Q_j(m*)/ϑ (a spike at m* with slope ϑ) and joins the eligible neurons.
 *
 * s_j[m] is layer l−1's spike of step m − delaySteps (the input raster for the first layer). The
 * spike time t* = m − 1 + f (linear interpolation between (m − 1, V_prev) and (m, U)) is what E,
 * ṫ and D differentiate; the spikes themselves stay on the step grid.
 */
import type { FloatNetwork } from "./network.ts";
import { unitPerturbation } from "./network.ts";
import type { SpikeRaster } from "./encode.ts";

/** What one layer keeps during a sample; every array is reset at the start of the next one. */
export interface LayerSampleState {
  /** I_i: synaptic current. */
  readonly current: Float64Array;
  /** V_i: membrane after the reset of the last step (V_prev of the next step). */
  readonly voltage: Float64Array;
  /** Spikes of each neuron in this sample. */
  readonly counts: Int32Array;
  /** p_j = ∂I_i/∂w_ij and Q_j = ∂U_i/∂w_ij, per presynaptic neuron (shared by all i). */
  readonly preTrace: Float64Array;
  readonly preTraceQ: Float64Array;
  /** E_ij = Σ_spikes ∂(t*_i)/∂w_ij, post-major like the weights; only rows of neurons that spiked are non-zero. */
  readonly eligibility: Float64Array;
  /** The neurons whose eligibility row is non-zero, in order of their first spike: [0, eligibleCount). */
  readonly eligibleNeurons: Int32Array;
  eligibleCount: number;
  /** ε_i of this sample (σ included); 0 in the output layer and outside training. */
  readonly perturbation: Float64Array;
  /** Whether this hidden layer drew ε in this sample (its B learns from it). */
  perturbed: boolean;
  /** Σ_j w_ij·s_j·ṫ_j of the current step (scratch). */
  readonly drive: Float64Array;
  /** Simple tangent: acc_i, and first_i = 1 until neuron i's first spike. */
  readonly tangentAcc: Float64Array;
  readonly tangentFirst: Uint8Array;
  /** Exact tangent: Ȧ_i, Ḃ_i, Ṙ_i and V̇_i (post-reset). */
  readonly tangentA: Float64Array;
  readonly tangentB: Float64Array;
  readonly tangentReset: Float64Array;
  readonly tangentVoltage: Float64Array;
  /** D_i = Σ_m s_i[m]·ṫ_i[m]: the directional derivative of Σ_k t*_ik (used for the output layer). */
  readonly directional: Float64Array;
  /** This sample's spikes, grouped by step (CSR), and the tangent each carried. */
  readonly spikeStart: Int32Array;
  readonly spikeNeuron: Int32Array;
  readonly spikeTangent: Float64Array;
  /** Pseudo-spikes (config.silentEligibilityFraction > 0): each neuron's peak U and its step, and Q_j per step. */
  readonly peakMembrane: Float64Array;
  readonly peakStep: Int32Array;
  readonly preTraceQHistory: Float64Array;
}

/** One spike, recorded for tests and diagnostics when `record` is set. */
export interface SpikeRecord {
  layer: number;
  neuron: number;
  step: number;
  /** f: the spike time is t* = step − 1 + f. */
  fraction: number;
  slope: number;
  /** True when slope or f was clamped (the gradient there is not the exact derivative). */
  clamped: boolean;
  tangent: number;
}

export interface SampleState {
  readonly layers: LayerSampleState[];
  records: SpikeRecord[] | null;
}

export interface SampleOptions {
  /** Keep traces, eligibilities and (SFDFA) tangents; false for inference. */
  learning: boolean;
  /** Index k of the training sample: keys the ε draws. */
  sampleIndex?: number;
  /** Record every spike in `state.records`. */
  record?: boolean;
  /**
   * ε per layer (σ included) instead of the PRNG draws, e.g. a unit vector to read one column of
   * the sensitivities; entries for the output layer must be 0.
   */
  perturbations?: readonly Float64Array[];
}

export function createSampleState(network: FloatNetwork): SampleState {
  const steps = network.config.steps;
  const layers = network.layers.map((layer): LayerSampleState => {
    const { size, preSize } = layer;
    return {
      current: new Float64Array(size), voltage: new Float64Array(size), counts: new Int32Array(size),
      preTrace: new Float64Array(preSize), preTraceQ: new Float64Array(preSize),
      eligibility: new Float64Array(size * preSize), eligibleNeurons: new Int32Array(size), eligibleCount: 0,
      perturbation: new Float64Array(size), perturbed: false, drive: new Float64Array(size),
      tangentAcc: new Float64Array(size), tangentFirst: new Uint8Array(size),
      tangentA: new Float64Array(size), tangentB: new Float64Array(size),
      tangentReset: new Float64Array(size), tangentVoltage: new Float64Array(size),
      directional: new Float64Array(size),
      spikeStart: new Int32Array(steps + 1), spikeNeuron: new Int32Array(size * steps), spikeTangent: new Float64Array(size * steps),
      peakMembrane: new Float64Array(size), peakStep: new Int32Array(size),
      preTraceQHistory: new Float64Array(network.config.silentEligibilityFraction > 0 && !layer.isOutput ? preSize * steps : 0),
    };
  });
  return { layers, records: null };
}

/** Runs one sample (its input raster) through the network; the results stay in `state`. */
export function runSample(network: FloatNetwork, state: SampleState, input: SpikeRaster, options: SampleOptions): void {
  const { config } = network;
  const learning = options.learning;
  const withTangents = learning && config.rule === "sfdfa";
  resetSampleState(network, state, withTangents ? options.sampleIndex ?? network.samplesSeen : null);
  if (withTangents && options.perturbations) state.layers.forEach((s, l) => s.perturbation.set(options.perturbations![l]));
  state.records = options.record ? [] : null;
  const delay = config.delaySteps;
  for (let m = 0; m < config.steps; m++) {
    for (let l = 0; l < network.layers.length; l++) {
      const arrivalStep = m - delay;
      let sourceStart = 0, sourceEnd = 0;
      let sourceNeurons = input.neurons;
      let sourceTangents: Float64Array | null = null;
      if (arrivalStep >= 0) {
        if (l === 0) {
          sourceStart = input.stepStart[arrivalStep];
          sourceEnd = input.stepStart[arrivalStep + 1];
        } else {
          const below = state.layers[l - 1];
          sourceStart = below.spikeStart[arrivalStep];
          sourceEnd = below.spikeStart[arrivalStep + 1];
          sourceNeurons = below.spikeNeuron;
          sourceTangents = withTangents ? below.spikeTangent : null;
        }
      }
      stepLayer(network, state, l, m, sourceNeurons, sourceTangents, sourceStart, sourceEnd, learning, withTangents);
    }
  }
  if (learning && config.silentEligibilityFraction > 0) addPseudoSpikes(network, state);
}

/** Silent hidden neurons that came close to ϑ get the eligibility of a spike at their peak step. */
function addPseudoSpikes(network: FloatNetwork, state: SampleState): void {
  network.layers.forEach((layer, l) => {
    if (layer.isOutput) return;
    const s = state.layers[l];
    const floor = network.config.silentEligibilityFraction * layer.threshold;
    for (let i = 0; i < layer.size; i++) {
      if (s.counts[i] > 0 || s.peakMembrane[i] < floor) continue;
      s.eligibleNeurons[s.eligibleCount++] = i;
      const row = i * layer.preSize, history = s.peakStep[i] * layer.preSize;
      for (let j = 0; j < layer.preSize; j++) s.eligibility[row + j] = -s.preTraceQHistory[history + j] / layer.threshold;
    }
  });
}

function resetSampleState(network: FloatNetwork, state: SampleState, perturbationSample: number | null): void {
  const { config } = network;
  network.layers.forEach((layer, l) => {
    const s = state.layers[l];
    for (const array of [s.current, s.voltage, s.preTrace, s.preTraceQ, s.drive, s.tangentAcc, s.tangentA, s.tangentB, s.tangentReset, s.tangentVoltage, s.directional]) array.fill(0);
    s.counts.fill(0);
    s.peakMembrane.fill(-Infinity);
    s.peakStep.fill(0);
    s.spikeStart.fill(0);
    s.tangentFirst.fill(1);
    for (let k = 0; k < s.eligibleCount; k++) {
      const row = s.eligibleNeurons[k] * layer.preSize;
      s.eligibility.fill(0, row, row + layer.preSize);
    }
    s.eligibleCount = 0;
    s.perturbation.fill(0);
    const hiddenCount = network.layers.length - 1;
    s.perturbed = perturbationSample !== null && !layer.isOutput
      && (config.perturbLayers !== "alternate" || (perturbationSample >>> 0) % hiddenCount === l);
    if (s.perturbed && perturbationSample !== null) {
      for (let i = 0; i < layer.size; i++) {
        s.perturbation[i] = config.perturbationScale * unitPerturbation(network.seed, perturbationSample, layer.firstNeuronId + i, config.perturbation);
      }
    }
  });
}

function stepLayer(
  network: FloatNetwork, state: SampleState, l: number, m: number,
  sourceNeurons: Int32Array, sourceTangents: Float64Array | null, sourceStart: number, sourceEnd: number,
  learning: boolean, withTangents: boolean,
): void {
  const layer = network.layers[l];
  const s = state.layers[l];
  const { size, preSize, alpha, beta, threshold, slopeMin, fanOut } = layer;
  const exact = network.config.tangent === "exact";
  const { current, voltage, preTrace, preTraceQ, drive } = s;
  const tracksPeak = s.preTraceQHistory.length > 0; // pseudo-spikes on (hidden layer, silentEligibilityFraction > 0)

  // 1. Presynaptic traces (the local-gradient state; not needed for inference).
  if (learning) {
    for (let j = 0; j < preSize; j++) preTrace[j] *= alpha;
    for (let k = sourceStart; k < sourceEnd; k++) preTrace[sourceNeurons[k]] += 1;
    for (let j = 0; j < preSize; j++) preTraceQ[j] = beta * preTraceQ[j] + preTrace[j];
    if (s.preTraceQHistory.length > 0) s.preTraceQHistory.set(preTraceQ, m * preSize);
  }
  // 2. Synaptic current, and the tangent drive carried by the arriving spikes.
  for (let i = 0; i < size; i++) current[i] *= alpha;
  for (let k = sourceStart; k < sourceEnd; k++) {
    const row = sourceNeurons[k] * size;
    for (let i = 0; i < size; i++) current[i] += fanOut[row + i];
    const tangent = sourceTangents === null ? 0 : sourceTangents[k];
    if (tangent !== 0) for (let i = 0; i < size; i++) drive[i] += fanOut[row + i] * tangent;
  }
  // 3–6. Tangent, membrane, spikes.
  s.spikeStart[m + 1] = s.spikeStart[m];
  for (let i = 0; i < size; i++) {
    const previousVoltage = voltage[i];
    const membrane = beta * previousVoltage + current[i];
    if (tracksPeak && membrane > s.peakMembrane[i]) {
      s.peakMembrane[i] = membrane;
      s.peakStep[i] = m;
    }
    let membraneTangent = 0;
    if (withTangents) {
      if (exact) {
        s.tangentA[i] = beta * s.tangentA[i] + layer.lambdaBeta * drive[i];
        s.tangentB[i] = alpha * s.tangentB[i] + layer.lambdaAlpha * drive[i];
        s.tangentReset[i] *= beta;
        membraneTangent = (beta * s.tangentA[i] - alpha * s.tangentB[i]) / (beta - alpha) + s.tangentReset[i];
      } else {
        s.tangentAcc[i] += drive[i];
      }
      drive[i] = 0;
    }
    if (membrane < threshold) {
      voltage[i] = membrane;
      if (withTangents && exact) s.tangentVoltage[i] = membraneTangent;
      continue;
    }
    const rawSlope = membrane - previousVoltage;
    const slope = Math.max(rawSlope, slopeMin);
    const rawFraction = (threshold - previousVoltage) / slope;
    const fraction = Math.min(1, Math.max(0, rawFraction));
    if (learning) accumulateEligibility(s, layer.preSize, i, fraction, slope, beta);
    let spikeTangent = 0;
    if (withTangents) {
      if (exact) {
        spikeTangent = -((1 - fraction) * s.tangentVoltage[i] + fraction * membraneTangent) / slope + s.perturbation[i];
        s.tangentReset[i] -= threshold * layer.lambdaBeta * spikeTangent;
        s.tangentVoltage[i] = membraneTangent - threshold * layer.lambdaBeta * spikeTangent;
      } else {
        spikeTangent = s.tangentAcc[i] + s.perturbation[i] * s.tangentFirst[i];
        s.tangentAcc[i] = 0;
        s.tangentFirst[i] = 0;
      }
      s.directional[i] += spikeTangent;
    }
    voltage[i] = membrane - threshold;
    s.counts[i]++;
    const slot = s.spikeStart[m + 1]++;
    s.spikeNeuron[slot] = i;
    s.spikeTangent[slot] = spikeTangent;
    state.records?.push({ layer: l, neuron: i, step: m, fraction, slope, clamped: rawSlope < slopeMin || rawFraction !== fraction, tangent: spikeTangent });
  }
}

/** E_ij += ∂(t*_i)/∂w_ij = −(c1·Q_j − c2·p_j) for every presynaptic j (sfdfa-discrete.md §2). */
function accumulateEligibility(s: LayerSampleState, preSize: number, i: number, fraction: number, slope: number, beta: number): void {
  if (s.counts[i] === 0) s.eligibleNeurons[s.eligibleCount++] = i;
  const c1 = ((1 - fraction) / beta + fraction) / slope;
  const c2 = (1 - fraction) / (beta * slope);
  const { eligibility, preTrace, preTraceQ } = s;
  const row = i * preSize;
  for (let j = 0; j < preSize; j++) eligibility[row + j] -= c1 * preTraceQ[j] - c2 * preTrace[j];
}
