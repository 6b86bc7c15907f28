/**
 * @fileoverview Bad NIR input gives one clear message naming the node or file: unknown node types,
 * inconsistent shapes, NaN or infinite parameters, per-neuron values a layer cannot hold, loops of
 * weight nodes, delays that are not whole steps, non-spiking nodes on a 16-bit chip, unsupported
 * HDF5 content, files that are not NIR; and the other node types (Scale, Delay, Threshold, I, LI,
 * CubaLI, Conv1d, AvgPool2d) map as docs/targets.md says.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadHdf5, readHdf5File } from "../../targets/hdf5/hdf5-node.ts";
import { emptyTree, floats, ints, text } from "../../targets/hdf5/tree.ts";
import type { NirDocument, NirNode, NirValue } from "../../targets/nir/graph.ts";
import { nirFromTree } from "../../targets/nir/hdf5.ts";
import { importNir } from "../../targets/nir/import.ts";
import { compileProgram, importAndCompile, runReference, throughFile } from "./support.ts";

type Fields = Record<string, number[] | { shape: number[]; values: number[] } | string>;

/** A NIR document from a compact description: {name: [type, fields]} and edges. */
function graph(nodes: Record<string, [string, Fields?]>, edges: [string, string][]): NirDocument {
  const map = new Map<string, NirNode>();
  for (const [name, [type, fields = {}]] of Object.entries(nodes)) {
    const entries = Object.entries(fields).map(([k, v]): [string, NirValue] => [k, typeof v === "string" ? v : Array.isArray(v) ? { shape: [v.length], values: Float64Array.from(v) } : { shape: v.shape, values: Float64Array.from(v.values) }]);
    map.set(name, { type, fields: new Map(entries), metadata: new Map() });
  }
  return { version: "0.2.0", graph: { nodes: map, edges, metadata: new Map() } };
}

const lif = (n: number, extra: Fields = {}): [string, Fields] => ["LIF", { tau: Array(n).fill(0.01), r: Array(n).fill(1), v_leak: Array(n).fill(0), v_threshold: Array(n).fill(1), ...extra }];
const input = (n: number): [string, Fields] => ["Input", { shape: [n] }];
const linear = (rows: number, cols: number, value = 0.5): [string, Fields] => ["Linear", { weight: { shape: [rows, cols], values: Array(rows * cols).fill(value) } }];
const importDoc = (doc: NirDocument, options = {}) => importNir(doc, "bad.nir", { networkName: "bad", dataFolder: "bad.data", dtMs: 1, ...options });

beforeAll(() => loadHdf5());

