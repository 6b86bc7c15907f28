/**
 * @fileoverview The AST that parseSource builds for valid `.snn` text: a golden file for a
 * representative network (test/dsl/fixtures/cuba.snn → cuba.ast.json, regenerate with
 * `npx vitest run test/dsl -u` and review the diff), exact spans for a few nodes, one test per
 * construct, and expressions with their precedence.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Expr, Program, Span, Statement } from "../../dsl/ast.ts";
import { parseSource } from "../../dsl/parse.ts";

const CUBA_PATH = new URL("./fixtures/cuba.snn", import.meta.url);
const cubaText = readFileSync(CUBA_PATH, "utf8");

/** Parses text that must be valid and returns its program. */
function parseValid(text: string, file = "test.snn"): Program {
  const { program, diagnostics } = parseSource(text, file);
  expect(diagnostics).toEqual([]);
  expect(program).not.toBeNull();
  return program!;
}

/** A deep copy without `span` fields, for comparing structure. */
function withoutSpans<T>(node: T): T {
  return JSON.parse(JSON.stringify(node, (key, value) => (key === "span" ? undefined : value))) as T;
}

/** The statements of `network n { body }`, without spans. */
function statements(body: string): Statement[] {
  return withoutSpans(parseValid(`network n {\n${body}\n}`).networks[0]!.body);
}

/** The value of `const x = text;`, without spans. */
function expr(text: string): Expr {
  const [decl] = statements(`const x = ${text};`);
  if (decl?.kind !== "ConstDecl") throw new Error("expected a const");
  return decl.value;
}

/** Compact prefix form of an expression, to check precedence at a glance. */
function prefix(e: Expr): string {
  switch (e.kind) {
    case "NumberLit": return `${e.value}${e.unit ?? ""}`;
    case "StringLit": return JSON.stringify(e.value);
    case "NameRef": return e.name;
    case "Unary": return `(${e.op} ${prefix(e.operand)})`;
    case "Binary": return `(${e.op} ${prefix(e.left)} ${prefix(e.right)})`;
    case "ListLit": return `[${e.items.map(prefix).join(" ")}]`;
    case "Call":
      return `${e.callee.name}(${e.args.map((a) => (a.name ? `${a.name.name}=` : "") + prefix(a.value)).join(" ")})`;
  }
}

/** JSON with every object or array that fits in 100 columns on one line, for a readable golden file. */
function compactJson(value: unknown, indent = ""): string {
  const flat = JSON.stringify(value);
  if (flat === undefined || indent.length + flat.length <= 100 || value === null || typeof value !== "object") {
    return flat ?? "null";
  }
  const inner = indent + "  ";
  const parts = Array.isArray(value)
    ? value.map((item) => inner + compactJson(item, inner))
    : Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${compactJson(item, inner)}`);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${parts.join(",\n")}\n${indent}${close}`;
}

/** The source text a span covers. */
function textOf(span: Span, text = cubaText): string {
  return text.slice(span.start, span.end);
}

describe("parseSource on a representative file", () => {
  const program = parseValid(cubaText, "cuba.snn");
  const network = program.networks[0]!;

  it("matches the golden AST", async () => {
    await expect(compactJson(withoutSpans(program)) + "\n").toMatchFileSnapshot("./fixtures/cuba.ast.json");
  });

  it("gives the program the whole text and the network its whole declaration", () => {
    expect(program.span).toEqual({ file: "cuba.snn", start: 0, end: cubaText.length, line: 1, column: 1 });
    expect(network.span).toMatchObject({ file: "cuba.snn", line: 2, column: 1 });
    expect(textOf(network.span)).toMatch(/^network cuba \{[\s\S]*\}$/);
    expect(network.name.span).toEqual({ file: "cuba.snn", start: 37, end: 41, line: 2, column: 9 });
  });

  it("gives statements, calls, arguments and expressions exact spans", () => {
    const [, ne, , , exc] = network.body;
    expect(ne!.span).toMatchObject({ line: 4, column: 3 });
    expect(textOf(ne!.span)).toBe("const NE = N * 4 / 5;");
    if (ne!.kind !== "ConstDecl") throw new Error("expected a const");
    expect(textOf(ne.value.span)).toBe("N * 4 / 5");
    expect(ne.value.span).toMatchObject({ line: 4, column: 14 });

    if (exc!.kind !== "LayerDecl") throw new Error("expected a layer");
    expect(exc.span).toMatchObject({ line: 7, column: 3 });
    expect(textOf(exc.model.span)).toMatch(/^cuba\(tau_mem = 20ms, .*uniform\(-60mV, -50mV\)\)$/);
    const vth = exc.model.args[2]!;
    expect(textOf(vth.span)).toBe("vth = -50mV");
    expect(vth.value.span).toMatchObject({ line: 7, column: 61 });
    expect(textOf(vth.value.span)).toBe("-50mV");
  });

  it("spans a string literal including its quotes", () => {
    const fileCall = network.body.find((s) => s.kind === "ConnectDecl" && s.source.name === "a");
    if (fileCall?.kind !== "ConnectDecl") throw new Error("expected a connect");
    const weight = fileCall.connection.args[0]!.value;
    expect(weight.kind).toBe("Call");
    if (weight.kind !== "Call") return;
    expect(textOf(weight.args[0]!.value.span)).toBe('"w.npy"');
    expect(weight.args[0]!.value).toMatchObject({ kind: "StringLit", value: "w.npy" });
  });
});

