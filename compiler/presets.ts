/**
 * @fileoverview The chip presets: core limits, number formats, timing and energy per operation.
 *
 * The numbers are engineering estimates from public descriptions of each chip class, stated with
 * their source so that a user knows what they model (docs/chip.md §9). None of these chips is
 * claimed to be cycle-exact hardware; the timing model is neurocc's own (docs/chip.md §7).
 */
import type { ChipConfig } from "./ir.ts";

/**
 * `loihi`: Loihi-1-like. 128 neuromorphic cores on a mesh, 1,024 compartments per core, 128 KB of
 * synapse memory per core (Davies et al., IEEE Micro 2018: "128 KB synaptic memory", "1,024 neural
 * compartments"), 24-bit u/v, 12-bit decays, weights up to 8 bits with a shared exponent, 6-bit
 * weight alignment (`vth << 6`, `a << 6` in Lava), up to 62 delay slots (lava-dl netx clamps delays
 * to 0..62). Energy: 23.6 pJ per synaptic op, 52 pJ per neuron update, 3.5 pJ per hop (Davies et
 * al. 2018, Table 2, rounded). Timing: one synaptic event per cycle per core, ~4 cycles per neuron
 * update, at an assumed 500 MHz core clock (our model, not Intel's figure).
 */
const loihi: ChipConfig = {
  preset: "loihi",
  coreCount: 128,
  meshWidth: 16,
  limits: {
    neuronsPerCore: 1024,
    synapseMemoryBitsPerCore: 128 * 1024 * 8,
    maxFanIn: 4096,
    maxFanOutCores: 4096,
    maxDelaySteps: 62,
  },
  formats: {
    currentBits: 24,
    voltageBits: 24,
    maxWeightBits: 8,
    weightShift: 6,
    thresholdShift: 6,
    minWeightExponent: -6,
    maxWeightExponent: 7,
    decayKinds: ["multiply"],
  },
  timing: { cyclesPerNeuronUpdate: 4, cyclesPerSynapticEvent: 1, cyclesPerSpikeSent: 2, cyclesPerHop: 1, cyclesPerBarrier: 50, clockMHz: 500 },
  energy: { pjPerNeuronUpdate: 52, pjPerSynapticEvent: 23.6, pjPerSpikeSent: 1.7, pjPerHop: 3.5, pjPerCycleStatic: 0.5 },
};

/**
 * `edge`: a small Xylo-like inference chip (SynSense Xylo Audio/IMU as described in Rockpool's
 * docs): 1,000 neurons in all, 8-bit weights, 16-bit synaptic and membrane state, bit-shift
 * decays. Modelled as 4 cores of 256 neurons on a 2×2 mesh with 16 delay slots. Energy per
 * operation is an estimate for a small always-on chip (single-digit pJ per synaptic op).
 */
const edge: ChipConfig = {
  preset: "edge",
  coreCount: 4,
  meshWidth: 2,
  limits: {
    neuronsPerCore: 256,
    synapseMemoryBitsPerCore: 64 * 1024 * 8,
    maxFanIn: 512,
    maxFanOutCores: 4,
    maxDelaySteps: 15,
  },
  formats: {
    currentBits: 16,
    voltageBits: 16,
    maxWeightBits: 8,
    weightShift: 0,
    thresholdShift: 0,
    minWeightExponent: 0,
    maxWeightExponent: 7,
    decayKinds: ["shift"],
  },
  timing: { cyclesPerNeuronUpdate: 2, cyclesPerSynapticEvent: 1, cyclesPerSpikeSent: 1, cyclesPerHop: 1, cyclesPerBarrier: 10, clockMHz: 50 },
  energy: { pjPerNeuronUpdate: 5, pjPerSynapticEvent: 2, pjPerSpikeSent: 1, pjPerHop: 1, pjPerCycleStatic: 0.2 },
};

/**
 * `generic`: roomy limits for research networks (a large mesh of large cores, 16-bit weights,
 * the Loihi number formats). Timing and energy as for `loihi`.
 */
const generic: ChipConfig = {
  preset: "generic",
  coreCount: 4096,
  meshWidth: 64,
  limits: {
    neuronsPerCore: 4096,
    synapseMemoryBitsPerCore: 64 * 1024 * 1024 * 8,
    maxFanIn: 1 << 20,
    maxFanOutCores: 4096,
    maxDelaySteps: 255,
  },
  formats: {
    currentBits: 24,
    voltageBits: 24,
    maxWeightBits: 16,
    weightShift: 6,
    thresholdShift: 0,
    minWeightExponent: -6,
    maxWeightExponent: 15,
    decayKinds: ["multiply", "shift"],
  },
  timing: loihi.timing,
  energy: loihi.energy,
};

export const PRESETS: Readonly<Record<string, ChipConfig>> = { loihi, edge, generic };

export const PRESET_NAMES = Object.keys(PRESETS);

/** A deep copy of a preset, safe to modify with user overrides. */
export function presetConfig(name: string): ChipConfig | null {
  const preset = PRESETS[name];
  return preset ? structuredClone(preset) : null;
}
