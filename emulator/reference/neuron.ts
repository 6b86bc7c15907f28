/**
 * @fileoverview The neuron update of docs/chip.md §4, for one neuron at one step, written as close
 * to the spec's pseudo-code as possible. The state lives in the caller's arrays; this module only
 * knows the rule.
 */
import type { Decay, NeuronConstants, NumberFormats } from "../../compiler/ir.ts";
import {
  decayMultiply,
  decayShift,
  saturateVoltage,
  toInt32,
  wrapCurrent,
} from "./arithmetic.ts";

/** The state of one neuron between steps. */
export interface NeuronState {
  u: number;
  v: number;
  refractory: number;
}

/** `decay(u, currentRetain | currentShift)`. */
export function decayCurrent(u: number, decay: Decay): number {
  return decay.kind === "multiply"
    ? decayMultiply(u, decay.currentRetain)
    : decayShift(u, decay.currentShift);
}

/** `decay(v, voltageRetain | voltageShift)`. */
export function decayVoltage(v: number, decay: Decay): number {
  return decay.kind === "multiply"
    ? decayMultiply(v, decay.voltageRetain)
    : decayShift(v, decay.voltageShift);
}

/** The voltage after a spike, by reset kind. reset-subtract is not saturated again (chip.md §4). */
export function resetVoltage(v: number, constants: NeuronConstants): number {
  switch (constants.reset.kind) {
    case "zero":
      return 0;
    case "value":
      return constants.reset.value;
    case "subtract":
      return v - constants.threshold;
  }
}

/**
 * One step of one neuron: `input` is the accumulator slot `t mod R` (an int32). Mutates `state` and
 * returns whether the neuron spiked.
 *
 * The sums `decay(u) + a` and `decay(v) + u + bias` are taken modulo 2^32 before the wrap/saturation,
 * as in Lava's int32 arrays; for states in range they never reach 2^31, so this only decides what
 * happens after a current too large for one wrap correction (see wrapCurrent).
 */
export function updateNeuron(
  state: NeuronState,
  input: number,
  constants: NeuronConstants,
  formats: NumberFormats,
): boolean {
  state.u = wrapCurrent(toInt32(decayCurrent(state.u, constants.decay) + input), formats.currentBits);
  if (state.refractory > 0) {
    // v is held and the neuron cannot spike; u above has still integrated this step's input.
    state.refractory -= 1;
    return false;
  }
  const integrated = toInt32(decayVoltage(state.v, constants.decay) + state.u + constants.bias);
  state.v = saturateVoltage(integrated, formats.voltageBits);
  if (state.v > constants.threshold) {
    // Strictly greater, as Loihi: v equal to the threshold does not spike.
    state.v = resetVoltage(state.v, constants);
    state.refractory = constants.refractorySteps;
    return true;
  }
  return false;
}
