/**
 * @fileoverview The file-system edge: reading sources, images and arrays, and writing outputs
 * atomically (temp file in the same folder, then rename), so that an interrupted or failed command
 * never leaves a partial file where the user's file was.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { compileSource, type CompileOptions } from "../compiler/index.ts";
import { decodeImage, ImageError, type ImageHeader } from "../compiler/image.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import { renderDiagnostic, type Diagnostic } from "../dsl/diagnostic.ts";
import { compileModelFile, isModelFile } from "./model-files.ts";

/** A failure the user can act on: printed as one message, exit code `exitCode`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function readBytes(path: string, what = "file"): Uint8Array {
  if (!existsSync(path)) throw new CliError(`${what} not found: ${path}`);
  if (statSync(path).isDirectory()) throw new CliError(`${what} is a directory, not a file: ${path}`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

export function writeAtomic(path: string, data: Uint8Array | string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw new CliError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string {
  return diagnostics.map((d) => renderDiagnostic(d, d.span ? sources.get(d.span.file) : undefined)).join("\n");
}

/** How a command loads a network: the chip preset and, for a `.nir` model without `dt` metadata, its timestep. */
export interface LoadOptions {
  chipPreset?: string;
  /** `--dt` of compile, run and inspect; only a `.nir` model takes it (a .snn has its run block). */
  modelDtMs?: number;
}

/** Compiles a .snn file; prints warnings to stderr (unless `quiet`); throws CliError listing every error. */
export function compileFile(path: string, options: Omit<CompileOptions, "readFile"> & Pick<LoadOptions, "modelDtMs"> = {}, quiet = false): ChipNetwork {
  const { modelDtMs, ...compileOptions } = options;
  if (isModelFile(path)) return compileModelFile(path, compileOptions, quiet, modelDtMs); // .nir: imported in memory (cli/model-files.ts)
  if (modelDtMs !== undefined) throw new CliError(`--dt is for .nir models; ${path} sets its timestep in its run block (run { dt = ...; })`);
  options = compileOptions;
  const text = new TextDecoder().decode(readBytes(path, "network file"));
  const folder = dirname(path);
  const result = compileSource(text, path, {
    ...options,
    readFile: (file) => readBytes(isAbsolute(file) ? file : join(folder, file), "data file"),
  });
  const rendered = renderDiagnostics(result.diagnostics, new Map([[path, text]]));
  if (!result.network) {
    const count = result.diagnostics.filter((d) => d.severity === "error").length;
    throw new CliError(`${rendered}\n${count} error${count === 1 ? "" : "s"}; nothing was written`);
  }
  if (rendered && !quiet) process.stderr.write(rendered + "\n");
  return result.network;
}

/** Loads a network from a .snn source (compiling it) or a .nchip image (with its header). */
export function loadImageOrSource(path: string, load: LoadOptions = {}): { network: ChipNetwork; header: ImageHeader | null } {
  const { chipPreset, modelDtMs } = load;
  if (path.endsWith(".snn") || isModelFile(path)) return { network: compileFile(path, { chipPreset, modelDtMs }), header: null };
  if (modelDtMs !== undefined) throw new CliError(`--dt is for .nir models; the chip image ${path} already has its timestep`);
  const bytes = readBytes(path, "chip image");
  let decoded;
  try {
    decoded = decodeImage(bytes);
  } catch (e) {
    if (e instanceof ImageError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
  if (chipPreset && chipPreset !== decoded.network.chip.preset) {
    throw new CliError(`${path} was compiled for the ${decoded.network.chip.preset} chip; recompile the .snn with --chip ${chipPreset}`);
  }
  return decoded;
}

/** Loads a network from a .snn source (compiling it) or a .nchip image. */
export function loadNetwork(path: string, load: LoadOptions = {}): ChipNetwork {
  return loadImageOrSource(path, load).network;
}
