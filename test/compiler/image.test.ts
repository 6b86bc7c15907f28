/**
 * @fileoverview The chip image (compiler/image.ts): the round trip keeps every value and every typed
 * array's type, and every kind of damage — truncation, flipped bytes, wrong magic, another format
 * version, random bytes, an empty file, a payload with a valid checksum whose network is structurally
 * broken — is refused with an `ImageError` and a clear message, never with any other exception.
 *
 * Broken-but-checksummed images are built here with the same packing as compiler/image.ts: msgpackr
 * `moreTypes` for the payload, a plain msgpack map for the header, CRC-32 of the payload bytes.
 */
import fc from "fast-check";
import { Packr } from "msgpackr";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { COMPILER_VERSION, crc32, decodeImage, encodeImage, IMAGE_MAGIC, ImageError } from "../../compiler/image.ts";
import { IR_VERSION, type ChipNetwork } from "../../compiler/ir.ts";

const payloadPacker = new Packr({ moreTypes: true, useRecords: false });
const headerPacker = new Packr({ useRecords: false });

/** A small network that has every kind of typed array: dense, sparse (CSR), one-to-one, per-synapse delays, v_init. */
const SMALL = `network small {
  input pixels[6] : rate(gain = 0.5);
  input clicks[3] : spikes(times = [1ms, 4ms]);
  layer hidden[8] : lif(tau = 10ms, vth = 1, reset = subtract, v_init = uniform(0, 0.5));
  layer out[3]    : cuba(tau_mem = 20ms, tau_syn = 5ms, vth = 1, reset = 0);
  connect pixels -> hidden : dense(weight = normal(0.3, 0.2), bits = 6);
  connect hidden -> hidden : sparse(p = 0.4, seed = 2, weight = uniform(-0.2, 0.2), delay = uniform(1ms, 3ms));
  connect clicks -> out    : one_to_one(weight = [0.5, 0.7, 0.9], delay = 2ms);
  probe out.v;
  probe hidden.u;
  run { steps = 30; dt = 1ms; seed = 5; }
}
`;

function compileOk(text: string, file: string): ChipNetwork {
  const result = compileSource(text, file);
  if (!result.network) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.network;
}

/** An image of `network` exactly as encodeImage writes it, but with header fields overridden. */
function imageOf(network: unknown, header: Record<string, unknown> = {}): Uint8Array {
  const payload = payloadPacker.pack(network);
  return headerPacker.pack({ magic: IMAGE_MAGIC, format: IR_VERSION, compiler: COMPILER_VERSION, checksum: crc32(payload), payload, ...header });
}

/** Runs decodeImage and returns the ImageError it throws; fails the test on success or on any other exception. */
function imageError(bytes: Uint8Array): ImageError {
  let thrown: unknown = null;
  try {
    decodeImage(bytes);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "decodeImage accepted a damaged image").not.toBeNull();
  expect(thrown, `not an ImageError: ${String(thrown)}`).toBeInstanceOf(ImageError);
  const error = thrown as ImageError;
  expect(error.message.length).toBeGreaterThan(10);
  expect(error.message).not.toMatch(/undefined|\[object Object\]|NaN/);
  return error;
}

/** A deep copy that keeps typed arrays (structuredClone does). */
function copy(network: ChipNetwork): ChipNetwork {
  return structuredClone(network);
}

let small: ChipNetwork;
let smallImage: Uint8Array;
let payloadStart: number;
let payloadEnd: number;

beforeAll(() => {
  small = compileOk(SMALL, "small.snn");
  smallImage = encodeImage(small);
  const payload = payloadPacker.pack(small);
  payloadStart = Buffer.from(smallImage).indexOf(Buffer.from(payload));
  payloadEnd = payloadStart + payload.length;
});

