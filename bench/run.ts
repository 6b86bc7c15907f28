/**
 * @fileoverview `npm run bench`: the CUBA benchmark of the neurocc emulators against a plain C
 * yardstick and Brian2.
 *
 * For CUBA at 4,000 neurons (p = 0.02), 40,000 and 160,000 neurons (p = 0.002), 10,000 steps each
 * (1 s simulated at dt = 0.1 ms), it measures, each in a fresh process (bench/worker.ts) so that
 * every figure has its own peak RSS:
 *   - wasm     the wasm emulator (createWasmEmulator, SIMD kernel, counters on, no probes);
 *   - ref      the reference model (only at sizes ≤ 4,000 unless --reference-all; with
 *              --reference-steps fewer steps, the per-second figures are then scaled, and said so);
 *   - C        bench/cuba.c, gcc -O3 -march=native, on a dump of the same network (the yardstick:
 *              every ratio is wall time / C's wall time) and the same C built with -DCUBA_VECTOR
 *              (branchless, auto-vectorised update: what native SIMD gives);
 *   - brian2   Brian2's CUBA (bench/brian2_cuba.py) with cpp_standalone and cython, run with
 *              Debian's /usr/bin/python3 (skipped, with a note, when brian2 is not importable);
 *   - a phase split (not in --quick): C times its two phases; the wasm emulator is run once more
 *     under the CPU profiler with a build of the core that keeps function names (asc --debug);
 *   - a micro-benchmark of the wasm neuron update alone (no synapses): SIMD vs scalar kernel;
 *   - experiments that keep the spikes (not in --quick): the wasm emulator with every neuron on
 *     one core (what the per-spike counter work costs) and its first, cold run; the C yardsticks
 *     with the chip's full delay ring (maxDelaySteps + 1 slots) instead of (largest delay + 1).
 * The emulators and the C yardstick must produce the same spikes (count and checksum); a mismatch
 * is printed and makes the exit code 1. Brian2 simulates the floating-point model with two synaptic
 * currents, so its spike count is close but not equal.
 *
 * Options: --quick (smoke run: 1,000 neurons, p = 0.05, 300 steps, no Brian2 unless --brian),
 * --sizes 4000:0.02,40000:0.002 (n:p list), --steps S, --source compiled|hand (network, see
 * bench/networks.ts), --no-brian, --no-c, --no-experiments, --no-profile (--experiments and
 * --profile turn them on in --quick), --reference-steps S, --reference-all, --json FILE (default
 * bench/out/results.json), --repeat K (each timed figure is the fastest of K runs; default 3, 1
 * with --quick). The table goes to stdout, progress (with the load average) to stderr.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
const PYTHON = "/usr/bin/python3";

interface Size {
  n: number;
  p: number;
}

interface Row {
  size: Size;
  engine: string;
  steps: number;
  wallSeconds: number;
  spikes: number;
  events: number;
  checksum?: number;
  /** Peak RSS of the measuring process. */
  peakRssBytes?: number;
  /** Memory of the simulation itself (wasm: linear memory; C and Brian2: peak RSS). */
  simMemoryBytes?: number;
  note?: string;
  extra?: Record<string, unknown>;
}

interface Options {
  quick: boolean;
  sizes: Size[];
  steps: number;
  source: "compiled" | "hand";
  brian: boolean;
  c: boolean;
  referenceSteps: number | null;
  referenceAll: boolean;
  experiments: boolean;
  profile: boolean;
  json: string;
  repeat: number;
}

