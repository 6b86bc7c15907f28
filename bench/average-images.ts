/**
 * @fileoverview Averages the learned weights of several chip images of one network (e.g. the
 * epoch-N.nchip images of `neurocc train --keep-epochs`) into one image: each dense projection's
 * mantissas become the rounded mean of theirs (stochastic weight averaging done on the host, to
 * measure what an average over epochs is worth; the chip's own is `weight_average`, docs/learning.md §6).
 * Read the result with `neurocc eval OUT --data …`.
 *
 * Usage: npx tsx bench/average-images.ts OUT.nchip IMAGE.nchip IMAGE.nchip [...]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { decodeImage, encodeImage } from "../compiler/image.ts";

const [outPath, ...inputPaths] = process.argv.slice(2);
if (!outPath || inputPaths.length === 0) {
  console.error("usage: npx tsx bench/average-images.ts OUT.nchip IMAGE.nchip [IMAGE.nchip ...]");
  process.exit(2);
}
const networks = inputPaths.map((path) => decodeImage(new Uint8Array(readFileSync(path))).network);
const base = networks[0];
const projections = base.projections.map((projection, index) => {
  if (projection.connectivity.kind !== "dense") return projection;
  const sum = new Float64Array(projection.connectivity.weights.length);
  for (const network of networks) {
    const connectivity = network.projections[index]?.connectivity;
    if (connectivity?.kind !== "dense" || connectivity.weights.length !== sum.length) throw new Error(`the images are not of one network (projection ${projection.name})`);
    for (let k = 0; k < sum.length; k++) sum[k] += connectivity.weights[k];
  }
  return { ...projection, connectivity: { kind: "dense" as const, weights: Int32Array.from(sum, (total) => Math.round(total / networks.length)) } };
});
writeFileSync(outPath, encodeImage({ ...base, projections }));
console.log(`${outPath}: the mean of ${networks.length} images' weights`);
