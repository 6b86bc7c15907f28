/**
 * @fileoverview Training-time data augmentation on the host: each training image is shown moved a
 * little, differently in every epoch. The chip sees an ordinary input image; only what is fed to it
 * changes. Test images are never augmented. Three moves, all optional (docs/learning.md §12):
 *
 * - **mirror** left–right, on half of the samples: bit 0 of h' = mix32(mix32(seed ⊕ 0x3f1ea) ⊕
 *   mix32((epoch + 1)·0x9e3779b1 ⊕ index)) (a garment mirrored is the same garment; a digit is not);
 *   applied first, so a shift or distortion moves the mirrored image;
 * - **shift** by whole pixels (dx, dy) ∈ [−m, m]²: h = mix32(mix32(seed ⊕ 0x5d1f7) ⊕ mix32((epoch + 1)·
 *   0x9e3779b1 ⊕ index)) (lowbias32, compiler/random.ts), dx = (h mod (2m+1)) − m, dy = (⌊h/2^16⌋ mod
 *   (2m+1)) − m;
 * - **elastic distortion** (Simard, Steinkraus and Platt 2003, "Best practices for convolutional neural
 *   networks applied to visual document analysis"): a displacement field of uniform(−1, 1) draws per
 *   pixel and axis (the stream `Random(seed, "augment.<epoch>.<index>")`), smoothed by three box blurs
 *   of radius r (an integer-weight approximation of a Gaussian of σ = √((2r+1)² − 1) / 2, e.g. 4.5
 *   pixels for r = 4, exact in floating point on every platform, unlike Math.exp), times α pixels.
 *
 * The moved image is read back by bilinear interpolation at (x − dx + α·ex, y − dy + α·ey), with 0
 * (background) outside the image, as the usual "random crop with zero padding". Every draw is a
 * function of (seed, epoch, index) alone, so a resumed run sees the same images.
 */
import { mix32, Random } from "../compiler/random.ts";
import { DatasetError, type Dataset } from "./dataset.ts";

/** How training images are moved; all zero: shown as they are. */
export interface Augmentation {
  /** Largest whole-pixel shift per axis. */
  maxShiftPixels: number;
  /** α: the elastic field's scale in pixels (0: no elastic distortion). */
  elasticAlphaPixels: number;
  /** r: radius of the three box blurs that smooth the elastic field. */
  elasticRadiusPixels: number;
  /** Mirror left–right half of the samples (absent: never). */
  mirror?: boolean;
}

export const NO_AUGMENTATION: Augmentation = { maxShiftPixels: 0, elasticAlphaPixels: 0, elasticRadiusPixels: 4 };

export function isAugmenting(augmentation: Augmentation): boolean {
  return augmentation.maxShiftPixels > 0 || augmentation.elasticAlphaPixels > 0 || augmentation.mirror === true;
}

/** A hash of (seed, epoch, index) under a per-move salt: each move draws independently of the others. */
function sampleHash(salt: number, seed: number, epoch: number, index: number): number {
  return mix32((mix32((seed ^ salt) >>> 0) ^ mix32((Math.imul(epoch + 1, 0x9e3779b1) ^ index) >>> 0)) >>> 0);
}

/** Whether training sample `index` of epoch `epoch` is shown mirrored (half of them, when mirroring). */
export function sampleMirrored(seed: number, epoch: number, index: number): boolean {
  return (sampleHash(0x3f1ea, seed, epoch, index) & 1) === 1;
}

/** `image` (rows × columns, row-major) mirrored left–right into `out`. */
export function mirrorImage(image: Float32Array, rows: number, columns: number, out: Float32Array): Float32Array {
  for (let row = 0; row < rows; row++) {
    const start = row * columns;
    for (let column = 0; column < columns; column++) out[start + column] = image[start + columns - 1 - column];
  }
  return out;
}

