/**
 * @fileoverview One measurement in a fresh process, so that each figure gets its own peak RSS and
 * its own JIT state. bench/run.ts starts it as `node --expose-gc --import tsx bench/worker.ts MODE …`
 * and reads the one JSON line it prints on stdout.
 *
 * Modes:
 *   dump      --n N --p P --source compiled|hand --out FILE
 *             builds the network and writes the C yardstick's dump (bench/dump.ts).
 *   emulate   --n N --p P --source compiled|hand --engine wasm|reference --steps S
 *             [--kernel simd|scalar] [--warmup W] [--no-synapses] [--wasm FILE]
 *             builds the network, creates the emulator (timed as setupSeconds), runs W warm-up steps
 *             twice (wasm only: lets V8 tier the core up from Liftoff to TurboFan), then times one
 *             `run({ steps: S, encoders: [], recordProbes: false })` — counters on, no probes.
 *             --no-synapses drops every projection (neuron update alone, for the kernel
 *             micro-benchmark and the phase split). --wasm loads another build of the core, e.g.
 *             one with a name section for `node --cpu-prof` (see bench/RESULTS.md).
 * Output fields: wallSeconds, spikes, events (sum of stepSynapticEvents), checksum
 * (bench/dump.ts's spikeChecksum), setupSeconds, buildSeconds, peakRssBytes (process, includes
 * building/compiling the network), wasmMemoryBytes (the core's linear memory: its whole state and
 * tables), rssBeforeBytes / rssAfterBytes (after a GC, around create + run).
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { ChipNetwork } from "../compiler/ir.ts";
import type { Emulator } from "../emulator/types.ts";
import { spikeChecksum, writeDump } from "./dump.ts";
import { loadCubaNetwork, type NetworkSource } from "./networks.ts";

interface Args {
  mode: string;
  get(name: string, fallback?: string): string;
  has(name: string): boolean;
}

function parseArgs(argv: string[]): Args {
  return {
    mode: argv[0] ?? "",
    get(name, fallback) {
      const i = argv.indexOf(`--${name}`);
      if (i >= 0 && i + 1 < argv.length) return argv[i + 1]!;
      if (fallback === undefined) throw new Error(`worker: missing --${name}`);
      return fallback;
    },
    has: (name) => argv.includes(`--${name}`),
  };
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function rss(): number {
  gc();
  return process.memoryUsage().rss;
}

/** Captures the wasm instance that createWasmEmulator makes, to read its memory size. */
function captureInstances(): WebAssembly.Instance[] {
  const seen: WebAssembly.Instance[] = [];
  const original = WebAssembly.instantiate.bind(WebAssembly) as (...a: unknown[]) => Promise<unknown>;
  (WebAssembly as { instantiate: unknown }).instantiate = async (...a: unknown[]) => {
    const r = await original(...a);
    seen.push(r instanceof WebAssembly.Instance ? r : (r as WebAssembly.WebAssemblyInstantiatedSource).instance);
    return r;
  };
  return seen;
}

function withoutSynapses(net: ChipNetwork): ChipNetwork {
  return { ...net, projections: [] };
}

async function emulate(args: Args): Promise<Record<string, unknown>> {
  const n = Number(args.get("n")), p = Number(args.get("p")), steps = Number(args.get("steps"));
  const engine = args.get("engine");
  const kernel = args.get("kernel", "simd") as "simd" | "scalar";
  const warmup = Number(args.get("warmup", engine === "wasm" ? "300" : "0"));
  const loaded = await loadCubaNetwork(n, p, args.get("source", "compiled") as NetworkSource);
  const network = args.has("no-synapses") ? withoutSynapses(loaded.network) : loaded.network;
  const instances = captureInstances();
  const rssBefore = rss();
  const t0 = performance.now();
  let emulator: Emulator;
  if (engine === "wasm") {
    const { createWasmEmulator } = await import("../emulator/wasm.ts");
    const { loadWasmCore } = await import("../emulator/wasm-node.ts");
    const file = args.get("wasm", "");
    const module = file ? await WebAssembly.compile(readFileSync(file)) : await loadWasmCore();
    emulator = await createWasmEmulator(network, module, { kernel });
  } else if (engine === "reference") {
    const { createReferenceEmulator } = await import("../emulator/reference/index.ts");
    emulator = createReferenceEmulator(network);
  } else {
    throw new Error(`worker: unknown engine ${engine}`);
  }
  const setupSeconds = (performance.now() - t0) / 1000;
  for (let i = 0; i < 2 && warmup > 0; i++) emulator.run({ steps: Math.min(warmup, steps), encoders: [], recordProbes: false });
  const t1 = performance.now();
  const result = emulator.run({ steps, encoders: [], recordProbes: false });
  const wallSeconds = (performance.now() - t1) / 1000;
  let events = 0;
  for (const e of result.stepSynapticEvents) events += e;
  const mem = instances.at(-1)?.exports.memory;
  return {
    engine: engine === "wasm" ? `wasm-${kernel}` : engine,
    n,
    p,
    steps,
    synapses: network.projections.reduce((s, pr) => s + pr.connectivity.weights.length, 0),
    origin: loaded.origin,
    noSynapses: args.has("no-synapses"),
    buildSeconds: loaded.buildSeconds,
    setupSeconds,
    wallSeconds,
    spikes: result.spikeNeurons.length,
    events,
    checksum: spikeChecksum(result.spikeSteps, result.spikeNeurons),
    latencyCycles: result.latencyCycles,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    wasmMemoryBytes: mem instanceof WebAssembly.Memory ? mem.buffer.byteLength : null,
    rssBeforeBytes: rssBefore,
    rssAfterBytes: rss(),
  };
}

async function dump(args: Args): Promise<Record<string, unknown>> {
  const n = Number(args.get("n")), p = Number(args.get("p"));
  const loaded = await loadCubaNetwork(n, p, args.get("source", "compiled") as NetworkSource);
  const synapses = writeDump(loaded.network, args.get("out"));
  return { n, p, synapses, origin: loaded.origin, buildSeconds: loaded.buildSeconds, dtUs: loaded.network.dtUs };
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const out = args.mode === "dump" ? await dump(args) : args.mode === "emulate" ? await emulate(args) : null;
  if (!out) throw new Error(`worker: unknown mode '${args.mode}' (dump | emulate)`);
  process.stdout.write(JSON.stringify(out) + "\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main(process.argv.slice(2));
}
