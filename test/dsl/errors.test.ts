/**
 * @fileoverview Diagnostics of parseSource: each kind of mistake with its exact code, line and
 * column and message; several mistakes reported in one run (fixtures/errors.snn, rendered output
 * in fixtures/errors.expected.txt); the partial AST left after errors; the rendered format.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderDiagnostic } from "../../dsl/diagnostic.ts";
import { parseSource } from "../../dsl/parse.ts";

/** `line:col code message` for each diagnostic of `text`. */
function diagnose(text: string): string[] {
  return parseSource(text, "bad.snn").diagnostics.map(
    (d) => `${d.span?.line}:${d.span?.column} ${d.code} ${d.message}`,
  );
}

/** Wraps statements in a network that starts on line 1: `network n {` + newline + body. */
function inNetwork(body: string): string {
  return `network n {\n${body}\n}\n`;
}

describe("each mistake: code, position and message", () => {
  it("missing ';' at the end of a line: points just after the statement", () => {
    expect(diagnose(inNetwork("  layer exc[10] : lif(tau = 20ms)\n  connect exc -> exc : dense();"))).toEqual([
      "2:34 E002 expected ';' after the layer declaration, found 'connect'",
    ]);
  });

  it("missing ';' on the same line: points at what was found", () => {
    expect(diagnose(inNetwork("  const a = 1 const b = 2;"))).toEqual([
      "2:15 E002 expected ';' after the const declaration, found 'const'",
    ]);
  });

  it("missing population name after 'connect' and after '->'", () => {
    expect(diagnose(inNetwork("  connect -> inh : dense();\n  connect exc -> : dense();"))).toEqual([
      "2:11 E002 expected a population name after 'connect', found '->'",
      "3:18 E002 expected a population name after '->', found ':'",
    ]);
  });

  it("unexpected character (the syntax error it causes is not reported again)", () => {
    expect(diagnose(inNetwork("  probe exc.v; @"))).toEqual(["2:16 E001 unexpected character '@'"]);
    expect(diagnose(inNetwork("  layer x[2] : lif(tau = 20ms @ 2);"))).toEqual(["2:31 E001 unexpected character '@'"]);
  });

  it("unterminated string (the rest of its line is not reported again)", () => {
    expect(diagnose(inNetwork('  connect a -> b : dense(weight = file("w.npy));'))).toEqual([
      `2:40 E001 unterminated string: add a closing '"' before the end of the line`,
    ]);
  });

  it("unterminated comment (the missing '}' it swallowed is not reported again)", () => {
    expect(diagnose("network n {\n  probe a.v;\n  /* to be done\n  probe b.v;\n}\n")).toEqual([
      "3:3 E001 unterminated comment: '/*' has no closing '*/'",
    ]);
  });

  it("unknown unit after a number, and a bad escape, and a huge number", () => {
    expect(diagnose(inNetwork(String.raw`  const a = 20xyz; const b = "x\ty"; const c = 1e400;`))).toEqual([
      "2:15 E001 unknown unit 'xyz' after number; units are s, ms, us, Hz, kHz, mV, V",
      String.raw`2:32 E001 unknown escape '\t' in string; only \" and \\ are escapes`,
      "2:48 E001 number '1e400' is too large",
    ]);
  });

  it("statements outside a network", () => {
    expect(diagnose("layer x[1] : lif();\nnetwork n {}")).toEqual([
      "1:1 E002 expected 'network' at the top level, found 'layer'; statements belong inside 'network NAME { ... }'",
    ]);
  });

  it("a word that starts no statement", () => {
    expect(diagnose(inNetwork("  neuron x[1] : lif();"))).toEqual([
      "2:3 E002 expected a statement (const, input, layer, connect, run, chip or probe) or '}' to close the network, found 'neuron'",
    ]);
  });

  it("missing '}' at the end of the file: points after the last token", () => {
    expect(diagnose("network n {\n  probe a.v;\n\n")).toEqual([
      "2:13 E002 expected a statement (const, input, layer, connect, run, chip or probe) or '}' to close the network, found end of file",
    ]);
  });

  it("missing names and punctuation in each statement", () => {
    const cases: [string, string][] = [
      ["  const = 1;", "2:9 E002 expected a constant name after 'const', found '='"],
      ["  const x 1;", "2:11 E002 expected '=' after 'x', found '1'"],
      ["  const x = ;", "2:13 E002 expected a value (a number, name, string, call, list or '(') after '=', found ';'"],
      ["  input [3] : rate();", "2:9 E002 expected an input name after 'input', found '['"],
      ["  layer x : lif();", "2:11 E002 expected '[' and the shape (e.g. '[100]') after 'x', found ':'"],
      ["  layer x[3 4] : lif();", "2:13 E002 expected ',' or ']' in the shape, found '4'"],
      ["  layer x[3] lif();", "2:14 E002 expected ':' and the neuron model, e.g. ': lif(tau = 20ms)', found 'lif'"],
      ["  layer x[3] : lif;", "2:19 E002 expected '(' after 'lif', found ';'"],
      ["  layer x[3] : lif(tau 2);", "2:24 E002 expected ',' or ')' in the argument list, found '2'"],
      ["  layer x[3] : lif(tau = 2,);", "2:28 E002 expected an argument (a value or name = value) after ',', found ')'"],
      ["  connect a b : dense();", "2:13 E002 expected '->' between the two population names, found 'b'"],
      ["  probe exc v;", "2:13 E002 expected '.' between the population and the variable, as in 'probe exc.v;', found 'v'"],
      ["  probe exc.;", "2:13 E002 expected a variable name after '.', found ';'"],
      ["  chip loihi x;", "2:14 E002 expected '{' or ';' after the chip preset name, found 'x'"],
      ["  run { steps 10; }", "2:15 E002 expected '=' after 'steps', found '10'"],
      ["  run { 10; }", "2:9 E002 expected a setting (name = value;) or '}' to close the run block, found '10'"],
      ["  const x = (1 + 2;", "2:19 E002 expected ')' to close the parenthesis, found ';'"],
      ["  const x = [1 2];", "2:16 E002 expected ',' or ']' in the list, found '2'"],
      ["network", "1:8 E002 expected a network name after 'network', found end of file"],
      ["network n {} }", "1:14 E002 expected 'network' at the top level, found '}'"],
      ["  layer input[3] : lif();", "2:9 E002 expected a layer name after 'layer', found 'input'; 'input' is a keyword and cannot be a name"],
      ["  probe exc.run;", "2:13 E002 expected a variable name after '.', found 'run'; 'run' is a keyword and cannot be a name"],
    ];
    for (const [body, expected] of cases) {
      const text = body.startsWith("network") ? body : inNetwork(body);
      expect(diagnose(text), body).toEqual([expected]);
    }
    expect(diagnose("network n\n  probe a.v;\n}")).toEqual(["1:10 E002 expected '{' after the network name, found 'probe'"]);
  });
});

