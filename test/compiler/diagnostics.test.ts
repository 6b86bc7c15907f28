/**
 * @fileoverview The catalogue of user mistakes: one row per distinct thing a user gets wrong in a
 * `.snn` file, each with the diagnostic it must produce. A row asserts
 *   - the error code (dsl/diagnostic.ts lists them),
 *   - the line:column the diagnostic points at (null for problems with no source position),
 *   - a key phrase of the message (not the whole wording, so messages can be polished freely),
 *   - that no network comes out, and that the one mistake gives exactly one error (no cascades).
 * Files named in the sources come from an in-memory map through `readFile`; `.npy` bytes are made
 * with compiler/arrays.ts `formatNpy`.
 *
 * Every source is built with `net(...)`: line 1 is `network n {`, the k-th statement (0-based) is on
 * line k + 2 and starts at column 3, so the expected positions can be read off the row.
 */
import { describe, expect, it } from "vitest";
import { formatNpy } from "../../compiler/arrays.ts";
import { compileSource } from "../../compiler/index.ts";
import { renderDiagnostic, type Diagnostic } from "../../dsl/diagnostic.ts";

const FILE = "t.snn";

/** `network n { <lines> }`, one statement per line, indented by two spaces. */
function net(...lines: string[]): string {
  return `network n {\n${lines.map((l) => `  ${l}`).join("\n")}\n}\n`;
}

const text = (s: string) => new TextEncoder().encode(s);
const npy = (values: number[], shape: number[]) => formatNpy(Float64Array.from(values), shape);
/** The bytes without their last `missing` bytes (a download cut short). */
const truncated = (bytes: Uint8Array, missing: number) => bytes.subarray(0, bytes.length - missing);