describe("one test per construct", () => {
  it("network: empty, several, and a file with none", () => {
    expect(withoutSpans(parseValid("network a {} network b {}")).networks).toEqual([
      { kind: "NetworkDecl", name: { kind: "Identifier", name: "a" }, body: [] },
      { kind: "NetworkDecl", name: { kind: "Identifier", name: "b" }, body: [] },
    ]);
    expect(parseValid("// nothing here\n").networks).toEqual([]);
    expect(parseValid("").networks).toEqual([]);
  });

  it("const", () => {
    expect(statements("const N = 4000;")).toEqual([
      { kind: "ConstDecl", name: { kind: "Identifier", name: "N" }, value: { kind: "NumberLit", value: 4000, unit: null } },
    ]);
  });

  it("input with a shape of several dimensions and a call", () => {
    const [input] = statements("input img[28, 28] : rate(gain = 0.5);");
    expect(input).toEqual({
      kind: "InputDecl",
      name: { kind: "Identifier", name: "img" },
      shape: [
        { kind: "NumberLit", value: 28, unit: null },
        { kind: "NumberLit", value: 28, unit: null },
      ],
      encoder: {
        kind: "Call",
        callee: { kind: "Identifier", name: "rate" },
        args: [{ kind: "Argument", name: { kind: "Identifier", name: "gain" }, value: { kind: "NumberLit", value: 0.5, unit: null } }],
      },
    });
  });

  it("layer, with a bare name as a value (NameRef) and an empty call", () => {
    const [layer, bare] = statements("layer inh[N - NE] : lif(tau = 20ms, reset = subtract);\nlayer x[1] : lif();");
    expect(layer).toMatchObject({ kind: "LayerDecl", name: { name: "inh" } });
    if (layer?.kind !== "LayerDecl" || bare?.kind !== "LayerDecl") throw new Error("expected layers");
    expect(prefix(layer.shape[0]!)).toBe("(- N NE)");
    expect(layer.model.args[1]!.value).toEqual({ kind: "NameRef", name: "subtract" });
    expect(bare.model).toEqual({ kind: "Call", callee: { kind: "Identifier", name: "lif" }, args: [] });
  });

  it("connect", () => {
    const [connect] = statements("connect exc -> inh : sparse(p = 0.02, weight = 1.62mV);");
    expect(connect).toMatchObject({
      kind: "ConnectDecl",
      source: { name: "exc" },
      target: { name: "inh" },
      connection: { callee: { name: "sparse" } },
    });
  });

  it("run block, empty or with settings", () => {
    expect(statements("run { steps = 1000; dt = 0.1ms; }")).toEqual([
      {
        kind: "RunBlock",
        settings: [
          { kind: "Setting", key: { kind: "Identifier", name: "steps" }, value: { kind: "NumberLit", value: 1000, unit: null } },
          { kind: "Setting", key: { kind: "Identifier", name: "dt" }, value: { kind: "NumberLit", value: 0.1, unit: "ms" } },
        ],
      },
    ]);
    expect(statements("run {}")).toEqual([{ kind: "RunBlock", settings: [] }]);
  });

  it("chip, with settings or with ';'", () => {
    expect(statements("chip loihi;\nchip generic { neurons_per_core = 1024; }")).toEqual([
      { kind: "ChipBlock", preset: { kind: "Identifier", name: "loihi" }, settings: [] },
      {
        kind: "ChipBlock",
        preset: { kind: "Identifier", name: "generic" },
        settings: [
          { kind: "Setting", key: { kind: "Identifier", name: "neurons_per_core" }, value: { kind: "NumberLit", value: 1024, unit: null } },
        ],
      },
    ]);
  });

  it("probe", () => {
    expect(statements("probe exc.v;")).toEqual([
      { kind: "ProbeDecl", population: { kind: "Identifier", name: "exc" }, variable: { kind: "Identifier", name: "v" } },
    ]);
  });

  it("call arguments: positional, named, mixed, nested", () => {
    expect(prefix(expr("normal(0.5, 0.1)"))).toBe("normal(0.5 0.1)");
    expect(prefix(expr("f(1, b = 2, g(c = h()))"))).toBe("f(1 b=2 g(c=h()))");
    const call = expr("uniform(-60mV, high = -50mV)");
    if (call.kind !== "Call") throw new Error("expected a call");
    expect(call.args.map((a) => a.name?.name ?? null)).toEqual([null, "high"]);
  });

  it("list literals, empty and nested", () => {
    expect(prefix(expr("[1, 2ms, [a], []]"))).toBe("[1 2ms [a] []]");
    expect(expr("[]")).toEqual({ kind: "ListLit", items: [] });
  });

  it("strings", () => {
    expect(expr(String.raw`"a \"b\" \\ c"`)).toEqual({ kind: "StringLit", value: String.raw`a "b" \ c` });
  });
});

