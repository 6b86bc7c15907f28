/**
 * @fileoverview `neurocc calibrate --online` end to end (child processes in a temporary directory,
 * started once in `beforeAll`, two at a time): the image holds the weights the chip ended with, the
 * report prints the unit's registers and cost, both engines write the same bytes, and bad input gets
 * one clear message, a non-zero exit and no file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "../../compiler/image.ts";
import { compileSource } from "../../compiler/index.ts";
import { runNeurocc, type CliResult } from "../support/cli.ts";

let dir = "";
const HETQUANT = `network hq {
  input sensors[3] : rate();
  layer mc[3, 4] : lif(tau = 20ms, refractory = 5ms);
  connect sensors -> mc : hetquant(payload = 0.05, limit = 0.02, cycle = 20ms, exponent = 2);
  run { steps = 20; }
}`;
const COMMANDS: Record<string, string[]> = {
  wasm: ["calibrate", "hq.snn", "--data", "sensors.csv", "--online", "-o", "wasm.nchip"],
  reference: ["calibrate", "hq.snn", "--data", "sensors.csv", "--online", "--engine", "reference", "-o", "reference.nchip"],
  negative: ["calibrate", "hq.snn", "--data", "negative.csv", "--online", "-o", "bad1.nchip"],
  shape: ["calibrate", "hq.snn", "--data", "shape.csv", "--online", "-o", "bad2.nchip"],
  zeros: ["calibrate", "hq.snn", "--data", "zeros.csv", "--online", "-o", "bad3.nchip"],
  noColumns: ["calibrate", "plain.snn", "--data", "sensors.csv", "--online", "-o", "bad4.nchip"],
};
const results: Record<string, CliResult> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "neurocc-calibration-"));
  writeFileSync(join(dir, "hq.snn"), HETQUANT);
  writeFileSync(join(dir, "plain.snn"), "network p { input x[3] : rate(); layer y[3] : lif(tau = 20ms); connect x -> y : one_to_one(weight = 0.5); }");
  writeFileSync(join(dir, "sensors.csv"), Array.from({ length: 30 }, (_, k) => `${(k % 7) + 1},${2 * (k % 5) + 1},${(k % 3) + 4}`).join("\n") + "\n");
  writeFileSync(join(dir, "negative.csv"), "1,2,3\n1,-2,3\n");
  writeFileSync(join(dir, "shape.csv"), "1,2\n3,4\n");
  writeFileSync(join(dir, "zeros.csv"), "0,0,0\n0,0,0\n");
  const names = Object.keys(COMMANDS);
  for (let i = 0; i < names.length; i += 2) {
    await Promise.all(names.slice(i, i + 2).map(async (name) => { results[name] = await runNeurocc(COMMANDS[name], dir, 60_000); }));
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("neurocc calibrate --online", () => {
  it("streams the data through the chip, prints the registers and the unit's cost, and writes the chip's weights", () => {
    const r = results.wasm;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/on the chip \(wasm emulator\): 30 samples of sensors\.csv, 20 steps each/);
    expect(r.stdout).toMatch(/feature 2: min register \d+ \(x = [\d.]+\), max register \d+ \(x = [\d.]+\), 30 nonzero values/);
    expect(r.stdout).toMatch(/calibration unit: \d+ cycles \([\d.]+ µs at 500 MHz\), [\d.]+ µJ; 90 observations/);
    const { network } = decodeImage(readFileSync(join(dir, "wasm.nchip")));
    const projection = network.projections.find((p) => p.calibration)!;
    expect(projection.calibration).toMatchObject({ features: 3, duplication: 4 });
    // same synapses as the data-blind image, other mantissas: the levels moved to the data's quantiles
    const blind = compileSource(HETQUANT, "hq.snn").network!.projections.find((p) => p.name === projection.name)!;
    const stored = (weights: Int32Array) => Array.from(weights, (w) => w !== 0);
    expect(stored(projection.connectivity.weights)).toEqual(stored(blind.connectivity.weights));
    expect(projection.connectivity.weights).not.toEqual(blind.connectivity.weights);
  });

  it("both engines end with the same image", () => {
    expect(results.reference.status).toBe(0);
    expect(readFileSync(join(dir, "reference.nchip"))).toEqual(readFileSync(join(dir, "wasm.nchip")));
  });

  it("rejects bad data and networks without hetquant columns, writing nothing", () => {
    const expected: Record<string, RegExp> = {
      negative: /negative\.csv: hetquant calibration data must be ≥ 0 .* found -2 in sample 1/,
      shape: /shape\.csv has shape \[2, 2\]/,
      zeros: /zeros\.csv: hetquant calibration data holds no nonzero value/,
      noColumns: /plain\.snn: no hetquant connection starts at 'x'/,
    };
    Object.entries(expected).forEach(([name, message], k) => {
      expect(results[name].status).toBe(1);
      expect(results[name].stderr).toMatch(message);
      expect(results[name].stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(dir, `bad${k + 1}.nchip`))).toBe(false);
    });
  });
});
