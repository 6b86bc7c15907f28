/**
 * @fileoverview Smoke test of the back-engineering benchmark: `bench/fit.ts --quick` on one tiny
 * size must run to the end and print its three tables with every ground truth reproduced by the
 * cascade. Times are not checked: this is not a performance test.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

it("bench/fit.ts --quick prints the size, precision and potentials tables", () => {
  const dir = mkdtempSync(join(tmpdir(), "neurocc-fit-bench-"));
  try {
    const json = join(dir, "fit.json");
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "fit.ts"), "--quick", "--sizes", "12:120:1:0.3", "--json", json], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr.replace(/npm warn.*\n/g, "")).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1\. size/);
    expect(r.stdout).toMatch(/\| 12 × 120, D 1, p 0\.3 \|.*\| 12\/12 \| 100\.00 % \| 0 \|/);
    expect(r.stdout).toMatch(/\| 4 bits, auto \|.*\| 15\/15 \| 100\.00 % \| 0 \|/);
    expect(r.stdout).toMatch(/3\. observed potentials/);
    const rows = (JSON.parse(readFileSync(json, "utf8")) as { rows: { table: string }[] }).rows;
    expect(rows.map((row) => row.table)).toEqual(["size", "precision", "precision", "precision", "precision", "potentials"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
