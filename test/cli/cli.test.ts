/**
 * @fileoverview End-to-end tests of the `neurocc` command line: `node cli/bin.mjs ...` as a child
 * process (no shell, CI=true) in a temporary directory holding a copy of examples/.
 *
 * Each CLI start costs 0.5–2 s of CPU (tsx + chevrotain), so the commands are not run one test at a
 * time: every command this file needs is started once, in one `beforeAll`, as many at a time as there
 * are CPUs (the ones that use cuba.nchip wait for the compile that writes it), and the tests then check
 * the recorded exit codes, output and files. The children are started with `spawn` rather than
 * `spawnSync` only so that several can run at once; each is a plain argv call (no shell), exactly as a
 * user would type it.
 *
 * The `run` tests need the wasm core (`npm run asbuild` → build/release.wasm) and the emulators
 * (emulator/wasm.ts, emulator/reference/); when those are missing, the run tests fail with the
 * CLI's message about it and the rest still pass.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseNpy } from "../../compiler/arrays.ts";
import { COMPILER_VERSION, crc32, decodeImage, encodeImage, IMAGE_MAGIC } from "../../compiler/image.ts";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { describeNetwork } from "../../cli/inspect.ts";
import { Packr } from "msgpackr";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "cli", "bin.mjs");
const CONCURRENCY = Math.min(4, Math.max(2, availableParallelism()));
const TIMEOUT_MS = 60_000;

interface Result {
  args: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

let dir = "";

/** Runs `node cli/bin.mjs ...args` in the temp directory; never rejects. */
function neurocc(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      shell: false,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
      timeout: TIMEOUT_MS,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => resolve({ args, status: null, stdout: "", stderr: String(e) }));
    child.on("close", (status) => resolve({ args, status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/**
 * Runs every command, CONCURRENCY at a time, in the order given; a command listed in `after` first
 * waits for the command it names. Results by key.
 */
async function runAll<K extends string>(commands: Record<K, string[]>, after: NoInfer<Partial<Record<K, K>>>): Promise<Record<K, Result>> {
  const keys = Object.keys(commands) as K[];
  const started = new Map<K, Promise<Result>>();
  const results = {} as Record<K, Result>;
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      const before = after[key];
      if (before) await started.get(before);
      const running = neurocc(commands[key]);
      started.set(key, running);
      results[key] = await running;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

function show(r: Result): string {
  return `neurocc ${r.args.join(" ")} → exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

function expectOk(r: Result): void {
  expect(r.status, show(r)).toBe(0);
}

/** A failure the user can act on: non-zero exit, a message on stderr, and no stack trace. */
function expectCleanFailure(r: Result, message: RegExp): void {
  expect(r.status, show(r)).not.toBe(0);
  expect(r.status, show(r)).not.toBeNull();
  expect(r.stderr, show(r)).toMatch(message);
  expect(r.stderr.split("\n").filter((l) => /^\s+at /.test(l)), "stack trace lines on stderr").toEqual([]);
  expect(r.stderr, "internal error").not.toMatch(/internal error/);
}

const file = (name: string) => join(dir, name);
const read = (name: string) => readFileSync(file(name));
const readText = (name: string) => readFileSync(file(name), "utf8");

interface SpikeRow {
  step: number;
  timeMs: number;
  population: string;
  index: number;
  neuron: number;
}

function parseSpikesCsv(text: string): SpikeRow[] {
  const [header, ...lines] = text.trimEnd().split("\n");
  expect(header).toBe("step,time_ms,population,index,neuron");
  return lines.map((line) => {
    const [step, timeMs, population, index, neuron] = line.split(",");
    return { step: Number(step), timeMs: Number(timeMs), population, index: Number(index), neuron: Number(neuron) };
  });
}

// ---------------------------------------------------------------------------------------------
// Fixtures made in-process and the commands run once

const MALFORMED = "network bad {\n  input i[2] : rate();\n  layer b[3] : lfi(tau = 20ms);\n}\n";
const PRECIOUS = "an existing image that a failed compile must not touch\n";
const FF_INPUT = "examples/feedforward-input.csv";

let feedforward: ChipNetwork;

function prepareFiles(): void {
  dir = mkdtempSync(join(tmpdir(), "neurocc-cli-"));
  cpSync(join(ROOT, "examples"), join(dir, "examples"), { recursive: true });
  writeFileSync(file("malformed.snn"), MALFORMED);
  writeFileSync(file("existing.nchip"), PRECIOUS);
  writeFileSync(file("wrong-shape.csv"), "0.1,0.2,0.3,0.4,0.5\n");

  const result = compileSource(readText("examples/feedforward.snn"), "examples/feedforward.snn");
  feedforward = result.network!;
  const image = encodeImage(feedforward);
  writeFileSync(file("ff.nchip"), image);
  writeFileSync(file("truncated.nchip"), image.subarray(0, Math.floor(image.length / 2)));
  const corrupted = image.slice();
  corrupted[corrupted.length - 40] ^= 0xff; // inside the payload (the last field of the header map)
  writeFileSync(file("corrupted.nchip"), corrupted);
  const payload = new Packr({ moreTypes: true, useRecords: false }).pack(feedforward);
  const future = new Packr({ useRecords: false }).pack({ magic: IMAGE_MAGIC, format: 2, compiler: "9.9.9", checksum: crc32(payload), payload });
  writeFileSync(file("future.nchip"), future);
}

/** Every command of this file; the cuba.nchip ones come last and wait for `compileCuba`. */
const COMMANDS = {
  compileCuba: ["compile", "examples/cuba.snn", "-o", "cuba.nchip"],
  help: ["--help"],
  helpCompile: ["compile", "--help"],
  helpRun: ["run", "--help"],
  helpInspect: ["inspect", "--help"],
  helpDemo: ["demo", "--help"],
  ffWasm: ["run", "examples/feedforward.snn", "--input", FF_INPUT, "--out", "ff-wasm.csv"],
  ffReference: ["run", "examples/feedforward.snn", "--input", FF_INPUT, "--engine", "reference", "--out", "ff-reference.csv"],
  ffJson: ["run", "ff.nchip", "--input", FF_INPUT, "--out", "ff.json"],
  ffNpy: ["run", "ff.nchip", "--input", FF_INPUT, "--seed", "7", "--out", "ff.npy"],
  ffSeedOther: ["run", "ff.nchip", "--input", FF_INPUT, "--seed", "8", "--out", "ff-seed8.csv"],
  malformed: ["compile", "malformed.snn", "-o", "existing.nchip"],
  missingFile: ["run", "nothere.nchip"],
  truncated: ["run", "truncated.nchip"],
  corrupted: ["inspect", "corrupted.nchip"],
  future: ["run", "future.nchip"],
  unknownOption: ["run", "ff.nchip", "--bogus"],
  badSteps: ["run", "ff.nchip", "--steps", "ten"],
  badOut: ["run", "ff.nchip", "--input", FF_INPUT, "--out", "spikes.txt"],
  wrongShape: ["run", "ff.nchip", "--input", "wrong-shape.csv"],
  unknownInput: ["run", "ff.nchip", "--input", `nosuch=${FF_INPUT}`],
  runCuba: ["run", "cuba.nchip", "--steps", "1000", "--out", "spikes.csv"],
  runCubaReference: ["run", "cuba.nchip", "--steps", "1000", "--engine", "reference", "--out", "spikes-reference.csv"],
  inspectCuba: ["inspect", "cuba.nchip"],
} satisfies Record<string, string[]>;

let r = {} as Record<keyof typeof COMMANDS, Result>;

beforeAll(async () => {
  prepareFiles();
  r = await runAll(COMMANDS, { runCuba: "compileCuba", runCubaReference: "compileCuba", inspectCuba: "compileCuba" });
}, 240_000);

afterAll(() => {
  if (dir && !process.env.NEUROCC_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

describe("help", () => {
  it("neurocc --help lists the four commands", () => {
    expectOk(r.help);
    expect(r.help.stdout).toMatch(/Usage: neurocc/);
    for (const command of ["compile", "run", "inspect", "demo"]) expect(r.help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, "m"));
  });

  it.each([
    ["helpCompile", "compile", ["-o, --output", "--chip"]],
    ["helpRun", "run", ["--steps", "--input", "--seed", "--out", "--engine", "--chip"]],
    ["helpInspect", "inspect", ["<file>"]],
    ["helpDemo", "demo", ["--example", "--engine"]],
  ] as const)("neurocc %s --help", (key, command, options) => {
    const result = r[key];
    expectOk(result);
    expect(result.stdout).toContain(`Usage: neurocc ${command}`);
    for (const option of options) expect(result.stdout).toContain(option);
    expect(result.stderr).toBe("");
  });
});

describe("compile, run and inspect the CUBA example", () => {
  it("compile writes the same image as the compiler does in-process", () => {
    expectOk(r.compileCuba);
    expect(r.compileCuba.stdout).toMatch(/^wrote cuba\.nchip: 4000 neurons, 4 projections, \d+ cores of the loihi chip, \d+ bytes\n$/);
    const network = compileSource(readText("examples/cuba.snn"), "examples/cuba.snn").network!;
    expect(Buffer.from(encodeImage(network)).equals(read("cuba.nchip"))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp")), "temp files left behind").toEqual([]);
  });

  it("run --steps 1000 --out spikes.csv writes spikes of both populations", () => {
    expectOk(r.runCuba);
    expect(r.runCuba.stdout).toMatch(/ran cuba: 1000 steps of 0\.1 ms/);
    const rows = parseSpikesCsv(readText("spikes.csv"));
    const exc = rows.filter((s) => s.population === "exc");
    const inh = rows.filter((s) => s.population === "inh");
    expect(exc.length).toBeGreaterThan(0);
    expect(inh.length).toBeGreaterThan(0);
    expect(exc.length + inh.length).toBe(rows.length);
    for (const s of rows) {
      expect(s.step >= 0 && s.step < 1000).toBe(true);
      expect(s.timeMs).toBeCloseTo(s.step * 0.1, 9);
      expect(s.neuron).toBe(s.population === "exc" ? s.index : 3200 + s.index);
      expect(s.index).toBeLessThan(s.population === "exc" ? 3200 : 800);
    }
    for (let i = 1; i < rows.length; i++) {
      const ordered = rows[i - 1].step < rows[i].step || (rows[i - 1].step === rows[i].step && rows[i - 1].neuron < rows[i].neuron);
      expect(ordered, `rows ${i - 1} and ${i} out of order`).toBe(true);
    }
    expect(r.runCuba.stdout).toContain(`wrote ${rows.length} spikes to spikes.csv`);
  });

  it("inspect shows the image header and the same summary as describeNetwork", () => {
    expectOk(r.inspectCuba);
    const { header, network } = decodeImage(read("cuba.nchip"));
    expect(r.inspectCuba.stdout).toBe(describeNetwork(network, header));
    expect(r.inspectCuba.stdout).toMatch(/^network cuba — chip loihi/);
    expect(r.inspectCuba.stdout).toContain(`image format 1, compiled by neurocc ${COMPILER_VERSION}`);
  });
});

describe("run outputs and engines", () => {
  it("run examples/feedforward.snn --input examples/feedforward-input.csv", () => {
    expectOk(r.ffWasm);
    expect(r.ffWasm.stdout).toMatch(/ran feedforward: 200 steps/);
    const rows = parseSpikesCsv(readText("ff-wasm.csv"));
    for (const name of ["pixels", "hidden", "out"]) expect(rows.some((s) => s.population === name), name).toBe(true);
  });

  it("--out .json holds the same spikes, per population", () => {
    expectOk(r.ffJson);
    const json = JSON.parse(readText("ff.json")) as { network: string; dtMs: number; steps: number; populations: { name: string; size: number; firstNeuron: number; spikes: [number, number][] }[] };
    expect(json.network).toBe("feedforward");
    expect(json.dtMs).toBe(1);
    expect(json.steps).toBe(200);
    expect(json.populations.map((p) => [p.name, p.size, p.firstNeuron])).toEqual(feedforward.populations.map((p) => [p.name, p.size, p.firstNeuron]));
    const fromJson = json.populations.flatMap((p) => p.spikes.map(([step, index]) => [step, p.firstNeuron + index]));
    const fromCsv = parseSpikesCsv(readText("ff-wasm.csv")).map((s) => [s.step, s.neuron]);
    expect(fromJson.sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual(fromCsv);
  });

  it("--out .npy is an int32 [spikes, 2] array of (step, neuron)", () => {
    expectOk(r.ffNpy);
    const array = parseNpy(new Uint8Array(read("ff.npy")));
    const fromCsv = parseSpikesCsv(readText("ff-wasm.csv"));
    expect(array.shape).toEqual([fromCsv.length, 2]);
    expect(readText("ff.npy").slice(0, 80)).toContain("'descr': '<i4'");
    const pairs: number[][] = [];
    for (let i = 0; i < array.values.length; i += 2) pairs.push([array.values[i], array.values[i + 1]]);
    expect(pairs).toEqual(fromCsv.map((s) => [s.step, s.neuron]));
  });

  it("--engine reference writes byte-identical spikes to the default wasm engine (feedforward)", () => {
    expectOk(r.ffReference);
    expect(r.ffReference.stdout).toContain("on the reference emulator");
    expect(r.ffWasm.stdout).toContain("on the wasm emulator");
    expect(read("ff-reference.csv").equals(read("ff-wasm.csv"))).toBe(true);
  });

  it("--engine reference writes byte-identical spikes to the default wasm engine (CUBA: sparse, recurrent, 1000 steps)", () => {
    expectOk(r.runCuba);
    expectOk(r.runCubaReference);
    expect(read("spikes-reference.csv").equals(read("spikes.csv"))).toBe(true);
  });

  it("--seed: the network's own seed (7) reproduces the default run, another seed changes the rate-coded input", () => {
    // ff.npy was written with --seed 7 (the run block's seed) from the image; ff-wasm.csv with no --seed from the source.
    expectOk(r.ffNpy);
    expectOk(r.ffSeedOther);
    const array = parseNpy(new Uint8Array(read("ff.npy")));
    expect(Array.from(array.values)).toEqual(parseSpikesCsv(readText("ff-wasm.csv")).flatMap((s) => [s.step, s.neuron]));
    const input = (name: string) => parseSpikesCsv(readText(name)).filter((s) => s.population === "pixels").map((s) => `${s.step}:${s.index}`);
    expect(input("ff-seed8.csv").length).toBeGreaterThan(0);
    expect(input("ff-seed8.csv")).not.toEqual(input("ff-wasm.csv"));
  });
});

describe("every bad input is one readable message, a non-zero exit and no stack trace", () => {
  it("a malformed .snn: file:line:col, the source line and a caret (compile -o existing.nchip)", () => {
    expectCleanFailure(r.malformed, /malformed\.snn:3:16: error E102: unknown neuron model 'lfi'/);
    const lines = r.malformed.stderr.split("\n");
    const at = lines.findIndex((l) => l.includes("layer b[3] : lfi(tau = 20ms);"));
    expect(at, r.malformed.stderr).toBeGreaterThan(0);
    const caret = lines[at + 1];
    expect(caret.indexOf("^") - caret.indexOf("|")).toBe(lines[at].indexOf("lfi") - lines[at].indexOf("|"));
    expect(caret.trim().endsWith("^^^")).toBe(true);
    expect(r.malformed.stderr).toMatch(/nothing was written/);
  });

  it("a missing image", () => expectCleanFailure(r.missingFile, /not found: nothere\.nchip/));
  it("a truncated image", () => expectCleanFailure(r.truncated, /truncated\.nchip: .*(truncated|corrupted)/));
  it("a corrupted image", () => expectCleanFailure(r.corrupted, /corrupted\.nchip: .*checksum/));
  it("an image of another format version", () => expectCleanFailure(r.future, /future\.nchip: .*format 2.*recompile/));
  it("an unknown option", () => expectCleanFailure(r.unknownOption, /unknown option '--bogus'/));
  it("--steps that is not a number", () => expectCleanFailure(r.badSteps, /--steps.*ten/));
  it("--out with an unknown extension", () => expectCleanFailure(r.badOut, /--out must end in \.csv, \.json or \.npy/));
  it("--input of the wrong shape", () => expectCleanFailure(r.wrongShape, /'pixels' has 16 neurons.*\[5\]/));
  it("--input for a population that does not exist", () => expectCleanFailure(r.unknownInput, /'nosuch'.*no such population; inputs are pixels/));

  it("usage errors of a command exit with code 2, as at the top level", () => {
    expect(r.unknownOption.status, show(r.unknownOption)).toBe(2);
    expect(r.badSteps.status, show(r.badSteps)).toBe(2);
  });

  it("a failing `compile -o existing.nchip` leaves the existing file untouched (atomic writes)", () => {
    expectCleanFailure(r.malformed, /error E102/);
    expect(readText("existing.nchip")).toBe(PRECIOUS);
    expect(readdirSync(dir).filter((f) => f.includes("existing.nchip") && f !== "existing.nchip")).toEqual([]);
  });
});
