/**
 * @fileoverview The human-readable account of a fit: the model and problem sizes, how each neuron
 * was solved, how many spikes the re-run network reproduces, and — for each neuron that fails —
 * whether its raster is infeasible for the model or was lost to quantization.
 */
import type { FitResult } from "./index.ts";

/** How many failing neurons are listed one per line before the rest are summarised. */
const LISTED_FAILURES = 20;

export function describeFit(result: FitResult, engine: string, rasterName: string): string {
  const { target, neurons, reproduction } = result;
  const settings = target.settings;
  const decay = target.neuron.decay;
  const retention = decay.kind === "multiply" ? `retain ${decay.voltageRetain}/4096` : `shift ${decay.voltageShift}`;
  const stages = new Map<string, number>();
  for (const fit of neurons) if (fit.status === "exact") stages.set(fit.stage, (stages.get(fit.stage) ?? 0) + 1);
  const largest = neurons.reduce((a, b) => (b.rows * b.columns > a.rows * a.columns ? b : a), neurons[0]);
  const percent = reproduction.observedSpikes === 0 ? 100 : (100 * reproduction.reproduced) / reproduction.observedSpikes;
  const lines = [
    `fit ${rasterName}: ${neurons.length} neurons × ${reproduction.produced.steps} steps, ${reproduction.observedSpikes} spikes`,
    `  model: gIF, γ = ${target.gammaRealised} (${retention}), fires at v > ${target.threshold} LSB (θ = ${target.thetaLsb} LSB), chip ${target.chip.preset}`,
    `  weights: delays 1..${settings.delays}, ${target.weights.bits}-bit mantissas × ${target.weights.stepLsb} LSB (exponent ${target.weights.exponent}, |w| ≤ ${fmt((target.weights.maxMantissa * target.weights.stepLsb) / target.thetaLsb)} θ); drive × ${target.bias.stepLsb} LSB`,
    `  problem per neuron: up to ${largest.rows} rows × ${largest.columns} columns; solved in ${result.solveSeconds.toFixed(2)} s (${neurons.reduce((n, f) => n + f.solves, 0)} solves)`,
    `  exact neurons by stage: ${[...stages].map(([stage, count]) => `${stage} ${count}`).join(", ") || "none"}`,
    `emulator (${engine}): reproduced ${reproduction.reproduced} of ${reproduction.observedSpikes} spikes exactly (${percent.toFixed(2)} %), ${reproduction.extra} extra spikes`,
  ];
  const potentialsChecked = neurons.filter((f) => f.potentialErrors);
  if (potentialsChecked.length > 0) {
    const off = potentialsChecked.filter((f) => f.potentialErrors!.count > 0);
    lines.push(`  potentials: ${potentialsChecked.length - off.length} of ${potentialsChecked.length} neurons reproduce every observed potential${off.length ? `; ${off.length} do not (largest error ${Math.max(...off.map((f) => f.potentialErrors!.maxAbs))} LSB)` : ""}`);
  }
  const failing = neurons.filter((f) => f.status !== "exact" || reproduction.perNeuron[f.neuron].missed + reproduction.perNeuron[f.neuron].extra > 0);
  if (failing.length > 0) {
    lines.push(`failing neurons (${failing.length}):`);
    for (const fit of failing.slice(0, LISTED_FAILURES)) {
      const closed = reproduction.perNeuron[fit.neuron];
      const why = fit.status === "infeasible" ? "infeasible" : fit.status === "quantization" ? "lost to quantization" : "exact alone, wrong in the network (an upstream neuron fails)";
      const detail = fit.reason ? `: ${fit.reason}` : "";
      lines.push(`  neuron ${fit.neuron}: ${why}${detail}; in the network ${closed.missed} missed, ${closed.extra} extra${closed.firstStep >= 0 ? ` (first at step ${closed.firstStep})` : ""}`);
    }
    if (failing.length > LISTED_FAILURES) lines.push(`  … and ${failing.length - LISTED_FAILURES} more`);
  }
  return lines.join("\n") + "\n";
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
