/**
 * @fileoverview The chip image: the IR (compiler/ir.ts) plus a header, packed with msgpackr.
 *
 * Layout (docs/ir.md, "Chip image"): a msgpack map
 *   { magic: "NEUROCC-CHIP", format: IR_VERSION, compiler: "x.y.z", checksum: crc32(payload), payload: bin }
 * where `payload` is the msgpack encoding (typed arrays kept, msgpackr `moreTypes`) of the ChipNetwork.
 * Reading checks each layer in turn and says which one failed; a decoded network is then
 * validated (compiler/validate.ts) so that a damaged image can never run silently.
 */
import { Packr, Unpackr } from "msgpackr";
import { IR_VERSION, type ChipNetwork } from "./ir.ts";
import { validateNetwork } from "./validate.ts";
import packageJson from "../package.json" with { type: "json" };

export const IMAGE_MAGIC = "NEUROCC-CHIP";
export const COMPILER_VERSION: string = packageJson.version;

export class ImageError extends Error {}

const payloadPacker = new Packr({ moreTypes: true, useRecords: false });
const payloadUnpacker = new Unpackr({ moreTypes: true, useRecords: false });
const headerPacker = new Packr({ useRecords: false });

export interface ImageHeader {
  magic: string;
  format: number;
  compiler: string;
  checksum: number;
}

export function encodeImage(network: ChipNetwork): Uint8Array {
  const payload = payloadPacker.pack(network);
  const header: ImageHeader & { payload: Uint8Array } = {
    magic: IMAGE_MAGIC,
    format: IR_VERSION,
    compiler: COMPILER_VERSION,
    checksum: crc32(payload),
    payload,
  };
  return headerPacker.pack(header);
}

export function decodeImage(bytes: Uint8Array): { header: ImageHeader; network: ChipNetwork } {
  let outer: unknown;
  try {
    outer = headerPacker.unpack(bytes);
  } catch {
    throw new ImageError("not a neurocc chip image: the file is truncated or is not msgpack");
  }
  if (typeof outer !== "object" || outer === null || (outer as ImageHeader).magic !== IMAGE_MAGIC) {
    throw new ImageError("not a neurocc chip image (wrong magic); compile a .snn file with `neurocc compile`");
  }
  const header = outer as ImageHeader & { payload: unknown };
  if (header.format !== IR_VERSION) {
    throw new ImageError(`chip image format ${header.format} (written by neurocc ${header.compiler}); this neurocc ${COMPILER_VERSION} reads format ${IR_VERSION}: recompile the .snn file`);
  }
  if (!(header.payload instanceof Uint8Array)) throw new ImageError("corrupted chip image: the payload is missing");
  if (crc32(header.payload) !== header.checksum) throw new ImageError("corrupted chip image: checksum mismatch (the file was damaged or truncated)");
  let network: unknown;
  try {
    network = payloadUnpacker.unpack(header.payload);
  } catch {
    throw new ImageError("corrupted chip image: the payload cannot be decoded");
  }
  const problem = validateNetwork(network);
  if (problem) throw new ImageError(`invalid chip image: ${problem}`);
  return { header: { magic: header.magic, format: header.format, compiler: header.compiler, checksum: header.checksum }, network: network as ChipNetwork };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
