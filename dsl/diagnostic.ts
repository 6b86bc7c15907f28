/**
 * @fileoverview Diagnostics as data: every stage reports problems as a list of these, never by
 * throwing. They are rendered once, at the edge (CLI), with the source line and a caret.
 */
import type { Span } from "./ast.ts";

export type Severity = "error" | "warning" | "note";

export interface Diagnostic {
  severity: Severity;
  /** Stable code, e.g. "E101"; tests match codes, not wording. */
  code: string;
  message: string;
  /** Where in the source; null for problems that belong to no source position (a missing file). */
  span: Span | null;
}

export function error(code: string, message: string, span: Span | null): Diagnostic {
  return { severity: "error", code, message, span };
}

export function warning(code: string, message: string, span: Span | null): Diagnostic {
  return { severity: "warning", code, message, span };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/**
 * Renders one diagnostic as `file:line:col: error E101: message`, followed by the source line and a
 * caret under the span. `sourceText` is the text of span.file (or undefined when not available).
 */
export function renderDiagnostic(d: Diagnostic, sourceText?: string): string {
  if (!d.span) return `${d.severity} ${d.code}: ${d.message}`;
  const { file, line, column, start, end } = d.span;
  const head = `${file}:${line}:${column}: ${d.severity} ${d.code}: ${d.message}`;
  if (sourceText === undefined) return head;
  const lines = sourceText.split(/\r?\n/);
  const text = lines[line - 1] ?? "";
  const width = Math.max(1, Math.min(end - start, text.length - (column - 1)));
  const gutter = String(line).padStart(4);
  return `${head}\n${gutter} | ${text}\n${" ".repeat(gutter.length)} | ${" ".repeat(column - 1)}${"^".repeat(width)}`;
}
