/**
 * @fileoverview The IDX format of (Fashion-)MNIST, read from bytes: a pure parser (`parseIdx`), the
 * pairing of an image file with a label file into a `Dataset` (`datasetFromIdx`), and an async
 * gunzip that uses the platform's `DecompressionStream` (browsers, Node ≥ 18) for `.gz` files. The
 * Node loader (datasets-node.ts) decompresses with node:zlib instead, synchronously.
 *
 * IDX layout (big-endian): bytes 0–1 are zero, byte 2 the element type (0x08 u8, 0x09 i8, 0x0B i16,
 * 0x0C i32, 0x0D f32, 0x0E f64), byte 3 the rank; then one u32 per dimension; then the elements in
 * row-major order.
 */
import { checkDataset, DatasetError, type Dataset } from "./dataset.ts";

export interface IdxArray {
  shape: number[];
  /** Row-major elements, in the file's element type. */
  values: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const ELEMENT_TYPES: Record<number, { name: string; size: number; read: (view: DataView, offset: number) => number; make: (n: number) => IdxArray["values"] }> = {
  0x08: { name: "u8", size: 1, read: (v, o) => v.getUint8(o), make: (n) => new Uint8Array(n) },
  0x09: { name: "i8", size: 1, read: (v, o) => v.getInt8(o), make: (n) => new Int8Array(n) },
  0x0b: { name: "i16", size: 2, read: (v, o) => v.getInt16(o, false), make: (n) => new Int16Array(n) },
  0x0c: { name: "i32", size: 4, read: (v, o) => v.getInt32(o, false), make: (n) => new Int32Array(n) },
  0x0d: { name: "f32", size: 4, read: (v, o) => v.getFloat32(o, false), make: (n) => new Float32Array(n) },
  0x0e: { name: "f64", size: 8, read: (v, o) => v.getFloat64(o, false), make: (n) => new Float64Array(n) },
};

/** True for bytes that start with the gzip magic (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an uncompressed IDX file. `what` names it in errors. With `maxItems`, only the first
 * `maxItems` entries of the first dimension are read (the shape says how many were).
 */
export function parseIdx(bytes: Uint8Array, what = "IDX file", maxItems = Infinity): IdxArray {
  if (isGzip(bytes)) throw new DatasetError(`${what} is gzip-compressed: decompress it first (gunzipBytes, or the Node loader)`);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError(`${what} is not an IDX file (it must start with two zero bytes, a type byte and a rank byte)`);
  }
  const type = ELEMENT_TYPES[bytes[2]];
  if (!type) throw new DatasetError(`${what}: unknown IDX element type 0x${bytes[2].toString(16).padStart(2, "0")}`);
  const rank = bytes[3];
  if (rank === 0) throw new DatasetError(`${what}: IDX rank is 0`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new DatasetError(`${what}: truncated IDX header (rank ${rank} needs ${headerBytes} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const fileItems = shape[0];
  shape[0] = Math.min(fileItems, maxItems);
  const count = shape.reduce((a, b) => a * b, 1);
  const itemElements = shape.slice(1).reduce((a, b) => a * b, 1);
  const neededBytes = fileItems * itemElements * type.size;
  if (bytes.length - headerBytes < neededBytes) {
    throw new DatasetError(`${what}: truncated IDX data: shape [${[fileItems, ...shape.slice(1)].join(", ")}] of ${type.name} needs ${neededBytes} bytes, the file has ${bytes.length - headerBytes}`);
  }
  const values = type.make(count);
  if (type.size === 1 && values instanceof Uint8Array) {
    values.set(bytes.subarray(headerBytes, headerBytes + count));
  } else {
    for (let i = 0; i < count; i++) values[i] = type.read(view, headerBytes + i * type.size);
  }
  return { shape, values };
}

/**
 * Pairs an IDX image array [n, ...sample shape] with an IDX label array [n] into a Dataset. Integer
 * images are scaled by 1/255 (the u8 pixel convention); float images must already be in [0, 1].
 */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, name: string, classCount = 10): Dataset {
  if (labels.shape.length !== 1) throw new DatasetError(`${name}: the label file must be one-dimensional, it has shape [${labels.shape.join(", ")}]`);
  if (images.shape.length < 2) throw new DatasetError(`${name}: the image file must have a sample dimension and at least one feature dimension, it has shape [${images.shape.join(", ")}]`);
  if (images.shape[0] !== labels.shape[0]) {
    throw new DatasetError(`${name}: the image file has ${images.shape[0]} samples but the label file has ${labels.shape[0]}`);
  }
  const isFloat = images.values instanceof Float32Array || images.values instanceof Float64Array;
  const scale = isFloat ? 1 : 1 / 255;
  const pixels = new Float32Array(images.values.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.values[i] * scale;
  const classes = new Uint8Array(labels.values.length);
  for (let k = 0; k < classes.length; k++) {
    const label = labels.values[k];
    if (!Number.isInteger(label) || label < 0 || label >= classCount) {
      throw new DatasetError(`${name}: label ${label} of sample ${k} is not a class index in [0, ${classCount})`);
    }
    classes[k] = label;
  }
  return checkDataset({ name, images: pixels, labels: classes, shape: images.shape.slice(1), classCount });
}

/** Decompresses gzip bytes with the platform's DecompressionStream (browsers and Node ≥ 18). */
export async function gunzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const Stream = (globalThis as { DecompressionStream?: new (format: string) => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream;
  if (!Stream) throw new DatasetError("this platform has no DecompressionStream; decompress the .gz file before loading it");
  const body = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new Stream("gzip"));
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** Parses an IDX file that may be gzip-compressed (browser-safe; async because of the stream). */
export async function parseIdxMaybeGzip(bytes: Uint8Array, what = "IDX file", maxItems = Infinity): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzipBytes(bytes) : bytes, what, maxItems);
}
