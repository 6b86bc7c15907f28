/**
 * @fileoverview Input coding of the float reference: the latency code the prototype learned with
 * (sfdfa-discrete.md §5.2), and the spike raster type every layer emits into. A feature x in (0, 1]
 * spikes exactly once, at step round((1 − x)·(T_in − 1)) (brighter is earlier; Math.round, i.e. half
 * up); x = 0 never spikes. This is snnTorch's linear latency code with normalize=True over T_in steps.
 */

/** Spikes grouped by step (CSR): step m's neurons are neurons[stepStart[m] .. stepStart[m + 1]). */
export interface SpikeRaster {
  steps: number;
  stepStart: Int32Array;
  neurons: Int32Array;
}

/** The latency raster of one sample's features over `steps` steps (spikes fall in [0, windowSteps)). */
export function latencyRaster(features: ArrayLike<number>, windowSteps: number, steps: number): SpikeRaster {
  const spikeStep = new Int32Array(features.length);
  const perStep = new Int32Array(steps + 1);
  for (let j = 0; j < features.length; j++) {
    const x = features[j];
    const step = x > 0 ? Math.round((1 - Math.min(x, 1)) * (windowSteps - 1)) : -1;
    spikeStep[j] = step;
    if (step >= 0) perStep[step + 1]++;
  }
  for (let m = 0; m < steps; m++) perStep[m + 1] += perStep[m];
  const neurons = new Int32Array(perStep[steps]);
  const fill = perStep.slice(0, steps);
  for (let j = 0; j < features.length; j++) if (spikeStep[j] >= 0) neurons[fill[spikeStep[j]]++] = j;
  return { steps, stepStart: perStep, neurons };
}

/** A raster from explicit (step, neuron) pairs, e.g. for tests; pairs need not be sorted. */
export function rasterFromSpikes(spikes: ReadonlyArray<readonly [step: number, neuron: number]>, steps: number): SpikeRaster {
  const sorted = [...spikes].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const stepStart = new Int32Array(steps + 1);
  for (const [step] of sorted) {
    if (!(step >= 0 && step < steps)) throw new RangeError(`spike step ${step} is outside [0, ${steps})`);
    stepStart[step + 1]++;
  }
  for (let m = 0; m < steps; m++) stepStart[m + 1] += stepStart[m];
  return { steps, stepStart, neurons: Int32Array.from(sorted, ([, neuron]) => neuron) };
}
