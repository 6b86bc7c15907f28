#!/usr/bin/env node
// The `neurocc` executable. It runs the esbuild bundle (dist/neurocc.mjs, made by `npm run build`,
// which `npm ci` runs through `prepare`) when that bundle is newer than every source file, and
// otherwise the TypeScript sources through tsx — slower to start, but never stale.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "neurocc.mjs");

function newestSource(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return ["dsl", "compiler", "emulator", "targets", "fit", "cli"].every((folder) => !existsSync(join(root, folder)) || newestSource(join(root, folder)) <= built);
}

if (bundleIsFresh()) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./main.ts");
}
