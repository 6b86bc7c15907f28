/**
 * @fileoverview What a run of the chip takes and gives back; shared by the reference model
 * (emulator/reference/) and the wasm core (emulator/wasm.ts). docs/chip.md defines the semantics.
 */
import type { ChipNetwork } from "../compiler/ir.ts";

/**
 * Per input population, what the encoders see during a run (built by emulator/inputs.ts from
 * user data). Exactly one of the two fields is set, according to the population's encoder kind.
 */
export interface EncoderTable {
  /** rate encoder: 16-bit probabilities (0..65536), `frames × size`, frame index = min(t, frames − 1). */
  probability?: Uint32Array;
  frames?: number;
  /** spikes encoder: `steps × size` raster, 1 = spike. */
  raster?: Uint8Array;
  /**
   * latency, phase and delta encoders: one i32 per element per frame (`frames × elements`, frame
   * index = min(t, frames − 1)), computed by the host (emulator/inputs.ts, docs/chip.md §5): the
   * latency spike step, the phase within the cycle (−1: never), or delta's value in Q16.16. For delta
   * with off spikes, elements = size / 2.
   */
  values?: Int32Array;
}

export interface RunOptions {
  steps: number;
  /** Overrides the image's PRNG seed. */
  seed?: number;
  /** One table per input population, by population index; missing inputs mean "no external input". */
  encoders: (EncoderTable | null)[];
  /** Record the probes listed in the image (v/u per step). Default true. */
  recordProbes?: boolean;
}

export interface ProbeTrace {
  population: number;
  variable: "v" | "u";
  /** `steps × size`, value after the neuron update of each step. */
  values: Int32Array;
}

/** Totals per core over the whole run (docs/chip.md §7–8). Float64 so that long runs stay exact. */
export interface CoreCounters {
  updates: Float64Array;
  synapticEvents: Float64Array;
  packetsSent: Float64Array;
  hops: Float64Array;
  cycles: Float64Array;
}

export interface RunResult {
  steps: number;
  /** All spikes, ordered by step, then by global neuron id. */
  spikeSteps: Int32Array;
  spikeNeurons: Int32Array;
  probes: ProbeTrace[];
  perCore: CoreCounters;
  /** Cycles of the critical core, per step. */
  stepCycles: Float64Array;
  /** The critical core of each step: the lowest-index core with the most cycles. */
  stepCriticalCore: Int32Array;
  /** Synaptic events per step (all cores). */
  stepSynapticEvents: Float64Array;
  latencyCycles: number;
  energyPj: number;
}

/** A chip loaded with one network. Each `run` starts from the image's initial state. */
export interface Emulator {
  /** The loaded image, with the weights written since (writeProjectionWeights). */
  readonly network: ChipNetwork;
  run(options: RunOptions): RunResult;
  /**
   * Writes the mantissas of projection `index` (same order and length as its connectivity's weights)
   * into synapse memory, for the following runs: a learning-hook write between samples (docs/chip.md
   * §10). It keeps the stored synapses: a zero stays zero and a nonzero stays nonzero with its sign
   * (emulator/calibration/synapse-memory.ts checks, and throws SynapseWriteError otherwise).
   */
  writeProjectionWeights(index: number, mantissas: Int32Array): void;
}
