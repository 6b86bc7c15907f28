/**
 * @fileoverview NIR export: the file follows NIR's own layout (the fields nir/serialization.py reads
 * for each node type, int64 sizes, N×2 string edges, a string `version`), and a round trip through
 * neurocc is lossless: import → compile → export → import → compile gives the same chip network,
 * for every NIR example on the generic preset and the LIF on the loihi preset too, and for the
 * examples/ networks (sparse projections come back dense: same synapses, same run).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork } from "../../compiler/ir.ts";
import { exportNir } from "../../targets/nir/export.ts";
import type { NirDocument } from "../../targets/nir/graph.ts";
import { nirToTree } from "../../targets/nir/hdf5.ts";
import { importAndCompile, NIR_FILES, nirPath, plain, randomInputs, readNir, runReference, toFile } from "./support.ts";

/** The fields NIR's reader (nir/serialization.py, read_node) takes for each type; `?` = optional. */
const NIR_READER_FIELDS: Record<string, string[]> = {
  Input: ["shape"],
  Output: ["shape"],
  Affine: ["weight", "bias"],
  Linear: ["weight"],
  Scale: ["scale"],
  Conv2d: ["input_shape?", "weight", "stride", "padding", "dilation", "groups", "bias"],
  Flatten: ["start_dim", "end_dim", "input_type?"],
  Delay: ["delay"],
  Threshold: ["threshold"],
  I: ["r"],
  IF: ["r", "v_threshold", "v_reset?"],
  LI: ["tau", "r", "v_leak"],
  LIF: ["tau", "r", "v_leak", "v_threshold", "v_reset?"],
  CubaLI: ["tau_mem", "tau_syn", "r", "v_leak", "w_in"],
  CubaLIF: ["tau_mem", "tau_syn", "r", "v_leak", "v_threshold", "v_reset?", "w_in"],
};
const INTEGER_FIELDS = new Set(["shape", "input_shape", "stride", "padding", "dilation", "groups", "start_dim", "end_dim", "input_type"]);

function expectNirLayout(network: ChipNetwork): void {
  const tree = nirToTree(exportNir(network).document);
  expect(tree.datasets.get("version")?.kind).toBe("string");
  const graph = tree.groups.get("node")!;
  expect(graph.datasets.get("type")?.values).toEqual(["NIRGraph"]);
  const edges = graph.datasets.get("edges")!;
  expect(edges.kind).toBe("string");
  expect(edges.shape[1]).toBe(2);
  for (const [name, node] of graph.groups.get("nodes")!.groups) {
    const type = node.datasets.get("type")!.values[0] as string;
    const fields = NIR_READER_FIELDS[type];
    expect(fields, `node ${name} has type ${type}`).toBeDefined();
    const allowed = new Set(fields.map((f) => f.replace("?", "")));
    for (const key of node.datasets.keys()) if (key !== "type") expect(allowed.has(key), `${type} '${name}' writes '${key}'`).toBe(true);
    for (const f of fields) if (!f.endsWith("?")) expect(node.datasets.has(f), `${type} '${name}' lacks '${f}'`).toBe(true);
    for (const [key, value] of node.datasets) if (INTEGER_FIELDS.has(key)) expect(value.kind, `${name}.${key}`).toBe("int");
    expect([...node.groups.keys()].every((g) => g === "metadata")).toBe(true);
  }
}

async function roundTrip(network: ChipNetwork): Promise<ChipNetwork> {
  const exported = await toFile(exportNir(network).document);
  return importAndCompile(exported).network;
}

const documents = new Map<string, NirDocument>();
beforeAll(async () => {
  for (const { path } of NIR_FILES) documents.set(path, await readNir(nirPath(path)));
});

describe("NIR import → export → import", () => {
  const cases = [...NIR_FILES.map((f) => ({ ...f, chip: "generic" })), { ...NIR_FILES[0], chip: "loihi" }, { ...NIR_FILES[4], chip: "loihi" }];
  for (const { path, dtMs, chip } of cases) {
    it(`${path} (${chip})`, async () => {
      const first = importAndCompile(documents.get(path)!, { dtMs, chip }).network;
      expectNirLayout(first);
      const second = await roundTrip(first);
      expect(plain(second)).toEqual(plain(first));
    });
  }

  it("keeps what NIR cannot say (subtract reset, refractory, rate inputs, delays) in the metadata", async () => {
    const source = `network keep {
      input drive[4] : rate(gain = 0.5, offset = 0.1, first_spike = 2ms);
      layer a[3] : lif(tau = 10ms, vth = 1, reset = subtract, refractory = 2ms, v_init = [0.1, 0.2, 0.3]);
      layer b[2] : cuba(tau_mem = 20ms, tau_syn = 5ms, vth = 1, bias = 0.2);
      layer c[2] : gif(gamma = 0, vth = 0.5);
      connect drive -> a : dense(weight = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2], delay = 3ms);
      connect a -> b : dense(weight = 0.5, delay = uniform(1ms, 4ms), bits = 6);
      connect b -> c : one_to_one(weight = [0.7, 0.8]);
      probe b.v;
      run { steps = 40; dt = 1ms; seed = 7; }
    }`;
    const network = compileSource(source, "keep.snn").network!;
    const exported = exportNir(network);
    expect(exported.warnings.join("\n")).toMatch(/subtractive reset.*\n.*refractory.*\n.*per-synapse delays/s);
    expect([...exported.document.graph.nodes.values()].map((n) => n.type).sort()).toEqual(["CubaLIF", "Delay", "Input", "LIF", "Linear", "Linear", "Output", "Output", "Scale", "Threshold"].sort());
    const back = await roundTrip(network);
    expect(plain(back)).toEqual(plain(network));
  });
});

describe("the examples/ networks through NIR", () => {
  const compileExample = (name: string) => {
    const file = new URL(`../../examples/${name}`, import.meta.url).pathname;
    return compileSource(readFileSync(file, "utf8"), file, { readFile: (p) => new Uint8Array(readFileSync(join(dirname(file), p))) }).network!;
  };
  for (const name of ["feedforward.snn", "conv.snn"]) {
    it(`${name} comes back identical`, async () => {
      const network = compileExample(name);
      expectNirLayout(network);
      expect(plain(await roundTrip(network))).toEqual(plain(network));
    });
  }
  it("synfire.snn (sparse) comes back as dense tables that run the same", async () => {
    const network = compileExample("synfire.snn");
    const back = await roundTrip(network);
    expect(back.projections.map((p) => p.connectivity.kind)).toEqual(network.projections.map((p) => (p.connectivity.kind === "sparse" ? "dense" : p.connectivity.kind)));
    const inputs = randomInputs(network, 60, 0.1, 3);
    const a = runReference(network, 60, inputs);
    const b = runReference(back, 60, inputs);
    expect(Array.from(b.spikeNeurons)).toEqual(Array.from(a.spikeNeurons));
    expect(Array.from(b.spikeSteps)).toEqual(Array.from(a.spikeSteps));
    expect(a.spikeSteps.length).toBeGreaterThan(0);
  });
});
