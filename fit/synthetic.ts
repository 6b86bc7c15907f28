/**
 * @fileoverview Random ground-truth gIF networks with delays, for tests and benchmarks: a network
 * whose weights lie on the fit's own grids (so a solution exists at the chip's precision), built as
 * a `.snn` with weight files, compiled, and run on an emulator to produce the raster (and the
 * potentials, recorded by `probe out.v`) that the fit is then given.
 *
 * Randomness: everything comes from compiler/random.ts streams keyed by (seed, label), labels
 * "synthetic.weights", "synthetic.bias" and "synthetic.input"; one seed gives one network.
 */
import type { ChipNetwork } from "../compiler/ir.ts";
import { Random } from "../compiler/random.ts";
import { buildEncoderTables, type InputArray } from "../emulator/inputs.ts";
import { compileEmitted, emitNetwork, INPUT_NAME, LAYER_NAME, type EmittedNetwork } from "./emit.ts";
import type { NeuronSolution } from "./neuron-check.ts";
import type { Potentials, Raster } from "./raster.ts";
import type { EmulatorFactory } from "./reproduce.ts";
import { buildSources } from "./sources.ts";
import { DEFAULT_SETTINGS, FitError, resolveTarget, type FitTarget, type TargetSettings } from "./target.ts";

export interface SyntheticOptions {
  neurons: number;
  /** External input neurons (0: a purely recurrent network). */
  inputs: number;
  steps: number;
  /** Probability that a (source, delay) pair has a non-zero weight. */
  density: number;
  seed: number;
  settings?: Partial<TargetSettings>;
  /** Recurrent connections among the layer (default true). */
  recurrent?: boolean;
  /** Spike probability per step of each input neuron (default 0.1). */
  inputRate?: number;
  /**
   * Spread of the summed synaptic input, in thresholds (default 0.35): each weight is normal with
   * mean weightScale·0.1/√k and std weightScale/√k, k the expected number of active weights per step.
   */
  weightScale?: number;
  /** Constant input I of each neuron, uniform in this range, in thresholds (default [0.04, 0.2]). */
  biasRange?: [number, number];
}

export interface SyntheticNetwork {
  target: FitTarget;
  emitted: EmittedNetwork;
  network: ChipNetwork;
  solutions: NeuronSolution[];
  raster: Raster;
  input: Raster | null;
  potentials: Potentials;
}

export async function syntheticNetwork(options: SyntheticOptions, createEmulator: EmulatorFactory): Promise<SyntheticNetwork> {
  const target = resolveTarget({ ...DEFAULT_SETTINGS, ...options.settings });
  const { neurons, inputs, steps, seed } = options;
  const recurrent = options.recurrent ?? true;
  const D = target.settings.delays;
  const inputRate = options.inputRate ?? 0.1;
  const input: Raster | null = inputs > 0 ? { steps, neurons: inputs, spikes: new Uint8Array(steps * inputs) } : null;
  if (input) {
    const random = new Random(seed, "synthetic.input");
    for (let i = 0; i < input.spikes.length; i++) input.spikes[i] = random.uniform() < inputRate ? 1 : 0;
  }
  // Only the source count and delays matter for the emitter; the raster is not known yet.
  const placeholder: Raster = { steps, neurons, spikes: new Uint8Array(steps * neurons) };
  const sources = buildSources(placeholder, input, recurrent, D);

  const weightRandom = new Random(seed, "synthetic.weights");
  const biasRandom = new Random(seed, "synthetic.bias");
  const activePerStep = Math.max(1, sources.count * D * options.density * 0.1);
  const scale = ((options.weightScale ?? 0.35) * target.thetaLsb) / Math.sqrt(activePerStep);
  const [biasLow, biasHigh] = options.biasRange ?? [0.04, 0.2];
  const onGrid = (lsb: number, grid: FitTarget["weights"]) => Math.min(grid.maxMantissa, Math.max(grid.minMantissa, Math.round(lsb / grid.stepLsb)));
  const solutions: NeuronSolution[] = [];
  for (let n = 0; n < neurons; n++) {
    const mantissas = new Int32Array(sources.count * D);
    for (let c = 0; c < mantissas.length; c++) {
      if (weightRandom.uniform() < options.density) mantissas[c] = onGrid(scale * (0.1 + weightRandom.normal()), target.weights);
    }
    const bias = (biasLow + (biasHigh - biasLow) * biasRandom.uniform()) * target.thetaLsb;
    solutions.push({ mantissas, biasMantissa: onGrid(bias, target.bias), initialLsb: 0, initialVoltage: 0 });
  }
  const emitted = emitNetwork(solutions, sources, target, { name: `truth_${seed}`, steps, provenance: `synthetic ground truth, seed ${seed}` });
  const compiled = compileEmitted(emitted);
  if (!compiled.network) throw new FitError(`synthetic network does not compile: ${compiled.diagnostics.map((d) => d.message).join("; ")}`);
  const network = compiled.network;

  const inputMap = new Map<string, InputArray>();
  if (input) inputMap.set(INPUT_NAME, { shape: [steps, inputs], values: input.spikes });
  const emulator = await createEmulator(network);
  const result = emulator.run({ steps, encoders: buildEncoderTables(network, inputMap, steps), recordProbes: true });
  const layerIndex = network.populations.findIndex((p) => p.name === LAYER_NAME);
  const layer = network.populations[layerIndex];
  const raster: Raster = { steps, neurons, spikes: new Uint8Array(steps * neurons) };
  for (let i = 0; i < result.spikeSteps.length; i++) {
    const local = result.spikeNeurons[i] - layer.firstNeuron;
    if (local >= 0 && local < neurons) raster.spikes[result.spikeSteps[i] * neurons + local] = 1;
  }
  const trace = result.probes.find((p) => p.population === layerIndex && p.variable === "v")!;
  return { target, emitted, network, solutions, raster, input, potentials: { steps, neurons, values: trace.values } };
}
