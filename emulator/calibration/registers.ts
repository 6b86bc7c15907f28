/**
 * @fileoverview The integer arithmetic of the chip's calibration unit (docs/chip.md §10), one
 * feature at a time: the running min/max registers, the octave-rescaling histogram, the histogram
 * quantiles and the column's weight mantissas. No floats: every value is an integer that the
 * documented register widths hold (all products stay below 2^48, exact in a double), so this one
 * implementation serves both emulators (emulator/calibration/index.ts drives it).
 *
 * Observed values are the rate encoder's 16-bit probabilities p ∈ [1, 65536] (docs/chip.md §5); a
 * zero is not observed (the paper's "zeros ignored"). The histogram has B = 2^b bins of 16-bit
 * counters over [0, 2^range): it starts at range = b (one value per bin) and, when a value ≥ 2^range
 * arrives, doubles its range by adding neighbouring bins pairwise (bin j ← bin 2j + bin 2j+1), so the
 * bins always span the data's maximum within a factor of two. A counter that would reach 2^16
 * halves every counter (an exponential forgetting of old data; the extremes are kept).
 */

/** Bin counters are 16 bits: one reaching this value halves them all. */
export const BIN_COUNTER_LIMIT = 1 << 16;

/** Per-feature registers of the unit. */
export interface FeatureRegisters {
  /** Smallest and largest nonzero value observed (0 while count is 0). */
  min: number;
  max: number;
  /** Observations held by the histogram (the sum of its bins). */
  count: number;
  /** log2 of the histogram's span: bins cover [0, 2^rangeLog2). */
  rangeLog2: number;
  readonly binsLog2: number;
  readonly bins: Uint16Array;
  /** Set when a value was observed since the last recomputation of the column. */
  dirty: boolean;
}

/** Operation counts of the unit (the cost model of docs/chip.md §10 prices them). */
export interface RegisterWork {
  /** Nonzero values observed: two compares and one counter increment each. */
  observations: number;
  /** Bins rewritten by range doublings and by halvings. */
  binMoves: number;
  /** Bins read while searching the quantiles. */
  binScans: number;
  /** Integer divisions (quantile interpolation and reciprocal weight). */
  divisions: number;
  /** Mantissas written to synapse memory. */
  weightWrites: number;
}

export function emptyRegisterWork(): RegisterWork {
  return { observations: 0, binMoves: 0, binScans: 0, divisions: 0, weightWrites: 0 };
}

export function addRegisterWork(into: RegisterWork, work: RegisterWork): void {
  into.observations += work.observations;
  into.binMoves += work.binMoves;
  into.binScans += work.binScans;
  into.divisions += work.divisions;
  into.weightWrites += work.weightWrites;
}

export function createFeatureRegisters(binsLog2: number): FeatureRegisters {
  return { min: 0, max: 0, count: 0, rangeLog2: binsLog2, binsLog2, bins: new Uint16Array(1 << binsLog2), dirty: false };
}

/** One value at the input interface: the extremes, then the histogram (doubling its range as needed). */
export function observe(reg: FeatureRegisters, value: number, work: RegisterWork): void {
  if (value === 0) return; // zeros carry no information about the operating range
  work.observations++;
  reg.dirty = true;
  if (reg.count === 0 || value < reg.min) reg.min = value;
  if (value > reg.max) reg.max = value;
  const half = reg.bins.length >> 1;
  while (value >= 2 ** reg.rangeLog2) {
    for (let j = 0; j < half; j++) if (reg.bins[2 * j] + reg.bins[2 * j + 1] >= BIN_COUNTER_LIMIT) halve(reg, work);
    for (let j = 0; j < half; j++) reg.bins[j] = reg.bins[2 * j] + reg.bins[2 * j + 1];
    reg.bins.fill(0, half);
    reg.rangeLog2++;
    work.binMoves += reg.bins.length;
  }
  const bin = Math.floor(value / 2 ** (reg.rangeLog2 - reg.binsLog2));
  if (reg.bins[bin] + 1 >= BIN_COUNTER_LIMIT) halve(reg, work);
  reg.bins[bin]++;
  reg.count++;
}

/** Halves every counter (odd counts lose one observation): the sum of two counters fits again. */
function halve(reg: FeatureRegisters, work: RegisterWork): void {
  reg.count = 0;
  for (let j = 0; j < reg.bins.length; j++) reg.count += reg.bins[j] >>= 1;
  work.binMoves += reg.bins.length;
}

/**
 * The quantiles (m + 1)/(D + 1), m = 0 … D − 1, of the histogram, in one pass over the bins. Rank
 * r = level·(count − 1) as in compiler/hetquant.ts `quantile`; the c observations of a bin are taken
 * as spread evenly over the bin (the k-th at (k + ½)/c of it), the bin's edges clamped to
 * [min, max + 1]: q = lo + ⌊(hi − lo)·(2R − 2·below·(D+1) + (D+1)) / (2·(D+1)·c)⌋ with R = (m+1)(count−1)
 * and `below` the observations in lower bins. Empty registers give an empty array.
 */
export function histogramQuantiles(reg: FeatureRegisters, duplication: number, work: RegisterWork): Int32Array {
  const quantiles = new Int32Array(reg.count === 0 ? 0 : duplication);
  if (reg.count === 0) return quantiles;
  const levels = duplication + 1;
  const width = 2 ** (reg.rangeLog2 - reg.binsLog2);
  let below = 0;
  let bin = 0;
  for (let m = 0; m < duplication; m++) {
    const rank = (m + 1) * (reg.count - 1);
    // first bin whose observations reach past the rank: (below + c)·(D+1) > R
    while ((below + reg.bins[bin]) * levels <= rank) {
      below += reg.bins[bin++];
      work.binScans++;
    }
    const lo = Math.max(bin * width, reg.min);
    const hi = Math.min((bin + 1) * width, reg.max + 1);
    const c = reg.bins[bin];
    quantiles[m] = lo + Math.floor(((hi - lo) * (2 * rank - 2 * below * levels + levels)) / (2 * levels * c));
    work.divisions++;
  }
  work.binScans++; // the bin the last quantile fell in
  return quantiles;
}

/**
 * The column's mantissas from its quantiles: each quantile clamped to [⌊limitQ16·max/2^16 + ½⌋ (≥ 1),
 * max], then mantissa = clamp(⌊(K + ⌊q/2⌋)/q⌋, 1, largest) — K/q rounded half up.
 */
export function columnMantissas(
  reg: FeatureRegisters, quantiles: Int32Array, limitQ16: number, numerator: number, largest: number, work: RegisterWork,
): Int32Array {
  const low = Math.max(1, Math.floor((limitQ16 * reg.max + 32768) / 65536));
  return Int32Array.from(quantiles, (quantile) => {
    const q = Math.min(reg.max, Math.max(low, quantile));
    work.divisions++;
    return Math.min(largest, Math.max(1, Math.floor((numerator + Math.floor(q / 2)) / q)));
  });
}
