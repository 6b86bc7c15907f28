/**
 * @fileoverview Tiny networks for the learning tests: building one with chosen weights, random input
 * rasters (seeded), sums of interpolated spike times, and an independent simulator of the sub-step
 * model that the exact forward tangent linearises (docs/learning.md §3), used as the finite-
 * difference reference for D.
 */
import { Random } from "../../../compiler/random.ts";
import { prototypeConfig, type LearningOverrides, type SfdfaConfig } from "../../../learn/sfdfa/config.ts";
import { rasterFromSpikes, type SpikeRaster } from "../../../learn/sfdfa/encode.ts";
import { createFloatNetwork, refreshFanOut, type FloatNetwork } from "../../../learn/sfdfa/network.ts";
import { createSampleState, runSample, type SpikeRecord } from "../../../learn/sfdfa/sample.ts";

/** The gradient check's set-up (sfdfa-discrete.md §2): τ_m 10, τ_s 5, ϑ 1, T 40. */
export function tinyConfig(sizes: number[], overrides: LearningOverrides = {}): SfdfaConfig {
  const config = prototypeConfig(sizes, { steps: 40, latencyWindowSteps: 20, ...overrides });
  for (const layer of config.layers) Object.assign(layer, { synapseTauSteps: 5, membraneTauSteps: 10, threshold: 1 });
  return config;
}

/**
 * A network whose layer-l weights are drawn U(low_l, high_l) from stream (seed, "tiny.weights");
 * the defaults give a few spikes per neuron with few clamped interpolations.
 */
export function tinyNetwork(config: SfdfaConfig, seed: number, ranges: [number, number][] = [[-0.1, 0.2], [-0.1, 0.3], [-0.1, 0.3]]): FloatNetwork {
  const network = createFloatNetwork(config, seed);
  const random = new Random(seed, "tiny.weights");
  for (const layer of network.layers) {
    const [low, high] = ranges[layer.index];
    for (let k = 0; k < layer.weights.length; k++) layer.weights[k] = low + (high - low) * random.uniform();
    refreshFanOut(layer);
  }
  return network;
}

/** Each input spikes at each step with probability `rate` (stream (seed, "tiny.raster")). */
export function randomRaster(inputs: number, steps: number, rate: number, seed: number): SpikeRaster {
  const random = new Random(seed, "tiny.raster");
  const spikes: [number, number][] = [];
  for (let m = 0; m < steps; m++) for (let j = 0; j < inputs; j++) if (random.uniform() < rate) spikes.push([m, j]);
  return rasterFromSpikes(spikes, steps);
}

/** The spikes of one inference run (records on). */
export function spikeRecords(network: FloatNetwork, raster: SpikeRaster): SpikeRecord[] {
  const state = createSampleState(network);
  runSample(network, state, raster, { learning: false, record: true });
  return state.records!;
}

/** "step:neuron" keys of one layer's spikes: two runs with equal keys have the same raster. */
export function rasterKey(records: SpikeRecord[], layer: number): string {
  return records.filter((r) => r.layer === layer).map((r) => `${r.step}:${r.neuron}`).join(",");
}

/** Σ_k t*_k = Σ (step − 1 + f) over the spikes of one neuron. */
export function spikeTimeSum(records: SpikeRecord[], layer: number, neuron: number): number {
  return records.filter((r) => r.layer === layer && r.neuron === neuron).reduce((sum, r) => sum + r.step - 1 + r.fraction, 0);
}

/** Median and maximum of a list. */
export function summary(values: number[]): { median: number; max: number; p90: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)], max: sorted[sorted.length - 1] };
}

/**
 * The sub-step model: every spike k is treated as happening δ_k after its step. A spike from j
 * adds w·β^(−δ) to A and w·α^(−δ) to B of its targets; a neuron's own spike subtracts ϑ·β^(−δ) from
 * R; A, B, R decay by β, α, β; U = (β·A − α·B)/(β − α) + R. With every δ = 0 this is exactly the
 * chip model. δ_k = t*_k − (t*_k of the unshifted run) + h·[k is a spike of the shifted neuron], so
 * d(Σ t*_o)/dh at h = 0 is what the exact tangent computes for ε = that neuron's unit vector.
 * Returns each spike's t*, keyed "layer:neuron" in order, or null when the raster changed.
 */
export function substepSpikeTimes(
  network: FloatNetwork, raster: SpikeRaster, shifted: { layer: number; neuron: number } | null, h: number,
  baseTimes: Map<string, number[]> | null,
): Map<string, number[]> | null {
  const { config } = network;
  const times = new Map<string, number[]>();
  const state = network.layers.map((layer) => ({
    a: new Float64Array(layer.size), b: new Float64Array(layer.size), r: new Float64Array(layer.size), v: new Float64Array(layer.size),
    spikes: [] as { step: number; neuron: number; delta: number }[],
  }));
  for (let m = 0; m < config.steps; m++) {
    for (let l = 0; l < network.layers.length; l++) {
      const layer = network.layers[l];
      const s = state[l];
      const arrival = m - config.delaySteps;
      const arriving: { neuron: number; delta: number }[] = [];
      if (arrival >= 0) {
        if (l === 0) for (let k = raster.stepStart[arrival]; k < raster.stepStart[arrival + 1]; k++) arriving.push({ neuron: raster.neurons[k], delta: 0 });
        else for (const spike of state[l - 1].spikes) if (spike.step === arrival) arriving.push(spike);
      }
      for (let i = 0; i < layer.size; i++) {
        s.a[i] *= layer.beta;
        s.b[i] *= layer.alpha;
        s.r[i] *= layer.beta;
        for (const { neuron: j, delta } of arriving) {
          const w = layer.weights[i * layer.preSize + j];
          s.a[i] += w * Math.pow(layer.beta, -delta);
          s.b[i] += w * Math.pow(layer.alpha, -delta);
        }
        const previous = s.v[i];
        const u = (layer.beta * s.a[i] - layer.alpha * s.b[i]) / (layer.beta - layer.alpha) + s.r[i];
        s.v[i] = u;
        if (u < layer.threshold) continue;
        const slope = Math.max(u - previous, layer.slopeMin);
        const time = m - 1 + Math.min(1, Math.max(0, (layer.threshold - previous) / slope));
        const key = `${l}:${i}`;
        const list = times.get(key) ?? [];
        list.push(time);
        times.set(key, list);
        const base = baseTimes ? baseTimes.get(key)?.[list.length - 1] : time;
        if (base === undefined) return null;
        const delta = time - base + (shifted && shifted.layer === l && shifted.neuron === i ? h : 0);
        s.r[i] -= layer.threshold * Math.pow(layer.beta, -delta);
        s.v[i] = u - layer.threshold * Math.pow(layer.beta, -delta);
        s.spikes.push({ step: m, neuron: i, delta });
      }
    }
  }
  if (baseTimes) {
    for (const [key, list] of baseTimes) if ((times.get(key)?.length ?? 0) !== list.length) return null;
  }
  return times;
}
