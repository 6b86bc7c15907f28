/**
 * @fileoverview `neurocc demo` — the README's first command — run as a user runs it: through
 * cli/bin.mjs (the esbuild bundle after `npm run build`, the sources otherwise) from a working
 * directory outside the repository, so that it must find its example from its own location.
 */
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("compiles and runs the bundled CUBA example and says what happened", () => {
  const bin = fileURLToPath(new URL("../../cli/bin.mjs", import.meta.url));
  const run = spawnSync(process.execPath, [bin, "demo"], { cwd: tmpdir(), encoding: "utf8", env: { ...process.env, CI: "true" } });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/ran cuba: 10000 steps of 0\.1 ms/);
  expect(run.stdout).toMatch(/exc\s+\d+ spikes/);
  expect(run.stdout).toMatch(/events\/s/);
});
