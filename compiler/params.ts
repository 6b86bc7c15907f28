/**
 * @fileoverview Table-driven binding of call arguments (`lif(tau = 20ms, vth = 1)`) to parameter
 * schemas: unknown, duplicate and missing parameters, wrong units and out-of-range values are all
 * reported here, once, with the same wording for every construct.
 */
import type { Span } from "../dsl/ast.ts";
import { error, type Diagnostic } from "../dsl/diagnostic.ts";
import type { Value } from "./evaluate.ts";
import { describeDimension, sameDimension, type Dimension } from "./units.ts";

export type ParamType =
  /**
   * A number of the given dimension; `optionalUnit` also accepts a plain number (voltages may be
   * unitless); `perLayer` also accepts a list of such numbers, one per layer (`rate_reg = [0.3, 4]`).
   */
  | { kind: "number"; dimension: Dimension; optionalUnit?: boolean; min?: number; max?: number; integer?: boolean; minExclusive?: boolean; maxExclusive?: boolean; perLayer?: boolean }
  /** A number or an initialiser call (uniform, normal, file) — per-element values. */
  | { kind: "initializer"; dimension: Dimension; optionalUnit?: boolean }
  /** A number or one of the listed bare words. */
  | { kind: "numberOrWord"; dimension: Dimension; optionalUnit?: boolean; words: string[] }
  | { kind: "list"; dimension: Dimension }
  /** One of the listed bare words, e.g. `decay = shift`. */
  | { kind: "word"; words: string[] };

export interface ParamSpec {
  name: string;
  type: ParamType;
  /** Required when there is no default. */
  default?: number | string | null;
  doc: string;
}

export interface BoundArgs {
  values: Map<string, Value>;
  span: Span;
}

export function describeParams(specs: readonly ParamSpec[]): string {
  return specs.map((s) => s.name).join(", ");
}

/**
 * Binds named and positional arguments of a call to `specs` (positional ones in schema order).
 * Returns null if any argument is unusable; every problem becomes a diagnostic.
 */
export function bindArgs(
  what: string,
  args: { name: string | null; value: Value; span: Span }[],
  specs: readonly ParamSpec[],
  span: Span,
  diagnostics: Diagnostic[],
): BoundArgs | null {
  const values = new Map<string, Value>();
  let ok = true;
  args.forEach((arg, position) => {
    const spec = arg.name === null ? specs[position] : specs.find((s) => s.name === arg.name);
    if (!spec) {
      diagnostics.push(
        arg.name === null
          ? error("E103", `${what} takes at most ${specs.length} positional arguments`, arg.span)
          : error("E103", `${what} has no parameter '${arg.name}'${suggest(arg.name, specs.map((s) => s.name))}; its parameters are ${describeParams(specs)}`, arg.span),
      );
      ok = false;
      return;
    }
    if (values.has(spec.name)) {
      diagnostics.push(error("E101", `parameter '${spec.name}' of ${what} is given twice`, arg.span));
      ok = false;
      return;
    }
    if (!checkType(what, spec, arg.value, diagnostics)) ok = false;
    values.set(spec.name, arg.value);
  });
  for (const spec of specs) {
    if (!values.has(spec.name) && spec.default === undefined) {
      diagnostics.push(error("E104", `${what} needs parameter '${spec.name}' (${spec.doc})`, span));
      ok = false;
    }
  }
  return ok ? { values, span } : null;
}