describe("several mistakes in one run", () => {
  const fixture = new URL("./fixtures/errors.snn", import.meta.url);
  const text = readFileSync(fixture, "utf8");
  const { program, diagnostics } = parseSource(text, "errors.snn");

  it("reports one error per mistake, in order, each at its own line", () => {
    expect(diagnostics.map((d) => `${d.span?.line}:${d.span?.column} ${d.code}`)).toEqual([
      "4:17 E002", // missing ';' after const
      "6:30 E001", // unknown unit
      "7:11 E002", // missing population name
      "8:33 E001", // '@'
      "9:44 E001", // unterminated string
      "10:13 E002", // missing variable name
      "11:22 E002", // missing ';' between settings
      "12:3 E002", // misspelled keyword
      "14:13 E002", // missing ';' after chip
    ]);
    expect(diagnostics.every((d) => d.severity === "error")).toBe(true);
  });

  it("renders like the golden file", async () => {
    const rendered = diagnostics.map((d) => renderDiagnostic(d, text)).join("\n") + "\n";
    await expect(rendered).toMatchFileSnapshot("./fixtures/errors.expected.txt");
  });

  it("keeps the statements it could build whole, and leaves out the broken ones", () => {
    const body = program!.networks[0]!.body;
    const names = body.map((s) => {
      switch (s.kind) {
        case "ConstDecl": case "InputDecl": case "LayerDecl": return `${s.kind} ${s.name.name}`;
        case "ConnectDecl": return `${s.kind} ${s.source.name}->${s.target.name}`;
        case "ProbeDecl": return `${s.kind} ${s.population.name}.${s.variable.name}`;
        case "ChipBlock": return `${s.kind} ${s.preset.name}`;
        case "RunBlock": return `${s.kind} ${s.settings.map((x) => x.key.name).join(",")}`;
      }
    });
    expect(names).toEqual([
      "ConstDecl N", // only its ';' was missing
      "InputDecl drive",
      // layer exc: its number has an unknown unit; connect: no source; both left out
      "LayerDecl inh", // the '2' was skipped, tau = 20ms kept
      "ConnectDecl exc->inh",
      // probe exc.: no variable
      "RunBlock steps,dt",
      // layr: not a statement
      "ProbeDecl inh.v",
      "ChipBlock loihi",
    ]);
  });
});

describe("rendering", () => {
  it("prints file:line:col: error CODE: message, the source line and a caret", () => {
    const text = "network n {\n  probe exc.;\n}\n";
    const [d] = parseSource(text, "models/n.snn").diagnostics;
    expect(renderDiagnostic(d!, text)).toBe(
      [
        "models/n.snn:2:13: error E002: expected a variable name after '.', found ';'",
        "   2 |   probe exc.;",
        "     |             ^",
      ].join("\n"),
    );
  });

  it("never throws, and returns a program, for inputs that are only errors", () => {
    for (const text of ["}", "{", "@@@", "network", "network {", "\"", "/*", "-> -> ;;", "network n { run { ; } }"]) {
      const result = parseSource(text, "x.snn");
      expect(result.program, text).not.toBeNull();
      expect(result.diagnostics.length, text).toBeGreaterThan(0);
    }
  });

  it("reports input nested too deeply instead of crashing, and recovers for the next file", () => {
    const deep = `network n { const x = ${"(".repeat(20000)}1${")".repeat(20000)}; }`;
    const result = parseSource(deep, "deep.snn");
    expect(result.program).toBeNull();
    expect(result.diagnostics.map((d) => `${d.code} ${d.span?.line}:${d.span?.column}`)).toEqual(["E002 1:1"]);
    expect(result.diagnostics[0]!.message).toMatch(/nested too deeply/);
    expect(parseSource("network n { probe a.v; }", "ok.snn").diagnostics).toEqual([]);
  });
});
