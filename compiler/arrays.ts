/**
 * @fileoverview Numeric arrays in the two file formats users bring: NumPy `.npy` (format 1.0–3.0,
 * little- or big-endian ints, uints, floats, bool; C or Fortran order) and `.csv` (numbers
 * separated by commas, semicolons, tabs or spaces; one row per line; a non-numeric first line is a
 * header). Pure functions over bytes and text: reading files is the caller's job (cli/).
 */

export interface NumericArray {
  shape: number[];
  /** Row-major (C order) values. */
  values: Float64Array;
}

export class ArrayFormatError extends Error {}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function isNpy(bytes: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => bytes[i] === b);
}

/** Parses a `.npy` file. Throws ArrayFormatError with a readable reason on anything it cannot read. */
export function parseNpy(bytes: Uint8Array): NumericArray {
  if (!isNpy(bytes)) throw new ArrayFormatError("not a .npy file (missing the \\x93NUMPY magic)");
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart + headerLength > bytes.length) throw new ArrayFormatError("truncated .npy header");
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*True/.test(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new ArrayFormatError(`cannot read the .npy header: ${header.trim()}`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new ArrayFormatError(`bad shape in .npy header: (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const reader = elementReader(descr);
  const dataStart = headerStart + headerLength;
  if (dataStart + count * reader.size > bytes.length) {
    throw new ArrayFormatError(`truncated .npy data: shape (${shape.join(", ")}) needs ${count * reader.size} bytes, file has ${bytes.length - dataStart}`);
  }
  const raw = new Float64Array(count);
  for (let i = 0; i < count; i++) raw[i] = reader.read(view, dataStart + i * reader.size);
  return { shape, values: fortran ? fortranToC(raw, shape) : raw };
}

function elementReader(descr: string): { size: number; read: (view: DataView, offset: number) => number } {
  const match = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!match) throw new ArrayFormatError(`unsupported .npy dtype '${descr}' (use a numeric dtype)`);
  const little = match[1] !== ">";
  const kind = match[2];
  const size = Number(match[3]);
  const readers: Record<string, (v: DataView, o: number) => number> = {
    f4: (v, o) => v.getFloat32(o, little),
    f8: (v, o) => v.getFloat64(o, little),
    i1: (v, o) => v.getInt8(o),
    i2: (v, o) => v.getInt16(o, little),
    i4: (v, o) => v.getInt32(o, little),
    i8: (v, o) => Number(v.getBigInt64(o, little)),
    u1: (v, o) => v.getUint8(o),
    u2: (v, o) => v.getUint16(o, little),
    u4: (v, o) => v.getUint32(o, little),
    u8: (v, o) => Number(v.getBigUint64(o, little)),
    b1: (v, o) => v.getUint8(o) !== 0 ? 1 : 0,
  };
  const read = readers[`${kind}${size}`];
  if (!read) throw new ArrayFormatError(`unsupported .npy dtype '${descr}'`);
  return { size, read };
}

function fortranToC(values: Float64Array, shape: number[]): Float64Array {
  const out = new Float64Array(values.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let f = 0; f < values.length; f++) {
    let c = 0;
    for (let d = 0; d < rank; d++) c = c * shape[d] + index[d];
    out[c] = values[f];
    for (let d = 0; d < rank; d++) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Writes a little-endian `.npy` (format 1.0) of float64, int32 or uint8 values. */
export function formatNpy(values: Float64Array | Int32Array | Uint8Array, shape: number[]): Uint8Array {
  const descr = values instanceof Float64Array ? "<f8" : values instanceof Int32Array ? "<i4" : "|u1";
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const headerBytes = new TextEncoder().encode(header);
  const data = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(10 + headerBytes.length + data.length);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(data, 10 + headerBytes.length);
  return out;
}

/** Parses CSV text into a 2D array (rows × columns); a single row or column keeps shape [n]. */
export function parseCsv(text: string): NumericArray {
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex].trim();
    if (line === "" || line.startsWith("#")) continue;
    const cells = line.split(/[,;\t ]+/).filter((c) => c.length > 0);
    const numbers = cells.map(Number);
    if (numbers.some((n) => Number.isNaN(n))) {
      if (rows.length === 0 && lineIndex === firstContentLine(lines)) continue; // header
      const bad = cells[numbers.findIndex((n) => Number.isNaN(n))];
      throw new ArrayFormatError(`line ${lineIndex + 1}: '${bad}' is not a number`);
    }
    if (rows.length > 0 && numbers.length !== rows[0].length) {
      throw new ArrayFormatError(`line ${lineIndex + 1} has ${numbers.length} values, the first row has ${rows[0].length}`);
    }
    rows.push(numbers);
  }
  if (rows.length === 0) throw new ArrayFormatError("no numbers in the file");
  const columns = rows[0].length;
  const values = Float64Array.from(rows.flat());
  const shape = rows.length === 1 ? [columns] : columns === 1 ? [rows.length] : [rows.length, columns];
  return { shape, values };
}

function firstContentLine(lines: string[]): number {
  return lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("#"));
}

/** Parses either format, chosen by the file name's extension (falls back to sniffing the magic). */
export function parseArrayFile(bytes: Uint8Array, fileName: string): NumericArray {
  if (fileName.toLowerCase().endsWith(".npy") || isNpy(bytes)) return parseNpy(bytes);
  return parseCsv(new TextDecoder().decode(bytes));
}
