/**
 * @fileoverview Binding of value initialisers (docs/dsl.md): a number, a list, `constant/uniform/
 * normal(...)`, or `file("path")` read through the caller's `readFile` and parsed by compiler/arrays.ts.
 * Checks argument counts and ranges, NaN/infinite values, and that a list or file has the shape the
 * parameter needs (weights, delays, v_init). Every problem is a diagnostic; nothing throws on user input.
 */
import type { Span } from "../dsl/ast.ts";
import { error, type Diagnostic } from "../dsl/diagnostic.ts";
import { ArrayFormatError, parseArrayFile } from "./arrays.ts";
import type { Initializer } from "./checked.ts";
import { INITIALIZERS } from "./constructs.ts";
import type { Value } from "./evaluate.ts";
import { suggest } from "./params.ts";

/** What binding an initialiser needs from the checker. */
export interface InitializerContext {
  /** Reads a file named in the source (see CheckOptions.readFile); undefined where there is no file access. */
  readFile: ((path: string) => Uint8Array) | undefined;
  diagnostics: Diagnostic[];
}

export type ValuesInitializer = Extract<Initializer, { kind: "values" }>;

/**
 * Interprets a number, list, or initialiser call for the parameter `what`; `shape` (if given) is
 * what a list or file must hold. A missing value is the constant 1. Null after an error (reported).
 */
export function checkInitializer(context: InitializerContext, value: Value | null, what: string, shape: number[] | null): Initializer | null {
  const { diagnostics } = context;
  if (value === null) return { kind: "constant", value: 1 };
  if (value.kind === "number") return { kind: "constant", value: value.value };
  if (value.kind === "list") {
    const values = Float64Array.from(value.items.map((v) => (v.kind === "number" ? v.value : NaN)));
    return checkValuesShape(diagnostics, { kind: "values", values, shape: [values.length], file: "" }, what, shape, value.span);
  }
  if (value.kind !== "call" || !INITIALIZERS[value.name]) {
    const names = Object.keys(INITIALIZERS);
    const found = value.kind === "call" ? `'${value.name}'${suggest(value.name, names)}` : describeValue(value);
    diagnostics.push(error("E102", `'${what}' must be a number or one of ${names.map((n) => `${n}(...)`).join(", ")}; found ${found}`, value.span));
    return null;
  }
  const [first, second] = value.args.map((a) => a.value);
  const expected = INITIALIZERS[value.name];
  if (value.args.length !== expected.length) {
    diagnostics.push(error("E104", `${value.name}() takes ${expected.length} argument${expected.length > 1 ? "s" : ""} (${expected.join(", ")})`, value.span));
    return null;
  }
  if (value.name === "file") {
    if (first.kind !== "string") {
      diagnostics.push(error("E109", `file() takes a path in quotes, e.g. file("weights.npy")`, first.span));
      return null;
    }
    return readValues(context, first.value, first.span, what, shape);
  }
  if (first.kind !== "number" || (second && second.kind !== "number")) {
    diagnostics.push(error("E109", `the arguments of ${value.name}() must be numbers`, value.span));
    return null;
  }
  const a = first.value;
  const b = second?.kind === "number" ? second.value : 0;
  if (value.name === "constant") return { kind: "constant", value: a };
  if (value.name === "uniform") {
    if (!(a <= b)) diagnostics.push(error("E106", `uniform(low, high) needs low ≤ high, found ${a} > ${b}`, value.span));
    return { kind: "uniform", low: a, high: b };
  }
  if (b < 0) diagnostics.push(error("E106", `normal(mean, std) needs std ≥ 0, found ${b}`, value.span));
  return { kind: "normal", mean: a, std: b };
}

function readValues(context: InitializerContext, path: string, span: Span, what: string, shape: number[] | null): Initializer | null {
  const { readFile, diagnostics } = context;
  if (!readFile) {
    diagnostics.push(error("E108", `cannot read '${path}': no file access in this context`, span));
    return null;
  }
  try {
    const array = parseArrayFile(readFile(path), path);
    if (array.values.some((v) => !Number.isFinite(v))) {
      diagnostics.push(error("E108", `'${path}' contains NaN or infinite values`, span));
      return null;
    }
    return checkValuesShape(diagnostics, { kind: "values", values: array.values, shape: array.shape, file: path }, what, shape, span);
  } catch (e) {
    const reason = e instanceof ArrayFormatError ? e.message : e instanceof Error ? e.message : String(e);
    diagnostics.push(error("E108", `cannot read '${path}': ${reason}`, span));
    return null;
  }
}

/** The values themselves when they are finite and fit `shape` (null: any shape); null after an error. */
export function checkValuesShape(diagnostics: Diagnostic[], init: ValuesInitializer, what: string, shape: number[] | null, span: Span): Initializer | null {
  if (init.values.some((v) => !Number.isFinite(v))) {
    diagnostics.push(error("E109", `'${what}' values must be numbers`, span));
    return null;
  }
  // Dimensions of size 1 do not matter ([1, N] is [N]); everything else must match exactly, so
  // that a transposed matrix is caught rather than silently reshaped.
  const squeeze = (dims: number[]) => dims.filter((d) => d !== 1).join(",");
  if (shape === null || (init.values.length === shape.reduce((a, b) => a * b, 1) && (!init.file || squeeze(init.shape) === squeeze(shape)))) return init;
  const source = init.file ? `'${init.file}' has shape [${init.shape.join(", ")}]` : `the list has ${init.values.length} values`;
  const layout = shape.length === 4 ? "out channels × in channels/groups × k × k" : shape.length === 2 ? "target × source" : "one per neuron";
  diagnostics.push(error("E107", `${source}, but '${what}' needs [${shape.join(", ")}] (${layout})`, span));
  return null;
}

/** How a value reads in a message: `3`, `"text"`, `'name'`, `f(...)`, `a list`. */
export function describeValue(value: Value): string {
  switch (value.kind) {
    case "number":
      return String(value.value);
    case "string":
      return `"${value.value}"`;
    case "name":
      return `'${value.name}'`;
    case "call":
      return `${value.name}(...)`;
    case "list":
      return "a list";
  }
}
