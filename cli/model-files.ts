/**
 * @fileoverview The CLI's side of foreign model files (NIR `.nir`, lava-dl netx `.net`/`.h5`):
 * starting h5wasm when a command names an HDF5 file, reading a file into an `.snn` program
 * (targets/nir/, targets/netx/), compiling a `.nir` directly (cli/files.ts routes compile, run and
 * inspect here), and writing a program with its weight folder so that a failure leaves nothing
 * behind. Errors of the importers become one CliError naming the file and node.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { compileSource, type CompileOptions } from "../compiler/index.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import { H5Error, type H5Tree } from "../targets/hdf5/tree.ts";
import { loadHdf5, readHdf5File } from "../targets/hdf5/hdf5-node.ts";
import { importNetx, isNetx, NetxError } from "../targets/netx/import.ts";
import { nirFromTree } from "../targets/nir/hdf5.ts";
import { NirError } from "../targets/nir/graph.ts";
import { importNir, type NirImportOptions } from "../targets/nir/import.ts";
import type { SnnProgram } from "../targets/printers/snn.ts";
import { CliError, readBytes, renderDiagnostics, writeAtomic } from "./files.ts";

/** Files read through HDF5. */
export const HDF5_FILE = /\.(nir|net|h5|hdf5)$/i;

/** A model that compile, run and inspect read through an importer (a `.nir` file). */
export function isModelFile(path: string): boolean {
  return /\.nir$/i.test(path);
}

/** Starts h5wasm when one of `args` names an HDF5 file (about 0.3 s, so only then). */
export async function preloadHdf5For(args: readonly unknown[]): Promise<void> {
  if (args.some((a) => typeof a === "string" && HDF5_FILE.test(a))) await startHdf5();
}

export async function startHdf5(): Promise<void> {
  try {
    await loadHdf5();
  } catch (e) {
    throw new CliError(`cannot start the HDF5 reader (h5wasm): ${(e as Error).message}`);
  }
}

/** Runs an importer, turning its errors into one CliError. */
export function translateErrors<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (e instanceof NirError || e instanceof NetxError) throw new CliError(e.message.startsWith(path) ? e.message : `${path}: ${e.message}`);
    if (e instanceof H5Error) throw new CliError(e.message);
    throw e;
  }
}

export function readHdf5Tree(path: string): H5Tree {
  const bytes = readBytes(path, "model file");
  return translateErrors(path, () => readHdf5File(path, bytes));
}

export type ModelImportOptions = Omit<NirImportOptions, "networkName" | "dataFolder"> & { dataFolder?: string };

/** A NIR or netx file as an `.snn` program (weight files named relative to `outputSnn`'s folder). */
export function importModel(path: string, outputSnn: string, options: ModelImportOptions): SnnProgram {
  const tree = readHdf5Tree(path);
  const networkName = basename(path).replace(/\.[^.]*$/, "");
  const dataFolder = options.dataFolder ?? `${basename(outputSnn).replace(/\.snn$/i, "")}.data`;
  return translateErrors(path, () => {
    if (isNetx(tree)) return importNetx(tree, path, { ...options, networkName, dataFolder });
    return importNir(nirFromTree(tree, path), path, { ...options, networkName, dataFolder });
  });
}

/** Compiles a `.nir` file directly (its dt must come from its metadata). */
export function compileModelFile(path: string, options: Omit<CompileOptions, "readFile">, quiet = false, dtMs?: number): ChipNetwork {
  const program = importModel(path, `${path}.snn`, { chip: options.chipPreset, dataFolder: "(in memory)", ...(dtMs === undefined ? {} : { dtMs }) });
  if (!quiet) for (const w of program.warnings) process.stderr.write(`${path}: warning: ${w}\n`);
  const virtual = `${path} (as .snn)`;
  const result = compileSource(program.text, virtual, {
    ...options,
    readFile: (file) => {
      const bytes = program.files.get(file);
      if (!bytes) throw new Error(`no such file in the imported model: ${file}`);
      return bytes;
    },
  });
  const rendered = renderDiagnostics(result.diagnostics, new Map([[virtual, program.text]]));
  if (!result.network) throw new CliError(`${rendered}\nthe imported network does not compile; see it with: neurocc import ${path} -o NET.snn`);
  if (rendered && !quiet) process.stderr.write(rendered + "\n");
  return result.network;
}

/**
 * Writes a program as `snnPath` plus its weight files (in the folder the text names, next to it).
 * The folder is written first, complete, and the .snn last; if anything fails, neither is left.
 */
export function writeProgram(snnPath: string, program: SnnProgram): void {
  const folder = dirname(resolve(snnPath));
  const files = new Map<string, Uint8Array | string>();
  for (const [name, bytes] of program.files) files.set(name, bytes);
  const dataFolders = new Set([...files.keys()].map((name) => name.split("/")[0]));
  const written: string[] = [];
  try {
    for (const data of dataFolders) {
      const inside = new Map([...files].filter(([name]) => name.split("/")[0] === data).map(([name, bytes]) => [name.slice(data.length + 1), bytes]));
      writeDirectoryAtomic(join(folder, data), inside);
      written.push(join(folder, data));
    }
    writeAtomic(snnPath, program.text);
  } catch (e) {
    for (const path of written) rmSync(path, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Writes a whole directory or nothing: the files go into a temporary sibling folder, which then
 * replaces `dir` (an existing `dir` is moved aside first and removed only after the rename).
 */
export function writeDirectoryAtomic(dir: string, files: ReadonlyMap<string, Uint8Array | string>): void {
  const target = resolve(dir);
  const parent = dirname(target);
  if (existsSync(target) && !isDirectory(target)) throw new CliError(`cannot write the folder ${dir}: a file of that name exists`);
  const temporary = join(parent, `.${basename(target)}.${process.pid}.tmp`);
  const old = join(parent, `.${basename(target)}.${process.pid}.old`);
  try {
    mkdirSync(parent, { recursive: true });
    rmSync(temporary, { recursive: true, force: true });
    mkdirSync(temporary);
    for (const [name, data] of files) {
      const path = join(temporary, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
    if (existsSync(target)) renameSync(target, old);
    renameSync(temporary, target);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    removeQuietly(temporary);
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    throw new CliError(`cannot write ${dir}: ${(e as Error).message}`);
  }
}

/** Best-effort cleanup (the path may not exist, or its parent may not be a folder). */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing was created there
  }
}

function isDirectory(path: string): boolean {
  return statSync(path).isDirectory();
}

/** `0.1ms`, `100us`, `1e-4s` → milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(s|ms|us)$/.exec(text.trim());
  const value = match ? Number(match[1]) * { s: 1000, ms: 1, us: 0.001 }[match[2] as "s" | "ms" | "us"] : NaN;
  if (!(value > 0) || !Number.isFinite(value)) throw new CliError(`${option} expects a time with its unit, e.g. 0.1ms, 100us or 1e-4s; got '${text}'`);
  return value;
}
