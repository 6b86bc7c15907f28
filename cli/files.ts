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

/** Compiles a .snn file; prints warnings to stderr (unless `quiet`); throws CliError listing every error. */
export function compileFile(path: string, options: Omit<CompileOptions, "readFile"> = {}, quiet = false): ChipNetwork {
  if (isModelFile(path)) return compileModelFile(path, options, quiet); // .nir: imported in memory (cli/model-files.ts)
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
export function loadImageOrSource(path: string, chipPreset?: string): { network: ChipNetwork; header: ImageHeader | null } {
  if (path.endsWith(".snn") || isModelFile(path)) return { network: compileFile(path, { chipPreset }), header: null };
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
export function loadNetwork(path: string, chipPreset?: string): ChipNetwork {
  return loadImageOrSource(path, chipPreset).network;
}
