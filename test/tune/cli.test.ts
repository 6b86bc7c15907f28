/**
 * @fileoverview End-to-end tests of `neurocc tune gain`, `neurocc quantize` and `neurocc calibrate`
 * (and `run` with the new encoders): `node cli/bin.mjs ...` as child processes in a temporary
 * directory. As in test/cli/cli.test.ts, every command is started once in `beforeAll`, a few at a
 * time, and the tests check the recorded exit codes, output and files.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatNpy, parseNpy } from "../../compiler/arrays.ts";
import { decodeImage } from "../../compiler/image.ts";
import { runNeurocc, type CliResult } from "../support/cli.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

type Result = CliResult;
let dir = "";

function neurocc(args: string[]): Promise<Result> {
  return runNeurocc(args, dir, 60_000);
}

const COMMANDS: Record<string, string[]> = {
  tune: ["tune", "gain", "two.snn", "--data", "data.csv", "--labels", "labels.csv", "--values", "0.01,1"],
  tuneUnlabelled: ["tune", "gain", "two.snn", "--data", "data.csv", "--values", "0.5,2", "--engine", "reference", "--samples", "4"],
  tuneBadShape: ["tune", "gain", "two.snn", "--data", "labels.csv", "--values", "1"],
  tuneBadValues: ["tune", "gain", "two.snn", "--data", "data.csv", "--values", "1,x"],
  quantize: ["quantize", join(ROOT, "examples", "feedforward.snn"), "--bits", "3", "--input", join(ROOT, "examples", "feedforward-input.csv"), "-o", "ff3.nchip"],
  quantizeArray: ["quantize", "w.npy", "--bits", "4", "--per-channel", "-o", "w4.npy"],
  quantizeBadBits: ["quantize", "w.npy", "--bits", "17"],
  quantizeBadConnection: ["quantize", join(ROOT, "examples", "feedforward.snn"), "--bits-for", "a->b=4"],
  calibrate: ["calibrate", "hq.snn", "--data", "sensors.csv", "-o", "hq.nchip"],
  calibrateNegative: ["calibrate", "hq.snn", "--data", "negative.csv", "-o", "bad.nchip"],
  runDelta: ["run", "delta.snn", "--input", "frames.csv", "--out", "delta.csv"],
};
const results: Record<string, Result> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "neurocc-tune-"));
  writeFileSync(join(dir, "two.snn"), `network two {
  input x[4] : rate();
  layer out[2] : lif(tau = 10ms, refractory = 2ms);
  connect x -> out : dense(weight = [0.6, 0.6, 0, 0, 0, 0, 0.6, 0.6]);
  run { steps = 40; }
}`);
  const rows = Array.from({ length: 8 }, (_, s) => (s % 2 === 0 ? "0.7,0.7,0.05,0.05" : "0.05,0.05,0.7,0.7"));
  writeFileSync(join(dir, "data.csv"), rows.join("\n") + "\n");
  writeFileSync(join(dir, "labels.csv"), Array.from({ length: 8 }, (_, s) => s % 2).join("\n") + "\n");
  writeFileSync(join(dir, "w.npy"), formatNpy(Int32Array.from([8, -4, 2, 32, 16, -48]), [2, 3]));
  writeFileSync(join(dir, "hq.snn"), `network hq {
  input sensors[3] : rate();
  layer mc[3, 4] : lif(tau = 20ms, refractory = 5ms);
  connect sensors -> mc : hetquant(payload = 0.05, limit = 0.02, cycle = 20ms);
  run { steps = 60; }
}`);
  writeFileSync(join(dir, "sensors.csv"), Array.from({ length: 20 }, (_, k) => `${k + 1},${2 * k + 1},${(k % 5) + 1}`).join("\n") + "\n");
  writeFileSync(join(dir, "negative.csv"), "1,2,3\n-1,2,3\n");
  writeFileSync(join(dir, "delta.snn"), `network d {
  input x[1] : delta(threshold = 1, off_spikes = 1);
  layer y[1] : if();
  connect x -> y : dense();
  run { steps = 6; }
}`);
  writeFileSync(join(dir, "frames.csv"), "1\n2\n0\n2\n2.9\n");
  const names = Object.keys(COMMANDS);
  for (let i = 0; i < names.length; i += 3) {
    await Promise.all(names.slice(i, i + 3).map(async (name) => { results[name] = await neurocc(COMMANDS[name]); }));
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("neurocc tune gain", () => {
  it("prints a row per gain and picks the best", () => {
    const r = results.tune;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/0\.01 .*%/);
    expect(r.stdout).toMatch(/\s1\s+100\.0%.*← best/);
    expect(r.stdout).toMatch(/best gain: 1 /);
  });

  it("works without labels, on the reference engine, on the first k samples", () => {
    expect(results.tuneUnlabelled.status).toBe(0);
    expect(results.tuneUnlabelled.stdout).toMatch(/on 4 samples/);
    expect(results.tuneUnlabelled.stdout).toMatch(/saturation ≤ 1%/);
  });

  it("names the file and the expected shape, or the bad list", () => {
    expect(results.tuneBadShape.status).toBe(1);
    expect(results.tuneBadShape.stderr).toMatch(/labels\.csv has shape \[8\]; input 'x' takes 4 values per sample/);
    expect(results.tuneBadValues.status).not.toBe(0);
    expect(results.tuneBadValues.stderr).toMatch(/--values must be a comma-separated list of numbers/);
  });
});

describe("neurocc quantize", () => {
  it("reports every projection and writes the image at the requested width", () => {
    const r = results.quantize;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/pixels->hidden\s+3\s+/);
    expect(r.stdout).toMatch(/hidden->out\s+3\s+/);
    expect(r.stdout).toMatch(/all projections quantized: layer spikes \d+ → \d+/);
    expect(r.stderr).toMatch(/W201/); // 3-bit weights lose more than 5 %
    const image = decodeImage(new Uint8Array(readFileSync(join(dir, "ff3.nchip"))));
    expect(image.network.projections.map((p) => p.weightBits)).toEqual([3, 3]);
  });

  it("turns a float array into integer mantissas with per-channel exponents", () => {
    const r = results.quantizeArray;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/exponents per channel 1, 3/);
    const out = parseNpy(new Uint8Array(readFileSync(join(dir, "w4.npy"))));
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.values)).toEqual([4, -2, 1, 4, 2, -6]);
  });

  it("rejects bits out of range and unknown connections", () => {
    expect(results.quantizeBadBits.status).toBe(1);
    expect(results.quantizeBadBits.stderr).toMatch(/--bits must be 1\.\.16/);
    expect(results.quantizeBadConnection.status).toBe(1);
    expect(results.quantizeBadConnection.stderr).toMatch(/--bits-for a->b: the network has no such connection/);
  });
});

describe("neurocc calibrate", () => {
  it("prints the running min/max per feature and writes a calibrated image", () => {
    const r = results.calibrate;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/feature 0: running min [\d.]+, max [\d.]+ \(20 nonzero values\)/);
    expect(existsSync(join(dir, "hq.nchip"))).toBe(true);
  });

  it("rejects negative data and writes nothing", () => {
    expect(results.calibrateNegative.status).toBe(1);
    expect(results.calibrateNegative.stderr).toMatch(/negative\.csv: hetquant calibration data must be ≥ 0/);
    expect(existsSync(join(dir, "bad.nchip"))).toBe(false);
  });
});

describe("neurocc run with the delta encoder", () => {
  it("gives snnTorch's on/off spikes for [1, 2, 0, 2, 2.9]", () => {
    expect(results.runDelta.status).toBe(0);
    const lines = readFileSync(join(dir, "delta.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    const spikes = lines.map(([step, , pop, index]) => `${step}:${pop}[${index}]`);
    expect(spikes.filter((s) => s.includes(":x["))).toEqual(["0:x[0]", "1:x[0]", "2:x[1]", "3:x[0]"]);
  });
});
