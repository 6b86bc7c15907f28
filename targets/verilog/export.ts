/**
 * @fileoverview Chip network → Verilog `$readmemh` memory images, one folder per core
 * (`core<c>/*.mem`), and `layout.json` describing the bit layout and sizes. The words are the
 * per-core tables of targets/tables/core-tables.ts, in fixed-width fields (docs/targets.md,
 * "Verilog", draws each word): a hardware model loads them with `$readmemh("core0/synapses.mem",
 * synapse_mem)`. `readVerilogTables` parses the images back into the same tables.
 */
import type { ChipNetwork } from "../../compiler/ir.ts";
import { hexWord, parseHexWord } from "../printers/text.ts";
import { buildCoreTables, TableError, type CoreTable, type NetworkTables, type Profile } from "../tables/core-tables.ts";

/** Words per neuron profile in profiles.mem. */
export const PROFILE_WORDS = 8;

/** The memories of a core: file name, word width in bits, and what one word holds. */
export const MEMORIES = [
  { file: "profiles.mem", bits: 32, holds: `${PROFILE_WORDS} words per profile: flags {[4:3] reset kind, [2] shift decay, [1] rate, [0] input}, current decay, voltage decay, threshold, bias, reset value, refractory steps, first spike step` },
  { file: "neuron_profile.mem", bits: 32, holds: "per neuron: its profile index" },
  { file: "neuron_vinit.mem", bits: 32, holds: "per neuron: initial membrane voltage (two's complement)" },
  { file: "route_ptr.mem", bits: 32, holds: "neurons + 1 words: neuron i's packets are routes[route_ptr[i] .. route_ptr[i+1]-1]" },
  { file: "routes.mem", bits: 32, holds: "per packet: [31:16] destination core, [15:0] axon at that core" },
  { file: "axon_ptr.mem", bits: 32, holds: "axons + 1 words: axon a's synapses are synapses[axon_ptr[a] .. axon_ptr[a+1]-1]" },
  { file: "synapses.mem", bits: 64, holds: "per synapse: [63:48] target neuron of this core, [47:32] weight mantissa (two's complement), [31:24] shift (weightShift + exponent), [23:16] delay in steps, [15:0] zero" },
] as const;

export function exportVerilog(network: ChipNetwork): Map<string, string> {
  const tables = buildCoreTables(network);
  const files = new Map<string, string>();
  for (const core of tables.cores) {
    const at = (name: string) => `core${core.core}/${name}`;
    const where = (what: string) => `core ${core.core} ${what}`;
    files.set(at("profiles.mem"), memory("profiles", core.profiles.flatMap((p) => profileWords(p)).map((w, i) => hexWord(w, 32, i % PROFILE_WORDS >= 3 && i % PROFILE_WORDS <= 5, where("profile")))));
    files.set(at("neuron_profile.mem"), memory("neuron_profile", Array.from(core.profileOf, (v) => hexWord(v, 32, false, where("profile index")))));
    files.set(at("neuron_vinit.mem"), memory("neuron_vinit", Array.from(core.initialVoltage, (v) => hexWord(v, 32, true, where("initial voltage")))));
    files.set(at("route_ptr.mem"), memory("route_ptr", Array.from(core.routeStart, (v) => hexWord(v, 32, false, where("route pointer")))));
    files.set(at("routes.mem"), memory("routes", Array.from(core.routeCore, (c, i) => hexWord(c, 16, false, where("destination core")) + hexWord(core.routeAxon[i], 16, false, where("axon index")))));
    files.set(at("axon_ptr.mem"), memory("axon_ptr", Array.from(core.axonStart, (v) => hexWord(v, 32, false, where("axon pointer")))));
    files.set(at("synapses.mem"), memory("synapses", Array.from(core.synapseTarget, (target, i) =>
      hexWord(target, 16, false, where("synapse target")) + hexWord(core.synapseMantissa[i], 16, true, where("weight mantissa")) +
      hexWord(core.synapseShift[i], 8, false, where("weight shift")) + hexWord(core.synapseDelay[i], 8, false, where("delay")) + "0000")));
  }
  const layout = {
    generator: "neurocc",
    network: network.name,
    chip: network.chip.preset,
    neurons: tables.neuronCount,
    ringSlots: tables.ringSlots,
    currentBits: network.chip.formats.currentBits,
    voltageBits: network.chip.formats.voltageBits,
    seed: network.seed >>> 0,
    memories: MEMORIES,
    cores: tables.cores.map((c) => ({ core: c.core, firstNeuron: c.firstNeuron, neurons: c.neuronCount, profiles: c.profiles.length, axons: c.axonSource.length, synapses: c.synapseTarget.length, packets: c.routeCore.length })),
  };
  files.set("layout.json", JSON.stringify(layout, null, 2) + "\n");
  return files;
}