/** The translation (in pixels; +x moves the content right, +y down) of one training sample. */
export function sampleShift(seed: number, epoch: number, index: number, maxShiftPixels: number): { dx: number; dy: number } {
  const span = 2 * maxShiftPixels + 1;
  const h = sampleHash(0x5d1f7, seed, epoch, index);
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

/** One box blur of radius r along rows (step 1) or columns (step = columns), zeros outside. */
function boxBlur(field: Float64Array, rows: number, columns: number, radius: number, alongRows: boolean, out: Float64Array): void {
  const width = 2 * radius + 1;
  const [lines, length, lineStride, step] = alongRows ? [rows, columns, columns, 1] : [columns, rows, 1, columns];
  for (let line = 0; line < lines; line++) {
    const start = line * lineStride;
    for (let k = 0; k < length; k++) {
      let sum = 0;
      for (let j = Math.max(0, k - radius); j <= Math.min(length - 1, k + radius); j++) sum += field[start + j * step];
      out[start + k * step] = sum / width;
    }
  }
}

/** A smoothed random field: uniform(−1, 1) per pixel, three box blurs along each axis. */
export function smoothField(random: Random, rows: number, columns: number, radius: number): Float64Array {
  let field = new Float64Array(rows * columns);
  for (let i = 0; i < field.length; i++) field[i] = 2 * random.uniform() - 1;
  let spare = new Float64Array(field.length);
  for (let pass = 0; pass < 3; pass++) {
    for (const alongRows of [true, false]) {
      boxBlur(field, rows, columns, radius, alongRows, spare);
      [field, spare] = [spare, field];
    }
  }
  return field;
}

/** Pixel (row, column) of `image`, 0 outside. */
function pixelAt(image: Float32Array, rows: number, columns: number, row: number, column: number): number {
  return row >= 0 && row < rows && column >= 0 && column < columns ? image[row * columns + column] : 0;
}

/** Bilinear read of `image` at (x, y) in pixel coordinates, 0 outside. */
function bilinear(image: Float32Array, rows: number, columns: number, x: number, y: number): number {
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const fx = x - x0, fy = y - y0;
  const top = (1 - fx) * pixelAt(image, rows, columns, y0, x0) + fx * pixelAt(image, rows, columns, y0, x0 + 1);
  const bottom = (1 - fx) * pixelAt(image, rows, columns, y0 + 1, x0) + fx * pixelAt(image, rows, columns, y0 + 1, x0 + 1);
  return (1 - fy) * top + fy * bottom;
}

/** Training sample `index` of epoch `epoch` as the chip is shown it, written into `out`. */
export function augmentImage(
  image: Float32Array, rows: number, columns: number, augmentation: Augmentation,
  seed: number, epoch: number, index: number, out: Float32Array,
): Float32Array {
  if (augmentation.mirror && sampleMirrored(seed, epoch, index)) image = mirrorImage(image, rows, columns, new Float32Array(image.length));
  const { dx, dy } = augmentation.maxShiftPixels > 0 ? sampleShift(seed, epoch, index, augmentation.maxShiftPixels) : { dx: 0, dy: 0 };
  const alpha = augmentation.elasticAlphaPixels;
  if (alpha === 0) return translateImage(image, rows, columns, dx, dy, out);
  const random = new Random(seed, `augment.${epoch}.${index}`);
  const fieldX = smoothField(random, rows, columns, augmentation.elasticRadiusPixels);
  const fieldY = smoothField(random, rows, columns, augmentation.elasticRadiusPixels);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const k = row * columns + column;
      // clip: bilinear weights may round a hair outside [0, 1]
      out[k] = Math.min(1, Math.max(0, bilinear(image, rows, columns, column - dx + alpha * fieldX[k], row - dy + alpha * fieldY[k])));
    }
  }
  return out;
}

/** Throws DatasetError unless the augmentation's numbers are valid and the samples are 2-D images it can move. */
export function checkAugmentable(dataset: Dataset, augmentation: Augmentation): void {
  const { maxShiftPixels, elasticAlphaPixels, elasticRadiusPixels } = augmentation;
  if (!Number.isInteger(maxShiftPixels) || maxShiftPixels < 0) {
    throw new DatasetError(`the largest shift must be a whole number of pixels ≥ 0, not ${maxShiftPixels}`);
  }
  if (!(elasticAlphaPixels >= 0 && elasticAlphaPixels <= 1000)) throw new DatasetError(`the elastic scale α must be in [0, 1000] pixels, not ${elasticAlphaPixels}`);
  if (!Number.isInteger(elasticRadiusPixels) || elasticRadiusPixels < 1 || elasticRadiusPixels > 64) {
    throw new DatasetError(`the elastic blur radius must be a whole number of pixels in [1, 64], not ${elasticRadiusPixels}`);
  }
  if (!isAugmenting(augmentation)) return;
  const [rows, columns] = dataset.shape;
  if (dataset.shape.length !== 2 || maxShiftPixels >= Math.min(rows, columns)) {
    const what = maxShiftPixels > 0 ? `shifting by up to ${maxShiftPixels} pixels` : elasticAlphaPixels > 0 ? "an elastic distortion" : "mirroring";
    throw new DatasetError(`${dataset.name}: ${what} needs 2-D images${maxShiftPixels > 0 ? " larger than that" : ""}, but a sample has shape [${dataset.shape.join(", ")}]`);
  }
}
