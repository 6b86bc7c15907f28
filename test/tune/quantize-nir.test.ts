/**
 * @fileoverview `neurocc quantize` on a NIR model: the float weights of an exported network come
 * back through NIR and are quantized and reported like those of a .snn.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const neurocc = (...args: string[]) => spawnSync(process.execPath, [join(root, "cli", "bin.mjs"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true" } });

it("quantizes the weights of a .nir model and reports each projection", () => {
  const dir = mkdtempSync(join(tmpdir(), "neurocc-qnir-"));
  expect(neurocc("compile", "examples/feedforward.snn", "-o", join(dir, "ff.nchip")).status).toBe(0);
  expect(neurocc("export", join(dir, "ff.nchip"), "--target", "nir", "-o", join(dir, "ff.nir")).status).toBe(0);
  const run = neurocc("quantize", join(dir, "ff.nir"), "--bits", "4", "--input", "pixels=examples/feedforward-input.csv", "-o", join(dir, "ff4.nchip"));
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/pixels->hidden\s+4\s/);
  expect(run.stdout).toMatch(/hidden->out\s+4\s/);
  const bad = neurocc("quantize", join(root, "../shared/nir/paper/03_rnn/braille_noDelay_bias_zero.nir"));
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/does not say its timestep/);
});
