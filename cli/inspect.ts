/**
 * @fileoverview `neurocc inspect`: a readable summary of a chip image — populations, projections
 * with bit widths and memory, placement and per-core utilisation.
 */
import type { ChipNetwork } from "../compiler/ir.ts";
import { networkDemand } from "../compiler/resources.ts";
import { storedSynapseCount } from "../compiler/synapses.ts";


/** Bits a projection occupies in synapse memory (as the placer counts them, docs/ir.md). */
export function projectionBits(network: ChipNetwork, index: number): number {
  const p = network.projections[index];
  const sourceSize = network.populations[p.source].size;
  const delayBits = p.delays ? 6 : 0;
  const c = p.connectivity;
  if (c.kind === "conv2d") return c.weights.length * p.weightBits;
  if (c.kind === "sparse") return c.weights.length * (p.weightBits + delayBits + Math.ceil(Math.log2(Math.max(2, sourceSize))));
  return c.weights.length * (p.weightBits + delayBits);
}

function kib(bits: number): string {
  return `${(bits / 8192).toFixed(1)} KiB`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")).join("\n");
}

export function describeNetwork(network: ChipNetwork, header?: { format: number; compiler: string; checksum: number }): string {
  const chip = network.chip;
  const out: string[] = [];
  out.push(`network ${network.name} — chip ${chip.preset} (${chip.coreCount} cores, ${chip.limits.neuronsPerCore} neurons/core, u ${chip.formats.currentBits}-bit, v ${chip.formats.voltageBits}-bit)`);
  if (header) out.push(`image format ${header.format}, compiled by neurocc ${header.compiler}, crc32 ${header.checksum.toString(16).padStart(8, "0")}`);
  out.push(`dt ${network.dtUs / 1000} ms, default steps ${network.defaultSteps}, seed ${network.seed}`, "");
  const popRows = [["population", "kind", "neurons", "shape", "model / encoder", "threshold", "decay", "bias", "refractory"]];
  for (const p of network.populations) {
    const n = p.neuron;
    const decay = n ? (n.decay.kind === "multiply" ? `u×${n.decay.currentRetain}/4096 v×${n.decay.voltageRetain}/4096` : `u>>${n.decay.currentShift} v>>${n.decay.voltageShift}`) : "";
    popRows.push([p.name, p.kind, String(p.size), p.shape.join("×"), n ? n.model : p.encoder!.kind, n ? String(n.threshold) : "", decay, n ? String(n.bias) : "", n ? String(n.refractorySteps) : ""]);
  }
  out.push(table(popRows), "");
  const projRows = [["projection", "kind", "synapses", "bits", "exponent", "delay", "memory"]];
  let totalSynapses = 0;
  network.projections.forEach((p, i) => {
    const count = storedSynapseCount(p, network.populations[p.source], network.populations[p.target]);
    totalSynapses += count;
    projRows.push([p.name.replace(/#\d+$/, ""), p.connectivity.kind, String(count), String(p.weightBits), p.channelExponents ? `${Math.min(...p.channelExponents)}..${Math.max(...p.channelExponents)}/ch` : String(p.weightExponent), p.delays ? "per synapse" : String(p.delaySteps), kib(projectionBits(network, i))]);
  });
  if (network.projections.length) out.push(table(projRows), "");
  const neurons = network.populations.reduce((n, p) => n + p.size, 0);
  out.push(`${neurons} neurons, ${totalSynapses} synapses on ${network.placement.cores.length} of ${chip.coreCount} cores`);
  const coreRows = [["core", "(x,y)", "neurons", "neuron use", "synapse memory", "memory use", "populations"]];
  const { synapseBits } = networkDemand(network);
  network.placement.cores.forEach((slices, core) => {
    const count = slices.reduce((n, s) => n + s.count, 0);
    let bits = 0;
    for (const s of slices) {
      const first = network.populations[s.population].firstNeuron + s.start;
      for (let id = first; id < first + s.count; id++) bits += synapseBits[id];
    }
    const where = slices.map((s) => `${network.populations[s.population].name}[${s.start}..${s.start + s.count - 1}]`).join(" ");
    coreRows.push([
      String(core),
      `(${core % chip.meshWidth},${Math.floor(core / chip.meshWidth)})`,
      String(count),
      `${((100 * count) / chip.limits.neuronsPerCore).toFixed(0)}%`,
      kib(bits),
      `${((100 * bits) / chip.limits.synapseMemoryBitsPerCore).toFixed(0)}%`,
      where,
    ]);
  });
  const shown = coreRows.length > 33 ? [...coreRows.slice(0, 17), ["…", "", "", "", "", "", `${coreRows.length - 33} more cores`], ...coreRows.slice(-16)] : coreRows;
  out.push(table(shown));
  return out.join("\n") + "\n";
}
