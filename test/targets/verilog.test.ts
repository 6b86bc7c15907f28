/**
 * @fileoverview The Verilog target: the `$readmemh` images read back into the same per-core tables
 * (profiles, neurons, routes, axons, synapses), every word is a hex number of its memory's width,
 * and the synapses the images hold are exactly the network's stored synapses (source, target,
 * weight contribution, delay), for the examples and an imported NIR network.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { forEachStoredSynapse } from "../../compiler/synapses.ts";
import { buildCoreTables, type NetworkTables } from "../../targets/tables/core-tables.ts";
import { exportVerilog, MEMORIES, readVerilogTables } from "../../targets/verilog/export.ts";
import { importAndCompile, nirPath, plain, readNir } from "./support.ts";

function example(name: string): ChipNetwork {
  const file = new URL(`../../examples/${name}`, import.meta.url).pathname;
  return compileSource(readFileSync(file, "utf8"), file, { readFile: (p) => new Uint8Array(readFileSync(join(dirname(file), p))) }).network!;
}

/** Every synapse as "source target contribution delay", sorted. */
function synapsesOfTables(tables: NetworkTables): string[] {
  const out: string[] = [];
  for (const core of tables.cores) {
    core.axonSource.forEach((source, a) => {
      for (let s = core.axonStart[a]; s < core.axonStart[a + 1]; s++) out.push(`${source} ${core.firstNeuron + core.synapseTarget[s]} ${core.synapseMantissa[s] * 2 ** core.synapseShift[s]} ${core.synapseDelay[s]}`);
    });
  }
  return out.sort();
}

function synapsesOfNetwork(network: ChipNetwork): string[] {
  const out: string[] = [];
  const shift = network.chip.formats.weightShift;
  for (const p of network.projections) {
    const source = network.populations[p.source];
    const target = network.populations[p.target];
    forEachStoredSynapse(p, source, target, (pre, post, k) => {
      const exponent = p.channelExponents ? p.channelExponents[Math.floor(post / (target.size / p.channelExponents.length))] : p.weightExponent;
      const delay = p.delays && p.connectivity.kind !== "conv2d" ? p.delays[k] : p.delaySteps;
      out.push(`${source.firstNeuron + pre} ${target.firstNeuron + post} ${p.connectivity.weights[k] * 2 ** (shift + exponent)} ${delay}`);
    });
  }
  return out.sort();
}

describe("Verilog memory images", () => {
  const networks: [string, () => Promise<ChipNetwork> | ChipNetwork][] = [
    ["examples/synfire.snn", () => example("synfire.snn")],
    ["examples/conv.snn", () => example("conv.snn")],
    ["examples/feedforward.snn", () => example("feedforward.snn")],
    ["the imported braille RNN", async () => importAndCompile(await readNir(nirPath("03_rnn/braille_noDelay_bias_zero.nir")), { dtMs: 0.1 }).network],
  ];
  for (const [name, make] of networks) {
    it(`${name}: read back into the same tables and synapses`, async () => {
      const network = await make();
      const files = exportVerilog(network);
      const back = readVerilogTables(files);
      const tables = buildCoreTables(network);
      const withoutPopulations = (t: NetworkTables) => plain({ ...t, cores: t.cores.map((c) => ({ ...c, profiles: c.profiles.map((p) => ({ ...p, population: -1 })) })) });
      expect(withoutPopulations(back)).toEqual(withoutPopulations(tables));
      expect(synapsesOfTables(back)).toEqual(synapsesOfNetwork(network));
      for (const [path, text] of files) {
        if (!path.endsWith(".mem")) continue;
        const width = MEMORIES.find((m) => path.endsWith(m.file))!.bits / 4;
        const words = text.split("\n").filter((l) => l !== "" && !l.startsWith("//"));
        for (const word of words) expect(word).toMatch(new RegExp(`^[0-9a-f]{${width}}$`));
      }
    });
  }

  it("a field that does not fit its width is an error naming it", () => {
    const network = example("feedforward.snn");
    network.populations[1].neuron!.refractorySteps = 2 ** 33;
    expect(() => exportVerilog(network)).toThrow(/core 0 profile = 8589934592 does not fit a 32-bit unsigned field/);
  });
});
