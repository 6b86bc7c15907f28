/**
 * @fileoverview The netx target: a chain network exported in lava-dl's netx HDF5 layout and read
 * back by neurocc's own netx importer compiles to the same chip integers (neuron constants,
 * weights with their bits and exponent, delays, shapes); networks netx cannot describe (recurrent,
 * subtractive reset, bit-shift decays) are refused with the population or projection named.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { hdf5Bytes, loadHdf5, readHdf5Bytes } from "../../targets/hdf5/hdf5-node.ts";
import { exportNetx } from "../../targets/netx/export.ts";
import { importNetx, isNetx } from "../../targets/netx/import.ts";
import { compileProgram, importAndCompile, nirPath, plain, readNir } from "./support.ts";

beforeAll(() => loadHdf5());

/** Through an HDF5 file and back into a compiled network, by neurocc's netx importer. */
function roundTrip(network: ChipNetwork): ChipNetwork {
  const bytes = hdf5Bytes(exportNetx(network));
  const tree = readHdf5Bytes(bytes, "net.h5");
  expect(isNetx(tree)).toBe(true);
  return compileProgram(importNetx(tree, "net.h5", { networkName: network.name, dataFolder: "net.data", dtMs: network.dtUs / 1000 }));
}

/** Populations and projections without the model names (netx has one neuron type). */
const integers = (n: ChipNetwork) => plain({ populations: n.populations.map((p) => ({ ...p, neuron: p.neuron && { ...p.neuron, model: "" } })), projections: n.projections });

const CHAIN = `network chain {
  chip loihi;
  input image[1, 8, 8] : spikes();
  layer features[4, 8, 8] : lif(tau = 5ms, vth = 1, reset = 0);
  layer pooled[4, 4, 4] : loihi_cuba(du = 4095, dv = 0, vth = 40);
  layer hidden[16] : loihi_cuba(du = 3000, dv = 200, vth = 100, bias_mant = 3, bias_exp = 6, refractory = 2ms);
  layer out[3] : cuba(tau_mem = 20ms, tau_syn = 5ms, vth = 1);
  connect image -> features : conv2d(weight = normal(0.2, 0.4), kernel = 3, padding = 1, bits = 6);
  connect features -> pooled : sum_pool(kernel = 2, weight = 30);
  connect pooled -> hidden : dense(weight = uniform(-20, 40), bits = 7, delay = 3ms);
  connect hidden -> out : dense(weight = uniform(0, 0.5), delay = uniform(1ms, 4ms));
  run { steps = 50; dt = 1ms; }
}`;

describe("netx export → neurocc's netx import", () => {
  it("a conv → pool → dense → dense chain comes back with the same integers", () => {
    const network = compileSource(CHAIN, "chain.snn").network!;
    const back = roundTrip(network);
    expect(integers(back)).toEqual(integers(network));
    expect(back.defaultSteps).toBe(50);
  });

  it("the NIR LIF imported for the loihi preset", async () => {
    const { network } = importAndCompile(await readNir(nirPath("01_lif/lif_norse.nir")), { dtMs: 0.1, chip: "loihi" });
    expect(integers(roundTrip(network))).toEqual(integers(network));
  });

  it("refuses what netx cannot describe, naming it", () => {
    const compile = (text: string) => compileSource(text, "t.snn").network!;
    expect(() => exportNetx(compile(`network r { chip loihi; input i[2] : spikes(); layer a[2] : lif(tau = 5ms); connect i -> a : dense(weight = 0.5); connect a -> a : dense(weight = 0.1); }`)))
      .toThrow(/'a' must be fed by 'i' alone, but is fed by i, a/);
    expect(() => exportNetx(compile(`network s { input i[2] : spikes(); layer a[2] : lif(tau = 5ms, reset = subtract); connect i -> a : dense(weight = 0.5); }`)))
      .toThrow(/'a' resets by subtract; Lava's neuron resets to zero/);
    expect(() => exportNetx(compile(`network e { chip edge; input i[2] : spikes(); layer a[2] : lif(tau = 5ms); connect i -> a : dense(weight = 0.5); }`)))
      .toThrow(/'a' decays by bit shifts/);
  });
});