function parseOptions(argv: string[]): Options {
  const has = (f: string): boolean => argv.includes(f);
  const value = (f: string): string | undefined => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = has("--quick");
  const sizes = value("--sizes")
    ?.split(",")
    .map((s) => {
      const [n, p] = s.split(":");
      return { n: Number(n), p: Number(p ?? 0.02) };
    }) ?? (quick ? [{ n: 1000, p: 0.05 }] : [{ n: 4000, p: 0.02 }, { n: 40000, p: 0.002 }, { n: 160000, p: 0.002 }]);
  const source = (value("--source") ?? "compiled") as Options["source"];
  if (source !== "compiled" && source !== "hand") throw new Error(`--source compiled|hand, got ${source}`);
  return {
    quick,
    sizes,
    steps: Number(value("--steps") ?? (quick ? 300 : 10000)),
    source,
    brian: has("--brian") || (!quick && !has("--no-brian")),
    c: !has("--no-c"),
    referenceSteps: value("--reference-steps") ? Number(value("--reference-steps")) : null,
    referenceAll: has("--reference-all"),
    experiments: has("--experiments") || (!quick && !has("--no-experiments")),
    profile: has("--profile") || (!quick && !has("--no-profile")),
    json: value("--json") ?? join(OUT, "results.json"),
    repeat: Number(value("--repeat") ?? (quick ? 1 : 3)),
  };
}

const log = (s: string): void => void process.stderr.write(s + "\n");

function load1(): string {
  return loadavg()[0]!.toFixed(2);
}

/** How many times each timed measurement is repeated (the fastest run is kept); set by --repeat. */
let REPEAT = 1;

/** Runs a command once, returns the last JSON line of its stdout. */
function runOnce(cmd: string, args: string[], what: string): Record<string, any> {
  const t = performance.now();
  const load = load1();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  const secs = ((performance.now() - t) / 1000).toFixed(1);
  if (r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${(r.stderr || "").slice(-3000)}${(r.stdout || "").slice(-1000)}`);
  }
  const line = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
  if (!line) throw new Error(`${what}: no JSON output:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  const out = JSON.parse(line);
  const wall = typeof out.wallSeconds === "number" ? `, timed ${out.wallSeconds.toFixed(3)} s` : "";
  log(`  ${what}: ${secs} s${wall} (load ${load} → ${load1()})`);
  return { ...out, load1: Number(load) };
}

/** Runs a timed measurement REPEAT times (or once) and keeps the fastest; `walls` lists them all. */
function runJson(cmd: string, args: string[], what: string, repeat = REPEAT): Record<string, any> {
  let best: Record<string, any> | null = null;
  const walls: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = runOnce(cmd, args, repeat > 1 ? `${what} [${i + 1}/${repeat}]` : what);
    walls.push(r.wallSeconds);
    if (!best || r.wallSeconds < best.wallSeconds) best = r;
  }
  return { ...best!, walls };
}

/** A worker process; an `emulate` worker repeats the timed run itself (one process, REPEAT runs). */
function worker(args: string[], what: string): Record<string, any> {
  const extra = args[0] === "emulate" ? ["--repeat", String(REPEAT)] : [];
  return runJson(process.execPath, ["--expose-gc", "--import", "tsx", join(ROOT, "bench", "worker.ts"), ...args, ...extra], what, 1);
}

function buildC(): { plain: string; vector: string } | null {
  const gcc = existsSync("/usr/bin/gcc") ? "/usr/bin/gcc" : "gcc";
  const src = join(ROOT, "bench", "cuba.c");
  const plain = join(OUT, "cuba"), vector = join(OUT, "cuba-vec");
  try {
    execFileSync(gcc, ["-O3", "-march=native", "-o", plain, src], { stdio: "pipe" });
    execFileSync(gcc, ["-O3", "-march=native", "-DCUBA_VECTOR", "-o", vector, src], { stdio: "pipe" });
    return { plain, vector };
  } catch (err) {
    log(`  note: cannot build bench/cuba.c with gcc (${(err as Error).message.split("\n")[0]}); C rows skipped`);
    return null;
  }
}

