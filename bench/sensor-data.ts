/**
 * @fileoverview Synthetic chemosensor data sets for the hetquant benchmark, built like the
 * "Concentration" and "Saturation" sessions of Moyal et al.'s generator (cplab/sapinet_regularization;
 * shared/reference/algorithms.md §2: 8 sensors, 512 samples, exponential signals with loc 1…128,
 * noise σ 0.01–0.1; Saturation passes the signal through a sigmoid, loc 0.5, scale 8). The class
 * structure below is our reading of it, fixed and seeded so the benchmark is reproducible:
 *
 * - `classes` (8) odorants, each with an affinity vector over the sensors a_j = 0.88·b_j + 0.12·e_j,
 *   b_j and e_j ~ Exponential(1), b shared by all odorants (so that they overlap, as real odorants
 *   do on broadly tuned sensors), drawn from the stream (seed, "odorant"), normalised to max 1;
 * - sample k has odorant k mod classes and a concentration c = 2^u, u ~ Uniform(0, 7) (loc 1…128);
 * - Concentration: x_j = c · a_j · (1 + σ·n_j), n_j ~ Normal(0, 1), σ = 0.01 + 0.09·v, v ~ U(0, 1),
 *   clipped at 0;
 * - Saturation: x_j = sigmoid(8 · (c/128 · a_j · (1 + σ·n_j) − 0.5)) — the sensors saturate, so the
 *   odorant's pattern is compressed at high concentration.
 * Every draw comes from compiler/random.ts streams keyed by (seed, label), so the data are the same
 * on every machine.
 */
import { Random } from "../compiler/random.ts";

export type SensorSession = "concentration" | "saturation";

export interface SensorData {
  session: SensorSession;
  sensors: number;
  samples: number;
  /** `samples × sensors`, row-major. */
  values: Float64Array;
  labels: Int32Array;
}

export function sensorData(session: SensorSession, options: { sensors?: number; samples?: number; classes?: number; seed?: number } = {}): SensorData {
  const sensors = options.sensors ?? 8;
  const samples = options.samples ?? 512;
  const classes = options.classes ?? 8;
  const seed = options.seed ?? 1;
  const odorants = new Random(seed, "odorant");
  const exponential = () => -Math.log(1 - odorants.uniform());
  const shared = Float64Array.from({ length: sensors }, exponential);
  const affinity = Array.from({ length: classes }, () => {
    const a = Float64Array.from({ length: sensors }, (_, j) => 0.88 * shared[j] + 0.12 * exponential());
    const top = Math.max(...a);
    return a.map((v) => v / top);
  });
  const draws = new Random(seed, `${session}.samples`);
  const values = new Float64Array(samples * sensors);
  const labels = new Int32Array(samples);
  for (let k = 0; k < samples; k++) {
    const label = k % classes;
    labels[k] = label;
    const concentration = 2 ** (7 * draws.uniform());
    const sigma = 0.01 + 0.09 * draws.uniform();
    for (let j = 0; j < sensors; j++) {
      const signal = concentration * affinity[label][j] * (1 + sigma * draws.normal());
      values[k * sensors + j] = session === "concentration"
        ? Math.max(0, signal)
        : 1 / (1 + Math.exp(-8 * (signal / 128 - 0.5)));
    }
  }
  return { session, sensors, samples, values, labels };
}

/**
 * Nearest-centroid read-out (the benchmark's stand-in for the paper's plastic GC layer): class
 * centroids of the L2-normalised count vectors of half the samples (alternate blocks of `classes`
 * consecutive samples, so both halves hold every class), accuracy on the other half.
 */
export function centroidAccuracy(counts: Int32Array | Float64Array, width: number, labels: Int32Array): number {
  const samples = labels.length;
  const classes = Math.max(...labels) + 1;
  const unit = (k: number) => {
    const row = Float64Array.from(counts.subarray(k * width, (k + 1) * width));
    const norm = Math.hypot(...row) || 1;
    return row.map((v) => v / norm);
  };
  const centroids = Array.from({ length: classes }, () => new Float64Array(width));
  const training = (k: number) => Math.floor(k / classes) % 2 === 0;
  for (let k = 0; k < samples; k++) if (training(k)) unit(k).forEach((v, i) => (centroids[labels[k]][i] += v));
  let right = 0;
  let tested = 0;
  for (let k = 0; k < samples; k++) {
    if (training(k)) continue;
    const row = unit(k);
    let best = -1;
    let bestDistance = Infinity;
    centroids.forEach((c, label) => {
      const norm = Math.hypot(...c) || 1;
      const distance = c.reduce((d, v, i) => d + (v / norm - row[i]) ** 2, 0);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = label;
      }
    });
    if (best === labels[k]) right++;
    tested++;
  }
  return right / tested;
}
