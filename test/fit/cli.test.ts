/**
 * @fileoverview `neurocc fit` end to end, as a user runs it: `node cli/bin.mjs fit ...` child
 * processes in a temporary directory holding a ground-truth raster (fit/synthetic.ts) and a set of
 * broken inputs. Checks the report, the exit codes (0 complete, 3 incomplete, 1 bad input or solver
 * failure, 2 bad option), that the written network reproduces the raster under `neurocc run`, and
 * that a failing command writes nothing.
 *
 * Every CLI start costs about a second, so the commands run two at a time from one `beforeAll`
 * (those that read another's output wait for it) and the tests check the recorded results.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatNpy } from "../../compiler/arrays.ts";
import { decodeImage } from "../../compiler/image.ts";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { countSpikes, type Raster } from "../../fit/raster.ts";
import { syntheticNetwork, type SyntheticNetwork } from "../../fit/synthetic.ts";
import { runNeurocc, type CliResult } from "../support/cli.ts";


type Result = CliResult;

let dir = "";
let truth: SyntheticNetwork;
let results: Record<string, Result> = {};

function neurocc(args: string[]): Promise<Result> {
  return runNeurocc(args, dir);
}

const npy = (raster: Raster) => formatNpy(raster.spikes, [raster.steps, raster.neurons]);

/** Commands by name; `after` names the command whose output one needs. */
const COMMANDS: Record<string, { args: string[]; after?: string }> = {
  snn: { args: ["fit", "raster.npy", "--input", "input.npy", "--delays", "2", "-o", "net.snn"] },
  runWritten: { args: ["run", "net.snn", "--input", "stim=input.npy", "--out", "replay.json", "--engine", "reference"], after: "snn" },
  fromJson: { args: ["fit", "replay.json:out", "--input", "replay.json:stim", "--delays", "2", "-o", "again.nchip"], after: "runWritten" },
  potentials: { args: ["fit", "raster.csv", "--input", "input.npy", "--delays", "2", "--potentials", "potentials.npy", "-o", "pot.nchip", "--engine", "reference"] },
  infeasible: { args: ["fit", "impossible.csv", "-o", "impossible.snn"] },
  keepBest: { args: ["fit", "impossible.csv", "-o", "best.snn", "--keep-best"] },
  wrongShape: { args: ["fit", "flat.npy", "-o", "x.snn"] },
  outOfRange: { args: ["fit", "late.json", "-o", "x.snn"] },
  spikeListCsv: { args: ["fit", "list.csv", "-o", "x.snn"] },
  inconsistentPotentials: { args: ["fit", "raster.npy", "--input", "input.npy", "--delays", "2", "--potentials", "bad-potentials.npy", "-o", "x.snn"] },
  inputSteps: { args: ["fit", "raster.npy", "--input", "short-input.npy", "-o", "x.snn"] },
  timeout: { args: ["fit", "raster.npy", "--input", "input.npy", "--delays", "2", "--time-limit", "0.000001", "-o", "x.snn"] },
  badOutput: { args: ["fit", "raster.npy", "-o", "x.txt"] },
  badGamma: { args: ["fit", "raster.npy", "--gamma", "2"] },
  tooManyDelays: { args: ["fit", "raster.npy", "--chip", "edge", "--delays", "20"] },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "neurocc-fit-"));
  truth = await syntheticNetwork({ neurons: 16, inputs: 5, steps: 160, density: 0.3, seed: 31, settings: { delays: 2 } }, createReferenceEmulator);
  const { raster, input, potentials } = truth;
  writeFileSync(join(dir, "raster.npy"), npy(raster));
  writeFileSync(join(dir, "input.npy"), npy(input!));
  writeFileSync(join(dir, "potentials.npy"), formatNpy(potentials.values, [raster.steps, raster.neurons]));
  const rows = Array.from({ length: raster.steps }, (_, t) => Array.from(raster.spikes.subarray(t * raster.neurons, (t + 1) * raster.neurons)).join(","));
  writeFileSync(join(dir, "raster.csv"), rows.join("\n") + "\n");
  // Neuron 0 spikes at 0 and 1, then never: impossible (docs/fit.md, "Infeasible rasters").
  writeFileSync(join(dir, "impossible.csv"), ["1,0", "1,0", ...new Array(10).fill("0,0")].join("\n") + "\n");
  writeFileSync(join(dir, "flat.npy"), formatNpy(Uint8Array.from([0, 1, 0, 1]), [4]));
  writeFileSync(join(dir, "list.csv"), "step,time_ms,population,index,neuron\n0,0,out,1,1\n");
  writeFileSync(join(dir, "late.json"), JSON.stringify({ steps: 5, populations: [{ name: "out", size: 2, spikes: [[1, 0], [5, 1]] }] }));
  const bad = Int32Array.from(potentials.values);
  const silent = raster.spikes.indexOf(0);
  bad[silent] = 70000;
  writeFileSync(join(dir, "bad-potentials.npy"), formatNpy(bad, [raster.steps, raster.neurons]));
  writeFileSync(join(dir, "short-input.npy"), formatNpy(input!.spikes.subarray(0, 10 * input!.neurons), [10, input!.neurons]));

  const started = new Map<string, Promise<Result>>();
  const names = Object.keys(COMMANDS);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++];
      const before = COMMANDS[name].after;
      // Registered before waiting, so that a later command that needs this one always finds it.
      const running = (async () => {
        if (before) await started.get(before);
        return neurocc(COMMANDS[name].args);
      })();
      started.set(name, running);
      results[name] = await running;
    }
  };
  await Promise.all([worker(), worker()]);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A failure the user can act on: the given exit code, one message, no stack trace. */
