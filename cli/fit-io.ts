/**
 * @fileoverview The file side of `neurocc fit`: reading rasters and potentials (`.csv`, `.npy`, or
 * the `.json` spike list of `neurocc run --out`), loading the HiGHS solver in Node, and writing the
 * fitted network — a `.nchip` image, or a `.snn` with its `NAME.data/` folder of weight files —
 * so that nothing is left half-written if any step fails.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { Highs } from "highs";
import { ArrayFormatError, parseArrayFile } from "../compiler/arrays.ts";
import { encodeImage } from "../compiler/image.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import type { EmittedNetwork } from "../fit/emit.ts";
import { asRasterShape, potentialsFromArray, rasterFromArray, rasterFromSpikeList, type Potentials, type Raster } from "../fit/raster.ts";
import { FitError } from "../fit/target.ts";
import { CliError, readBytes, writeAtomic } from "./files.ts";

/**
 * Reads a raster: `FILE.csv` / `FILE.npy` ([steps, neurons] of 0/1) or `FILE.json` (a spike list;
 * `FILE.json:pop1,pop2` keeps only those populations).
 */
export function readRaster(spec: string, what: string): Raster {
  const selector = /^(.*\.json):([A-Za-z_][A-Za-z0-9_,]*)$/i.exec(spec);
  const path = selector && !existsSync(spec) ? selector[1] : spec;
  const bytes = readBytes(path, what);
  try {
    if (extname(path).toLowerCase() === ".json") return rasterFromSpikeList(new TextDecoder().decode(bytes), path, selector ? selector[2].split(",") : []);
    if (/^\s*step,time_ms,population/.test(new TextDecoder().decode(bytes.subarray(0, 64)))) {
      throw new CliError(`${path} is a spike list from \`neurocc run --out\`, which does not record the raster's size; write it as .json (--out FILE.json) or give a [steps, neurons] 0/1 matrix`);
    }
    return rasterFromArray(asRasterShape(parseArrayFile(bytes, path), !path.toLowerCase().endsWith(".npy")), path);
  } catch (e) {
    throw asCliError(e, path);
  }
}

export function readPotentials(path: string, raster: Raster, threshold: number, voltageLimit: number): Potentials {
  const bytes = readBytes(path, "potentials file");
  try {
    return potentialsFromArray(asRasterShape(parseArrayFile(bytes, path), !path.toLowerCase().endsWith(".npy")), raster, threshold, voltageLimit, path);
  } catch (e) {
    throw asCliError(e, path);
  }
}

function asCliError(e: unknown, path: string): unknown {
  if (e instanceof FitError) return new CliError(e.message);
  if (e instanceof ArrayFormatError) return new CliError(`${path}: ${e.message}`);
  return e;
}

/**
 * Loads HiGHS, pointing it at the wasm file of the installed package, so that the same code works
 * from the TypeScript sources and from the esbuild bundle (where the loader's own guess, next to
 * the script, is dist/). (`wasmBinary` does not help: this build still reads the file.)
 */
export async function loadSolver(): Promise<Highs> {
  const require = createRequire(import.meta.url);
  let wasmPath: string;
  try {
    wasmPath = require.resolve("highs/runtime");
  } catch {
    throw new CliError("the LP solver is not installed: run `npm ci` (package highs)");
  }
  // The package's "import" entry is ESM whose default export is the loader; its .d.ts is written as
  // CommonJS, which makes TypeScript see the namespace there instead: hence the cast.
  const module = (await import("highs")) as unknown as { default: (options: { locateFile: (file: string) => string }) => Promise<Highs> };
  return module.default({ locateFile: () => wasmPath });
}

export type OutputKind = "snn" | "nchip";

/** The kind of file `-o` asks for; checked before any work is done. */
export function outputKind(path: string): OutputKind {
  const extension = extname(path).toLowerCase();
  if (extension === ".snn") return "snn";
  if (extension === ".nchip") return "nchip";
  throw new CliError(`-o must end in .snn (a network with its weight files) or .nchip (a chip image), got ${path}`);
}

/** The .snn stem, which names the network and its data folder. */
export function outputStem(path: string): string {
  return basename(path, extname(path));
}

/**
 * Writes the fitted network. `.nchip`: one atomic file. `.snn`: the weight files go to a fresh
 * temporary folder that replaces `NAME.data/` in one rename (the previous folder is kept until the
 * new one is in place), then the `.snn` is written atomically; on any failure the previous state
 * is restored and the new files removed. Returns the paths written.
 */
export function writeFittedNetwork(path: string, emitted: EmittedNetwork, network: ChipNetwork): string[] {
  if (outputKind(path) === "nchip") {
    writeAtomic(path, encodeImage(network));
    return [path];
  }
  const folder = dirname(resolve(path));
  const dataFolder = join(folder, `${emitted.name}.data`);
  const staging = join(folder, `.${emitted.name}.data.${process.pid}.tmp`);
  const previous = join(folder, `.${emitted.name}.data.${process.pid}.old`);
  let movedPrevious = false;
  let placed = false;
  try {
    rmSync(staging, { recursive: true, force: true });
    for (const [relative, bytes] of emitted.files) {
      const target = join(staging, relative.slice(`${emitted.name}.data/`.length));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes);
    }
    if (emitted.files.size > 0) {
      if (existsSync(dataFolder)) {
        renameSync(dataFolder, previous);
        movedPrevious = true;
      }
      renameSync(staging, dataFolder);
      placed = true;
    }
    writeAtomic(path, emitted.text);
  } catch (e) {
    if (placed) rmSync(dataFolder, { recursive: true, force: true });
    if (movedPrevious) renameSync(previous, dataFolder);
    rmSync(staging, { recursive: true, force: true });
    throw e instanceof CliError ? e : new CliError(`cannot write ${path}: ${(e as Error).message}`);
  }
  rmSync(previous, { recursive: true, force: true });
  return emitted.files.size > 0 ? [path, `${join(dirname(path), `${emitted.name}.data`)}/ (${emitted.files.size} weight files)`] : [path];
}