function memory(name: string, words: string[]): string {
  return `// neurocc ${name}: ${words.length} words; docs/targets.md, "Verilog"\n${words.join("\n")}${words.length ? "\n" : ""}`;
}

function profileWords(p: Profile): number[] {
  const flags = (p.input ? 1 : 0) | (p.rate << 1) | (p.decayKind << 2) | (p.resetKind << 3);
  return [flags, p.currentDecay, p.voltageDecay, p.threshold, p.bias, p.resetValue, p.refractorySteps, p.firstSpikeStep];
}

/** Parses the images back (the inverse of exportVerilog): the same per-core tables, minus population indices. */
export function readVerilogTables(files: ReadonlyMap<string, string>): NetworkTables {
  const layout = JSON.parse(files.get("layout.json") ?? "null") as { neurons: number; ringSlots: number; cores: { core: number; firstNeuron: number; neurons: number }[] } | null;
  if (!layout) throw new TableError("layout.json is missing");
  const words = (core: number, file: string) => {
    const text = files.get(`core${core}/${file}`);
    if (text === undefined) throw new TableError(`core${core}/${file} is missing`);
    return text.split("\n").map((l) => l.replace(/\/\/.*$/, "").trim()).filter((l) => l !== "");
  };
  const cores: CoreTable[] = layout.cores.map(({ core, firstNeuron, neurons }) => {
    const u32 = (file: string) => Int32Array.from(words(core, file), (w) => parseHexWord(w, 32, false));
    const s32 = (file: string) => Int32Array.from(words(core, file), (w) => parseHexWord(w, 32, true));
    const profileWordsRead = words(core, "profiles.mem").map((w, i) => parseHexWord(w, 32, i % PROFILE_WORDS >= 3 && i % PROFILE_WORDS <= 5));
    const profiles: Profile[] = [];
    for (let i = 0; i < profileWordsRead.length; i += PROFILE_WORDS) {
      const [flags, currentDecay, voltageDecay, threshold, bias, resetValue, refractorySteps, firstSpikeStep] = profileWordsRead.slice(i, i + PROFILE_WORDS);
      profiles.push({
        population: -1, input: (flags & 1) === 1, rate: ((flags >> 1) & 1) as 0 | 1, decayKind: ((flags >> 2) & 1) as 0 | 1,
        resetKind: ((flags >> 3) & 3) as 0 | 1 | 2, currentDecay, voltageDecay, threshold, bias, resetValue, refractorySteps, firstSpikeStep,
      });
    }
    const routes = words(core, "routes.mem");
    const synapses = words(core, "synapses.mem");
    const field = (w: string, from: number, digits: number, signed: boolean) => parseHexWord(w.slice(from, from + digits), digits * 4, signed);
    return {
      core, firstNeuron, neuronCount: neurons, profiles,
      profileOf: u32("neuron_profile.mem"), initialVoltage: s32("neuron_vinit.mem"),
      axonSource: new Int32Array(0), axonStart: u32("axon_ptr.mem"),
      synapseTarget: Int32Array.from(synapses, (w) => field(w, 0, 4, false)),
      synapseMantissa: Int32Array.from(synapses, (w) => field(w, 4, 4, true)),
      synapseShift: Int32Array.from(synapses, (w) => field(w, 8, 2, false)),
      synapseDelay: Int32Array.from(synapses, (w) => field(w, 10, 2, false)),
      routeStart: u32("route_ptr.mem"),
      routeCore: Int32Array.from(routes, (w) => field(w, 0, 4, false)),
      routeAxon: Int32Array.from(routes, (w) => field(w, 4, 4, false)),
    };
  });
  // The source of each axon follows from the routes: neuron i's packet (d, a) means axon a of core d is i's.
  for (const table of cores) {
    const axonSource = new Int32Array(table.axonStart.length - 1);
    for (const source of cores) {
      for (let i = 0; i < source.neuronCount; i++) {
        for (let r = source.routeStart[i]; r < source.routeStart[i + 1]; r++) if (source.routeCore[r] === table.core) axonSource[source.routeAxon[r]] = source.firstNeuron + i;
      }
    }
    table.axonSource = axonSource;
  }
  return { neuronCount: layout.neurons, ringSlots: layout.ringSlots, cores };
}
