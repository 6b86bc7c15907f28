/**
 * @fileoverview Heterogeneous quantization columns (Moyal, Mama, Einhorn, Borthakur, Cleland,
 * "Heterogeneous quantization regularizes spiking neural network activity", arXiv 2409.18396 /
 * Sci. Rep. 2025; mechanism read from their code, cplab/sapinet_regularization, as summarised in
 * shared/reference/algorithms.md §2): the `hetquant` connection kind and its data-aware calibration.
 *
 * `connect sensors -> mc : hetquant(...)` with `sensors[F]` a rate input and `mc[F, D]` a leaky layer:
 * - data-blind normalisation: the source's frames are L1-normalised by the host (`norm = l1`, the
 *   default; the paper's divisive ET→ET shunt, which the chip cannot compute, so the host does);
 * - feature i drives the D duplicated principal neurons i·D … i·D + D − 1 through weights
 *   payload·s_m, with s_m from the spacing: `uniform` (the paper's default "1/x" spacing:
 *   v = linspace(1, 1/limit, D), s = (1/limit)/v), `linspace` (s = linspace(1/limit, 1, D)) or
 *   `homogeneous` (s = 1: the duplication baseline). A principal neuron fires when x·s_m is large
 *   enough, so the number of active neurons of a column encodes x (a thermometer code);
 * - optional phase coding: with `cycle`, an input `TARGET_osc[1] : phase(cycle, value = 1)` fires at
 *   the start of every cycle and inhibits the column with weight −inhibition (the paper's 20 Hz
 *   OSC→MC inhibition), so a stronger drive fires earlier in the cycle;
 * - calibration (`calibratedColumnWeights`, used by `neurocc calibrate`): per feature, the running
 *   minimum and maximum of the (normalised) data, zeros ignored, and the D firing thresholds moved to
 *   the data's quantiles within [limit·max, max], so that levels are dense where the data are dense
 *   (the paper's `density_from_breaks`); the gain is re-centred per feature by folding it into the
 *   weights (see `calibratedColumnWeights`);
 * - online calibration (`online = 1`): lowering adds the IR's `calibration` registers
 *   (`withOnlineCalibration`: the same law as an integer constant K), which the chip's calibration
 *   unit (emulator/calibration/, docs/chip.md §10) uses to retune the columns from the inputs it
 *   receives; `onlineCalibrationProblem` is the image validator's check of them.
 */
import type { CheckedConnection, CheckedNetwork, Initializer } from "./checked.ts";
import type { ChipNetwork, OnlineCalibration, Projection } from "./ir.ts";

export type Spacing = "uniform" | "linspace" | "homogeneous";

/** What a hetquant connection was built from (kept on the CheckedConnection for calibration). */
export interface HetquantSpec {
  spacing: Spacing;
  payload: number;
  limit: number;
  features: number;
  duplication: number;
  /** `online = 1`: the chip's calibration unit (docs/chip.md §10) retunes the columns; the IR gets `calibration`. */
  online?: boolean;
  /** log2 of the unit's histogram bins per feature (`bins`, default 32). */
  histogramBinsLog2?: number;
}

function linspace(from: number, to: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, m) => (n === 1 ? from : from + ((to - from) * m) / (n - 1)));
}

/** The scale factors s_m of one column (m = 0 … D − 1), largest first. */
export function columnScales(spacing: Spacing, duplication: number, limit: number): Float64Array {
  switch (spacing) {
    case "uniform":
      return linspace(1, 1 / limit, duplication).map((v) => 1 / limit / v);
    case "linspace":
      return linspace(1 / limit, 1, duplication);
    case "homogeneous":
      return new Float64Array(duplication).fill(1);
  }
}

/** Dense weights `[F·D, F]` (row = principal neuron): neuron i·D + m receives feature i with w[i][m]. */
export function columnWeightTable(columnWeights: (feature: number) => Float64Array, spec: HetquantSpec): Initializer {
  const { features, duplication } = spec;
  const values = new Float64Array(features * duplication * features);
  for (let i = 0; i < features; i++) {
    const w = columnWeights(i);
    for (let m = 0; m < duplication; m++) values[(i * duplication + m) * features + i] = w[m];
  }
  return { kind: "values", values, shape: [features * duplication, features], file: "" };
}

/** The uncalibrated (data-blind) weights of the construct. */
export function hetquantWeights(spec: HetquantSpec): Initializer {
  const scales = columnScales(spec.spacing, spec.duplication, spec.limit).map((s) => s * spec.payload);
  return columnWeightTable(() => scales, spec);
}

