/**
 * @fileoverview CST → AST: a chevrotain visitor that turns the parser's concrete syntax tree into the
 * typed AST of dsl/ast.ts, with a {@link Span} on every node.
 *
 * After a parse error the CST may lack children (chevrotain's re-sync recovery) or hold tokens that
 * recovery invented (`isInsertedInRecovery`). The visitor never crashes on such a tree: every method
 * returns null when a part it needs (a name, a value, a call) is missing or invented, and the null
 * propagates up to the enclosing statement, which is left out. A broken setting only drops that
 * setting. Statements whose parts are all present are kept even when an error was reported inside
 * them (a missing `;`, tokens skipped by recovery), so a partial program is only a best effort.
 *
 * This file also owns {@link SpanFactory}, which turns offsets into spans (line and column).
 */
import type { CstNode, CstNodeLocation, IToken } from "chevrotain";
import type * as ast from "./ast.ts";
import { decodeString, splitNumber, UNITS } from "./lexer.ts";
import { snnParser } from "./parser.ts";

/** Makes spans for one source text: line and column (1-based) of a start offset. */
export class SpanFactory {
  /** Offset at which each line starts; lines end at `\n` (so `\r\n` counts once). */
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }

  /** The span [start, end) with the line and column of `start`. */
  span(start: number, end: number): ast.Span {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= start) low = mid;
      else high = mid - 1;
    }
    return { file: this.file, start, end, line: low + 1, column: start - this.lineStarts[low]! + 1 };
  }

  /** The line (1-based) holding `offset`. */
  lineOf(offset: number): number {
    return this.span(offset, offset).line;
  }
}

// ---- CST shapes (children by label; everything optional because recovery may drop parts) ----------

type Tokens = IToken[] | undefined;
type Nodes = CstNode[] | undefined;

interface ProgramCtx { network?: CstNode[] }
interface NetworkCtx { name?: IToken[]; statement?: CstNode[] }
interface StatementCtx { [rule: string]: CstNode[] | undefined }
interface ConstCtx { name?: IToken[]; value?: CstNode[] }
interface ShapeCtx { dims?: CstNode[] }
interface InputCtx { name?: IToken[]; shape?: CstNode[]; encoder?: CstNode[] }
interface LayerCtx { name?: IToken[]; shape?: CstNode[]; model?: CstNode[] }
interface ConnectCtx { source?: IToken[]; target?: IToken[]; connection?: CstNode[] }
interface RunCtx { setting?: CstNode[] }
interface ChipCtx { preset?: IToken[]; setting?: CstNode[] }
interface LearnCtx { rule?: IToken[]; setting?: CstNode[] }
interface ProbeCtx { population?: IToken[]; variable?: IToken[] }
interface SettingCtx { key?: IToken[]; value?: CstNode[] }
interface CallCtx { callee?: IToken[]; args?: CstNode[] }
interface ArgumentCtx { name?: IToken[]; value?: CstNode[] }
interface ChainCtx { operands?: CstNode[]; operators?: IToken[] }
interface UnaryCtx { sign?: IToken[]; operand?: CstNode[] }
interface PrimaryCtx {
  NumberLiteral?: IToken[];
  StringLiteral?: IToken[];
  call?: CstNode[];
  Identifier?: IToken[];
  parenthesized?: CstNode[];
  LSquare?: IToken[];
  items?: CstNode[];
}

const BaseVisitor = snnParser.getBaseCstVisitorConstructor<CstNodeLocation | undefined, unknown>();

function notNull<T>(value: T | null): value is T {
  return value !== null;
}

/** The first token of a child list, unless it is missing or was invented by error recovery. */
function realToken(tokens: Tokens): IToken | null {
  const token = tokens?.[0];
  if (!token || token.isInsertedInRecovery || Number.isNaN(token.startOffset)) return null;
  return token;
}

/** Builds the AST; one instance is reused, {@link AstBuilder.build} sets the source for each run. */
export class AstBuilder extends BaseVisitor {
  private spans = new SpanFactory("", "");

  constructor() {
    super();
    this.validateVisitor();
  }