function checkType(what: string, spec: ParamSpec, value: Value, diagnostics: Diagnostic[]): boolean {
  const type = spec.type;
  const label = `'${spec.name}' of ${what}`;
  if (type.kind === "numberOrWord" && value.kind === "name") {
    if (type.words.includes(value.name)) return true;
    diagnostics.push(error("E106", `${label} must be a number or one of: ${type.words.join(", ")}; found '${value.name}'`, value.span));
    return false;
  }
  if (type.kind === "word") {
    if (value.kind === "name" && type.words.includes(value.name)) return true;
    diagnostics.push(error("E106", `${label} must be one of: ${type.words.join(", ")}`, value.span));
    return false;
  }
  if (type.kind === "initializer" && (value.kind === "call" || value.kind === "list")) {
    // Initialiser arguments and list items carry the parameter's unit: uniform(1ms, 5ms), [1, 2].
    const numbers = value.kind === "list" ? value.items : value.name === "file" ? [] : value.args.map((a) => a.value);
    return numbers.every((item) => checkNumber(label, type.dimension, type.optionalUnit ?? false, item, diagnostics));
  }
  if (type.kind === "list") {
    if (value.kind !== "list") {
      diagnostics.push(error("E109", `${label} must be a list such as [1ms, 5ms]`, value.span));
      return false;
    }
    return value.items.every((item) => checkNumber(label, type.dimension, false, item, diagnostics));
  }
  if (type.kind === "number" && type.perLayer && value.kind === "list") {
    if (value.items.length === 0) {
      diagnostics.push(error("E109", `${label} must be a number or a list with one number per layer, found an empty list`, value.span));
      return false;
    }
    return value.items.every((item) => checkType(what, { ...spec, type: { ...type, perLayer: false } }, item, diagnostics));
  }
  if (!checkNumber(label, type.dimension, type.optionalUnit ?? false, value, diagnostics)) return false;
  if (type.kind !== "number" || value.kind !== "number") return true;
  const n = value.value;
  const tooSmall = type.min !== undefined && (type.minExclusive ? n <= type.min : n < type.min);
  const tooLarge = type.max !== undefined && (type.maxExclusive ? n >= type.max : n > type.max);
  if (!Number.isFinite(n) || tooSmall || tooLarge) {
    const bound = [
      type.min !== undefined ? `${type.minExclusive ? ">" : "≥"} ${type.min}` : null,
      type.max !== undefined ? `${type.maxExclusive ? "<" : "≤"} ${type.max}` : null,
    ].filter(Boolean).join(" and ");
    diagnostics.push(error("E106", `${label} is ${n}, but must be ${bound}`, value.span));
    return false;
  }
  if (type.integer && !Number.isInteger(n)) {
    diagnostics.push(error("E106", `${label} must be a whole number, found ${n}`, value.span));
    return false;
  }
  return true;
}

function checkNumber(label: string, dimension: Dimension, optionalUnit: boolean, value: Value, diagnostics: Diagnostic[]): boolean {
  if (value.kind === "name") {
    diagnostics.push(error("E100", `unknown name '${value.name}' in ${label}`, value.span));
    return false;
  }
  if (value.kind !== "number") {
    diagnostics.push(error("E109", `${label} must be ${describeDimension(dimension)}, found a ${value.kind}`, value.span));
    return false;
  }
  if (sameDimension(value.dimension, dimension)) return true;
  if (optionalUnit && value.dimension.time === 0 && value.dimension.voltage === 0) return true;
  const hint = sameDimension(dimension, { time: 1, voltage: 0 }) && value.dimension.time === 0 && value.dimension.voltage === 0
    ? ` (write it with a unit, e.g. ${value.value}ms)`
    : "";
  diagnostics.push(error("E105", `${label} must be ${describeDimension(dimension)}, found ${describeDimension(value.dimension)}${hint}`, value.span));
  return false;
}

/** ", did you mean 'x'?" for a close match (edit distance ≤ 2), or "". */
export function suggest(name: string, candidates: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean '${best}'?)` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The numbers of a bound `perLayer` parameter given as a list, or null when it is one number or absent. */
export function numberListArg(bound: BoundArgs, spec: ParamSpec): number[] | null {
  const value = bound.values.get(spec.name);
  return value && value.kind === "list" ? value.items.map((item) => (item.kind === "number" ? item.value : NaN)) : null;
}

/** Numeric value of a bound parameter (after checkType), or its default. */
export function numberArg(bound: BoundArgs, spec: ParamSpec): number {
  const value = bound.values.get(spec.name);
  if (value && value.kind === "number") return value.value;
  return typeof spec.default === "number" ? spec.default : NaN;
}