describe("round trip", () => {
  it("the test network really has every kind of array", () => {
    expect(small.projections.map((p) => p.connectivity.kind)).toEqual(["dense", "sparse", "oneToOne"]);
    expect(small.projections[1].delays).not.toBeNull();
    expect(small.populations[2].initialVoltage).not.toBeNull();
    expect(payloadStart).toBeGreaterThan(0);
  });

  it("decodeImage(encodeImage(n)) deep-equals n and keeps every typed array's type", () => {
    const { header, network } = decodeImage(smallImage);
    expect(network).toEqual(small);
    expect(header).toEqual({ magic: IMAGE_MAGIC, format: IR_VERSION, compiler: COMPILER_VERSION, checksum: crc32(smallImage.subarray(payloadStart, payloadEnd)) });
    const [dense, sparse, oneToOne] = network.projections.map((p) => p.connectivity);
    expect(dense.weights).toBeInstanceOf(Int32Array);
    expect(oneToOne.weights).toBeInstanceOf(Int32Array);
    if (sparse.kind !== "sparse") throw new Error("sparse expected");
    expect(sparse.rowStart).toBeInstanceOf(Int32Array);
    expect(sparse.post).toBeInstanceOf(Int32Array);
    expect(sparse.weights).toBeInstanceOf(Int32Array);
    expect(network.projections[1].delays).toBeInstanceOf(Uint8Array);
    expect(network.populations[2].initialVoltage).toBeInstanceOf(Int32Array);
  });

  it.each(["cuba", "feedforward", "synfire"])("examples/%s.snn survives the round trip", (name) => {
    const text = readFileSync(new URL(`../../examples/${name}.snn`, import.meta.url), "utf8");
    const network = compileOk(text, `examples/${name}.snn`);
    expect(decodeImage(encodeImage(network)).network).toEqual(network);
  });

  it("encoding is deterministic", () => {
    expect(Buffer.from(encodeImage(small)).equals(Buffer.from(smallImage))).toBe(true);
  });

  it("crc32 is the IEEE/zlib CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe("damaged images are refused with an ImageError", () => {
  it("an empty file", () => {
    expect(imageError(new Uint8Array(0)).message).toMatch(/not a neurocc chip image/);
  });

  it.each([1, 2, 10, 30, 0.25, 0.5, 0.9, -100, -1])("truncated to %s bytes (fractions of the length, negatives from the end)", (cut) => {
    const length = cut > 0 && cut < 1 ? Math.floor(smallImage.length * cut) : cut < 0 ? smallImage.length + cut : cut;
    const error = imageError(smallImage.subarray(0, length));
    expect(error.message).toMatch(/truncated|not a neurocc chip image|corrupted/);
  });

  it("every truncation of a small image", () => {
    const image = encodeImage(compileOk("network t { layer a[2] : if(); }", "t.snn"));
    for (let length = 0; length < image.length; length++) imageError(image.subarray(0, length));
  });

  it.each([0, 0.1, 0.5, 0.9, 1])("one flipped byte in the payload (at %s of it) fails the checksum", (where) => {
    const damaged = smallImage.slice();
    const at = Math.min(payloadEnd - 1, payloadStart + Math.floor((payloadEnd - payloadStart) * where));
    damaged[at] ^= 0x20;
    expect(imageError(damaged).message).toMatch(/checksum/);
  });

  it("any single flipped bit of a small image is refused or decodes to the same network", () => {
    const network = compileOk("network t { input i[2] : rate(); layer a[2] : lif(tau = 5ms); connect i -> a : dense(weight = 0.5); }", "t.snn");
    const image = encodeImage(network);
    for (let at = 0; at < image.length; at++) {
      for (const bit of [0x01, 0x80]) {
        const damaged = image.slice();
        damaged[at] ^= bit;
        let decoded: ChipNetwork | null = null;
        try {
          decoded = decodeImage(damaged).network;
        } catch (e) {
          expect(e, `byte ${at} bit ${bit}: ${String(e)}`).toBeInstanceOf(ImageError);
        }
        // Header text outside the checksum (the compiler version) may change harmlessly; the network may not.
        if (decoded) expect(decoded, `byte ${at} bit ${bit} changed the network`).toEqual(network);
      }
    }
  });

  it("the wrong magic", () => {
    expect(imageError(imageOf(small, { magic: "NEUROCC-CHIQ" })).message).toMatch(/wrong magic/);
    expect(imageError(imageOf(small, { magic: undefined })).message).toMatch(/wrong magic/);
  });

  it("another kind of file: a .npy, a text file, a msgpack string, a msgpack map without magic", () => {
    imageError(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]));
    imageError(new TextEncoder().encode("network n { layer a[2] : if(); }\n"));
    expect(imageError(headerPacker.pack("NEUROCC-CHIP")).message).toMatch(/wrong magic/);
    expect(imageError(headerPacker.pack({ hello: 1 })).message).toMatch(/wrong magic/);
    expect(imageError(headerPacker.pack(null)).message).toMatch(/not a neurocc chip image/);
  });

  it("a future format version says which version it is and what to do", () => {
    const message = imageError(imageOf(small, { format: IR_VERSION + 1, compiler: "9.0.0" })).message;
    expect(message).toContain(`format ${IR_VERSION + 1}`);
    expect(message).toContain("9.0.0");
    expect(message).toMatch(/recompile/);
  });

  it("a format version that is not a number", () => {
    expect(imageError(imageOf(small, { format: "1" })).message).toMatch(/format/);
  });

  it("a missing or non-binary payload", () => {
    expect(imageError(imageOf(small, { payload: undefined })).message).toMatch(/payload is missing/);
    expect(imageError(imageOf(small, { payload: "not bytes" })).message).toMatch(/payload is missing/);
  });

  it("a wrong checksum over an intact payload", () => {
    const payload = payloadPacker.pack(small);
    expect(imageError(imageOf(small, { checksum: (crc32(payload) + 1) >>> 0 })).message).toMatch(/checksum/);
    expect(imageError(imageOf(small, { checksum: String(crc32(payload)) })).message).toMatch(/checksum/);
  });

  it("a payload with a valid checksum that is not msgpack", () => {
    const payload = new Uint8Array([0xc1, 0xc1, 0xc1]); // 0xc1 is never used in msgpack
    const bytes = headerPacker.pack({ magic: IMAGE_MAGIC, format: IR_VERSION, compiler: COMPILER_VERSION, checksum: crc32(payload), payload });
    expect(imageError(bytes).message).toMatch(/corrupted chip image|cannot be decoded/);
  });

  it("random bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        imageError(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("random damage to a real image (property): an ImageError or the very same network", () => {
    const network = compileOk("network t { input i[3] : rate(); layer a[4] : lif(tau = 5ms, v_init = uniform(0, 0.5)); connect i -> a : sparse(p = 0.5, weight = 0.3); connect a -> a : dense(weight = -0.1, delay = 2ms); }", "t.snn");
    const image = encodeImage(network);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(image.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(image.length), (flips, keep) => {
        const damaged = image.slice(0, Math.max(keep, image.length - 8));
        for (const [at, xor] of flips) if (at < damaged.length) damaged[at] ^= xor;
        try {
          expect(decodeImage(damaged).network).toEqual(network);
        } catch (e) {
          if (!(e instanceof ImageError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("a valid checksum over a structurally broken network is refused", () => {
  type Breaker = (n: ChipNetwork) => unknown;
  const sparseOf = (n: ChipNetwork) => {
    const c = n.projections[1].connectivity;
    if (c.kind !== "sparse") throw new Error("sparse expected");
    return c;
  };

  const cases: [string, Breaker, RegExp][] = [
    ["a CSR post index out of range", (n) => { sparseOf(n).post[0] = 8; return n; }, /CSR target index out of range/],
    ["a negative CSR post index", (n) => { sparseOf(n).post[0] = -1; return n; }, /CSR target index out of range/],
    ["a decreasing CSR rowStart", (n) => { const c = sparseOf(n); c.rowStart[1] = c.rowStart[2] + 1; return n; }, /rowStart/],
    ["a CSR rowStart of the wrong length", (n) => { const c = sparseOf(n); c.rowStart = c.rowStart.subarray(0, 3); return n; }, /rowStart/],
    ["CSR arrays of different lengths", (n) => { const c = sparseOf(n); c.weights = c.weights.subarray(1); return n; }, /wrong length/],
    ["dense weights of the wrong length", (n) => { const c = n.projections[0].connectivity; c.weights = c.weights.subarray(1); return n; }, /dense weights have the wrong length/],
    ["weights as a plain array instead of Int32Array", (n) => { (n.projections[0].connectivity as { weights: unknown }).weights = Array.from(n.projections[0].connectivity.weights); return n; }, /wrong length|weights/],
    ["weights as Float64Array", (n) => { (n.projections[0].connectivity as { weights: unknown }).weights = Float64Array.from(n.projections[0].connectivity.weights); return n; }, /weights/],
    ["a mantissa wider than the projection's bits", (n) => { n.projections[0].connectivity.weights[0] = 1 << 20; return n; }, /does not fit/],
    ["a weight exponent beyond the chip's", (n) => { n.projections[0].weightExponent = 99; return n; }, /exponent/],
    ["weight bits 0", (n) => { n.projections[0].weightBits = 0; return n; }, /weightBits/],
    ["a per-synapse delay of zero", (n) => { n.projections[1].delays![0] = 0; return n; }, /delay/],
    ["per-synapse delays of the wrong length", (n) => { n.projections[1].delays = n.projections[1].delays!.subarray(1); return n; }, /delays have the wrong length/],
    ["a fixed delay beyond the chip's maximum", (n) => { n.projections[2].delaySteps = 1000; return n; }, /delaySteps/],
    ["a projection into an input", (n) => { n.projections[2].target = 0; return n; }, /target is an input|one-to-one|wrong length/],
    ["a projection from a population that does not exist", (n) => { n.projections[0].source = 17; return n; }, /source or target out of range/],
    ["non-contiguous neuron ids", (n) => { n.populations[1].firstNeuron += 1; return n; }, /contiguous/],
    ["a population of size 0", (n) => { n.populations[1].size = 0; return n; }, /size/],
    ["initial voltages of the wrong length", (n) => { n.populations[2].initialVoltage = n.populations[2].initialVoltage!.subarray(1); return n; }, /initialVoltage/],
    ["a threshold outside the voltage range", (n) => { n.populations[2].neuron!.threshold = 2 ** 30; return n; }, /threshold/],
    ["a decay retain above 4096", (n) => { const d = n.populations[2].neuron!.decay; if (d.kind === "multiply") d.voltageRetain = 5000; return n; }, /retain/],
    ["a refractory period of 256 steps", (n) => { n.populations[2].neuron!.refractorySteps = 256; return n; }, /refractory/],
    ["a neuron population without constants", (n) => { delete n.populations[2].neuron; return n; }, /without constants/],
    ["an input without an encoder", (n) => { delete n.populations[0].encoder; return n; }, /encoder/],
    ["a neuron missing from the placement", (n) => { n.placement.cores[0][0].count -= 1; return n; }, /not placed/],
    ["a neuron placed twice", (n) => { n.placement.cores.push([{ population: 0, start: 0, count: 1 }]); return n; }, /placed twice/],
    ["a placement slice past the population's end", (n) => { n.placement.cores[0][0].count += 100; return n; }, /out of range/],
    ["more cores than the chip has", (n) => { n.chip.coreCount = 0; return n; }, /core count|cores/],
    ["a probe of an input", (n) => { n.probes.push({ population: 0, variable: "v" }); return n; }, /probe/],
    ["a probe of an unknown variable", (n) => { (n.probes[0] as { variable: string }).variable = "w"; return n; }, /probe/],
    ["no chip configuration", (n) => { delete (n as Partial<ChipNetwork>).chip; return n; }, /chip configuration/],
    ["a non-integer seed", (n) => { n.seed = 0.5; return n; }, /seed/],
    ["populations that are not an array", (n) => { (n as { populations: unknown }).populations = { 0: n.populations[0] }; return n; }, /populations/],
    ["a payload that is a number", () => 42, /not an object/],
    ["a payload that is null", () => null, /not an object/],
    ["a payload that is a list", () => [1, 2, 3], /chip configuration|malformed/],
  ];

  it.each(cases)("%s", (_, breakIt, reason) => {
    const broken = breakIt(copy(small));
    const error = imageError(imageOf(broken));
    expect(error.message).toMatch(/^invalid chip image: /);
    expect(error.message).toMatch(reason);
  });
});