describe("bad NIR graphs are reported with the node's name", () => {
  it("unknown node types", () => {
    expect(() => importDoc(graph({ in: input(2), x: ["Quantum", {}] }, [["in", "x"]]))).toThrow(/node 'x' has the unknown NIR node type 'Quantum'; neurocc reads Input, Output/);
  });
  it("inconsistent shapes", () => {
    expect(() => importDoc(graph({ in: input(4), w: linear(3, 5), n: lif(3) }, [["in", "w"], ["w", "n"]]))).toThrow(/node 'w' \(Linear\) has a weight matrix of 3×5 but receives 4 values/);
    expect(() => importDoc(graph({ in: input(2), w: linear(3, 2), n: lif(4) }, [["in", "w"], ["w", "n"]]))).toThrow(/node 'n'/);
    expect(() => importDoc(graph({ in: input(2), n: lif(3, { tau: [0.01, 0.01] }) }, [["in", "n"]]))).toThrow(/node 'n' \(LIF\): '(tau|r)' has \d values but the node has \d neurons; all its parameters must have one shape/);
  });
  it("NaN and infinite parameters", () => {
    expect(() => importDoc(graph({ in: input(1), n: lif(1, { v_threshold: [NaN] }) }, [["in", "n"]]))).toThrow(/node 'n' \(LIF\): 'v_threshold' contains NaN at index 0/);
    expect(() => importDoc(graph({ in: input(1), w: ["Linear", { weight: { shape: [1, 1], values: [Infinity] } }], n: lif(1) }, [["in", "w"], ["w", "n"]]))).toThrow(/node 'w' \(Linear\): 'weight' contains Infinity/);
    expect(() => importDoc(graph({ in: input(1), n: lif(1, { tau: [0] }) }, [["in", "n"]]))).toThrow(/'tau' must be > 0 seconds/);
  });
  it("per-neuron time constants a layer cannot hold, loops without neurons, delays off the grid", () => {
    expect(() => importDoc(graph({ in: input(2), n: lif(2, { tau: [0.01, 0.02] }) }, [["in", "n"]]))).toThrow(/node 'n' \(LIF\): 'tau' differs between its neurons \(0\.01 \.\. 0\.02\)/);
    expect(() => importDoc(graph({ in: input(1), a: linear(1, 1), b: linear(1, 1), n: lif(1) }, [["in", "a"], ["a", "b"], ["b", "a"], ["b", "n"]]))).toThrow(/weight nodes a → b → a form a loop/);
    expect(() => importDoc(graph({ in: input(1), d: ["Delay", { delay: [0.0015] }], n: lif(1) }, [["in", "d"], ["d", "n"]]))).toThrow(/node 'd' \(Delay\): a delay of 0\.0015 s is not a whole number of steps of dt = 1 ms/);
    expect(() => importDoc(graph({ in: input(1), n: lif(1) }, [["in", "nowhere"]]))).toThrow(/an edge names 'nowhere', which is not one of its nodes/);
  });
  it("non-spiking nodes on the 16-bit edge preset", () => {
    expect(() => importDoc(graph({ in: input(1), n: ["LI", { tau: [0.01], r: [1], v_leak: [0] }] }, [["in", "n"]]), { chip: "edge" })).toThrow(/node 'n' maps onto Lava's fixed-point neuron \(loihi_cuba\), which needs 24-bit u and v; the edge preset has 16-bit state/);
  });
  it("files that are not HDF5, HDF5 that is not NIR, and unsupported HDF5 content", async () => {
    expect(() => readHdf5File("notes.txt", new TextEncoder().encode("hello"))).toThrow(/notes.txt is not an HDF5 file/);
    const tree = emptyTree();
    tree.datasets.set("something", text("else"));
    await expect(throughFile(tree)).rejects.toThrow(/is not a NIR file: it has no 'node' group at its root \(found something\)/);
    // A compound dataset (an HDF5 type neurocc does not read), written with h5wasm itself.
    const { default: h5wasm } = await import("h5wasm/node");
    const path = join(mkdtempSync(join(tmpdir(), "neurocc-test-")), "compound.nir");
    const file = new h5wasm.File(path, "w");
    file.create_group("node").create_dataset({ name: "weird", data: new Map<string, Int32Array | Float64Array>([["a", new Int32Array([1, 2])], ["b", new Float64Array([0.5, 1.5])]]) });
    file.close();
    expect(() => readHdf5File(path, new Uint8Array(readFileSync(path)))).toThrow(/compound\.nir: \/node\/weird has an unsupported HDF5 type \(class 6/);
  });
});

describe("the other NIR node types", () => {
  it("Scale → one_to_one, Delay → the connection's delay, Threshold → gif(gamma = 0)", () => {
    const doc = graph({ in: input(2), s: ["Scale", { scale: [1, 3] }], d: ["Delay", { delay: [0.002, 0.002] }], t: ["Threshold", { threshold: [1.5, 1.5] }] }, [["in", "s"], ["s", "d"], ["d", "t"]]);
    const { program, network } = importAndCompile(doc, { dtMs: 1 });
    expect(program.text).toContain("layer t[2] : gif(gamma = 0, vth = 1.5);");
    expect(program.text).toContain("one_to_one(weight = [1, 3], bits = 16, delay = 3ms)");
    const result = runReference(network, 6, new Map([["in", { shape: [6, 2], values: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }]]));
    // in fires at 0; 1 (< 1.5) does not fire t[0], 3 does fire t[1], 1 + 2 steps later.
    expect(Array.from(result.spikeSteps)).toEqual([0, 0, 3]);
    expect(Array.from(result.spikeNeurons)).toEqual([0, 1, 3]);
  });
  it("I, LI and CubaLI are non-spiking loihi_cuba layers, probed when they feed an Output", () => {
    const doc = graph({
      in: input(1), w: linear(1, 1, 1),
      i: ["I", { r: [1] }], li: ["LI", { tau: [0.01], r: [1], v_leak: [0] }], cli: ["CubaLI", { tau_syn: [0.005], tau_mem: [0.01], r: [1], v_leak: [0], w_in: [1] }],
      out: ["Output", { shape: [1] }],
    }, [["in", "w"], ["w", "i"], ["w", "li"], ["w", "cli"], ["i", "out"], ["li", "out"], ["cli", "out"]]);
    const { program, network } = importAndCompile(doc, { dtMs: 1 });
    expect(program.text).toContain("layer i[1] : loihi_cuba(du = 4095, dv = 0, vth = 131071);");
    expect(program.text).toContain("layer li[1] : loihi_cuba(du = 4095, dv = 390, vth = 131071);"); // 4096·(1 − e^−0.1)
    expect(program.text).toMatch(/layer cli\[1\] : loihi_cuba\(du = 741, dv = 390, vth = 131071\)/); // 4095 − round(4096·e^−0.2)
    expect(program.text).toMatch(/probe i\.v;\s+probe li\.v;\s+probe cli\.v;/);
    const steps = 30;
    const result = runReference(network, steps, new Map([["in", { shape: [steps, 1], values: Array(steps).fill(1) }]]));
    expect(result.spikeSteps.length).toBe(steps); // only the input fires
    // I integrates R·dt per input: 0.001 units = 16.4 LSB, rounded to 16 by 16-bit weights; 10 inputs by step 10.
    expect(result.probes[0].values[10]).toBe(10 * Math.round(0.001 * 2 ** 14));
    // LI relaxes towards R·x = 1 unit (16384 LSB).
    expect(result.probes[1].values[steps - 1]).toBeGreaterThan(0.9 * 16384);
  });
  it("Conv1d becomes a conv2d of height 1, AvgPool2d a pooling, Affine with a nonuniform bias a bias connection", () => {
    const doc = graph({
      in: ["Input", { shape: [2, 6] }],
      c: ["Conv1d", { weight: { shape: [3, 2, 3], values: Array.from({ length: 18 }, (_, i) => (i % 5) / 4 - 0.3) }, stride: [1], padding: [1], dilation: [1], groups: [1], bias: [0, 0, 0] }],
      n: ["IF", { r: Array(18).fill(1), v_threshold: Array(18).fill(0.001) }],
      p: ["AvgPool2d", { kernel_size: [1, 2], stride: [1, 2], padding: [0, 0] }],
      f: ["Flatten", { start_dim: [0], end_dim: [-1] }],
      a: ["Affine", { weight: { shape: [2, 9], values: Array(18).fill(1) }, bias: [0.5, -0.5] }],
      m: lif(2),
    }, [["in", "c"], ["c", "n"], ["n", "p"], ["p", "f"], ["f", "a"], ["a", "m"]]);
    const { program, network } = importAndCompile(doc, { dtMs: 1 });
    expect(program.text).toMatch(/connect in -> n : conv2d\(weight = file\("[^"]+"\), kernel = 3, stride = 1, padding = 1, groups = 1/);
    expect(network.populations.find((p) => p.name === "n")!.shape).toEqual([3, 1, 6]);
    expect(program.text).toMatch(/connect n -> m : dense/); // avg pool → flatten → affine composed
    expect(program.text).toMatch(/connect nir_bias -> m : dense\(weight = \[/);
    compileProgram(program);
  });
});

describe("reading real NIR layouts", () => {
  it("accepts input_type groups (newer writers) and old files without v_reset", async () => {
    const tree = emptyTree();
    tree.datasets.set("version", text("1.0.0"));
    const node = emptyTree();
    node.datasets.set("type", text("NIRGraph"));
    node.datasets.set("edges", { kind: "string", shape: [1, 2], values: ["in", "n"] });
    const nodes = emptyTree();
    const inNode = emptyTree();
    inNode.datasets.set("type", text("Input"));
    const inputType = emptyTree();
    inputType.datasets.set("input", ints([3]));
    inNode.groups.set("input_type", inputType);
    const lifNode = emptyTree();
    lifNode.datasets.set("type", text("LIF"));
    for (const k of ["tau", "r", "v_leak", "v_threshold"]) lifNode.datasets.set(k, floats(k === "tau" ? [0.01, 0.01, 0.01] : [1, 1, 1]));
    nodes.groups.set("in", inNode);
    nodes.groups.set("n", lifNode);
    node.groups.set("nodes", nodes);
    tree.groups.set("node", node);
    const doc = await throughFile(tree);
    const { network } = importAndCompile(doc, { dtMs: 1 });
    expect(network.populations.map((p) => p.size)).toEqual([3, 3]);
    expect(nirFromTree(tree, "t.nir").version).toBe("1.0.0");
  });
});
