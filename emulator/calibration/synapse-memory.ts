/**
 * @fileoverview Writing a projection's weight mantissas into a loaded chip between runs (the
 * calibration unit's, or any learning hook's, synapse-memory write; docs/chip.md §10). A write may
 * change values but not which synapses exist: a zero mantissa is "no synapse" (docs/chip.md §2),
 * and the routing tables, packet and hop counts of both emulators depend on that pattern.
 *
 * `withProjectionWeights` checks a write and gives the network value that holds it (the reference
 * model's whole write; the wasm core also stores the mantissas, via flat-slots.ts). Browser-safe.
 */
import type { ChipNetwork } from "../../compiler/ir.ts";

/** A write the chip cannot do (programming error of the caller: wrong length, a new synapse, …). */
export class SynapseWriteError extends Error {}

/** Checks `mantissas` against projection `index` and returns the network holding them. */
export function withProjectionWeights(network: ChipNetwork, index: number, mantissas: Int32Array): ChipNetwork {
  const projection = network.projections[index];
  if (!projection) throw new SynapseWriteError(`no projection ${index} (the network has ${network.projections.length})`);
  const old = projection.connectivity.weights;
  if (mantissas.length !== old.length) throw new SynapseWriteError(`${projection.name}: ${mantissas.length} mantissas given for ${old.length} weights`);
  const largest = Math.min(32767, 2 ** projection.weightBits - 1); // the sign-mode (unsigned) magnitude, in a 16-bit word
  for (let k = 0; k < old.length; k++) {
    if ((old[k] === 0) !== (mantissas[k] === 0)) throw new SynapseWriteError(`${projection.name}: weight ${k} would ${old[k] === 0 ? "create" : "remove"} a synapse; writes keep the stored synapses`);
    if (Math.sign(mantissas[k]) !== Math.sign(old[k]) || Math.abs(mantissas[k]) > largest || !Number.isInteger(mantissas[k])) {
      throw new SynapseWriteError(`${projection.name}: mantissa ${mantissas[k]} for weight ${k} does not keep its sign within ${projection.weightBits} bits`);
    }
  }
  const projections = network.projections.slice();
  projections[index] = { ...projection, connectivity: { ...projection.connectivity, weights: Int32Array.from(mantissas) } };
  return { ...network, projections };
}