/** The files the rows may read; anything else is "not found", as the CLI's readFile says. */
const FILES: Record<string, Uint8Array> = {
  "w2x3.npy": npy([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]),
  "w3x2.npy": npy([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [3, 2]),
  "nan.npy": npy([0.1, NaN, 0.3, 0.4, 0.5, 0.6], [2, 3]),
  "inf.npy": npy([0.1, 0.2, Infinity, 0.4, 0.5, 0.6], [2, 3]),
  "truncated.npy": truncated(npy([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]), 5),
  "header-cut.npy": npy([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]).subarray(0, 40),
  "text.npy": text("0.1,0.2,0.3\n0.4,0.5,0.6\n"),
  "letters.csv": text("0.1,0.2,0.3\n0.4,abc,0.6\n"),
  "ragged.csv": text("0.1,0.2,0.3\n0.4,0.5\n"),
  "empty.csv": text("\n\n"),
};

function readFile(path: string): Uint8Array {
  const bytes = FILES[path];
  if (!bytes) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return bytes;
}

type Loc = [line: number, column: number] | null;

interface Row {
  /** The mistake, in the user's words. */
  mistake: string;
  source: string;
  chipPreset?: string;
  code: string;
  /** Where the diagnostic must point; a list means "any of these" (used where a fix may reasonably choose). */
  at: Loc | Loc[];
  /** A phrase the message must contain. */
  phrase: string | RegExp;
}

const LIF = "lif(tau = 20ms)";

const ROWS: Row[] = [
  // ---- lexical and syntax ----------------------------------------------------------------------
  { mistake: "a number with a unit that does not exist", source: net("layer a[3] : lif(tau = 20xyz);"), code: "E001", at: [2, 28], phrase: "unknown unit 'xyz'" },
  { mistake: "a stray character", source: net("layer a[3] : lif(tau = 20ms, @);"), code: "E001", at: [2, 32], phrase: "unexpected character '@'" },
  { mistake: "a missing ';' at the end of a line", source: net(`layer a[3] : ${LIF}`, `layer b[3] : ${LIF};`), code: "E002", at: [2, 31], phrase: "expected ';'" },

  // ---- names -----------------------------------------------------------------------------------
  {
    mistake: "a misspelt population name (with a suggestion)",
    source: net("input inp[2] : rate();", `layer exc[3] : ${LIF};`, "connect inp -> exd : dense();"),
    code: "E100", at: [4, 18], phrase: "unknown population 'exd' (did you mean 'exc'?)",
  },
  { mistake: "a probe of an unknown population", source: net(`layer a[3] : ${LIF};`, "probe b.v;"), code: "E100", at: [3, 9], phrase: "unknown population 'b'" },
  { mistake: "a probe of a variable that does not exist", source: net(`layer a[3] : ${LIF};`, "probe a.w;"), code: "E100", at: [3, 11], phrase: "cannot probe 'w'" },
  { mistake: "an unknown name as a parameter value", source: net("layer a[3] : lif(tau = 20ms, vth = thresh);"), code: "E100", at: [2, 38], phrase: "unknown name 'thresh'" },
  {
    mistake: "a constant used before it is defined",
    source: net("const a = b * 2;", "const b = 3;", `layer x[a] : ${LIF};`),
    code: "E100", at: [2, 13], phrase: "unknown name 'b'",
  },
  { mistake: "a population declared twice", source: net(`layer a[3] : ${LIF};`, `layer a[4] : ${LIF};`), code: "E101", at: [3, 9], phrase: "population 'a' is declared twice" },
  { mistake: "a constant declared twice", source: net("const x = 1;", "const x = 2;"), code: "E101", at: [3, 9], phrase: "constant 'x' is declared twice" },
  { mistake: "a parameter given twice", source: net("layer a[3] : lif(tau = 20ms, tau = 10ms);"), code: "E101", at: [2, 32], phrase: "parameter 'tau' of lif() is given twice" },
  { mistake: "both steps and duration in the run block", source: net(`layer a[3] : ${LIF};`, "run { steps = 10; duration = 10ms; }"), code: "E101", at: [3, 32], phrase: "not both" },
  { mistake: "two run blocks", source: net(`layer a[3] : ${LIF};`, "run { steps = 10; }", "run { steps = 20; }"), code: "E101", at: [4, 3], phrase: "only one run block" },

  // ---- unknown constructs and parameters (with suggestions) ------------------------------------
  { mistake: "a misspelt neuron model", source: net("layer a[3] : lfi(tau = 20ms);"), code: "E102", at: [2, 16], phrase: "unknown neuron model 'lfi' (did you mean 'lif'?)" },
  { mistake: "a misspelt encoder", source: net("input i[3] : rat();"), code: "E102", at: [2, 16], phrase: "unknown encoder 'rat' (did you mean 'rate'?)" },
  { mistake: "a misspelt connection kind", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dens();"), code: "E102", at: [3, 20], phrase: "unknown connection 'dens' (did you mean 'dense'?)" },
  { mistake: "a misspelt chip preset", source: net("chip loihi2;", `layer a[3] : ${LIF};`), code: "E102", at: [2, 8], phrase: "unknown chip preset 'loihi2' (did you mean 'loihi'?)" },
  { mistake: "a misspelt initialiser", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(weight = unifrom(0, 1));"), code: "E102", at: [3, 35], phrase: "did you mean 'uniform'?" },
  { mistake: "a misspelt parameter", source: net("layer a[3] : lif(tau = 20ms, vthr = 1);"), code: "E103", at: [2, 32], phrase: "lif() has no parameter 'vthr' (did you mean 'vth'?)" },
  { mistake: "a misspelt chip setting", source: net("chip generic { corez = 3; }", `layer a[3] : ${LIF};`), code: "E103", at: [2, 18], phrase: "no parameter 'corez' (did you mean 'cores'?)" },
  { mistake: "the neuron model without its time constant", source: net("layer a[3] : lif(vth = 1);"), code: "E104", at: [2, 16], phrase: "needs parameter 'tau'" },
  { mistake: "a sparse connection without p", source: net(`layer a[3] : ${LIF};`, "connect a -> a : sparse();"), code: "E104", at: [3, 20], phrase: "needs parameter 'p'" },

  // ---- units -----------------------------------------------------------------------------------
  { mistake: "a time constant without a unit (tau = 20)", source: net("layer a[3] : lif(tau = 20);"), code: "E105", at: [2, 26], phrase: "write it with a unit" },
  { mistake: "a threshold in milliseconds (vth = 5ms)", source: net("layer a[3] : lif(tau = 20ms, vth = 5ms);"), code: "E105", at: [2, 38], phrase: "must be a voltage" },
  { mistake: "a delay in millivolts (delay = 1mV)", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(delay = 1mV);"), code: "E105", at: [3, 34], phrase: "must be a time" },
  { mistake: "adding a time to a voltage (1ms + 1mV)", source: net("const a = 1ms + 1mV;"), code: "E105", at: [2, 13], phrase: "cannot add" },
  {
    mistake: "a time inside a list of weights",
    source: net(`layer a[3] : ${LIF};`, "connect a -> a : one_to_one(weight = [1, 2ms, 3]);"),
    code: "E105", at: [[3, 44], [3, 40]], phrase: "voltage",
  },
  {
    mistake: "times as the bounds of a weight initialiser",
    source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(weight = uniform(0ms, 1ms));"),
    code: "E105", at: [[3, 35], [3, 43]], phrase: "voltage",
  },
  {
    mistake: "a random delay without units (delay = uniform(1, 3))",
    source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(delay = uniform(1, 3));"),
    code: "E105", at: [[3, 34], [3, 42]], phrase: "time",
  },

  // ---- values out of range ---------------------------------------------------------------------
  { mistake: "zero weight bits", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(bits = 0);"), code: "E106", at: [3, 33], phrase: "'bits' of dense() is 0" },
  { mistake: "17 weight bits", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(bits = 17);"), code: "E106", at: [3, 33], phrase: "'bits' of dense() is 17" },
  { mistake: "more weight bits than the chip stores", source: net("chip loihi;", `layer a[3] : ${LIF};`, "connect a -> a : dense(bits = 12);"), code: "E106", at: [4, 20], phrase: "stores at most 8" },
  { mistake: "a probability above 1", source: net(`layer a[3] : ${LIF};`, "connect a -> a : sparse(p = 1.5);"), code: "E106", at: [3, 31], phrase: "'p' of sparse() is 1.5" },
  { mistake: "a negative time constant", source: net("layer a[3] : lif(tau = -5ms);"), code: "E106", at: [2, 26], phrase: "must be > 0" },
  { mistake: "a reset at or above the threshold", source: net("layer a[3] : lif(tau = 20ms, vth = 1, reset = 1);"), code: "E106", at: [2, 49], phrase: "below the threshold" },
  { mistake: "a refractory period over 255 steps", source: net("layer a[3] : lif(tau = 20ms, refractory = 300ms);"), code: "E106", at: [2, 3], phrase: "at most 255" },
  { mistake: "a negative refractory period", source: net("layer a[3] : lif(tau = 20ms, refractory = -1ms);"), code: "E106", at: [2, 45], phrase: "must be ≥ 0" },
  { mistake: "uniform(low, high) with low > high", source: net("layer a[3] : lif(tau = 20ms, v_init = uniform(1, 0));"), code: "E106", at: [2, 41], phrase: "low ≤ high" },
  { mistake: "a negative standard deviation", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(weight = normal(0, -1));"), code: "E106", at: [3, 35], phrase: "std ≥ 0" },
  { mistake: "a reset that is not a number or 'subtract'", source: net("layer a[3] : lif(tau = 20ms, reset = foo);"), code: "E106", at: [2, 40], phrase: "subtract" },
  { mistake: "dt = 0", source: net(`layer a[3] : ${LIF};`, "run { dt = 0ms; }"), code: "E106", at: [3, 14], phrase: "'dt' of the run block is 0" },
  { mistake: "division by zero in a constant", source: net("const a = 1 / 0;"), code: "E106", at: [2, 17], phrase: "division by zero" },
  { mistake: "a delay of zero (shorter than one step)", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(delay = 0ms);"), code: "E106", at: [3, 34], phrase: "shorter than one step" },
  { mistake: "a delay beyond the chip's maximum", source: net("chip loihi;", `layer a[3] : ${LIF};`, "connect a -> a : dense(delay = 100ms);"), code: "E106", at: [4, 20], phrase: "maximum of 62 steps" },
  { mistake: "random delays that reach beyond the chip's maximum", source: net("chip loihi;", `layer a[3] : ${LIF};`, "connect a -> a : dense(delay = uniform(1ms, 100ms));"), code: "E106", at: [4, 20], phrase: "1..62 steps" },
  { mistake: "weights too large for the chip", source: net("chip loihi;", "layer a[3] : lif(tau = 20ms, vth = 1);", "connect a -> a : dense(weight = 1000000);"), code: "E106", at: [4, 20], phrase: "too large" },
  {
    mistake: "a weight exponent above the chip's largest",
    source: net("chip loihi;", `layer a[3] : ${LIF};`, "connect a -> a : dense(exponent = 10);"),
    code: "E106", at: [[4, 20], [4, 26]], phrase: "exponent 10",
  },
  { mistake: "a weight exponent below the chip's smallest", source: net("chip loihi;", `layer a[3] : ${LIF};`, "connect a -> a : dense(exponent = -10);"), code: "E106", at: [4, 20], phrase: "exponent -10" },
  { mistake: "a negative rate gain", source: net("input i[3] : rate(gain = -1);"), code: "E106", at: [2, 28], phrase: "'gain' of rate() is -1" },

  // ---- shapes ----------------------------------------------------------------------------------
  {
    mistake: "one_to_one between populations of different sizes",
    source: net(`layer a[3] : ${LIF};`, `layer b[4] : ${LIF};`, "connect a -> b : one_to_one();"),
    code: "E107", at: [4, 20], phrase: "equal sizes",
  },
  {
    mistake: "a weight file with the wrong number of rows",
    source: net(`layer a[3] : ${LIF};`, `layer b[5] : ${LIF};`, 'connect a -> b : dense(weight = file("w2x3.npy"));'),
    code: "E107", at: [4, 40], phrase: "has shape [2, 3], but 'weight' needs [5, 3]",
  },
  {
    mistake: "a transposed weight file (source × target instead of target × source)",
    source: net(`layer a[3] : ${LIF};`, `layer b[2] : ${LIF};`, 'connect a -> b : dense(weight = file("w3x2.npy"));'),
    code: "E107", at: [4, 40], phrase: "[3, 2]",
  },
  { mistake: "a weight list of the wrong length", source: net(`layer a[3] : ${LIF};`, "connect a -> a : one_to_one(weight = [1, 2]);"), code: "E107", at: [3, 40], phrase: "the list has 2 values" },
  {
    mistake: "a per-synapse delay list of the wrong length",
    source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(delay = [1ms, 2ms]);"),
    code: "E107", at: [3, 34], phrase: "2 values",
  },
  { mistake: "an initial-voltage file of the wrong shape", source: net('layer a[3] : lif(tau = 20ms, v_init = file("w2x3.npy"));'), code: "E107", at: [2, 46], phrase: "'v_init' needs [3]" },
  { mistake: "a population size that is not a whole number", source: net(`layer a[2.5] : ${LIF};`), code: "E107", at: [2, 11], phrase: "whole number" },
  { mistake: "a population of size zero", source: net(`layer a[0] : ${LIF};`), code: "E107", at: [2, 11], phrase: "≥ 1" },
  { mistake: "a probe of an input", source: net("input i[3] : rate();", "probe i.v;"), code: "E107", at: [3, 9], phrase: "'i' is an input" },

  // ---- files -----------------------------------------------------------------------------------
  { mistake: "a weight file that does not exist", source: net(`layer a[3] : ${LIF};`, 'connect a -> a : dense(weight = file("missing.npy"));'), code: "E108", at: [3, 40], phrase: "cannot read 'missing.npy'" },
  {
    mistake: "a CSV with a word among the numbers",
    source: net(`layer a[3] : ${LIF};`, `layer b[2] : ${LIF};`, 'connect a -> b : dense(weight = file("letters.csv"));'),
    code: "E108", at: [4, 40], phrase: "'abc' is not a number",
  },
  {
    mistake: "a CSV with rows of different lengths",
    source: net(`layer a[3] : ${LIF};`, `layer b[2] : ${LIF};`, 'connect a -> b : dense(weight = file("ragged.csv"));'),
    code: "E108", at: [4, 40], phrase: "line 2 has 2 values",
  },
  { mistake: "a CSV with no numbers", source: net(`layer a[3] : ${LIF};`, 'connect a -> a : one_to_one(weight = file("empty.csv"));'), code: "E108", at: [3, 45], phrase: "no numbers" },
  {
    mistake: "NaN in a .npy weight file",
    source: net(`layer a[3] : ${LIF};`, `layer b[2] : ${LIF};`, 'connect a -> b : dense(weight = file("nan.npy"));'),
    code: "E108", at: [4, 40], phrase: "NaN",
  },
  {
    mistake: "an infinity in a .npy weight file",
    source: net(`layer a[3] : ${LIF};`, `layer b[2] : ${LIF};`, 'connect a -> b : dense(weight = file("inf.npy"));'),
    code: "E108", at: [4, 40], phrase: "infinite",
  },
  {
    mistake: "a truncated .npy file",
    source: net(`layer a[3] : ${LIF};`, `layer b[2] : ${LIF};`, 'connect a -> b : dense(weight = file("truncated.npy"));'),
    code: "E108", at: [4, 40], phrase: "truncated .npy data",
  },
  {
    mistake: "a .npy file cut inside its header",
    source: net(`layer a[3] : ${LIF};`, `layer b[2] : ${LIF};`, 'connect a -> b : dense(weight = file("header-cut.npy"));'),
    code: "E108", at: [4, 40], phrase: "truncated .npy header",
  },
  {
    mistake: "a text file named .npy",
    source: net(`layer a[3] : ${LIF};`, `layer b[2] : ${LIF};`, 'connect a -> b : dense(weight = file("text.npy"));'),
    code: "E108", at: [4, 40], phrase: "not a .npy file",
  },
  { mistake: "file() with a number instead of a path", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(weight = file(3));"), code: "E109", at: [3, 40], phrase: "path in quotes" },
  { mistake: "spike times that are not a list", source: net("input i[3] : spikes(times = 2ms);"), code: "E109", at: [2, 31], phrase: "must be a list" },
  { mistake: "a string where a time belongs", source: net('layer a[3] : lif(tau = "20ms");'), code: "E109", at: [2, 26], phrase: "found a string" },

  // ---- whole-file problems ---------------------------------------------------------------------
  { mistake: "two networks in one file", source: `${net(`layer a[3] : ${LIF};`)}network m {\n  layer b[3] : ${LIF};\n}\n`, code: "E110", at: [4, 9], phrase: "only one network per file" },
  { mistake: "an empty file", source: "", code: "E110", at: [1, 1], phrase: "declares no network" },
  { mistake: "a file with only a comment", source: "// nothing yet\n", code: "E110", at: [1, 1], phrase: "declares no network" },

  // ---- timing ----------------------------------------------------------------------------------
  { mistake: "a delay that is not a multiple of dt", source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(delay = 1.5ms);"), code: "E112", at: [3, 34], phrase: "not a whole number of steps" },
  {
    mistake: "a delay shorter than one step of a fine dt",
    source: net(`layer a[3] : ${LIF};`, "connect a -> a : dense(delay = 0.05ms);", "run { dt = 0.1ms; }"),
    code: "E112", at: [3, 34], phrase: "dt = 0.1ms",
  },
  {
    mistake: "per-synapse delays that are not multiples of dt",
    source: net(`layer a[3] : ${LIF};`, "connect a -> a : one_to_one(delay = [1.5ms, 2ms, 3ms]);"),
    code: "E112", at: [[3, 39], [3, 40]], phrase: "not a whole number of steps",
  },
  { mistake: "a duration that is not a multiple of dt", source: net(`layer a[3] : ${LIF};`, "run { duration = 10.5ms; dt = 1ms; }"), code: "E112", at: [3, 20], phrase: "duration 10.5ms" },

  // ---- graph -----------------------------------------------------------------------------------
  { mistake: "a connection into an input", source: net("input i[3] : rate();", `layer a[3] : ${LIF};`, "connect a -> i : dense();"), code: "E113", at: [4, 16], phrase: "'i' is an input" },

  // ---- resources (no single source position) ---------------------------------------------------
  { mistake: "more neurons than the edge chip has", source: net("chip edge;", "layer a[2000] : lif(tau = 20ms);"), code: "E120", at: null, phrase: /needs 8 cores .* has 4 \(over by 4\)/ },
  { mistake: "the same, with --chip edge on the command line", source: net("layer a[2000] : lif(tau = 20ms);"), chipPreset: "edge", code: "E120", at: null, phrase: "over by 4" },
  {
    mistake: "more synapses into one neuron than the chip allows",
    source: net("chip edge;", "input i[600] : rate();", `layer a[2] : ${LIF};`, "connect i -> a : dense(weight = 0.01, bits = 8);"),
    code: "E120", at: null, phrase: "600 incoming synapses",
  },
  {
    mistake: "one neuron's synapses overflow a core's synapse memory",
    source: net("chip generic { synapse_memory_kib = 1; }", "input i[2000] : rate();", `layer a[1] : ${LIF};`, "connect i -> a : dense(weight = 0.001);"),
    code: "E120", at: null, phrase: "bits of synapse memory",
  },
];

function errorsOf(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error");
}

function location(d: Diagnostic): Loc {
  return d.span ? [d.span.line, d.span.column] : null;
}

function acceptable(at: Row["at"]): Loc[] {
  return Array.isArray(at) && (at.length === 0 || Array.isArray(at[0]) || at[0] === null) ? (at as Loc[]) : [at as Loc];
}

describe("the catalogue of mistakes", () => {
  it("has at least 30 distinct mistakes, each with a distinct source", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ROWS.map((r) => `${r.source}|${r.chipPreset ?? ""}`)).size).toBe(ROWS.length);
    expect(new Set(ROWS.map((r) => r.mistake)).size).toBe(ROWS.length);
  });

  it.each(ROWS)("$code: $mistake", (row) => {
    const result = compileSource(row.source, FILE, { readFile, chipPreset: row.chipPreset });
    const errors = errorsOf(result.diagnostics);
    const shown = errors.map((d) => `${d.code} ${JSON.stringify(location(d))} ${d.message}`).join("\n");
    expect(result.network, shown).toBeNull();
    expect(errors.length, `expected one error, got:\n${shown}`).toBeGreaterThan(0);
    const first = errors[0];
    expect(first.code, shown).toBe(row.code);
    expect(acceptable(row.at), `${first.code} at ${JSON.stringify(location(first))}: ${first.message}`).toContainEqual(location(first));
    if (typeof row.phrase === "string") expect(first.message).toContain(row.phrase);
    else expect(first.message).toMatch(row.phrase);
    if (first.span) expect(first.span.file).toBe(FILE);
    // One mistake, one error: a follow-on error about something the user did not get wrong misleads.
    expect(errors.map((d) => `${d.code} ${JSON.stringify(location(d))} ${d.message}`), "one mistake should give exactly one error").toHaveLength(1);
  });
});

describe("diagnostics as the user sees them", () => {
  it("render as file:line:col, the source line and a caret under the span", () => {
    const source = net("layer a[3] : lif(tau = 20ms, vthr = 1);");
    const [d] = compileSource(source, FILE).diagnostics;
    const rendered = renderDiagnostic(d, source).split("\n");
    expect(rendered[0]).toMatch(/^t\.snn:2:32: error E103: /);
    expect(rendered[1]).toContain("layer a[3] : lif(tau = 20ms, vthr = 1);");
    const caretColumn = rendered[2].indexOf("^") - rendered[2].indexOf("|") - 2;
    expect(caretColumn).toBe(31);
    expect(rendered[2].trim().endsWith("^^^^^^^^")).toBe(true); // `vthr = 1` is 8 characters
  });

  it("report every independent mistake of a file in one run, in source order", () => {
    const source = net("layer a[3] : lfi(tau = 20ms);", `layer b[3] : ${LIF};`, "connect b -> c : dense();", "const x = 1ms + 1mV;");
    const errors = errorsOf(compileSource(source, FILE).diagnostics);
    expect(errors.map((d) => d.code).sort()).toEqual(["E100", "E102", "E105"]);
  });

  it("never throw, whatever readFile throws", () => {
    const source = net(`layer a[3] : ${LIF};`, 'connect a -> a : dense(weight = file("x.npy"));');
    const throwing = () => {
      throw "a string, not an Error";
    };
    const result = compileSource(source, FILE, { readFile: throwing });
    expect(result.network).toBeNull();
    expect(errorsOf(result.diagnostics)[0].code).toBe("E108");
  });

  it("say that files cannot be read when no readFile is given", () => {
    const source = net(`layer a[3] : ${LIF};`, 'connect a -> a : dense(weight = file("x.npy"));');
    const [d] = errorsOf(compileSource(source, FILE).diagnostics);
    expect(d.code).toBe("E108");
    expect(d.message).toContain("no file access");
  });

  it("leave warnings alone: a network with only warnings still compiles", () => {
    const source = net("input i[8] : rate();", `layer a[2] : ${LIF};`, "connect i -> a : dense(weight = uniform(0, 0.3), bits = 2);");
    const result = compileSource(source, FILE);
    expect(result.network).not.toBeNull();
    expect(result.diagnostics.some((d) => d.code === "W201" && d.severity === "warning")).toBe(true);
  });
});