function expectCleanFailure(result: Result, status: number, message: RegExp): void {
  expect(result.status).toBe(status);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe("neurocc fit: a reproducible raster", () => {
  it("fits, reports 100 % and writes NET.snn with its NET.data/ weight files", () => {
    const r = results.snn;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`reproduced ${countSpikes(truth.raster)} of ${countSpikes(truth.raster)} spikes exactly \\(100\\.00 %\\)`));
    expect(r.stdout).toMatch(/wrote net\.snn and net\.data\//);
    expect(readdirSync(join(dir, "net.data")).sort()).toEqual(expect.arrayContaining(["drive.npy", "input_d1.npy", "recurrent_d1.npy"]));
    expect(readdirSync(dir).filter((f) => f.includes(".tmp") || f.includes(".old"))).toEqual([]);
  });

  it("the written network, run by `neurocc run`, spikes exactly as the raster", () => {
    expect(results.runWritten.status).toBe(0);
    const replay = JSON.parse(readFileSync(join(dir, "replay.json"), "utf8")) as { populations: { name: string; spikes: [number, number][] }[] };
    const produced = replay.populations.find((p) => p.name === "out")!.spikes.map(([t, n]) => t * truth.raster.neurons + n).sort((a, b) => a - b);
    const wanted = [...truth.raster.spikes.keys()].filter((i) => truth.raster.spikes[i] === 1);
    expect(produced).toEqual(wanted);
  });

  it("reads a `neurocc run --out` spike list and writes a chip image", () => {
    expect(results.fromJson.status).toBe(0);
    expect(results.fromJson.stdout).toMatch(/\(100\.00 %\)/);
    expect(decodeImage(new Uint8Array(readFileSync(join(dir, "again.nchip")))).network.populations.map((p) => p.name)).toEqual(["drive", "stim", "out"]);
  });

  it("fits observed potentials by least squares and reproduces them", () => {
    expect(results.potentials.status).toBe(0);
    expect(results.potentials.stdout).toMatch(/potentials: 16 of 16 neurons reproduce every observed potential/);
    expect(existsSync(join(dir, "pot.nchip"))).toBe(true);
  });
});

describe("neurocc fit: an impossible raster", () => {
  it("reports the neuron infeasible, exits 3 and writes nothing", () => {
    const r = results.infeasible;
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/neuron 0: infeasible: no weights within the bounds separate its spikes/);
    expect(r.stdout).not.toMatch(/neuron 1:/);
    expect(r.stdout).toMatch(/nothing written/);
    expect(existsSync(join(dir, "impossible.snn"))).toBe(false);
  });

  it("--keep-best writes the best network anyway, and still exits 3", () => {
    expect(results.keepBest.status).toBe(3);
    expect(results.keepBest.stdout).toMatch(/best found; it does not reproduce every spike/);
    expect(existsSync(join(dir, "best.snn"))).toBe(true);
  });
});

describe("neurocc fit: bad input gives one clear message, a non-zero exit and no file", () => {
  const cases: [string, number, RegExp][] = [
    ["wrongShape", 1, /flat\.npy: a raster must be a 2-D \[steps, neurons\] array of 0\/1, got shape \[4\]/],
    ["outOfRange", 1, /late\.json: population 'out' has a spike at step 5, outside the run's 5 steps/],
    ["spikeListCsv", 1, /list\.csv is a spike list from `neurocc run --out`, which does not record the raster's size; write it as \.json/],
    ["inconsistentPotentials", 1, /bad-potentials\.npy: inconsistent with the raster at step \d+, neuron \d+: potential 70000 is above the threshold 65535/],
    ["inputSteps", 1, /the input raster has 10 steps but the raster to fit has 160/],
    ["timeout", 1, /the solver could not finish the margin LP of neuron 0 .*time limit of 0\.000001 s reached; raise --time-limit/],
    ["badOutput", 1, /-o must end in \.snn .* or \.nchip/],
    ["badGamma", 2, /--gamma.*expected a number in \[0, 1\], got '2'/],
    ["tooManyDelays", 1, /--delays 20 exceeds the edge chip's largest delay \(15 steps\)/],
  ];
  for (const [name, status, message] of cases) {
    it(name, () => {
      expectCleanFailure(results[name], status, message);
      expect(existsSync(join(dir, "x.snn"))).toBe(false);
      expect(existsSync(join(dir, "x.data"))).toBe(false);
    });
  }
});
