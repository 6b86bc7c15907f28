/**
 * @fileoverview Reading what `neurocc fit` is given (fit/raster.ts): rasters as arrays or spike
 * lists, observed potentials, and every rejection with a message that names the file and the entry.
 */
import { describe, expect, it } from "vitest";
import { asRasterShape, potentialsFromArray, rasterFromArray, rasterFromSpikeList } from "../../fit/raster.ts";
import { DEFAULT_SETTINGS, resolveTarget } from "../../fit/target.ts";

const array = (shape: number[], values: number[]) => ({ shape, values: Float64Array.from(values) });

describe("rasters from arrays", () => {
  it("reads a [steps, neurons] 0/1 matrix", () => {
    const raster = rasterFromArray(array([2, 3], [0, 1, 0, 1, 0, 0]), "r.csv");
    expect(raster).toMatchObject({ steps: 2, neurons: 3 });
    expect(Array.from(raster.spikes)).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it("a one-column CSV is one neuron over many steps", () => {
    expect(rasterFromArray(asRasterShape(array([4], [0, 1, 1, 0]), true), "r.csv")).toMatchObject({ steps: 4, neurons: 1 });
  });

  it("rejects the wrong rank, empty rasters and values other than 0/1", () => {
    expect(() => rasterFromArray(array([2, 2, 2], new Array(8).fill(0)), "r.npy")).toThrow(/r\.npy: a raster must be a 2-D \[steps, neurons\] array of 0\/1, got shape \[2, 2, 2\]/);
    expect(() => rasterFromArray(array([0, 3], []), "r.npy")).toThrow(/the raster is empty/);
    expect(() => rasterFromArray(array([2, 2], [0, 1, 0.5, 0]), "r.csv")).toThrow(/r\.csv: raster entries must be 0 or 1, found 0\.5 at step 1, neuron 0/);
    expect(() => rasterFromArray(array([2, 2], [0, 1, 7, 3]), "r.npy")).toThrow(/spike list from `neurocc run --out` must be written as \.json/);
  });
});

describe("rasters from `neurocc run --out` spike lists", () => {
  const list = JSON.stringify({
    network: "n",
    dtMs: 1,
    steps: 4,
    populations: [
      { name: "stim", size: 2, firstNeuron: 0, spikes: [[0, 1]] },
      { name: "out", size: 3, firstNeuron: 2, spikes: [[1, 0], [3, 2]] },
    ],
  });

  it("puts all populations side by side, or only the ones named", () => {
    const all = rasterFromSpikeList(list, "s.json");
    expect(all).toMatchObject({ steps: 4, neurons: 5 });
    expect(all.spikes[0 * 5 + 1]).toBe(1);
    expect(all.spikes[1 * 5 + 2]).toBe(1);
    const out = rasterFromSpikeList(list, "s.json", ["out"]);
    expect(out).toMatchObject({ steps: 4, neurons: 3 });
    expect(Array.from(out.spikes)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("rejects spikes outside the time range or the population, and unknown populations", () => {
    const late = list.replace("[3, 2]", "[4, 2]").replace("[3,2]", "[4,2]");
    expect(() => rasterFromSpikeList(late, "s.json")).toThrow(/s\.json: population 'out' has a spike at step 4, outside the run's 4 steps/);
    const wide = list.replace("[[0,1]]", "[[0,2]]");
    expect(() => rasterFromSpikeList(wide, "s.json")).toThrow(/population 'stim' has a spike of neuron 2, outside its 2 neurons/);
    expect(() => rasterFromSpikeList(list, "s.json", ["hidden"])).toThrow(/no population 'hidden'; the file has stim, out/);
    expect(() => rasterFromSpikeList("{", "s.json")).toThrow(/s\.json: not valid JSON/);
    expect(() => rasterFromSpikeList("[1, 2]", "s.json")).toThrow(/expected the spike list of `neurocc run --out FILE\.json`/);
  });
});

describe("observed potentials", () => {
  const target = resolveTarget(DEFAULT_SETTINGS);
  const raster = rasterFromArray(array([3, 2], [0, 1, 0, 0, 1, 0]), "r.csv");
  const check = (values: number[], shape = [3, 2]) => potentialsFromArray(array(shape, values), raster, target.threshold, target.voltageLimit, "v.npy");

  it("accepts chip integers consistent with the raster", () => {
    expect(Array.from(check([5, 0, 100, -7, 0, 65535]).values)).toEqual([5, 0, 100, -7, 0, 65535]);
  });

  it("rejects a wrong shape, non-integers, and potentials the raster contradicts", () => {
    expect(() => check([0, 0, 0, 0], [2, 2])).toThrow(/v\.npy: potentials must have the raster's shape \[3, 2\], got \[2, 2\]/);
    expect(() => check([0.5, 0, 0, 0, 0, 0])).toThrow(/must be chip integers/);
    expect(() => check([0, 12, 0, 0, 0, 0])).toThrow(/inconsistent with the raster at step 0, neuron 1: the neuron spikes there, so the chip resets its potential to 0, but the file has 12/);
    expect(() => check([0, 0, 70000, 0, 0, 0])).toThrow(/inconsistent with the raster at step 1, neuron 0: potential 70000 is above the threshold 65535, but the neuron does not spike there/);
  });
});