/** The wasm core built with a name section (asc --debug, same optimisation), for --profile. */
function buildNamedCore(): string | null {
  const file = join(OUT, "core-names.wasm");
  const asc = join(ROOT, "node_modules", ".bin", "asc");
  try {
    execFileSync(asc, ["emulator/assembly/index.ts", "--config", "asconfig.json", "--target", "release", "--debug", "-o", file], { cwd: ROOT, stdio: "pipe" });
    return file;
  } catch (err) {
    log(`  note: cannot build the named wasm core (${(err as Error).message.split("\n")[0]}); no phase profile`);
    return null;
  }
}

/**
 * The release core run through binaryen's wasm-opt once more (-O4, passes repeated to a fixed
 * point) — the "binaryen beyond asc -O3" experiment; kept in the build only if it measures faster.
 */
function buildWasmOptCore(): string | null {
  const file = join(OUT, "core-O4.wasm");
  const wasmOpt = join(ROOT, "node_modules", ".bin", "wasm-opt");
  try {
    execFileSync(wasmOpt, [join(ROOT, "build", "release.wasm"), "-O4", "--converge", "--enable-simd", "--enable-bulk-memory",
      "--enable-sign-ext", "--enable-mutable-globals", "--enable-nontrapping-float-to-int", "-o", file], { cwd: ROOT, stdio: "pipe" });
    return file;
  } catch (err) {
    log(`  note: cannot run wasm-opt (${(err as Error).message.split("\n")[0]}); no wasm-opt experiment`);
    return null;
  }
}

function brianAvailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", "import brian2, sys; sys.stdout.write(brian2.__version__)"], { cwd: "/", encoding: "utf8" });
  return r.status === 0 ? null : "brian2 is not importable by /usr/bin/python3 (apt-get install -y python3-brian)";
}

const fmtSec = (s: number): string => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3));
const fmtRate = (x: number): string =>
  x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
