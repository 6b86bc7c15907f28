/**
 * @fileoverview Training-time data augmentation on the host: each training sample is shown translated
 * by a whole number of pixels, different in every epoch. The chip sees an ordinary input image; only
 * what is fed to it changes. Test samples are never augmented.
 *
 * The shift of sample `index` in epoch `epoch` is a function of (seed, epoch, index) alone (a lowbias32
 * hash, compiler/random.ts), so a resumed run draws the same shifts: h = mix32(mix32(seed ^ 0x5d1f7) ^
 * mix32((epoch + 1)·0x9e3779b1 ^ index)); dx = (h mod (2m+1)) − m, dy = (⌊h / 2^16⌋ mod (2m+1)) − m for
 * a largest shift m. Pixels moved in from outside the image are 0 (background), as in the usual
 * "random crop with zero padding" of image classifiers.
 */
import { mix32 } from "../compiler/random.ts";
import { DatasetError, type Dataset } from "./dataset.ts";

/** The translation (in pixels; +x moves the content right, +y down) of one training sample. */
export function sampleShift(seed: number, epoch: number, index: number, maxShiftPixels: number): { dx: number; dy: number } {
  const span = 2 * maxShiftPixels + 1;
  const h = mix32((mix32((seed ^ 0x5d1f7) >>> 0) ^ mix32((Math.imul(epoch + 1, 0x9e3779b1) ^ index) >>> 0)) >>> 0);
  return { dx: (h % span) - maxShiftPixels, dy: (Math.floor(h / 65536) % span) - maxShiftPixels };
}

/** `image` (rows × columns, row-major) translated by (dx, dy) into `out`, zeros where nothing moved in. */
export function translateImage(image: Float32Array, rows: number, columns: number, dx: number, dy: number, out: Float32Array): Float32Array {
  out.fill(0);
  for (let row = Math.max(0, dy); row < Math.min(rows, rows + dy); row++) {
    const from = (row - dy) * columns;
    const to = row * columns;
    for (let column = Math.max(0, dx); column < Math.min(columns, columns + dx); column++) out[to + column] = image[from + column - dx];
  }
  return out;
}

/** Throws DatasetError unless the samples are 2-D images a shift of this size makes sense on. */
export function checkShiftable(dataset: Dataset, maxShiftPixels: number): void {
  if (!Number.isInteger(maxShiftPixels) || maxShiftPixels < 0) {
    throw new DatasetError(`the largest shift must be a whole number of pixels ≥ 0, not ${maxShiftPixels}`);
  }
  if (maxShiftPixels === 0) return;
  const [rows, columns] = dataset.shape;
  if (dataset.shape.length !== 2 || maxShiftPixels >= Math.min(rows, columns)) {
    throw new DatasetError(`${dataset.name}: shifting by up to ${maxShiftPixels} pixels needs 2-D images larger than that, but a sample has shape [${dataset.shape.join(", ")}]`);
  }
}