describe("numbers and units", () => {
  it("keeps the value and the unit as written, for every unit", () => {
    const cases: [string, number, string | null][] = [
      ["12", 12, null], ["1.5", 1.5, null], [".5", 0.5, null], ["1e-3", 1e-3, null], ["2.5E+2", 250, null],
      ["1e-3s", 1e-3, "s"], ["20ms", 20, "ms"], ["100us", 100, "us"], ["40Hz", 40, "Hz"],
      ["1.5kHz", 1.5, "kHz"], ["1.62mV", 1.62, "mV"], ["3V", 3, "V"],
    ];
    for (const [text, value, unit] of cases) {
      expect(expr(text), text).toEqual({ kind: "NumberLit", value, unit });
    }
  });
});

describe("expressions", () => {
  it("binds '*' and '/' tighter than '+' and '-'", () => {
    expect(prefix(expr("1 + 2 * 3"))).toBe("(+ 1 (* 2 3))");
    expect(prefix(expr("1 * 2 + 3"))).toBe("(+ (* 1 2) 3)");
    expect(prefix(expr("a - b / c * d + e"))).toBe("(+ (- a (* (/ b c) d)) e)");
  });

  it("associates to the left", () => {
    expect(prefix(expr("a - b - c"))).toBe("(- (- a b) c)");
    expect(prefix(expr("a / b / c"))).toBe("(/ (/ a b) c)");
  });

  it("applies unary signs before any binary operator, and nests them", () => {
    expect(prefix(expr("-a * b"))).toBe("(* (- a) b)");
    expect(prefix(expr("a * -b"))).toBe("(* a (- b))");
    expect(prefix(expr("- -+a"))).toBe("(- (- (+ a)))");
    expect(prefix(expr("a - -1ms"))).toBe("(- a (- 1ms))");
  });

  it("groups with parentheses, which belong to the grouped expression's span", () => {
    expect(prefix(expr("(1 + 2) * 3"))).toBe("(* (+ 1 2) 3)");
    const text = "network n { const x = ((a + b)) * c; }";
    const decl = parseValid(text).networks[0]!.body[0]!;
    if (decl.kind !== "ConstDecl" || decl.value.kind !== "Binary") throw new Error("expected a product");
    expect(text.slice(decl.value.left.span.start, decl.value.left.span.end)).toBe("((a + b))");
    expect(text.slice(decl.value.span.start, decl.value.span.end)).toBe("((a + b)) * c");
  });

  it("allows calls and lists inside arithmetic", () => {
    expect(prefix(expr("2 * f(x) + [1]"))).toBe("(+ (* 2 f(x)) [1])");
  });
});

describe("spans", () => {
  it("counts lines at '\\n' (also in '\\r\\n' files) and columns from 1", () => {
    const text = "network n {\r\n  probe a.v;\r\n}\r\n";
    const probe = parseValid(text).networks[0]!.body[0]!;
    expect(probe.span).toEqual({ file: "test.snn", start: 15, end: 25, line: 2, column: 3 });
  });
});
