/**
 * @fileoverview A training checkpoint: everything needed to continue exactly where a run stopped
 * at a batch boundary — the learned network as a chip image (compiler/image.ts) and the learning
 * unit's state (Adam moments and block exponents, feedback B, the previous batch's mean counts,
 * the sample and batch counters) plus the position in the epoch — packed with msgpack and
 * protected by a CRC-32, so that a damaged or foreign file is one clear CheckpointError.
 */
import { Packr, Unpackr } from "msgpackr";
import { crc32, decodeImage, encodeImage, ImageError } from "../../compiler/image.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { networkWithLearnedWeights, type LearningChip } from "./index.ts";
import { refreshFanOut } from "./state.ts";

export class CheckpointError extends Error {}

const MAGIC = "NEUROCC-LEARN";
const VERSION = 1;
const packer = new Packr({ moreTypes: true, useRecords: false });
const unpacker = new Unpackr({ moreTypes: true, useRecords: false });

export interface TrainingPosition {
  /** The epoch in progress and the next sample of its order (0 when the epoch is to start). */
  epoch: number;
  nextSample: number;
  /** The training seed (epoch orders, encoder draws). */
  seed: number;
}

interface LayerState {
  adamFirst: Float64Array;
  adamSecond: Float64Array;
  gradientShift: number;
  feedback: Int32Array | null;
  previousMeanCountQ16: Int32Array;
  /** `weight_average`'s registers (absent in checkpoints of networks without it). */
  weightAverageQ16?: Int32Array | null;
}

interface Payload {
  image: Uint8Array;
  position: TrainingPosition;
  samplesSeen: number;
  batchesApplied: number;
  layers: LayerState[];
}

/** Only at a batch boundary: the batch sums are then empty and need not be stored. */
export function encodeCheckpoint(chip: LearningChip, position: TrainingPosition): Uint8Array {
  if (chip.engine.samplesInBatch !== 0) throw new CheckpointError("a checkpoint can only be taken between batches");
  const payload: Payload = {
    image: encodeImage(networkWithLearnedWeights(chip)),
    position,
    samplesSeen: chip.engine.samplesSeen,
    batchesApplied: chip.engine.batchesApplied,
    layers: chip.engine.layers.map((l) => ({
      adamFirst: l.adamFirst, adamSecond: l.adamSecond, gradientShift: l.gradientShift, feedback: l.feedback, previousMeanCountQ16: l.previousMeanCountQ16,
      weightAverageQ16: l.weightAverageQ16,
    })),
  };
  const body = packer.pack(payload);
  return packer.pack({ magic: MAGIC, version: VERSION, checksum: crc32(body), body });
}

/** The checkpoint's learned network and position; `restoreCheckpoint` then loads the rest into a chip. */
export function decodeCheckpoint(bytes: Uint8Array, what: string): { network: ChipNetwork; payload: Payload } {
  let outer: { magic?: unknown; version?: unknown; checksum?: unknown; body?: unknown };
  try {
    outer = unpacker.unpack(bytes) as typeof outer;
  } catch {
    throw new CheckpointError(`${what} is not a training checkpoint (truncated or not msgpack)`);
  }
  if (typeof outer !== "object" || outer === null || outer.magic !== MAGIC) throw new CheckpointError(`${what} is not a neurocc training checkpoint`);
  if (outer.version !== VERSION) throw new CheckpointError(`${what} is checkpoint version ${String(outer.version)}; this neurocc reads version ${VERSION}`);
  if (!(outer.body instanceof Uint8Array) || crc32(outer.body) !== outer.checksum) throw new CheckpointError(`${what} is corrupted (checksum mismatch)`);
  const payload = unpacker.unpack(outer.body) as Payload;
  try {
    return { network: decodeImage(payload.image).network, payload };
  } catch (e) {
    if (e instanceof ImageError) throw new CheckpointError(`${what}: ${e.message}`);
    throw e;
  }
}

/** Loads a decoded checkpoint's learning state into a chip created from its network. */
export function restoreCheckpoint(chip: LearningChip, payload: Payload, what: string): TrainingPosition {
  const { engine } = chip;
  if (payload.layers.length !== engine.layers.length) throw new CheckpointError(`${what} has ${payload.layers.length} trained layers, the network ${engine.layers.length}`);
  engine.layers.forEach((layer, l) => {
    const saved = payload.layers[l];
    const fits = saved.adamFirst.length === layer.adamFirst.length && saved.adamSecond.length === layer.adamSecond.length
      && (saved.feedback?.length ?? 0) === (layer.feedback?.length ?? 0) && saved.previousMeanCountQ16.length === layer.size
      && (saved.weightAverageQ16?.length ?? 0) === (layer.weightAverageQ16?.length ?? 0);
    if (!fits) throw new CheckpointError(`${what}: layer '${layer.chain.population.name}' has the wrong size; the checkpoint is from another network`);
    layer.adamFirst.set(saved.adamFirst);
    layer.adamSecond.set(saved.adamSecond);
    layer.gradientShift = saved.gradientShift;
    if (layer.feedback && saved.feedback) layer.feedback.set(saved.feedback);
    layer.previousMeanCountQ16.set(saved.previousMeanCountQ16);
    if (layer.weightAverageQ16 && saved.weightAverageQ16) layer.weightAverageQ16.set(saved.weightAverageQ16);
    refreshFanOut(layer);
  });
  engine.samplesSeen = payload.samplesSeen;
  engine.batchesApplied = payload.batchesApplied;
  return payload.position;
}
