/**
 * @fileoverview The public entry of the `.snn` front end: {@link parseSource}, text in, AST and
 * diagnostics out. It runs the lexer (dsl/lexer.ts), the parser (dsl/parser.ts) and the CST→AST
 * visitor (dsl/to-ast.ts), and turns their problems into diagnostics:
 *   - E001: lexical errors (unexpected character, unknown unit, unterminated string or comment, …),
 *   - E002: syntax errors (a missing `;`, a missing name, …).
 * All errors of a file are reported in one run; parsing recovers after each one. It never throws.
 */
import { EOF, type IRecognitionException, type IToken } from "chevrotain";
import type { Program } from "./ast.ts";
import { error, type Diagnostic } from "./diagnostic.ts";
import { tokenize, UnterminatedString, type LexResult } from "./lexer.ts";
import { snnParser } from "./parser.ts";
import { AstBuilder, SpanFactory } from "./to-ast.ts";

/** Code of lexical errors (characters that form no valid token). */
export const LEXICAL_ERROR = "E001";
/** Code of syntax errors (tokens in an order the grammar does not allow). */
export const SYNTAX_ERROR = "E002";

export interface ParseResult {
  /**
   * The AST. When `diagnostics` holds errors it is partial (a best effort): it keeps every statement
   * whose names, values and calls are all present, even if an error was reported inside it, and
   * leaves out the others (see dsl/to-ast.ts). Callers must check `hasErrors(diagnostics)` before
   * using it. It is null only if the parser itself failed (input nested too deeply), which is
   * reported as an E002 diagnostic at 1:1.
   */
  program: Program | null;
  /** Errors sorted by position in the text; every one has a span inside the text. */
  diagnostics: Diagnostic[];
}

const astBuilder = new AstBuilder();

/** Parses the text of one `.snn` file; `file` is the name used in spans. Never throws. */
export function parseSource(text: string, file: string): ParseResult {
  const spans = new SpanFactory(file, text);
  const diagnostics: Diagnostic[] = [];
  try {
    const lexed = tokenize(text);
    for (const problem of lexed.problems) {
      diagnostics.push(error(LEXICAL_ERROR, problem.message, spans.span(problem.start, problem.end)));
    }
    snnParser.input = lexed.tokens;
    const cst = snnParser.program();
    diagnostics.push(...syntaxDiagnostics(snnParser.errors, lexed, spans));
    const program = astBuilder.build(cst, spans);
    return { program, diagnostics: sortByPosition(diagnostics) };
  } catch (e) {
    diagnostics.push(error(SYNTAX_ERROR, describeFailure(e), spans.span(0, 0)));
    return { program: null, diagnostics: sortByPosition(diagnostics) };
  } finally {
    snnParser.input = []; // do not keep the tokens (and the text they point into) alive
  }
}

/**
 * Converts chevrotain's parse errors into diagnostics. Where it points:
 *   - at the unexpected token, normally;
 *   - just after the previous token when the unexpected one is on a later line, so that a missing
 *     `;` at the end of a line is shown where it belongs;
 *   - just after the last token for errors at the end of the file.
 * Only the first error at any one token is kept (the others follow from it). Errors that an E001
 * already explains are dropped: those right after characters the lexer skipped (`20ms @ 2`), right
 * after an unterminated string (which swallowed the rest of its line), and those at the end of the
 * file after an unterminated comment.
 */
function syntaxDiagnostics(errors: IRecognitionException[], lexed: LexResult, spans: SpanFactory): Diagnostic[] {
  const result: Diagnostic[] = [];
  const seenTokens = new Set<number>();
  const lastToken = lexed.tokens[lexed.tokens.length - 1];
  const endOfInput = lastToken ? tokenEnd(lastToken) : 0;
  for (const e of errors) {
    const found = e.token;
    const atEnd = !isRealToken(found);
    if (atEnd && lexed.hasUnterminatedComment) continue;
    const tokenStart = atEnd ? endOfInput : found.startOffset;
    const previous = (e as { previousToken?: IToken }).previousToken;
    if (seenTokens.has(tokenStart) || followsLexicalError(previous, tokenStart, lexed)) continue;
    seenTokens.add(tokenStart);
    let start = tokenStart;
    let end = atEnd ? endOfInput : tokenEnd(found);
    if (!atEnd && isRealToken(previous) && spans.lineOf(previous.startOffset) < spans.lineOf(found.startOffset)) {
      start = end = tokenEnd(previous);
    }
    result.push(error(SYNTAX_ERROR, e.message, spans.span(start, end)));
  }
  return result;
}

/** True when the text between `previous` and `foundStart` held a lexical error (or `previous` is one). */
function followsLexicalError(previous: IToken | undefined, foundStart: number, lexed: LexResult): boolean {
  if (!isRealToken(previous)) return false;
  if (previous.tokenType === UnterminatedString) return true;
  const gapStart = tokenEnd(previous);
  // problems are sorted by start: find the first one at or after the gap
  let low = 0;
  let high = lexed.problems.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (lexed.problems[mid]!.start < gapStart) low = mid + 1;
    else high = mid;
  }
  const problem = lexed.problems[low];
  return problem !== undefined && problem.start < foundStart;
}

function isRealToken(token: IToken | undefined): token is IToken {
  return !!token && token.tokenType !== EOF && !token.isInsertedInRecovery && !Number.isNaN(token.startOffset);
}

function tokenEnd(token: IToken): number {
  return token.startOffset + token.image.length;
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
}

function describeFailure(e: unknown): string {
  if (e instanceof RangeError) {
    return "the file is nested too deeply to parse (too many parentheses, brackets or signs inside each other)";
  }
  const detail = e instanceof Error ? e.message : String(e);
  return `internal error in the parser (${detail}); please report this with the file that caused it`;
}
