/**
 * @fileoverview HDF5 content as plain data, and its conversion to and from an open h5wasm file.
 * NIR (targets/nir/) and lava-dl netx (targets/netx/) both read and write HDF5; they work on this
 * tree so that their logic is pure and testable, and only this file touches h5wasm's API. The
 * h5wasm module is passed in (`import type` only), so this file is browser-safe: Node opens files
 * through targets/hdf5/hdf5-node.ts, a browser through h5wasm's in-memory file system.
 */
import type H5Wasm from "h5wasm";

type H5Module = typeof H5Wasm;
type H5Group = InstanceType<H5Module["Group"]>;
type H5Dataset = InstanceType<H5Module["Dataset"]>;

/** A dataset's value: numbers (integers and floats, widened to float64) or strings. */
export type H5Value =
  | { kind: "float"; shape: number[]; values: Float64Array }
  | { kind: "int"; shape: number[]; values: Float64Array }
  | { kind: "string"; shape: number[]; values: string[] };

export interface H5Tree {
  groups: Map<string, H5Tree>;
  datasets: Map<string, H5Value>;
}

/** Unreadable or unsupported HDF5 content; the message names the file and the dataset. */
export class H5Error extends Error {}

export const emptyTree = (): H5Tree => ({ groups: new Map(), datasets: new Map() });

/** The 8-byte signature every HDF5 file carries (at offset 0, 512, 1024, ... for user blocks). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + 8 <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (SIGNATURE.every((b, i) => bytes[offset + i] === b)) return true;
  }
  return false;
}

/** HDF5 type classes as h5wasm reports them in `metadata.type`. */
const INTEGER = 0;
const FLOAT = 1;
const STRING = 3;

/** Reads a whole group (recursively) into a tree. `where` names the file in messages. */
export function readTree(h5: H5Module, group: H5Group, where: string): H5Tree {
  const tree = emptyTree();
  for (const name of group.keys()) {
    const entity = group.get(name);
    const path = `${group.path === "/" ? "" : group.path}/${name}`;
    if (entity instanceof h5.Group) tree.groups.set(name, readTree(h5, entity, where));
    else if (entity instanceof h5.Dataset) tree.datasets.set(name, readInputSet(entity, `${where}: ${path}`));
    else throw new H5Error(`${where}: ${path} is a link or datatype, not a group or dataset; neurocc reads plain groups and datasets`);
  }
  return tree;
}

function readInputSet(dataset: H5Dataset, where: string): H5Value {
  const meta = dataset.metadata;
  const shape = dataset.shape ?? [];
  const value = dataset.value;
  if (meta.type === STRING) {
    // Fixed-length strings (h5py's 'S10', lava-dl's layer types) may carry NUL padding.
    const values = (Array.isArray(value) ? value.map(String) : [String(value)]).map((v) => v.replace(/\0+$/, ""));
    return { kind: "string", shape, values };
  }
  if (meta.type !== INTEGER && meta.type !== FLOAT) {
    throw new H5Error(`${where} has an unsupported HDF5 type (class ${meta.type}, dtype ${JSON.stringify(dataset.dtype)}); neurocc reads integers, floats and strings`);
  }
  if (meta.type === FLOAT && meta.size !== 4 && meta.size !== 8) {
    throw new H5Error(`${where} is a ${meta.size * 8}-bit float; neurocc reads 32- and 64-bit floats`);
  }
  const values = new Float64Array(Math.max(1, shape.reduce((a, b) => a * b, 1)));
  const source = typeof value === "number" || typeof value === "bigint" ? [value] : (value as ArrayLike<number | bigint>);
  for (let i = 0; i < values.length; i++) {
    const x = source[i];
    const n = typeof x === "bigint" ? Number(x) : Number(x);
    if (typeof x === "bigint" && !Number.isSafeInteger(n)) throw new H5Error(`${where} holds the integer ${x}, too large for neurocc`);
    values[i] = n;
  }
  return { kind: meta.type === INTEGER ? "int" : "float", shape, values };
}

/** Arrays at least this long are written gzip-compressed (as NIR's writer does), in one chunk. */
const COMPRESS_FROM = 64;

/** Writes a tree into an open (writable) group. */
export function writeTree(group: H5Group, tree: H5Tree): void {
  for (const [name, value] of tree.datasets) {
    const count = value.values.length;
    if (value.kind === "string") {
      group.create_dataset({ name, data: value.shape.length === 0 ? value.values[0] : value.values, shape: value.shape });
      continue;
    }
    const data = value.kind === "int" ? BigInt64Array.from(value.values, (v) => BigInt(v)) : value.values;
    const compress = value.shape.length > 0 && count >= COMPRESS_FROM;
    group.create_dataset({
      name,
      data,
      shape: value.shape,
      dtype: value.kind === "int" ? "<q" : "<d",
      ...(compress ? { chunks: value.shape, compression: "gzip" as const, compression_opts: 4 } : {}),
    });
  }
  for (const [name, child] of tree.groups) writeTree(group.create_group(name), child);
}

// Small constructors used by the writers of each format.
export const floats = (values: ArrayLike<number>, shape: number[] = [values.length]): H5Value => ({ kind: "float", shape, values: Float64Array.from(values) });
export const ints = (values: ArrayLike<number>, shape: number[] = [values.length]): H5Value => ({ kind: "int", shape, values: Float64Array.from(values) });
export const int = (value: number): H5Value => ({ kind: "int", shape: [], values: Float64Array.of(value) });
export const float = (value: number): H5Value => ({ kind: "float", shape: [], values: Float64Array.of(value) });
export const text = (value: string): H5Value => ({ kind: "string", shape: [], values: [value] });