const fmtBytes = (b: number | undefined): string =>
  b === undefined || b === null ? "–" : b >= 1 << 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(0)} MiB`;

/** A Markdown table; the first `left` columns are text (left-aligned), the rest numbers. */
function table(headers: string[], rows: string[][], left = 2): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => "| " + cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |";
  return [line(headers), "|" + widths.map((w, i) => (i < left ? ":" : "-") + "-".repeat(w) + (i < left ? "-" : ":")).join("|") + "|", ...rows.map(line)].join("\n");
}

/** What was measured: the commit, uncommitted changes to the emulator, the wasm core's hash. */
function provenance(): string {
  const git = (args: string[]): string => {
    const r = spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : "?";
  };
  const dirty = git(["status", "--porcelain", "--", "emulator", "compiler"]).split("\n").filter(Boolean).length;
  const wasm = join(ROOT, "build", "release.wasm");
  const hash = existsSync(wasm) ? createHash("sha256").update(readFileSync(wasm)).digest("hex").slice(0, 12) : "missing";
  return `commit ${git(["rev-parse", "--short", "HEAD"])}${dirty ? ` + ${dirty} uncommitted file(s) in emulator/ or compiler/` : ""}, build/release.wasm sha256 ${hash}`;
}

async function main(): Promise<number> {
  const opt = parseOptions(process.argv.slice(2));
  REPEAT = Math.max(1, opt.repeat);
  mkdirSync(OUT, { recursive: true });
  const dtSeconds = 1e-4;
  log(`neurocc bench: ${opt.sizes.map((s) => `${s.n}@p${s.p}`).join(", ")}, ${opt.steps} steps, network: ${opt.source}${opt.quick ? " (quick)" : ""}`);
  log(`machine: ${cpus().length} cpus, ${cpus()[0]?.model ?? "?"}, node ${process.version}, load ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const source = provenance();
  log(`code: ${source}`);

  const cBins = opt.c ? buildC() : null;
  const namedCore = opt.profile ? buildNamedCore() : null;
  const wasmOptCore = opt.experiments ? buildWasmOptCore() : null;
  const brianMissing = opt.brian ? brianAvailable() : "not requested (--quick or --no-brian)";
  const notes: string[] = [];
  if (brianMissing) notes.push(`Brian2 skipped: ${brianMissing}.`);
  const rows: Row[] = [];
  const micro: Row[] = [];
  const experiments: Row[] = [];
  const profiles: Row[] = [];
  const mismatches: string[] = [];
  const src = ["--source", opt.source];

  for (const size of opt.sizes) {
    const { n, p } = size;
    const tag = `${n}`;
    log(`\nCUBA N = ${n}, p = ${p}`);
    const np = ["--n", String(n), "--p", String(p)];

    // The C yardstick (plain, then auto-vectorised), on a dump of the same network.
    let cRow: Row | null = null;
    if (cBins) {
      const dumpFile = join(OUT, `cuba-${tag}.bin`);
      worker(["dump", ...np, ...src, "--out", dumpFile], "dump");
      for (const [bin, engine] of [[cBins.plain, "C (yardstick)"], [cBins.vector, "C auto-vectorised"]] as const) {
        const r = runJson(bin, [dumpFile, String(opt.steps)], engine);
        const row: Row = {
          size, engine, steps: r.steps, wallSeconds: r.wallSeconds, spikes: r.spikes, events: r.events,
          checksum: r.checksum, peakRssBytes: r.peakRssBytes, simMemoryBytes: r.peakRssBytes,
          extra: { updateSeconds: r.updateSeconds, deliverySeconds: r.deliverySeconds, ring: r.ring, chipRing: r.chipRing },
        };
        rows.push(row);
        if (!cRow) cRow = row;
        else if (row.checksum !== cRow.checksum || row.spikes !== cRow.spikes) mismatches.push(`${n}: C auto-vectorised ${row.spikes} spikes / ${row.checksum} vs C ${cRow.spikes} / ${cRow.checksum}`);
      }
    }

    // The wasm emulator.
    const w = worker(["emulate", ...np, ...src, "--engine", "wasm", "--steps", String(opt.steps)], "wasm emulator");
    const wRow: Row = {
      size, engine: "wasm emulator", steps: w.steps, wallSeconds: w.wallSeconds, spikes: w.spikes, events: w.events,
      checksum: w.checksum, peakRssBytes: w.peakRssBytes, simMemoryBytes: w.wasmMemoryBytes ?? undefined,
      extra: { setupSeconds: w.setupSeconds, buildSeconds: w.buildSeconds },
    };
    rows.push(wRow);
    if (cRow && (wRow.spikes !== cRow.spikes || wRow.checksum !== cRow.checksum)) {
      mismatches.push(`${n}: wasm ${wRow.spikes} spikes / checksum ${wRow.checksum} vs C ${cRow.spikes} / ${cRow.checksum}`);
    }

    // The reference model (small sizes; optionally fewer steps, figures per simulated second).
    if (n <= 4000 || opt.referenceAll) {
      const rSteps = Math.min(opt.referenceSteps ?? opt.steps, opt.steps);
      const r = worker(["emulate", ...np, ...src, "--engine", "reference", "--steps", String(rSteps)], "reference model");
      const row: Row = {
        size, engine: "reference model", steps: rSteps, wallSeconds: r.wallSeconds, spikes: r.spikes, events: r.events,
        checksum: r.checksum, peakRssBytes: r.peakRssBytes,
        note: rSteps < opt.steps ? `${rSteps} steps, scaled to 1 s` : undefined,
      };
      rows.push(row);
      // Compare with the C yardstick at the same number of steps.
      let target = cRow && rSteps === cRow.steps ? cRow : null;
      if (cBins && !target) {
        const c = runJson(cBins.plain, [join(OUT, `cuba-${tag}.bin`), String(rSteps)], `C at ${rSteps} steps (for the reference's checksum)`, 1);
        target = { ...cRow!, steps: rSteps, spikes: c.spikes, checksum: c.checksum };
      }
      if (target && (row.spikes !== target.spikes || row.checksum !== target.checksum)) {
        mismatches.push(`${n}: reference ${row.spikes} spikes / ${row.checksum} vs C ${target.spikes} / ${target.checksum} (${rSteps} steps)`);
      }
    } else {
      notes.push(`reference model not run at N = ${n} (only at N ≤ 4,000; --reference-all to force).`);
    }

    // Brian2.
    if (!brianMissing) {
      for (const target of ["cpp_standalone", "cython"]) {
        try {
          const b = runJson(PYTHON, [join(ROOT, "bench", "brian2_cuba.py"), "--target", target, "--n", String(n), "--p", String(p), "--duration", String(opt.steps * dtSeconds)], `Brian2 ${target}`);
          rows.push({
            size, engine: `Brian2 ${target}`, steps: b.steps, wallSeconds: b.wallSeconds, spikes: b.spikes, events: b.events,
            peakRssBytes: b.peakRssBytes, simMemoryBytes: b.peakRssBytes,
            extra: { buildSeconds: b.buildSeconds, runCallSeconds: b.runCallSeconds, binarySeconds: b.binarySeconds },
          });
        } catch (err) {
          notes.push(`Brian2 ${target} at N = ${n} failed: ${(err as Error).message.split("\n").slice(0, 3).join(" ")}`);
        }
      }
    }

    // Where the wasm emulator's time goes: one more run of the same network, CPU-profiled, with a
    // build of the core that has function names.
    if (namedCore && opt.profile) {
      const pr = worker(["emulate", ...np, ...src, "--engine", "wasm", "--steps", String(opt.steps), "--wasm", namedCore, "--profile"], "wasm emulator, profiled");
      profiles.push({ size, engine: "wasm profiled", steps: pr.steps, wallSeconds: pr.wallSeconds, spikes: pr.spikes, events: pr.events, checksum: pr.checksum, extra: pr.profile });
      if (cRow && (pr.spikes !== cRow.spikes || pr.checksum !== cRow.checksum)) mismatches.push(`${n}: named wasm core ${pr.spikes} / ${pr.checksum} vs C ${cRow.spikes} / ${cRow.checksum}`);
    }

    // Micro-benchmark: the wasm neuron update alone (no projections), SIMD vs scalar kernel.
    for (const kernel of ["simd", "scalar"]) {
      const m = worker(["emulate", ...np, ...src, "--engine", "wasm", "--kernel", kernel, "--no-synapses", "--steps", String(opt.steps)], `wasm update only (${kernel})`);
      micro.push({ size, engine: `wasm ${kernel} update`, steps: m.steps, wallSeconds: m.wallSeconds, spikes: m.spikes, events: m.events, checksum: m.checksum });
    }
    // Experiments that keep the spikes identical: the wasm emulator with its counters reduced to one
    // destination core per spike; the C yardsticks with the chip's full delay ring.
    if (opt.experiments) {
      const variants = [
        { flags: ["--one-core"], label: "wasm --one-core", first: false },
        { flags: ["--warmup", "0"], label: "wasm first run, no warm-up (Liftoff → TurboFan)", first: true },
        { flags: ["--counters", "pairs"], label: "wasm, event counters as (core, synapses) pairs", first: false },
        { flags: ["--counters", "fused"], label: "wasm, event counters fused into the synapse rows", first: false },
        ...(wasmOptCore ? [{ flags: ["--wasm", wasmOptCore], label: "wasm, core through wasm-opt -O4 --converge", first: false }] : []),
      ];
      for (const { flags, label, first } of variants) {
        const e = worker(["emulate", ...np, ...src, "--engine", "wasm", "--steps", String(opt.steps), ...flags], label);
        const wall = first ? (e.walls as number[])[0]! : e.wallSeconds;
        experiments.push({ size, engine: label, steps: e.steps, wallSeconds: wall, spikes: e.spikes, events: e.events, checksum: e.checksum, simMemoryBytes: e.wasmMemoryBytes ?? undefined });
      }
      if (cBins) {
        const chipRing = String(cRow?.extra?.chipRing ?? 63);
        for (const [bin, name] of [[cBins.plain, `C (yardstick) --ring ${chipRing}`], [cBins.vector, `C auto-vectorised --ring ${chipRing}`]] as const) {
          const r = runJson(bin, [join(OUT, `cuba-${tag}.bin`), String(opt.steps), "--ring", chipRing], name);
          experiments.push({ size, engine: name, steps: r.steps, wallSeconds: r.wallSeconds, spikes: r.spikes, events: r.events, checksum: r.checksum, simMemoryBytes: r.peakRssBytes });
        }
      }
      for (const e of experiments.filter((x) => x.size === size)) {
        if (cRow && (e.spikes !== cRow.spikes || e.checksum !== cRow.checksum)) mismatches.push(`${n}: ${e.engine} ${e.spikes} / ${e.checksum} vs C ${cRow.spikes} / ${cRow.checksum}`);
      }
    }

    const [ms, mc] = micro.slice(-2);
    if (ms && mc && (ms.checksum !== mc.checksum || ms.spikes !== mc.spikes)) mismatches.push(`${n}: SIMD and scalar kernels disagree without synapses`);
  }

  // ---- report ----
  const out: string[] = [];
  const headers = ["N (p)", "engine", "steps", "wall / sim s", "neuron upd/s", "syn events/s", "spikes", "sim memory", "peak RSS", "× C"];
  const body = rows.map((r) => {
    const c = rows.find((x) => x.size === r.size && x.engine === "C (yardstick)");
    const perSim = r.wallSeconds / (r.steps * dtSeconds);
    const cPerSim = c ? c.wallSeconds / (c.steps * dtSeconds) : NaN;
    return [
      `${r.size.n} (${r.size.p})`,
      r.engine + (r.note ? ` [${r.note}]` : ""),
      String(r.steps),
      `${fmtSec(perSim)} s`,
      fmtRate((r.size.n * r.steps) / r.wallSeconds),
      fmtRate(r.events / r.wallSeconds),
      String(Math.round(r.spikes * (opt.steps / r.steps))),
      fmtBytes(r.simMemoryBytes),
      fmtBytes(r.peakRssBytes),
      Number.isFinite(cPerSim) ? (perSim / cPerSim).toFixed(2) : "–",
    ];
  });
  out.push(table(headers, body));
  out.push("");
  out.push("sim memory: C and Brian2 = peak RSS of the simulating process; wasm = the core's linear memory (state, ring, CSR, counter tables); reference: not separable from the JS heap (see peak RSS). peak RSS of the emulators includes compiling the network.");
  out.push("spikes of rows with fewer steps are scaled to the full run.");

  // Phase split: C measures its two phases; for wasm the update-only run estimates the update part.
  const split: string[][] = [];
  const microRows: string[][] = [];
  for (const size of opt.sizes) {
    const c = rows.find((x) => x.size === size && x.engine === "C (yardstick)");
    const cv = rows.find((x) => x.size === size && x.engine === "C auto-vectorised");
    const w = rows.find((x) => x.size === size && x.engine === "wasm emulator");
    const ws = micro.find((x) => x.size === size && x.engine === "wasm simd update");
    const mc = micro.find((x) => x.size === size && x.engine === "wasm scalar update");
    for (const [name, r] of [["C (yardstick)", c], ["C auto-vectorised", cv]] as const) {
      if (r) split.push([`${size.n}`, name, `${fmtSec(r.extra!.updateSeconds as number)} s`, `${fmtSec(r.extra!.deliverySeconds as number)} s`, `${fmtSec(r.wallSeconds)} s`]);
    }
    const pr = profiles.find((x) => x.size === size);
    if (pr && pr.extra) {
      const f = pr.extra as { update: number; delivery: number; stepRest: number; otherWasm: number; host: number; total: number };
      const share = (x: number): string => `${((100 * x) / f.total).toFixed(0)} %`;
      const base = w?.wallSeconds ?? pr.wallSeconds;
      split.push([`${size.n}`, "wasm emulator (CPU profile shares × its wall time)", `${fmtSec((base * f.update) / f.total)} s (${share(f.update)})`, `${fmtSec((base * f.delivery) / f.total)} s (${share(f.delivery)})`, `${fmtSec(base)} s; step close ${share(f.stepRest)}, host ${share(f.host + f.otherWasm)}`]);
    }
    if (ws && mc) {
      microRows.push([`${size.n}`, `${fmtRate((size.n * ws.steps) / ws.wallSeconds)}/s`, `${fmtRate((size.n * mc.steps) / mc.wallSeconds)}/s`, `× ${(mc.wallSeconds / ws.wallSeconds).toFixed(2)}`]);
    }
  }
  if (split.length) {
    out.push("");
    out.push("Phase split (C: its own timers; wasm: self time in a CPU profile of one more run with a named build of the core; delivery includes the per-spike counters, step close = per-core cycles of the step):");
    out.push(table(["N", "what", "neuron update", "delivery (+ counters)", "total"], split));
  }
  if (experiments.length) {
    out.push("");
    out.push("Experiments (same spikes as the yardstick): wasm --one-core = every neuron on core 0, so each spike's counter work is one destination (what the counters cost); wasm first run = the first run() of a fresh emulator, without the warm-up runs the main figure has; wasm pairs / fused = the two layouts of the per-core event counters (the main figure uses the one the image builder picks); wasm-opt = the release core through binaryen's wasm-opt -O4 --converge; C --ring R = the chip's full delay ring of maxDelaySteps + 1 slots instead of (largest delay + 1):");
    out.push(table(["N", "variant", "wall / sim s", "syn events/s", "sim memory", "× C"], experiments.map((e) => {
      const c = rows.find((x) => x.size === e.size && x.engine === "C (yardstick)");
      return [`${e.size.n}`, e.engine, `${fmtSec(e.wallSeconds / (e.steps * dtSeconds))} s`, fmtRate(e.events / e.wallSeconds), fmtBytes(e.simMemoryBytes), c ? (e.wallSeconds / e.steps / (c.wallSeconds / c.steps)).toFixed(2) : "–"];
    })));
  }
  if (microRows.length) {
    out.push("");
    out.push("Micro-benchmark: wasm neuron update alone (all projections removed; counters on), SIMD vs scalar kernel:");
    out.push(table(["N", "SIMD updates", "scalar updates", "SIMD speed-up"], microRows, 1));
  }
  out.push("");
  for (const size of opt.sizes) {
    const c = rows.find((x) => x.size === size && x.engine === "C (yardstick)");
    const w = rows.find((x) => x.size === size && x.engine === "wasm emulator");
    if (c && w) {
      const ratio = w.wallSeconds / w.steps / (c.wallSeconds / c.steps);
      out.push(`N = ${size.n}: wasm / C = ${ratio.toFixed(2)} → ${ratio <= 1.25 ? "within" : "NOT within"} 1.25× of C`);
    }
  }
  out.push(mismatches.length ? `SPIKE MISMATCH:\n  ${mismatches.join("\n  ")}` : "spikes: wasm, reference and C agree (count and checksum) at every size");
  for (const note of notes) out.push(`note: ${note}`);
  const after = provenance();
  out.push(`code: ${source}${after === source ? "" : `\nWARNING: the code changed during the run; at the end: ${after}`}`);
  out.push(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(" ")} (${cpus().length} cpus; shared machine)`);
  process.stdout.write(out.join("\n") + "\n");

  mkdirSync(dirname(opt.json), { recursive: true });
  writeFileSync(opt.json, JSON.stringify({ options: opt, code: source, rows, micro, experiments, profiles, notes, mismatches, node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model }, null, 2));
  log(`\nraw results: ${relative(ROOT, opt.json)}`);
  return mismatches.length ? 1 : 0;
}

process.exitCode = await main();