/** Per-feature statistics of calibration data, as the running registers would hold them. */
export interface FeatureStatistics {
  /** Running minimum and maximum of the nonzero values. */
  min: number;
  max: number;
  /** The nonzero values, sorted (for the quantiles). */
  sorted: Float64Array;
}

/** Running min/max and sorted nonzero observations of each of `features` columns of `frames`. */
export function featureStatistics(frames: Float64Array, features: number): FeatureStatistics[] {
  return Array.from({ length: features }, (_, i) => {
    const seen: number[] = [];
    for (let k = i; k < frames.length; k += features) if (frames[k] !== 0) seen.push(frames[k]);
    const sorted = Float64Array.from(seen).sort();
    return { min: sorted.length ? sorted[0] : 0, max: sorted.length ? sorted[sorted.length - 1] : 0, sorted };
  });
}

/**
 * Calibrated weights of one column. A principal neuron driven by a rate input of probability
 * p = x·gain through weight w settles, on average, at v = p·w / (1 − keep) (keep: its voltage
 * retention per step), so it fires when x > fireConstant / (gain·w) with fireConstant = vth·(1 − keep)
 * (or vth / cycle for a non-leaky neuron reset every cycle by the oscillator). Putting neuron m's
 * threshold at the data's quantile q_m = Q((m + 1)/(D + 1)), clamped to [limit·max, max], gives
 * w_m = fireConstant / (gain·q_m): the gain is re-centred per feature into the weights. A feature
 * never seen nonzero keeps its uncalibrated weights.
 */
export function calibratedColumnWeights(stats: FeatureStatistics, spec: HetquantSpec, fireConstant: number, gain: number): Float64Array {
  if (stats.sorted.length === 0 || stats.max <= 0) return columnScales(spec.spacing, spec.duplication, spec.limit).map((s) => s * spec.payload);
  const low = spec.limit * stats.max;
  const weights = new Float64Array(spec.duplication);
  for (let m = 0; m < spec.duplication; m++) {
    const q = Math.min(stats.max, Math.max(low, quantile(stats.sorted, (m + 1) / (spec.duplication + 1))));
    weights[m] = fireConstant / (gain * q);
  }
  return weights;
}

