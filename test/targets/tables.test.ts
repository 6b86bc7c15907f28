/**
 * @fileoverview The csv and json weight tables: one row (or entry) per stored synapse with its
 * mantissa, exponent and scale (mantissa · scale = the LSB it adds), the neuron constants of every
 * population, and a projection summary — checked against the network's own synapse enumeration.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { storedSynapseCount } from "../../compiler/synapses.ts";
import { exportCsv, exportJson } from "../../targets/tables/weights.ts";

const network = compileSource(readFileSync(new URL("../../examples/conv.snn", import.meta.url), "utf8"), "conv.snn").network!;
const shift = network.chip.formats.weightShift;

describe("csv", () => {
  const files = exportCsv(network);
  const rows = (name: string) => files.get(name)!.trim().split("\n").map((l) => l.split(","));
  it("synapses.csv: every stored synapse with mantissa, exponent and scale", () => {
    const [header, ...synapses] = rows("synapses.csv");
    expect(header).toEqual(["projection", "pre", "post", "pre_id", "post_id", "mantissa", "exponent", "scale_lsb", "weight_lsb", "delay_steps"]);
    const total = network.projections.reduce((n, p) => n + storedSynapseCount(p, network.populations[p.source], network.populations[p.target]), 0);
    expect(synapses.length).toBe(total);
    for (const r of synapses.slice(0, 500)) {
      const [mantissa, exponent, scale, weight] = r.slice(5, 9).map(Number);
      expect(scale).toBe(2 ** (shift + exponent));
      expect(weight).toBe(mantissa * scale);
      expect(mantissa).not.toBe(0);
    }
  });
  it("populations.csv and projections.csv", () => {
    expect(rows("populations.csv").slice(1).map((r) => r[1])).toEqual(network.populations.map((p) => p.name));
    const projections = rows("projections.csv");
    expect(projections[1].slice(0, 8)).toEqual(["0", "image->features#0", "image", "features", "conv2d", projections[1][5], "6", "per_channel"]);
    expect(projections[2][4]).toBe("conv2d"); // max_pool compiles to a depthwise convolution
  });
});

it("json: the same tables in one object", () => {
  const json = JSON.parse(exportJson(network));
  expect(json.weightShift).toBe(shift);
  expect(json.populations.map((p: { name: string }) => p.name)).toEqual(network.populations.map((p) => p.name));
  const dense = json.projections[2];
  expect(dense.connectivity).toBe("dense");
  expect(dense.synapses.mantissa.length).toBe(dense.synapses.pre.length);
  expect(dense.scaleLsb).toBe(2 ** (shift + dense.weightExponent));
  expect(json.projections[0].conv.kernel).toEqual([3, 3]);
});
