/**
 * @fileoverview `neurocc import` and `neurocc export` end to end (`node cli/bin.mjs …`, no shell, in a
 * temporary folder): a NIR file becomes NET.snn + NET.data/, compile/run/inspect read a .nir with
 * its dt in the metadata directly, every export target writes its file or folder, a netx export
 * imports back; and failures — no dt, not an HDF5 file, an output folder that cannot be written —
 * give one message, a non-zero exit and no partial output. The commands run a few at a time, as in
 * test/cli/cli.test.ts, since each start costs about a second.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nirPath } from "./support.ts";

const BIN = fileURLToPath(new URL("../../cli/bin.mjs", import.meta.url));
interface Result { status: number | null; stdout: string; stderr: string }
let dir = "";

function neurocc(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, shell: false, env: { ...process.env, CI: "true", NO_COLOR: "1" }, timeout: 120_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

const LIF = nirPath("01_lif/lif_norse.nir");
const BRAILLE = nirPath("03_rnn/braille_noDelay_bias_zero.nir");
const results = new Map<string, Result>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "neurocc-targets-cli-"));
  writeFileSync(join(dir, "fake.nir"), "this is not HDF5\n");
  writeFileSync(join(dir, "a-file"), "x");
  // Stage 1: imports (and failures that must leave nothing behind).
  const stage1 = {
    importLif: ["import", LIF, "-o", "lif.snn", "--dt", "0.1ms", "--chip", "loihi"],
    importBraille: ["import", BRAILLE, "-o", "braille.snn", "--dt", "100us"],
    noDt: ["import", LIF, "-o", "nodt.snn"],
    fake: ["import", "fake.nir", "-o", "fake.snn", "--dt", "1ms"],
    badDt: ["import", LIF, "-o", "baddt.snn", "--dt", "0.1"],
  };
  await Promise.all(Object.entries(stage1).map(async ([k, a]) => results.set(k, await neurocc(...a))));
  results.set("compile", await neurocc("compile", "braille.snn", "-o", "braille.nchip"));
  const stage2 = {
    nir: ["export", "braille.nchip", "--target", "nir", "-o", "braille.nir"],
    c: ["export", "braille.nchip", "--target", "c", "-o", "braille-c"],
    verilog: ["export", "braille.nchip", "--target", "verilog", "-o", "braille-v"],
    csv: ["export", "braille.nchip", "--target", "csv", "-o", "braille-csv"],
    json: ["export", "braille.nchip", "--target", "json", "-o", "braille.json"],
    netxLif: ["export", "lif.snn", "--target", "netx", "-o", "lif.net"],
    unwritable: ["export", "braille.nchip", "--target", "c", "-o", "a-file/out"],
    netxRefused: ["export", "braille.nchip", "--target", "netx", "-o", "braille.net"],
  };
  await Promise.all(Object.entries(stage2).map(async ([k, a]) => results.set(k, await neurocc(...a))));
  const stage3 = {
    runNir: ["run", "braille.nir", "--steps", "20"],
    inspectNir: ["inspect", "braille.nir"],
    netxBack: ["import", "lif.net", "-o", "lif-back.snn", "--dt", "0.1ms"],
    runForeign: ["run", LIF, "--steps", "5"],
    runForeignDt: ["run", LIF, "--steps", "5", "--dt", "0.1ms"],
    inspectForeignDt: ["inspect", LIF, "--dt", "0.1ms"],
    dtOnImage: ["run", "braille.nchip", "--steps", "5", "--dt", "1ms"],
  };
  await Promise.all(Object.entries(stage3).map(async ([k, a]) => results.set(k, await neurocc(...a))));
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ok = (key: string) => {
  const r = results.get(key)!;
  expect(r.stderr.replace(/^.*warning.*$/gm, "").trim(), `${key}: ${r.stderr}`).toBe("");
  expect(r.status, key).toBe(0);
  return r;
};
const failed = (key: string, message: RegExp) => {
  const r = results.get(key)!;
  expect(r.status, key).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
};

describe("neurocc import", () => {
  it("writes NET.snn and NET.data/ with the weights", () => {
    expect(ok("importBraille").stdout).toContain("wrote braille.snn and 5 weight files");
    expect(readdirSync(join(dir, "braille.data")).length).toBe(5);
    ok("importLif");
    ok("compile");
  });
  it("fails cleanly without a dt, on a file that is not HDF5, and on a dt without its unit", () => {
    failed("noDt", /does not say its timestep.*--dt 0\.1ms/);
    failed("fake", /fake\.nir is not an HDF5 file/);
    failed("badDt", /--dt expects a time with its unit, e\.g\. 0\.1ms/);
    for (const leftover of ["nodt.snn", "nodt.data", "fake.snn", "baddt.snn"]) expect(existsSync(join(dir, leftover)), leftover).toBe(false);
  });
});

describe("neurocc export", () => {
  it("writes every target", () => {
    for (const key of ["nir", "c", "verilog", "csv", "json", "netxLif"]) ok(key);
    expect(readdirSync(join(dir, "braille-c")).sort()).toEqual(["main.c", "network.h", "neurocc.c", "neurocc.h"]);
    expect(readdirSync(join(dir, "braille-v"))).toContain("layout.json");
    expect(readdirSync(join(dir, "braille-csv")).sort()).toEqual(["populations.csv", "projections.csv", "synapses.csv"]);
  });
  it("a folder that cannot be written, or a network the format cannot hold: one message, nothing left", () => {
    failed("unwritable", /cannot write a-file\/out/);
    failed("netxRefused", /cannot export braille_noDelay_bias_zero as netx: netx is a chain of layers/);
    expect(existsSync(join(dir, "braille.net"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  });
  it("compile, run and inspect take a .nir directly; a netx export imports back", () => {
    expect(ok("runNir").stdout).toContain("ran braille_noDelay_bias_zero: 20 steps");
    expect(ok("inspectNir").stdout).toContain("lif1_lif");
    expect(ok("netxBack").stdout).toContain("wrote lif-back.snn");
    failed("runForeign", /does not say its timestep/);
  });
  it("--dt gives a .nir without dt metadata its timestep in run and inspect; anything else refuses it", () => {
    expect(ok("runForeignDt").stdout).toContain("5 steps");
    expect(ok("inspectForeignDt").stdout).toMatch(/dt\s*=?\s*0\.1\s*ms|0\.1 ms/);
    failed("dtOnImage", /--dt is for \.nir models/);
  });
});
