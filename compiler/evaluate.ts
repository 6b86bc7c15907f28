/**
 * @fileoverview Evaluation of constant expressions: numbers with units, named constants, arithmetic,
 * lists, strings, bare names (such as `subtract`) and calls (initialisers such as `uniform(0, 1)`,
 * which are kept as data for the checker to interpret).
 */
import type { Expr, Span } from "../dsl/ast.ts";
import { error, type Diagnostic } from "../dsl/diagnostic.ts";
import {
  DIMENSIONLESS,
  UNITS,
  describeDimension,
  divideDimensions,
  multiplyDimensions,
  sameDimension,
  type Dimension,
} from "./units.ts";

export type Value =
  | { kind: "number"; value: number; dimension: Dimension; span: Span }
  | { kind: "string"; value: string; span: Span }
  | { kind: "name"; name: string; span: Span }
  | { kind: "call"; name: string; args: { name: string | null; value: Value; span: Span }[]; span: Span }
  | { kind: "list"; items: Value[]; span: Span };

/** Named constants visible to expressions; null marks a constant whose definition failed (already reported). */
export type Environment = Map<string, Value | null>;

/** Evaluates `expr`; returns null (after adding a diagnostic) when it cannot. */
export function evaluate(expr: Expr, env: Environment, diagnostics: Diagnostic[]): Value | null {
  switch (expr.kind) {
    case "NumberLit": {
      if (expr.unit === null) return { kind: "number", value: expr.value, dimension: DIMENSIONLESS, span: expr.span };
      const unit = UNITS[expr.unit];
      if (!unit) {
        diagnostics.push(error("E105", `unknown unit '${expr.unit}'; units are ${Object.keys(UNITS).join(", ")}`, expr.span));
        return null;
      }
      return { kind: "number", value: expr.value * unit.factor, dimension: unit.dimension, span: expr.span };
    }
    case "StringLit":
      return { kind: "string", value: expr.value, span: expr.span };
    case "NameRef": {
      const bound = env.get(expr.name);
      if (bound === null) return null; // its definition failed: one error is enough
      return bound ? { ...bound, span: expr.span } : { kind: "name", name: expr.name, span: expr.span };
    }
    case "ListLit": {
      const items: Value[] = [];
      for (const item of expr.items) {
        const value = evaluate(item, env, diagnostics);
        if (!value) return null;
        items.push(value);
      }
      return { kind: "list", items, span: expr.span };
    }
    case "Call": {
      const args: { name: string | null; value: Value; span: Span }[] = [];
      for (const arg of expr.args) {
        const value = evaluate(arg.value, env, diagnostics);
        if (!value) return null;
        args.push({ name: arg.name?.name ?? null, value, span: arg.span });
      }
      return { kind: "call", name: expr.callee.name, args, span: expr.span };
    }
    case "Unary": {
      const operand = evaluate(expr.operand, env, diagnostics);
      if (!operand) return null;
      const number = expectNumber(operand, diagnostics);
      if (!number) return null;
      return { ...number, value: expr.op === "-" ? -number.value : number.value, span: expr.span };
    }
    case "Binary":
      return evaluateBinary(expr, env, diagnostics);
  }
}

function evaluateBinary(expr: Extract<Expr, { kind: "Binary" }>, env: Environment, diagnostics: Diagnostic[]): Value | null {
  const leftValue = evaluate(expr.left, env, diagnostics);
  const rightValue = evaluate(expr.right, env, diagnostics);
  if (!leftValue || !rightValue) return null;
  const left = expectNumber(leftValue, diagnostics);
  const right = expectNumber(rightValue, diagnostics);
  if (!left || !right) return null;
  const span = expr.span;
  switch (expr.op) {
    case "+":
    case "-":
      if (!sameDimension(left.dimension, right.dimension)) {
        diagnostics.push(
          error("E105", `cannot ${expr.op === "+" ? "add" : "subtract"} ${describeDimension(right.dimension)} and ${describeDimension(left.dimension)}`, span),
        );
        return null;
      }
      return { kind: "number", value: expr.op === "+" ? left.value + right.value : left.value - right.value, dimension: left.dimension, span };
    case "*":
      return { kind: "number", value: left.value * right.value, dimension: multiplyDimensions(left.dimension, right.dimension), span };
    case "/":
      if (right.value === 0) {
        diagnostics.push(error("E106", "division by zero", expr.right.span));
        return null;
      }
      return { kind: "number", value: left.value / right.value, dimension: divideDimensions(left.dimension, right.dimension), span };
  }
}

function expectNumber(value: Value, diagnostics: Diagnostic[]): Extract<Value, { kind: "number" }> | null {
  if (value.kind === "number") return value;
  const what = value.kind === "name" ? `unknown name '${value.name}'` : `a ${value.kind}`;
  diagnostics.push(error(value.kind === "name" ? "E100" : "E109", `expected a number here, found ${what}`, value.span));
  return null;
}
