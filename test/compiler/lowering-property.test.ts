/**
 * @fileoverview A fast-check property over random DSL text (populations, connections, delays, probes
 * on every chip preset): every compile either reports errors or gives a network that passes
 * validateNetwork and survives the image round trip (compiler/image.ts) unchanged.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeImage, encodeImage } from "../../compiler/image.ts";
import { compileSource } from "../../compiler/index.ts";
import { validateNetwork } from "../../compiler/validate.ts";
import { net } from "./lowering-support.ts";

describe("property: random DSL text compiles to errors or to a valid, round-trippable network", () => {
  const dtArb = fc.constantFrom(0.1, 0.5, 1);
  const num = (x: number) => String(Math.round(x * 1000) / 1000);

  const neuronArb = fc.record({
    model: fc.constantFrom("lif", "cuba", "if"),
    size: fc.integer({ min: 1, max: 8 }),
    tau: fc.integer({ min: 1, max: 100 }),
    tauSyn: fc.integer({ min: 1, max: 20 }),
    vth: fc.double({ min: -70, max: 10, noNaN: true }),
    gap: fc.double({ min: 0.1, max: 20, noNaN: true }),
    subtract: fc.boolean(),
    rest: fc.option(fc.double({ min: -80, max: 10, noNaN: true }), { nil: undefined }),
    bias: fc.option(fc.double({ min: -2, max: 2, noNaN: true }), { nil: undefined }),
    refractorySteps: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    vInit: fc.boolean(),
  });
  const inputArb = fc.record({
    encoder: fc.constantFrom("rate", "spikes"),
    size: fc.integer({ min: 1, max: 8 }),
    gain: fc.double({ min: 0, max: 3, noNaN: true }),
    times: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3 }),
  });
  const weightArb = fc.oneof(
    fc.double({ min: -3, max: 3, noNaN: true }).map((w) => num(w)),
    fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([a, b]) => `uniform(${num(a)}, ${num(a + b)})`),
    fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true })).map(([m, s]) => `normal(${num(m)}, ${num(s)})`),
  );
  const connectionArb = fc.record({
    source: fc.nat(),
    target: fc.nat(),
    kind: fc.constantFrom("dense", "sparse", "one_to_one"),
    p: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.nat(100),
    weight: weightArb,
    bits: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
    delay: fc.oneof(
      fc.constant(null),
      fc.integer({ min: 1, max: 8 }).map((k) => ({ steps: k })),
      fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 })).map(([lo, span]) => ({ uniform: [lo, lo + span] as const })),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).map((list) => ({ list })),
    ),
  });
  const networkArb = fc.record({
    chip: fc.constantFrom("generic", "loihi", "edge"),
    dt: dtArb,
    seed: fc.nat(1000),
    populations: fc.array(fc.oneof(neuronArb.map((n) => ({ layer: n })), inputArb.map((i) => ({ input: i }))), { minLength: 1, maxLength: 4 }),
    connections: fc.array(connectionArb, { maxLength: 4 }),
    probe: fc.option(fc.tuple(fc.nat(), fc.constantFrom("v", "u")), { nil: undefined }),
  });

  type Spec = typeof networkArb extends fc.Arbitrary<infer T> ? T : never;

  function toSource(spec: Spec): string {
    const lines = [`chip ${spec.chip};`];
    const dt = spec.dt;
    spec.populations.forEach((p, i) => {
      if ("input" in p) {
        const e = p.input;
        lines.push(e.encoder === "rate" ? `input p${i}[${e.size}] : rate(gain = ${num(e.gain)});` : `input p${i}[${e.size}] : spikes(times = [${e.times.map((t) => `${num(t * dt)}ms`).join(", ")}]);`);
        return;
      }
      const n = p.layer;
      const reset = n.subtract ? "subtract" : `${num(n.vth - n.gap)}mV`;
      const args = [`vth = ${num(n.vth)}mV`, `reset = ${reset}`];
      if (n.model === "lif") args.unshift(`tau = ${n.tau}ms`);
      if (n.model === "cuba") args.unshift(`tau_mem = ${n.tau}ms`, `tau_syn = ${n.tauSyn}ms`);
      if (n.model !== "if" && n.rest !== undefined) args.push(`rest = ${num(n.rest)}mV`);
      if (n.bias !== undefined) args.push(`bias = ${num(n.bias)}mV`);
      if (n.refractorySteps !== undefined) args.push(`refractory = ${num(n.refractorySteps * dt)}ms`);
      if (n.vInit) args.push(`v_init = uniform(${num(n.vth - n.gap)}mV, ${num(n.vth)}mV)`);
      lines.push(`layer p${i}[${n.size}] : ${n.model}(${args.join(", ")});`);
    });
    for (const c of spec.connections) {
      const s = c.source % spec.populations.length;
      const t = c.target % spec.populations.length;
      const args = [`weight = ${c.weight}`];
      if (c.kind === "sparse") args.unshift(`p = ${num(c.p)}`, `seed = ${c.seed}`);
      if (c.bits !== undefined) args.push(`bits = ${c.bits}`);
      if (c.delay && "steps" in c.delay) args.push(`delay = ${num(c.delay.steps * dt)}ms`);
      if (c.delay && "uniform" in c.delay) args.push(`delay = uniform(${num(c.delay.uniform[0] * dt)}ms, ${num(c.delay.uniform[1] * dt)}ms)`);
      if (c.delay && "list" in c.delay) {
        // One delay per synapse: only one_to_one has a synapse count known from the text; the others draw.
        const list = c.delay.list;
        const target = spec.populations[t];
        const size = "input" in target ? target.input.size : target.layer.size;
        if (c.kind === "one_to_one") args.push(`delay = [${Array.from({ length: size }, (_, i) => `${num(list[i % list.length] * dt)}ms`).join(", ")}]`);
        else args.push(`delay = uniform(${num(dt)}ms, ${num(Math.max(...list) * dt)}ms)`);
      }
      lines.push(`connect p${s} -> p${t} : ${c.kind}(${args.join(", ")});`);
    }
    if (spec.probe) lines.push(`probe p${spec.probe[0] % spec.populations.length}.${spec.probe[1]};`);
    lines.push(`run { dt = ${dt}ms; steps = 50; seed = ${spec.seed}; }`);
    return net(...lines);
  }

  it("never throws; errors or a valid network equal to its decoded image", () => {
    fc.assert(
      fc.property(networkArb, (spec) => {
        const source = toSource(spec);
        const result = compileSource(source, "t.snn");
        for (const d of result.diagnostics) {
          if (d.span) expect(d.span.end, `${d.code} ${d.message}`).toBeLessThanOrEqual(source.length);
        }
        if (!result.network) {
          expect(result.diagnostics.some((d) => d.severity === "error"), `no network and no error for\n${source}`).toBe(true);
          return;
        }
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(validateNetwork(result.network), source).toBeNull();
        const decoded = decodeImage(encodeImage(result.network)).network;
        expect(decoded).toEqual(result.network);
      }),
      { numRuns: 200 },
    );
  });

  it("the generator reaches both outcomes (so the property is not vacuous)", () => {
    let compiled = 0;
    let refused = 0;
    fc.assert(
      fc.property(networkArb, (spec) => {
        if (compileSource(toSource(spec), "t.snn").network) compiled++;
        else refused++;
      }),
      { numRuns: 100, seed: 42 },
    );
    expect(compiled).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(0);
  });
});