/** Linear-interpolated quantile of sorted values, level in [0, 1]. */
export function quantile(sorted: Float64Array, level: number): number {
  const position = level * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** Bad calibration data (the CLI shows the message). */
export class CalibrationError extends Error {}

/** What calibration found for one hetquant connection (for the report). */
export interface CalibrationRecord {
  connection: string;
  statistics: FeatureStatistics[];
  /** Smallest and largest calibrated weight (voltage units of the target layer). */
  weightRange: [number, number];
}

/**
 * Rebuilds the weights of every hetquant connection fed by input `inputName` from calibration frames
 * (`[samples, features]` raw values, before the encoder's normalisation and gain), in place on the
 * checked network (call it between checking and lowering: CompileOptions.beforeLowering).
 */
export function calibrateHetquant(checked: CheckedNetwork, inputName: string, frames: Float64Array): CalibrationRecord[] {
  const source = checked.populations.findIndex((p) => p.name === inputName);
  const records: CalibrationRecord[] = [];
  for (const connection of checked.connections) {
    const spec = connection.hetquant;
    if (!spec || connection.source !== source) continue;
    const encoder = checked.populations[source].encoder!;
    if (encoder.kind !== "rate") continue;
    if (frames.some((x) => x < 0)) throw new CalibrationError(`hetquant calibration data must be ≥ 0 (sensor intensities); found ${Math.min(...frames)}`);
    const normalized = encoder.normalization === "l1" ? l1Normalize(frames, spec.features) : frames;
    const statistics = featureStatistics(normalized, spec.features);
    if (statistics.every((s) => s.sorted.length === 0)) throw new CalibrationError(`hetquant calibration data for '${inputName}' holds no nonzero value`);
    const fire = fireConstant(checked, connection.target, connection.name);
    const columns = statistics.map((s) => calibratedColumnWeights(s, spec, fire, encoder.gain));
    connection.weight = columnWeightTable((i) => columns[i], spec);
    const all = columns.flatMap((c) => Array.from(c));
    records.push({ connection: connection.name.replace(/#\d+$/, ""), statistics, weightRange: [Math.min(...all), Math.max(...all)] });
  }
  if (records.length === 0) throw new CalibrationError(`no hetquant connection starts at '${inputName}'; nothing to calibrate`);
  return records;
}

/** Divides each frame (`features` values) by the sum of its absolute values (a zero frame stays zero). */
export function l1Normalize(values: ArrayLike<number>, features: number): Float64Array {
  const out = Float64Array.from(values);
  for (let start = 0; start < out.length; start += features) {
    let sum = 0;
    for (let i = start; i < start + features; i++) sum += Math.abs(out[i]);
    if (sum > 0) for (let i = start; i < start + features; i++) out[i] /= sum;
  }
  return out;
}

/** vth above the reset, times the share of v a step loses (or 1/cycle when an oscillator resets a non-leaky column). */
export function fireConstant(checked: CheckedNetwork, target: number, connectionName: string): number {
  const model = checked.populations[target].neuron!;
  const origin = model.reset.kind === "value" ? model.reset.valueMv : model.restMv;
  const leak = 1 - model.voltageKeep;
  const oscillator = checked.connections.find((c) => c.target === target && checked.populations[c.source].encoder?.kind === "phase");
  const phase = oscillator ? checked.populations[oscillator.source].encoder : null;
  const perCycle = phase?.kind === "phase" ? checked.dtMs / phase.cycleMs : 0;
  const share = Math.max(leak, perCycle);
  if (share <= 0) throw new CalibrationError(`${connectionName.replace(/#\d+$/, "")}: calibration needs a leaky target layer (lif, cuba) or an oscillator cycle, since a non-leaky column fires at any rate`);
  return (model.thresholdMv - origin) * share;
}

/** Default histogram of the online calibration unit: 2^5 = 32 bins per feature. */
export const DEFAULT_HISTOGRAM_BINS_LOG2 = 5;

/**
 * Adds the IR's `calibration` registers to a lowered hetquant projection with `online` set (lowering
 * passes every projection through here): K = fireConstant · 65536 in mantissa units, so that
 * mantissa_m = K / P_m for a threshold at encoder probability P_m = 65536 · gain · q_m — the law of
 * `calibratedColumnWeights` in the chip's integers. K is clamped to [1, 2^32 − 1], which changes no
 * mantissa: any K ≥ 2^31 already gives the largest mantissa for every P ≤ 65536. A column synapse
 * whose data-blind mantissa rounded to 0 is raised to 1, since the unit rewrites stored synapses
 * and a zero mantissa is no synapse (docs/chip.md §2).
 */
export function withOnlineCalibration(connection: CheckedConnection, checked: CheckedNetwork, voltageUnitsPerMv: number, projection: Projection): Projection {
  const spec = connection.hetquant;
  if (!spec?.online || projection.channelExponents || projection.connectivity.kind !== "dense") return projection;
  const shift = checked.chip.formats.weightShift + projection.weightExponent;
  const numerator = (fireConstant(checked, connection.target, connection.name) * voltageUnitsPerMv * 65536) / 2 ** shift;
  const { features, duplication } = spec;
  const weights = Int32Array.from(projection.connectivity.weights);
  for (let i = 0; i < features; i++) {
    for (let m = 0; m < duplication; m++) weights[(i * duplication + m) * features + i] ||= 1;
  }
  const calibration: OnlineCalibration = {
    features,
    duplication,
    limitQ16: Math.min(65535, Math.max(1, Math.round(spec.limit * 65536))),
    numerator: Math.min(2 ** 32 - 1, Math.max(1, Math.round(numerator))),
    histogramBinsLog2: spec.histogramBinsLog2 ?? DEFAULT_HISTOGRAM_BINS_LOG2,
  };
  return { ...projection, connectivity: { kind: "dense", weights }, calibration };
}

/** Checks a projection's `calibration` registers against its shape (compiler/validate.ts); null when fine. */
export function onlineCalibrationProblem(p: Projection, net: ChipNetwork): string | null {
  const c = p.calibration!;
  const isInt = (x: unknown, low: number, high: number) => typeof x === "number" && Number.isInteger(x) && x >= low && x <= high;
  const source = net.populations[p.source];
  if (source.encoder?.kind !== "rate") return "calibration needs a rate-coded source";
  if (p.connectivity.kind !== "dense" || p.channelExponents) return "calibration needs dense weights with one exponent";
  if (!isInt(c.features, 1, 1 << 24) || !isInt(c.duplication, 1, 1 << 24)) return "calibration features/duplication out of range";
  if (c.features !== source.size || c.features * c.duplication !== net.populations[p.target].size) return "calibration features × duplication do not match the projection";
  if (!isInt(c.limitQ16, 1, 65535) || !isInt(c.numerator, 1, 2 ** 32 - 1) || !isInt(c.histogramBinsLog2, 1, 8)) return "calibration registers out of range";
  const weights = p.connectivity.weights;
  for (let i = 0; i < c.features; i++) {
    for (let m = 0; m < c.duplication; m++) if (weights[(i * c.duplication + m) * c.features + i] <= 0) return "calibration needs a positive column weight on every diagonal synapse";
  }
  return null;
}
