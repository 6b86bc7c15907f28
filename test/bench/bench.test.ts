/**
 * @fileoverview Smoke test of the benchmark harness: `bench/run.ts --quick` (1,000 neurons,
 * 300 steps, no Brian2) must run to the end, print its table, and find the wasm emulator, the
 * reference model and the C yardstick (when gcc is there) in agreement spike for spike. The
 * numbers themselves are not checked: this is not a performance test.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("bench/run.ts --quick", () => {
  it("runs every engine on a small CUBA network and they agree", () => {
    const dir = mkdtempSync(join(tmpdir(), "neurocc-bench-"));
    try {
      const json = join(dir, "results.json");
      const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "run.ts"), "--quick", "--json", json], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect(r.stderr + r.stdout).not.toMatch(/SPIKE MISMATCH/);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/wasm emulator/);
      expect(r.stdout).toMatch(/reference model/);
      expect(r.stdout).toMatch(/agree \(count and checksum\)/);
      const results = JSON.parse(readFileSync(json, "utf8")) as { rows: { engine: string; spikes: number }[] };
      const wasm = results.rows.find((row) => row.engine === "wasm emulator");
      expect(wasm?.spikes).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
