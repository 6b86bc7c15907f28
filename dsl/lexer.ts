/**
 * @fileoverview The `.snn` tokens and the lexer: text in, chevrotain tokens plus lexical problems out.
 *
 * The chevrotain lexer only splits the text. Everything a user can get wrong at the character level
 * is found here and returned as a {@link LexProblem} (offsets only; dsl/parse.ts turns them into
 * E001 diagnostics):
 *   - characters that start no token (`@`),
 *   - a number followed by letters that are not a unit (`20xyz`), or too large to represent (`1e999`),
 *   - an unterminated string or block comment, an unknown escape in a string (`"\n"`).
 * Faulty tokens stay in the token stream where that lets the parser carry on (a number with a bad
 * unit, an unterminated string), so one mistake does not cause a second, confusing parse error.
 *
 * Also exported: {@link splitNumber} and {@link decodeString}, which the CST→AST visitor uses to turn a
 * token's text into a value.
 */
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

/** The units a number may carry, written directly after it (`20ms`, `1.62mV`). */
export const UNITS: readonly string[] = ["s", "ms", "us", "Hz", "kHz", "mV", "V"];

// ---- Tokens that never reach the parser --------------------------------------------------------

const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
const LineComment = createToken({ name: "LineComment", pattern: /(?:\/\/|#)[^\n\r]*/, group: Lexer.SKIPPED });
const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** `/*` with no closing `*\/`: runs to the end of the file; reported, never parsed. */
const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  group: "unterminatedComments",
  line_breaks: true,
});

// ---- Names and keywords ------------------------------------------------------------------------

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });

function keyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
}

export const Network = keyword("network");
export const Const = keyword("const");
export const Input = keyword("input");
export const Layer = keyword("layer");
export const Connect = keyword("connect");
export const Run = keyword("run");
export const Chip = keyword("chip");
export const Probe = keyword("probe");
export const Learn = keyword("learn");

/** The keywords; they cannot be used as names. */
export const KEYWORDS: readonly TokenType[] = [Network, Const, Input, Layer, Connect, Run, Chip, Probe, Learn];

// ---- Literals ----------------------------------------------------------------------------------

/**
 * A number with whatever letters follow it directly. The letters are checked against {@link UNITS}
 * after lexing, so `20xyz` is one token with a clear error rather than a number and a stray name.
 */
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?(?:[A-Za-z_][A-Za-z0-9_]*)?/,
  label: "a number",
});
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  label: "a string",
});
/** A string that reaches the end of its line; it parses as a string (category) and is reported. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
  categories: [StringLiteral],
  label: "a string",
});

// ---- Punctuation -------------------------------------------------------------------------------

function punctuation(name: string, text: string, categories: TokenType[] = []): TokenType {
  const pattern = new RegExp(text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"));
  return createToken({ name, pattern, label: `'${text}'`, categories });
}

/** Category of `+` and `-` in expressions. */
export const AdditiveOperator = createToken({ name: "AdditiveOperator", pattern: Lexer.NA, label: "'+' or '-'" });
/** Category of `*` and `/` in expressions. */
export const MultiplicativeOperator = createToken({
  name: "MultiplicativeOperator",
  pattern: Lexer.NA,
  label: "'*' or '/'",
});

export const LCurly = punctuation("LCurly", "{");
export const RCurly = punctuation("RCurly", "}");
export const LParen = punctuation("LParen", "(");
export const RParen = punctuation("RParen", ")");
export const LSquare = punctuation("LSquare", "[");
export const RSquare = punctuation("RSquare", "]");
export const Comma = punctuation("Comma", ",");
export const Semicolon = punctuation("Semicolon", ";");
export const Colon = punctuation("Colon", ":");
export const Equals = punctuation("Equals", "=");
export const Dot = punctuation("Dot", ".");
export const Arrow = punctuation("Arrow", "->");
export const Plus = punctuation("Plus", "+", [AdditiveOperator]);
export const Minus = punctuation("Minus", "-", [AdditiveOperator]);
export const Star = punctuation("Star", "*", [MultiplicativeOperator]);
export const Slash = punctuation("Slash", "/", [MultiplicativeOperator]);

/** Every token type, in matching order: comments before `/`, numbers before `.`, `->` before `-`. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  Network,
  Const,
  Input,
  Layer,
  Connect,
  Run,
  Chip,
  Probe,
  Learn,
  Identifier,
  Arrow,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LSquare,
  RSquare,
  Comma,
  Semicolon,
  Colon,
  Equals,
  Dot,
  Plus,
  Minus,
  Star,
  Slash,
  AdditiveOperator,
  MultiplicativeOperator,
];

/**
 * "full" position tracking because the parser's node locations need each token's end offset.
 * `ensureOptimizations` makes a token pattern that chevrotain cannot index by first character fail
 * at load time (in the tests) instead of silently slowing every parse down.
 */
const snnLexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: true });

// ---- Token text → values -----------------------------------------------------------------------

/** The parts of a number token: its value and the letters written after it (not yet checked). */
export interface NumberParts {
  value: number;
  /** The letters after the number ("ms"), or null when there are none. */
  suffix: string | null;
  /** Length of the numeric part; the suffix starts at this offset inside the token. */
  digitsLength: number;
}

const NUMBER_PARTS = /^((?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?)(.*)$/;

export function splitNumber(image: string): NumberParts {
  const match = NUMBER_PARTS.exec(image);
  const digits = match?.[1] ?? image;
  const suffix = match?.[2] ? match[2] : null;
  return { value: Number(digits), suffix, digitsLength: digits.length };
}

/** A decoded string literal; `badEscapes` holds the offsets (inside the token) of unknown escapes. */
export interface DecodedString {
  value: string;
  terminated: boolean;
  badEscapes: number[];
}

/** Decodes a string token's text: strips the quotes and resolves `\"` and `\\`. */
export function decodeString(image: string): DecodedString {
  const terminated = image.length >= 2 && image.endsWith('"') && !endsInsideEscape(image);
  const body = image.slice(1, terminated ? -1 : undefined);
  let value = "";
  const badEscapes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) break; // a lone `\` at the end of an unterminated string
    if (next === '"' || next === "\\") value += next;
    else badEscapes.push(i + 1); // +1 for the opening quote
    i++;
  }
  return { value, terminated, badEscapes };
}

/** True when the final `"` of `image` is escaped (`"abc\"`), i.e. the string is not closed. */
function endsInsideEscape(image: string): boolean {
  let backslashes = 0;
  for (let i = image.length - 2; i > 0 && image[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}

// ---- Lexing ------------------------------------------------------------------------------------

/** A character-level mistake at [start, end) in the text. */
export interface LexProblem {
  message: string;
  start: number;
  end: number;
}

export interface LexResult {
  /** Tokens for the parser (comments and white space removed). */
  tokens: IToken[];
  problems: LexProblem[];
  /** True when a block comment was not closed (it swallowed the rest of the file). */
  hasUnterminatedComment: boolean;
}

const UNIT_LIST = UNITS.join(", ");

/** Splits `text` into tokens and collects every lexical problem; never throws. */
export function tokenize(text: string): LexResult {
  const result = snnLexer.tokenize(text);
  const problems: LexProblem[] = [];
  for (const error of result.errors) {
    const chars = text.slice(error.offset, error.offset + error.length);
    problems.push({ message: describeUnexpected(chars), start: error.offset, end: error.offset + error.length });
  }
  const comments = result.groups["unterminatedComments"] ?? [];
  for (const comment of comments) {
    problems.push({
      message: "unterminated comment: '/*' has no closing '*/'",
      start: comment.startOffset,
      end: comment.startOffset + 2,
    });
  }
  for (const token of result.tokens) {
    if (token.tokenType === NumberLiteral) checkNumber(token, problems);
    else if (token.tokenType === StringLiteral || token.tokenType === UnterminatedString) checkString(token, problems);
  }
  problems.sort((a, b) => a.start - b.start);
  return { tokens: result.tokens, problems, hasUnterminatedComment: comments.length > 0 };
}

function checkNumber(token: IToken, problems: LexProblem[]): void {
  const { value, suffix, digitsLength } = splitNumber(token.image);
  const start = token.startOffset;
  if (suffix !== null && !UNITS.includes(suffix)) {
    problems.push({
      message: `unknown unit '${suffix}' after number; units are ${UNIT_LIST}`,
      start: start + digitsLength,
      end: start + token.image.length,
    });
  } else if (!Number.isFinite(value)) {
    problems.push({ message: `number '${token.image}' is too large`, start, end: start + token.image.length });
  }
}

function checkString(token: IToken, problems: LexProblem[]): void {
  const decoded = decodeString(token.image);
  const start = token.startOffset;
  if (!decoded.terminated) {
    problems.push({
      message: "unterminated string: add a closing '\"' before the end of the line",
      start,
      end: start + token.image.length,
    });
  }
  for (const at of decoded.badEscapes) {
    const escape = token.image.slice(at, at + 2);
    problems.push({
      message: `unknown escape '${escape}' in string; only \\" and \\\\ are escapes`,
      start: start + at,
      end: start + at + escape.length,
    });
  }
}

function describeUnexpected(chars: string): string {
  const shown = [...chars].map((c) => (/[\p{L}\p{N}\p{P}\p{S}]/u.test(c) ? c : codePoint(c))).join("");
  const clipped = shown.length > 20 ? `${shown.slice(0, 20)}…` : shown;
  return [...chars].length === 1 ? `unexpected character '${clipped}'` : `unexpected characters '${clipped}'`;
}

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}
