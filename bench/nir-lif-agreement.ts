/**
 * @fileoverview Agreement of neurocc's LIF with every platform's trace of the NIR paper's single-LIF
 * experiment (shared/nir/paper/01_lif/: lif_norse.nir driven by the input spike train in column 1
 * of each trace, 1,000 steps of dt = 0.1 ms). neurocc imports lif_norse.nir twice — on the generic
 * preset with the exact discretization, and on the loihi preset with Lava's mapping — runs each on
 * the reference emulator with the platform's own input column, and compares:
 *
 * - spikes: the platform's and neurocc's spike counts;
 * - spike-time agreement: platform spikes matched by a neurocc spike at the same step, after the
 *   lag (0 or 1 step: the one that matches more spikes) that neurocc's one-step synaptic delay
 *   introduces against platforms that integrate an input in the step it arrives, and the largest
 *   distance in steps from a platform spike to the nearest neurocc spike;
 * - voltage RMS difference, as a fraction of the threshold, at that lag. Each platform records v in
 *   its own units (PLATFORM_THRESHOLD below: Lava fixed-point in LSB with vth = 25 << 6, Nengo
 *   normalised to v_th = 1, snnTorch and SpiNNaker2 scaled by r = τ/dt = 25, the others in volts).
 *
 * Run: `npx tsx bench/nir-lif-agreement.ts` (prints a Markdown table; docs/targets.md quotes it).
 */
import { readFileSync } from "node:fs";
import { compileSource } from "../compiler/index.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import { buildEncoderTables } from "../emulator/inputs.ts";
import { createReferenceEmulator } from "../emulator/reference/index.ts";
import { loadHdf5, readHdf5File } from "../targets/hdf5/hdf5-node.ts";
import { nirFromTree } from "../targets/nir/hdf5.ts";
import { importNir } from "../targets/nir/import.ts";

const FOLDER = new URL("../../shared/nir/paper/01_lif/", import.meta.url);
const DT_MS = 0.1;
const STEPS = 1000;

/** The threshold in each trace's voltage units (see the header). */
const PLATFORM_THRESHOLD: Record<string, number> = {
  exact: 0.1, lava_cpu_fixed: 25 * 64, lava_cpu_float: 0.1, nengo: 1, norse: 0.1, rockpool: 0.1,
  sinabs: 0.1, snntorch: 2.5, spinnaker2: 2.5, spyx: 0.1,
};

interface Trace {
  input: number[];
  v: number[];
  spikes: number[];
}

function readTrace(platform: string): Trace {
  const rows = readFileSync(new URL(`lif_${platform}.csv`, FOLDER), "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  return { input: rows.map((r) => (r[0] > 0 ? 1 : 0)), v: rows.map((r) => r[1] / PLATFORM_THRESHOLD[platform]), spikes: rows.flatMap((r, t) => (r[2] > 0 ? [t] : [])) };
}

function compileImport(chip: "generic" | "loihi"): ChipNetwork {
  const path = new URL("lif_norse.nir", FOLDER).pathname;
  const document = nirFromTree(readHdf5File(path, new Uint8Array(readFileSync(path))), path);
  const program = importNir(document, "lif_norse.nir", { dtMs: DT_MS, chip, networkName: "lif", dataFolder: "lif.data" });
  const result = compileSource(program.text, "lif.snn", { readFile: (p) => program.files.get(p)! });
  if (!result.network) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.network;
}

/** neurocc's run with `input`: v as a fraction of the threshold, and the LIF's spike steps. */
function runNeurocc(network: ChipNetwork, input: number[]): Trace {
  const inputName = network.populations.find((p) => p.kind === "input")!.name;
  const lif = network.populations.find((p) => p.kind === "neuron")!;
  const encoders = buildEncoderTables(network, new Map([[inputName, { shape: [STEPS, 1], values: input }]]), STEPS);
  const result = createReferenceEmulator(network).run({ steps: STEPS, encoders });
  const threshold = lif.neuron!.threshold;
  return {
    input,
    v: Array.from(result.probes[0].values, (v) => v / threshold),
    spikes: Array.from(result.spikeSteps.filter((_, i) => result.spikeNeurons[i] === lif.firstNeuron)),
  };
}

/** The lag (0 or 1) with the most same-step spike matches (then the smaller RMS), and the figures at it. */
function compare(platform: Trace, ours: Trace): { matched: number; rms: number; lag: number; worst: number } {
  let best = { matched: -1, rms: Infinity, lag: 0, worst: 0 };
  for (const lag of [0, 1]) {
    let sum = 0;
    for (let t = 0; t + lag < STEPS; t++) sum += (ours.v[t + lag] - platform.v[t]) ** 2;
    const rms = Math.sqrt(sum / (STEPS - lag));
    const matched = platform.spikes.filter((t) => ours.spikes.includes(t + lag)).length;
    const worst = Math.max(0, ...platform.spikes.map((t) => Math.min(...ours.spikes.map((o) => Math.abs(o - lag - t)))));
    if (matched > best.matched || (matched === best.matched && rms < best.rms)) best = { matched, rms, lag, worst };
  }
  return best;
}

await loadHdf5();
const networks = { generic: compileImport("generic"), loihi: compileImport("loihi") };
const platforms = Object.keys(PLATFORM_THRESHOLD);
const lines = [
  "| platform | platform spikes | generic (exact): neurocc spikes | matched / largest Δt (steps) | v RMS diff / v_th | loihi (Lava mapping): neurocc spikes | matched / largest Δt | v RMS diff / v_th | lag |",
  "|---|---|---|---|---|---|---|---|---|",
];
for (const platform of platforms) {
  const trace = readTrace(platform);
  const cells = (["generic", "loihi"] as const).map((chip) => {
    const ours = runNeurocc(networks[chip], trace.input);
    const c = compare(trace, ours);
    return { cells: [String(ours.spikes.length), `${c.matched}/${trace.spikes.length}, ${c.worst}`, c.rms.toFixed(4)], lag: c.lag };
  });
  lines.push(`| ${platform} | ${trace.spikes.length} | ${[...cells[0].cells, ...cells[1].cells].join(" | ")} | ${cells[0].lag}/${cells[1].lag} |`);
}
process.stdout.write(lines.join("\n") + "\n");
