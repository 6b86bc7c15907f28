/**
 * @fileoverview Helpers shared by the lowering tests (lowering*.test.ts): DSL text for a one-network
 * file, compiling through the public entry `compileSource` with success or failure insisted on, and
 * finding a population of the result by name.
 */
import { expect } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import type { ChipNetwork, Population } from "../../compiler/ir.ts";
import type { Diagnostic } from "../../dsl/diagnostic.ts";

/** `network n { … }` with one statement a line. */
export const net = (...lines: string[]) => `network n {\n${lines.map((l) => `  ${l}`).join("\n")}\n}\n`;

function describeErrors(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${d.severity} ${d.code} ${d.span ? `${d.span.line}:${d.span.column}` : "-"} ${d.message}`).join("\n");
}

/** Compiles and insists on success. */
export function compile(source: string, chipPreset?: string): ChipNetwork {
  const result = compileSource(source, "t.snn", { chipPreset });
  expect(result.network, describeErrors(result.diagnostics)).not.toBeNull();
  return result.network!;
}

/** Compiles, insists on failure, and returns the errors. */
export function errorsOf(source: string, chipPreset?: string): Diagnostic[] {
  const result = compileSource(source, "t.snn", { chipPreset });
  expect(result.network).toBeNull();
  return result.diagnostics.filter((d) => d.severity === "error");
}

export function pop(network: ChipNetwork, name: string): Population {
  const found = network.populations.find((p) => p.name === name);
  expect(found, `population ${name}`).toBeDefined();
  return found!;
}
