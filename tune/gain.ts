/**
 * @fileoverview Input-gain tuning (`neurocc tune gain`): evaluates a network on a dataset at each of
 * several gains of one input encoder and picks the best. The gain is applied by the host when it
 * builds the encoder tables (docs/chip.md §5), so one loaded emulator serves every gain.
 *
 * Choice of the best gain: with labels, the highest accuracy (ties: fewer spikes per sample, then
 * the smaller gain). Without labels, the largest gain whose saturation is at most 1 % — the most
 * input signal the network carries without pinning neurons at their maximum rate — or, if every
 * gain saturates more, the least saturated one.
 */
import type { ChipNetwork } from "../compiler/ir.ts";
import type { Emulator } from "../emulator/types.ts";
import { InputSetError, evaluate, withInputGain, type InputSet, type EvaluateOptions, type Evaluation } from "./evaluate.ts";

/** Saturation up to which an unlabelled run counts as unsaturated. */
export const SATURATION_TOLERANCE = 0.01;

export interface GainResult extends Evaluation {
  gain: number;
}

export function tuneGain(
  network: ChipNetwork,
  emulator: Emulator,
  dataset: InputSet,
  gains: readonly number[],
  options: Omit<EvaluateOptions, "onSample"> & { onProgress?: (done: number, total: number) => void },
): { results: GainResult[]; best: number } {
  if (gains.length === 0) throw new InputSetError("give at least one gain in --values");
  for (const g of gains) if (!Number.isFinite(g) || g < 0) throw new InputSetError(`gain ${g} in --values is not a finite number ≥ 0`);
  const perGain = Math.min(options.samples ?? dataset.samples, dataset.samples);
  const results = gains.map((gain, k) => {
    const onSample = (done: number) => options.onProgress?.(k * perGain + done, gains.length * perGain);
    return { gain, ...evaluate(withInputGain(network, options.inputName, gain), emulator, dataset, { ...options, onSample }) };
  });
  return { results, best: pickBest(results) };
}

export function pickBest(results: readonly GainResult[]): number {
  const order = results.map((_, i) => i);
  if (results.every((r) => r.accuracy !== null)) {
    order.sort((a, b) => results[b].accuracy! - results[a].accuracy! || results[a].spikesPerSample - results[b].spikesPerSample || results[a].gain - results[b].gain);
    return order[0];
  }
  const calm = order.filter((i) => results[i].saturation <= SATURATION_TOLERANCE);
  if (calm.length > 0) return calm.reduce((a, b) => (results[b].gain > results[a].gain ? b : a));
  return order.reduce((a, b) => (results[b].saturation < results[a].saturation ? b : a));
}
