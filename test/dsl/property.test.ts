/**
 * @fileoverview Property tests of parseSource (fast-check): for arbitrary text, for soups of `.snn`
 * tokens, and for random mutations of a valid program (tokens deleted, duplicated or inserted):
 *   - it never throws;
 *   - every diagnostic is E001 or E002, has a plain-words message and a span inside the text whose
 *     line and column agree with its offset;
 *   - every AST node's span lies inside the text and inside its parent's span;
 *   - no diagnostics means a program; and the shared parser keeps no state between runs.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Span } from "../../dsl/ast.ts";
import { tokenize } from "../../dsl/lexer.ts";
import { parseSource } from "../../dsl/parse.ts";

const cubaText = readFileSync(new URL("./fixtures/cuba.snn", import.meta.url), "utf8");
const cubaAst = JSON.stringify(parseSource(cubaText, "cuba.snn"));

/** Line and column (1-based) of `offset`, counted independently of the code under test. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}

/** What is wrong with `span` (empty when nothing): outside the text or `outer`, or a wrong line/column. */
function spanProblems(span: Span, text: string, outer: Span | null, what: string): string[] {
  const problems: string[] = [];
  if (!(span.start >= 0 && span.start <= span.end && span.end <= text.length)) {
    problems.push(`${what}: span [${span.start}, ${span.end}) outside the text (length ${text.length})`);
  }
  const expected = lineAndColumn(text, span.start);
  if (span.line !== expected.line || span.column !== expected.column) {
    problems.push(`${what}: ${span.line}:${span.column} but offset ${span.start} is at ${expected.line}:${expected.column}`);
  }
  if (outer && (span.start < outer.start || span.end > outer.end)) {
    problems.push(`${what}: span [${span.start}, ${span.end}) outside its parent [${outer.start}, ${outer.end})`);
  }
  return problems;
}

/** Walks every AST node (any object with a `kind` and a `span`) and collects span problems. */
function nodeSpanProblems(node: unknown, text: string, outer: Span | null, problems: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) nodeSpanProblems(item, text, outer, problems);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  const span = record["span"] as Span | undefined;
  if (span) problems.push(...spanProblems(span, text, outer, String(record["kind"])));
  for (const [key, value] of Object.entries(record)) {
    if (key !== "span") nodeSpanProblems(value, text, span ?? outer, problems);
  }
}

const CHEVROTAIN_WORDING = /-->|<--|Expecting|token of type|undefined|NaN/;

/** Runs parseSource (which must not throw) and lists every broken invariant of the file overview. */
function parseProblems(text: string): string[] {
  const result = parseSource(text, "prop.snn");
  const problems: string[] = [];
  for (const d of result.diagnostics) {
    const what = `${d.code} ${d.message}`;
    if (d.code !== "E001" && d.code !== "E002") problems.push(`${what}: unknown code`);
    if (d.severity !== "error") problems.push(`${what}: not an error`);
    if (d.message === "" || CHEVROTAIN_WORDING.test(d.message)) problems.push(`${what}: not plain words`);
    if (!d.span) problems.push(`${what}: no span`);
    else problems.push(...spanProblems(d.span, text, null, what));
  }
  if (result.diagnostics.length === 0 && !result.program) problems.push("no diagnostics but no program");
  if (result.program) nodeSpanProblems(result.program, text, null, problems);
  return problems;
}

function checkParse(text: string): void {
  expect(parseProblems(text)).toEqual([]);
}

/** Pieces of `.snn` text, valid and invalid, for token soups and insertions. */
const VOCABULARY = [
  "network", "const", "input", "layer", "connect", "run", "chip", "probe", "n", "exc", "lif", "x_1",
  "{", "}", "(", ")", "[", "]", ",", ";", ":", "=", ".", "->", "+", "-", "*", "/",
  "12", "1.5", ".5", "1e-3", "20ms", "1.62mV", "3kHz", "20xyz", "1e999", '"w.npy"', '"a\\"b"', '"open',
  "//c\n", "# c\n", "/* c */", "/*", "@", "$", "\\", "\"", "\n", " ", "\t", "\r\n", "é",
];

const tokenSoup = fc
  .array(fc.tuple(fc.constantFrom(...VOCABULARY), fc.constantFrom("", " ", "\n")), { maxLength: 80 })
  .map((pieces) => pieces.map(([piece, gap]) => piece + gap).join(""));

/** The valid program as (gap before token, token) pairs, so mutations keep the original layout. */
const cubaPieces: string[] = (() => {
  const pieces: string[] = [];
  let last = 0;
  for (const token of tokenize(cubaText).tokens) {
    const end = token.startOffset + token.image.length;
    pieces.push(cubaText.slice(last, end));
    last = end;
  }
  pieces.push(cubaText.slice(last));
  return pieces;
})();

type Mutation = { op: "delete" | "duplicate" | "insert"; at: number; piece: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("delete", "duplicate", "insert"),
  at: fc.nat({ max: cubaPieces.length - 1 }),
  piece: fc.constantFrom(...VOCABULARY),
});

function mutate(mutations: Mutation[]): string {
  const pieces = [...cubaPieces];
  for (const { op, at, piece } of mutations) {
    const i = Math.min(at, pieces.length - 1);
    if (op === "delete") pieces.splice(i, 1);
    else if (op === "duplicate") pieces.splice(i, 0, pieces[i] ?? "");
    else pieces.splice(i, 0, ` ${piece}`);
  }
  return pieces.join("");
}

describe("parseSource never throws and reports in-range spans", () => {
  it("the pieces of the valid program put back together are the program, which parses cleanly", () => {
    expect(cubaPieces.join("")).toBe(cubaText);
    expect(parseSource(cubaText, "cuba.snn").diagnostics).toEqual([]);
    expect(parseProblems(cubaText)).toEqual([]);
  });

  it("catches broken invariants (the checker itself works)", () => {
    const span = { file: "f", start: 3, end: 9, line: 1, column: 1 };
    expect(spanProblems(span, "abcdefgh", null, "x")).toEqual([
      "x: span [3, 9) outside the text (length 8)",
      "x: 1:1 but offset 3 is at 1:4",
    ]);
  });

  it("for arbitrary text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), checkParse), { numRuns: 200 });
  });

  it("for arbitrary ASCII text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary-ascii", maxLength: 300 }), checkParse), { numRuns: 200 });
  });

  it("for soups of .snn tokens", () => {
    fc.assert(fc.property(tokenSoup, checkParse), { numRuns: 500 });
  });

  it("for random mutations of a valid program", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        checkParse(mutate(mutations));
        // the shared parser must not carry anything over from the broken file
        expect(JSON.stringify(parseSource(cubaText, "cuba.snn")) === cubaAst).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