  /** Builds the Program for a CST made by `snnParser.program()` over `spans.text`. */
  build(cst: CstNode, spans: SpanFactory): ast.Program {
    this.spans = spans;
    return this.program(cst.children as ProgramCtx);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Visits the first node of a child list, passing its location; null when it is absent. */
  private sub<T>(nodes: Nodes): T | null {
    const node = nodes?.[0];
    if (!node) return null;
    return (this.visit(node, node.location) as T | null) ?? null;
  }

  /** Visits every node of a child list; null if any of them could not be built. */
  private all<T>(nodes: Nodes): T[] | null {
    const built = (nodes ?? []).map((node) => this.sub<T>([node]));
    return built.every(notNull) ? built : null;
  }

  private locationSpan(location: CstNodeLocation | undefined): ast.Span | null {
    const start = location?.startOffset ?? NaN;
    const end = location?.endOffset ?? NaN;
    if (Number.isNaN(start) || Number.isNaN(end)) return null;
    return this.spans.span(start, end + 1);
  }

  private tokenSpan(token: IToken): ast.Span {
    return this.spans.span(token.startOffset, token.startOffset + token.image.length);
  }

  private joinSpans(first: ast.Span, last: ast.Span): ast.Span {
    return { ...first, end: last.end };
  }

  private identifier(tokens: Tokens): ast.Identifier | null {
    const token = realToken(tokens);
    return token && { kind: "Identifier", name: token.image, span: this.tokenSpan(token) };
  }

  // ---- program and statements -------------------------------------------------------------------

  program(ctx: ProgramCtx): ast.Program {
    const networks = (ctx.network ?? []).map((node) => this.sub<ast.NetworkDecl>([node])).filter(notNull);
    return { kind: "Program", networks, span: this.spans.span(0, this.spans.text.length) };
  }

  network(ctx: NetworkCtx, location?: CstNodeLocation): ast.NetworkDecl | null {
    const name = this.identifier(ctx.name);
    const span = this.locationSpan(location);
    if (!name || !span) return null;
    const body = (ctx.statement ?? []).map((node) => this.sub<ast.Statement>([node])).filter(notNull);
    return { kind: "NetworkDecl", name, body, span };
  }

  statement(ctx: StatementCtx): ast.Statement | null {
    const child = Object.values(ctx).find((nodes) => nodes && nodes.length > 0);
    return this.sub<ast.Statement>(child);
  }

  constDecl(ctx: ConstCtx, location?: CstNodeLocation): ast.ConstDecl | null {
    const name = this.identifier(ctx.name);
    const value = this.sub<ast.Expr>(ctx.value);
    const span = this.locationSpan(location);
    return name && value && span && { kind: "ConstDecl", name, value, span };
  }

  shape(ctx: ShapeCtx): ast.Expr[] | null {
    const dims = this.all<ast.Expr>(ctx.dims);
    return dims && dims.length > 0 ? dims : null;
  }

  inputDecl(ctx: InputCtx, location?: CstNodeLocation): ast.InputDecl | null {
    const name = this.identifier(ctx.name);
    const shape = this.sub<ast.Expr[]>(ctx.shape);
    const encoder = this.sub<ast.Call>(ctx.encoder);
    const span = this.locationSpan(location);
    return name && shape && encoder && span && { kind: "InputDecl", name, shape, encoder, span };
  }

  layerDecl(ctx: LayerCtx, location?: CstNodeLocation): ast.LayerDecl | null {
    const name = this.identifier(ctx.name);
    const shape = this.sub<ast.Expr[]>(ctx.shape);
    const model = this.sub<ast.Call>(ctx.model);
    const span = this.locationSpan(location);
    return name && shape && model && span && { kind: "LayerDecl", name, shape, model, span };
  }

  connectDecl(ctx: ConnectCtx, location?: CstNodeLocation): ast.ConnectDecl | null {
    const source = this.identifier(ctx.source);
    const target = this.identifier(ctx.target);
    const connection = this.sub<ast.Call>(ctx.connection);
    const span = this.locationSpan(location);
    return source && target && connection && span && { kind: "ConnectDecl", source, target, connection, span };
  }

  runBlock(ctx: RunCtx, location?: CstNodeLocation): ast.RunBlock | null {
    const settings = (ctx.setting ?? []).map((node) => this.sub<ast.Setting>([node])).filter(notNull);
    const span = this.locationSpan(location);
    return span && { kind: "RunBlock", settings, span };
  }

  chipBlock(ctx: ChipCtx, location?: CstNodeLocation): ast.ChipBlock | null {
    const preset = this.identifier(ctx.preset);
    const settings = (ctx.setting ?? []).map((node) => this.sub<ast.Setting>([node])).filter(notNull);
    const span = this.locationSpan(location);
    return preset && span && { kind: "ChipBlock", preset, settings, span };
  }

  learnBlock(ctx: LearnCtx, location?: CstNodeLocation): ast.LearnBlock | null {
    const rule = this.identifier(ctx.rule);
    const settings = (ctx.setting ?? []).map((node) => this.sub<ast.Setting>([node])).filter(notNull);
    const span = this.locationSpan(location);
    return rule && span && { kind: "LearnBlock", rule, settings, span };
  }

  probeDecl(ctx: ProbeCtx, location?: CstNodeLocation): ast.ProbeDecl | null {
    const population = this.identifier(ctx.population);
    const variable = this.identifier(ctx.variable);
    const span = this.locationSpan(location);
    return population && variable && span && { kind: "ProbeDecl", population, variable, span };
  }

  setting(ctx: SettingCtx, location?: CstNodeLocation): ast.Setting | null {
    const key = this.identifier(ctx.key);
    const value = this.sub<ast.Expr>(ctx.value);
    const span = this.locationSpan(location);
    return key && value && span && { kind: "Setting", key, value, span };
  }

  // ---- calls and expressions --------------------------------------------------------------------

  call(ctx: CallCtx, location?: CstNodeLocation): ast.Call | null {
    const callee = this.identifier(ctx.callee);
    const args = this.all<ast.Argument>(ctx.args);
    const span = this.locationSpan(location);
    return callee && args && span && { kind: "Call", callee, args, span };
  }

  argument(ctx: ArgumentCtx, location?: CstNodeLocation): ast.Argument | null {
    const name = ctx.name ? this.identifier(ctx.name) : null;
    const value = this.sub<ast.Expr>(ctx.value);
    const span = this.locationSpan(location);
    if ((ctx.name && !name) || !value || !span) return null;
    return { kind: "Argument", name, value, span };
  }

  expression(ctx: ChainCtx): ast.Expr | null {
    return this.leftAssociative(ctx);
  }

  multiplication(ctx: ChainCtx): ast.Expr | null {
    return this.leftAssociative(ctx);
  }

  /** Folds `a op b op c` into `((a op b) op c)`. */
  private leftAssociative(ctx: ChainCtx): ast.Expr | null {
    const operands = this.all<ast.Expr>(ctx.operands);
    const operators = ctx.operators ?? [];
    if (!operands || operands.length !== operators.length + 1) return null;
    let result = operands[0]!;
    for (let i = 0; i < operators.length; i++) {
      const right = operands[i + 1]!;
      const op = operators[i]!.image as ast.Binary["op"];
      result = { kind: "Binary", op, left: result, right, span: this.joinSpans(result.span, right.span) };
    }
    return result;
  }

  unary(ctx: UnaryCtx, location?: CstNodeLocation): ast.Expr | null {
    const operand = this.sub<ast.Expr>(ctx.operand);
    const sign = realToken(ctx.sign);
    if (!ctx.sign) return operand;
    const span = this.locationSpan(location);
    if (!operand || !sign || !span) return null;
    return { kind: "Unary", op: sign.image as ast.Unary["op"], operand, span };
  }

  primary(ctx: PrimaryCtx, location?: CstNodeLocation): ast.Expr | null {
    const span = this.locationSpan(location);
    if (!span) return null;
    if (ctx.NumberLiteral) return this.numberLiteral(ctx.NumberLiteral);
    if (ctx.StringLiteral) {
      const token = realToken(ctx.StringLiteral);
      return token && { kind: "StringLit", value: decodeString(token.image).value, span };
    }
    if (ctx.call) return this.sub<ast.Call>(ctx.call);
    if (ctx.Identifier) {
      const token = realToken(ctx.Identifier);
      return token && { kind: "NameRef", name: token.image, span };
    }
    if (ctx.parenthesized) {
      // The parentheses belong to the expression's text, so its span includes them.
      const inner = this.sub<ast.Expr>(ctx.parenthesized);
      return inner && { ...inner, span };
    }
    if (ctx.LSquare) {
      const items = this.all<ast.Expr>(ctx.items);
      return items && { kind: "ListLit", items, span };
    }
    return null;
  }

  /** A number and its unit; null (left out) when the unit is unknown or the value overflows. */
  private numberLiteral(tokens: IToken[]): ast.NumberLit | null {
    const token = realToken(tokens);
    if (!token) return null;
    const { value, suffix } = splitNumber(token.image);
    if ((suffix !== null && !UNITS.includes(suffix)) || !Number.isFinite(value)) return null;
    return { kind: "NumberLit", value, unit: suffix, span: this.tokenSpan(token) };
  }
}
