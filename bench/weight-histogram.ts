/**
 * @fileoverview How a trained chip image uses its weight range: per dense projection, the share of
 * mantissas at the ±(2^(bits−1) − 1) clamp, the share that are zero, the mean |mantissa|, and a
 * histogram in buckets of 16 mantissa steps (bucket b counts mantissas in [16b, 16b + 15]).
 * A projection that piles up at the clamp wants a larger exponent or more bits (bench/RESULTS.md,
 * issue 5, round 6).
 *
 * Usage: npx tsx bench/weight-histogram.ts IMAGE.nchip
 */
import { readFileSync } from "node:fs";
import { decodeImage } from "../compiler/image.ts";

const path = process.argv[2];
if (!path) {
  console.error("usage: npx tsx bench/weight-histogram.ts IMAGE.nchip");
  process.exit(2);
}
const { network } = decodeImage(new Uint8Array(readFileSync(path)));
for (const projection of network.projections) {
  if (projection.connectivity.kind !== "dense") continue;
  const weights = projection.connectivity.weights;
  const limit = 2 ** (projection.weightBits - 1) - 1;
  let atClamp = 0, zero = 0, magnitude = 0;
  const buckets = new Map<number, number>();
  for (const w of weights) {
    if (Math.abs(w) >= limit) atClamp++;
    if (w === 0) zero++;
    magnitude += Math.abs(w);
    const bucket = Math.floor(w / 16);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  }
  const percent = (n: number) => `${((100 * n) / weights.length).toFixed(2)} %`;
  console.log(`${projection.name}: ${weights.length} mantissas, clamp ±${limit}: ${percent(atClamp)} at the clamp, ${percent(zero)} zero, mean |q| ${(magnitude / weights.length).toFixed(1)}`);
  console.log("  " + [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([b, n]) => `[${b * 16},${b * 16 + 15}]:${n}`).join(" "));
}
