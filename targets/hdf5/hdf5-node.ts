/**
 * @fileoverview Node edge of HDF5 access: loads h5wasm (its Node build reads the host file system
 * directly), opens files into plain trees (targets/hdf5/tree.ts) and turns trees into file bytes.
 *
 * Starting h5wasm costs about 0.3 s, so it is loaded on demand: `loadHdf5()` once (async), then the
 * synchronous readers and writers below. The CLI starts it before any command that names an HDF5
 * file (cli/commands/import.ts), so that the synchronous loaders of cli/files.ts can read .nir files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type H5Wasm from "h5wasm";
import { H5Error, isHdf5, readTree, writeTree, type H5Tree } from "./tree.ts";

type H5Module = typeof H5Wasm;

let module: H5Module | null = null;
let loading: Promise<H5Module> | null = null;

/** Starts h5wasm (once per process). */
export async function loadHdf5(): Promise<void> {
  loading ??= import("h5wasm/node").then(async (m) => {
    await m.default.ready;
    module = m.default as unknown as H5Module;
    return module;
  });
  await loading;
}

function h5(): H5Module {
  if (!module) throw new Error("h5wasm is not loaded: call loadHdf5() before reading or writing HDF5");
  return module;
}

/**
 * Reads the HDF5 file at `path` whose bytes the caller has already read (to check them and to give
 * a clear message for a file that is not HDF5 at all; h5wasm would otherwise print its error stack).
 */
export function readHdf5File(path: string, bytes: Uint8Array): H5Tree {
  if (!isHdf5(bytes)) throw new H5Error(`${path} is not an HDF5 file (no HDF5 signature)`);
  const lib = h5();
  const file = new lib.File(path, "r");
  if (file.file_id < 0n) throw new H5Error(`${path}: HDF5 could not open the file`);
  try {
    return readTree(lib, file, path);
  } catch (e) {
    if (e instanceof H5Error) throw e;
    throw new H5Error(`${path}: cannot read its HDF5 content (${(e as Error).message})`);
  } finally {
    file.close();
  }
}

/** Reads HDF5 content held in memory (through a private temporary file); `name` is for messages. */
export function readHdf5Bytes(bytes: Uint8Array, name: string): H5Tree {
  if (!isHdf5(bytes)) throw new H5Error(`${name} is not an HDF5 file (no HDF5 signature)`);
  const folder = mkdtempSync(join(tmpdir(), "neurocc-h5-"));
  const path = join(folder, "in.h5");
  try {
    writeFileSync(path, bytes);
    const tree = readHdf5File(path, bytes);
    return tree;
  } catch (e) {
    if (e instanceof H5Error) throw new H5Error(e.message.split(path).join(name));
    throw e;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The bytes of an HDF5 file holding `tree` (written through a private temporary file). */
export function hdf5Bytes(tree: H5Tree): Uint8Array {
  const lib = h5();
  const folder = mkdtempSync(join(tmpdir(), "neurocc-h5-"));
  const path = join(folder, "out.h5");
  try {
    const file = new lib.File(path, "w");
    try {
      writeTree(file, tree);
    } finally {
      file.close();
    }
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
