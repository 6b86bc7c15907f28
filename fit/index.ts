/**
 * @fileoverview Public entry of back-engineering (issue 7; docs/fit.md): from an observed raster
 * (and optionally observed potentials and external input spikes) to a chip network that reproduces
 * it. One independent problem per neuron (fit-neuron.ts), then the network is emitted as a `.snn`
 * with weight files (emit.ts), compiled, and re-run on an emulator (reproduce.ts).
 *
 * Browser-safe: the caller supplies the loaded HiGHS instance and the emulator factory; all file
 * reading and writing is cli/'s.
 */
import type { Highs } from "highs";
import type { ChipNetwork } from "../compiler/ir.ts";
import { compileEmitted, emitNetwork, type EmittedNetwork } from "./emit.ts";
import { fitNeuron, type FitMethod, type NeuronFit } from "./fit-neuron.ts";
import type { Potentials, Raster } from "./raster.ts";
import { reproduce, type EmulatorFactory, type Reproduction } from "./reproduce.ts";
import { buildSources, ownSpikes } from "./sources.ts";
import { DEFAULT_SETTINGS, FitError, resolveTarget, type FitTarget, type TargetSettings } from "./target.ts";

export interface FitRequest {
  /** The wanted (observed) spikes of the fitted layer, `[steps, neurons]`. */
  raster: Raster;
  /** External input spikes `[steps, inputs]` (the "programming" case), or null. */
  input?: Raster | null;
  /** Observed potentials of the layer (chip LSB), or null for spikes only. */
  potentials?: Potentials | null;
  settings?: Partial<TargetSettings>;
  /** Fit connections among the layer's own neurons (default true). */
  recurrent?: boolean;
  method?: FitMethod;
  /** Per solve (default 60 s). */
  timeLimitSeconds?: number;
  /** Name of the emitted network (its .snn stem). */
  name?: string;
  provenance?: string;
  /** Called after each neuron. */
  onNeuron?: (fit: NeuronFit, done: number, total: number) => void;
}

export interface FitResult {
  target: FitTarget;
  neurons: NeuronFit[];
  emitted: EmittedNetwork;
  network: ChipNetwork;
  reproduction: Reproduction;
  solveSeconds: number;
}

export async function fitNetwork(highs: Highs, request: FitRequest, createEmulator: EmulatorFactory): Promise<FitResult> {
  const { raster } = request;
  const input = request.input ?? null;
  const potentials = request.potentials ?? null;
  const recurrent = request.recurrent ?? true;
  const target = resolveTarget({ ...DEFAULT_SETTINGS, ...request.settings });
  if (input && input.steps !== raster.steps) {
    throw new FitError(`the input raster has ${input.steps} steps but the raster to fit has ${raster.steps}; they must cover the same steps`);
  }
  if (potentials && (potentials.steps !== raster.steps || potentials.neurons !== raster.neurons)) {
    throw new FitError(`potentials have shape [${potentials.steps}, ${potentials.neurons}] but the raster has [${raster.steps}, ${raster.neurons}]`);
  }
  if (!recurrent && !input) throw new FitError("without recurrent connections the neurons need an --input raster to listen to");
  const sources = buildSources(raster, input, recurrent, target.settings.delays);
  const options = { method: request.method ?? "auto", timeLimitSeconds: request.timeLimitSeconds ?? 60 };

  const started = performance.now();
  const neurons: NeuronFit[] = [];
  for (let n = 0; n < raster.neurons; n++) {
    const observed = potentials ? potentials.values.filter((_, i) => i % raster.neurons === n) : null;
    const fit = fitNeuron(highs, n, ownSpikes(raster, n), sources, target, options, observed);
    neurons.push(fit);
    request.onNeuron?.(fit, n + 1, raster.neurons);
  }
  const solveSeconds = (performance.now() - started) / 1000;

  const name = request.name ?? "fitted";
  const emitted = emitNetwork(neurons.map((f) => f.solution), sources, target, { name, steps: raster.steps, provenance: request.provenance ?? "fitted network" });
  const compiled = compileEmitted(emitted);
  if (!compiled.network) {
    const errors = compiled.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
    throw new FitError(`the fitted network does not fit the ${target.chip.preset} chip: ${errors.join("; ")}`);
  }
  const reproduction = await reproduce(compiled.network, raster, input, createEmulator);
  return { target, neurons, emitted, network: compiled.network, reproduction, solveSeconds };
}

export { FitError, DEFAULT_SETTINGS, type FitTarget, type TargetSettings } from "./target.ts";
export { FitSolverError, type FitMethod, type NeuronFit, type NeuronStatus } from "./fit-neuron.ts";
export type { Raster, Potentials } from "./raster.ts";
export type { Reproduction, EmulatorFactory } from "./reproduce.ts";
