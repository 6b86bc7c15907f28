/**
 * @fileoverview The typed AST of a `.snn` network description.
 *
 * The AST holds what the user wrote, with a source span on every node; it carries no meaning yet
 * (no resolved names, no units converted, no shapes checked). The checker (compiler/check.ts)
 * turns it into a checked network. docs/dsl.md is the user-facing reference of the syntax.
 *
 *   Program
 *   └─ NetworkDecl
 *      ├─ ConstDecl        const NAME = expr;
 *      ├─ InputDecl        input NAME[dims] : encoder(args);
 *      ├─ LayerDecl        layer NAME[dims] : model(args);
 *      ├─ ConnectDecl      connect A -> B : kind(args);
 *      ├─ RunBlock         run { key = expr; ... }
 *      ├─ ChipBlock        chip NAME { key = expr; ... }   or   chip NAME;
 *      ├─ ProbeDecl        probe NAME.v;
 *      └─ LearnBlock       learn sfdfa { key = expr; ... }
 */

/** A half-open character range [start, end) in one source file, with 1-based line/column of start. */
export interface Span {
  file: string;
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface Program {
  kind: "Program";
  networks: NetworkDecl[];
  span: Span;
}

export type Statement = ConstDecl | InputDecl | LayerDecl | ConnectDecl | RunBlock | ChipBlock | ProbeDecl | LearnBlock;

export interface NetworkDecl {
  kind: "NetworkDecl";
  name: Identifier;
  body: Statement[];
  span: Span;
}

export interface Identifier {
  kind: "Identifier";
  name: string;
  span: Span;
}

export interface ConstDecl {
  kind: "ConstDecl";
  name: Identifier;
  value: Expr;
  span: Span;
}

/** `input NAME[d1, d2, ...] : encoder(arg, name = value, ...);` */
export interface InputDecl {
  kind: "InputDecl";
  name: Identifier;
  shape: Expr[];
  encoder: Call;
  span: Span;
}

/** `layer NAME[d1, ...] : model(args);` */
export interface LayerDecl {
  kind: "LayerDecl";
  name: Identifier;
  shape: Expr[];
  model: Call;
  span: Span;
}

/** `connect SRC -> DST : kind(args);` */
export interface ConnectDecl {
  kind: "ConnectDecl";
  source: Identifier;
  target: Identifier;
  connection: Call;
  span: Span;
}

export interface Setting {
  kind: "Setting";
  key: Identifier;
  value: Expr;
  span: Span;
}

/** `run { steps = 1000; dt = 1ms; seed = 3; }` */
export interface RunBlock {
  kind: "RunBlock";
  settings: Setting[];
  span: Span;
}

/** `chip loihi;` or `chip generic { neurons_per_core = 1024; }` */
export interface ChipBlock {
  kind: "ChipBlock";
  preset: Identifier;
  settings: Setting[];
  span: Span;
}

/** `learn sfdfa { output = out; lr = 0.00015; }`: the on-chip learning rule and its settings. */
export interface LearnBlock {
  kind: "LearnBlock";
  rule: Identifier;
  settings: Setting[];
  span: Span;
}

/** `probe NAME.v;` */
export interface ProbeDecl {
  kind: "ProbeDecl";
  population: Identifier;
  variable: Identifier;
  span: Span;
}

/** `name(positional..., key = value, ...)`; also used for initialisers such as `uniform(0, 1)`. */
export interface Call {
  kind: "Call";
  callee: Identifier;
  args: Argument[];
  span: Span;
}

export interface Argument {
  kind: "Argument";
  /** null for a positional argument. */
  name: Identifier | null;
  value: Expr;
  span: Span;
}

export type Expr = NumberLit | StringLit | NameRef | Unary | Binary | Call | ListLit;

/** A number with an optional unit suffix: `20ms`, `0.5`, `1e-3 s`, `100us`, `3mV`. */
export interface NumberLit {
  kind: "NumberLit";
  value: number;
  /** The unit as written ("ms", "us", "s", "mV", "V", "Hz"), or null. */
  unit: string | null;
  span: Span;
}

export interface StringLit {
  kind: "StringLit";
  value: string;
  span: Span;
}

export interface NameRef {
  kind: "NameRef";
  name: string;
  span: Span;
}

export interface Unary {
  kind: "Unary";
  op: "-" | "+";
  operand: Expr;
  span: Span;
}

export interface Binary {
  kind: "Binary";
  op: "+" | "-" | "*" | "/";
  left: Expr;
  right: Expr;
  span: Span;
}

export interface ListLit {
  kind: "ListLit";
  items: Expr[];
  span: Span;
}
