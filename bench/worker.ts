/**
 * @fileoverview One measurement in a fresh process, so that each figure gets its own peak RSS and
 * its own JIT state. bench/run.ts starts it as `node --expose-gc --import tsx bench/worker.ts MODE …`
 * and reads the one JSON line it prints on stdout.
 *
 * Modes:
 *   dump      --n N --p P --source compiled|hand --out FILE
 *             builds the network and writes the C yardstick's dump (bench/dump.ts).
 *   emulate   --n N --p P --source compiled|hand --engine wasm|reference --steps S
 *             [--kernel simd|scalar] [--counters auto|pairs|fused] [--warmup W] [--repeat K] [--no-synapses] [--one-core]
 *             [--wasm FILE] [--profile]
 *             builds the network, creates the emulator (timed as setupSeconds), runs W warm-up steps
 *             twice (wasm only: lets V8 tier the core up from Liftoff to TurboFan), then times one
 *             `run({ steps: S, encoders: [], recordProbes: false })` — counters on, no probes — K times
 *             (default 1) and reports the fastest (each run starts from the image's initial state).
 *             --no-synapses drops every projection (neuron update alone, for the kernel
 *             micro-benchmark and the phase split). --one-core puts every neuron on core 0: the
 *             spikes stay the same, the per-spike counter work shrinks to one destination (an
 *             experiment: what the counters cost).
 *             --wasm loads another build of the core, e.g.
 *             one with a name section (asc --debug) for profiling. --profile samples the timed runs
 *             with the inspector's CPU profiler and reports self time by part: neuron update
 *             (neuron.ts kernels), delivery (deliver), the step's close (runSteps: counters per
 *             core), other wasm, and the host (JS); it needs such a build to tell them apart.
 * Output fields: wallSeconds, cpuSeconds, spikes, events (sum of stepSynapticEvents), checksum
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

/** Every neuron on core 0: one packet and no hop per spike, so the counters cost almost nothing. */
function onOneCore(net: ChipNetwork): ChipNetwork {
  const slices = net.populations.map((pop, population) => ({ population, start: 0, count: pop.size }));
  return { ...net, placement: { cores: [slices] } };
}

/** Self time (seconds) of a CPU profile, by part of the wasm core (function names need a build of
 * the core with a name section: see --wasm) and the host. */
interface PhaseProfile {
  update: number;
  delivery: number;
  stepRest: number;
  otherWasm: number;
  host: number;
  total: number;
}

async function startProfiler(): Promise<{ stop(): Promise<PhaseProfile> }> {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  return {
    async stop() {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      const byId = new Map(profile.nodes.map((node) => [node.id, node]));
      const out: PhaseProfile = { update: 0, delivery: 0, stepRest: 0, otherWasm: 0, host: 0, total: 0 };
      const deltas = profile.timeDeltas ?? [];
      (profile.samples ?? []).forEach((id, i) => {
        const node = byId.get(id);
        const dt = (deltas[i + 1] ?? 0) / 1e6;
        if (!node) return;
        const { functionName: name, url } = node.callFrame;
        const key: keyof PhaseProfile = url.startsWith("wasm") || name.startsWith("emulator/assembly/")
          ? name.includes("/neuron/") ? "update"
            : /\/deliver(<\w+>)?$/.test(name) ? "delivery" // deliver<u8> / deliver<u16>: the two counter layouts
              : name.endsWith("/runSteps") || name.endsWith("/closeStep") ? "stepRest" : "otherWasm"
          : "host";
        if (name === "(idle)" || name === "(program)") return;
        out[key] += dt;
        out.total += dt;
      });
      return out;
    },
  };
}

async function emulate(args: Args): Promise<Record<string, unknown>> {
  const n = Number(args.get("n")), p = Number(args.get("p")), steps = Number(args.get("steps"));
  const engine = args.get("engine");
  const kernel = args.get("kernel", "simd") as "simd" | "scalar";
  const eventCounters = args.get("counters", "auto") as "auto" | "pairs" | "fused";
  const warmup = Number(args.get("warmup", engine === "wasm" ? "300" : "0"));
  const loaded = await loadCubaNetwork(n, p, args.get("source", "compiled") as NetworkSource);
  let network = args.has("no-synapses") ? withoutSynapses(loaded.network) : loaded.network;
  if (args.has("one-core")) network = onOneCore(network);
  const instances = captureInstances();
  const rssBefore = rss();
  const t0 = performance.now();
  let emulator: Emulator;
  if (engine === "wasm") {
    const { createWasmEmulator } = await import("../emulator/wasm.ts");
    const { loadWasmCore } = await import("../emulator/wasm-node.ts");
    const file = args.get("wasm", "");
    const module = file ? await WebAssembly.compile(readFileSync(file)) : await loadWasmCore();
    emulator = await createWasmEmulator(network, module, { kernel, eventCounters });
  } else if (engine === "reference") {
    const { createReferenceEmulator } = await import("../emulator/reference/index.ts");
    emulator = createReferenceEmulator(network);
  } else {
    throw new Error(`worker: unknown engine ${engine}`);
  }
  const setupSeconds = (performance.now() - t0) / 1000;
  for (let i = 0; i < 2 && warmup > 0; i++) emulator.run({ steps: Math.min(warmup, steps), encoders: [], recordProbes: false });
  const repeat = Math.max(1, Number(args.get("repeat", "1")));
  const profiler = args.has("profile") ? await startProfiler() : null;
  const walls: number[] = [], cpus: number[] = [];
  let result = null as ReturnType<Emulator["run"]> | null;
  for (let i = 0; i < repeat; i++) {
    const t1 = performance.now(), c1 = process.cpuUsage();
    const r = emulator.run({ steps, encoders: [], recordProbes: false });
    walls.push((performance.now() - t1) / 1000);
    const c2 = process.cpuUsage(c1);
    cpus.push((c2.user + c2.system) / 1e6);
    if (result && spikeChecksum(r.spikeSteps, r.spikeNeurons) !== spikeChecksum(result.spikeSteps, result.spikeNeurons)) {
      throw new Error("worker: two runs of the same emulator gave different spikes");
    }
    result = r;
  }
  if (!result) throw new Error("unreachable");
  const profile = profiler ? await profiler.stop() : null;
  const wallSeconds = Math.min(...walls);
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
    oneCore: args.has("one-core"),
    buildSeconds: loaded.buildSeconds,
    setupSeconds,
    wallSeconds,
    walls,
    // CPU time of the same runs: on a loaded machine it shows A/B differences that wall time hides
    cpuSeconds: Math.min(...cpus),
    spikes: result.spikeNeurons.length,
    events,
    checksum: spikeChecksum(result.spikeSteps, result.spikeNeurons),
    latencyCycles: result.latencyCycles,
    profile,
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
