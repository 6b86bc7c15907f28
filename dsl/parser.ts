/**
 * @fileoverview The `.snn` grammar as a chevrotain CstParser, and the wording of its errors.
 *
 * The parser builds a concrete syntax tree (CST); dsl/to-ast.ts turns it into the AST. Error recovery
 * is on: a broken statement is reported and skipped up to the next `;`, `}` or statement keyword, so
 * errors in later statements are still found. Labels (`LABEL: "dims"`) name the CST children that
 * the visitor reads.
 *
 * Error messages name what the user wrote (`';'`, `'connect'`, "a population name"), never token
 * class names; see {@link snnErrorMessages}. The parser is built once ({@link snnParser}) and reused.
 */
import { CstParser, EOF, tokenMatcher, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import {
  AdditiveOperator,
  allTokens,
  Arrow,
  Chip,
  Colon,
  Comma,
  Connect,
  Const,
  Dot,
  Equals,
  Identifier,
  Input,
  KEYWORDS,
  Layer,
  LCurly,
  LParen,
  LSquare,
  MultiplicativeOperator,
  Network,
  NumberLiteral,
  Learn,
  Probe,
  RCurly,
  RParen,
  RSquare,
  Run,
  Semicolon,
  StringLiteral,
} from "./lexer.ts";

// ---- Error wording ------------------------------------------------------------------------------

/** What each statement rule is called in messages ("expected ';' after the layer declaration"). */
const STATEMENT_NOUN: Record<string, string> = {
  constDecl: "const declaration",
  inputDecl: "input declaration",
  layerDecl: "layer declaration",
  connectDecl: "connect statement",
  chipBlock: "chip statement",
  learnBlock: "learn block",
  probeDecl: "probe statement",
  setting: "setting",
};

/** What an expected name means in each rule ("expected a population name after 'connect'"). */
const NAME_NOUN: Record<string, string> = {
  network: "a network name",
  constDecl: "a constant name",
  inputDecl: "an input name",
  layerDecl: "a layer name",
  connectDecl: "a population name",
  chipBlock: "a chip preset name",
  learnBlock: "a learning rule (sfdfa or dfa)",
  probeDecl: "a population name",
  setting: "a setting name",
  call: "a name such as lif(...)",
  argument: "an argument name",
};

/** Which block a '}' closes. */
const BLOCK_NOUN: Record<string, string> = { runBlock: "run", chipBlock: "chip", learnBlock: "learn" };

/** What a `:` introduces in each declaration. */
const COLON_NOUN: Record<string, string> = {
  inputDecl: "the encoder, e.g. ': rate(gain = 1)'",
  layerDecl: "the neuron model, e.g. ': lif(tau = 20ms)'",
  connectDecl: "the connection, e.g. ': dense(weight = 0.5)'",
};

const STATEMENT_KEYWORDS = "const, input, layer, connect, run, chip or probe";

/** Shows a token the way the user wrote it: `'connect'`, `"w.npy"`, or "end of file". */
export function describeToken(token: IToken | undefined): string {
  if (!token || token.tokenType === EOF) return "end of file";
  const image = token.image.length > 24 ? `${token.image.slice(0, 24)}…` : token.image;
  return token.tokenType === StringLiteral || image.startsWith('"') ? `the string ${image}` : `'${image}'`;
}

/** ` after 'x'` for a real previous token, or "" at the start of the file. */
function after(previous: IToken | undefined): string {
  if (!previous || previous.tokenType === EOF || previous.image === "") return "";
  return ` after ${describeToken(previous)}`;
}

function expectedWhat(expected: TokenType, previous: IToken | undefined, ruleName: string): string {
  const noun = STATEMENT_NOUN[ruleName];
  switch (expected) {
    case Semicolon:
      return noun ? `';' after the ${noun}` : `';'${after(previous)}`;
    case Identifier: {
      const name = ruleName === "probeDecl" && previous?.tokenType === Dot ? "a variable name" : NAME_NOUN[ruleName];
      return `${name ?? "a name"}${after(previous)}`;
    }
    case RCurly:
      if (ruleName === "network") return `a statement (${STATEMENT_KEYWORDS}) or '}' to close the network`;
      return `a setting (name = value;) or '}' to close the ${BLOCK_NOUN[ruleName] ?? "chip"} block`;
    case LCurly:
      return ruleName === "network" ? "'{' after the network name" : `'{'${after(previous)}`;
    case RSquare:
      return ruleName === "primary" ? "',' or ']' in the list" : "',' or ']' in the shape";
    case LSquare:
      return `'[' and the shape (e.g. '[100]')${after(previous)}`;
    case Colon:
      return COLON_NOUN[ruleName] ? `':' and ${COLON_NOUN[ruleName]}` : `':'${after(previous)}`;
    case Arrow:
      return "'->' between the two population names";
    case Dot:
      return "'.' between the population and the variable, as in 'probe exc.v;'";
    case RParen:
      return ruleName === "call" ? "',' or ')' in the argument list" : "')' to close the parenthesis";
    case EOF:
      return "'network' at the top level";
    default:
      return `${expected.LABEL ?? expected.name}${after(previous)}`;
  }
}

/** A second sentence for two common slips: a keyword used as a name, a statement outside a network. */
function hint(expected: TokenType, actual: IToken): string {
  const isKeyword = KEYWORDS.includes(actual.tokenType);
  if (expected === Identifier && isKeyword) return `; '${actual.image}' is a keyword and cannot be a name`;
  if (expected === EOF && isKeyword && actual.tokenType !== Network) {
    return "; statements belong inside 'network NAME { ... }'";
  }
  return "";
}

/** Plain-language parse errors; chevrotain calls these while parsing. */
export const snnErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    return `expected ${expectedWhat(expected, previous, ruleName)}, found ${describeToken(actual)}${hint(expected, actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected 'network' at the top level, found ${describeToken(firstRedundant)}${hint(EOF, firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, previous, ruleName }) {
    const found = describeToken(actual[0]);
    switch (ruleName) {
      case "chipBlock":
        return `expected '{' or ';' after the chip preset name, found ${found}`;
      case "argument":
        return `expected an argument (a value or name = value)${after(previous)}, found ${found}`;
      case "statement":
        return `expected a statement (${STATEMENT_KEYWORDS}), found ${found}`;
      default:
        return `expected a value (a number, name, string, call, list or '(')${after(previous)}, found ${found}`;
    }
  },
  buildEarlyExitMessage({ actual, previous }) {
    return `expected more input${after(previous)}, found ${describeToken(actual[0])}`;
  },
};

// ---- Grammar ------------------------------------------------------------------------------------

/**
 * `{ ALT: f }` for `OR`. Written as a call on purpose: tsx (esbuild with keep-names) wraps every
 * function literal stored under a property name in a `__name(...)` call, which runs on every parse
 * and made parsing about twice as slow. A function passed as an argument is left alone.
 */
function alt(f: () => unknown): { ALT: () => unknown } {
  return { ALT: f };
}

/** The `.snn` grammar (docs/dsl.md, "Grammar"); one rule per class property. */
export class SnnParser extends CstParser {
  constructor() {
    super(allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: snnErrorMessages,
      maxLookahead: 2,
    });
    this.performSelfAnalysis();
  }

  /**
   * Chevrotain's in-rule recovery (an internal hook of chevrotain 11, which this package pins) tries
   * to insert or delete one token. We first try one more repair: a keyword where a name belongs
   * (`layer input[3]`) is taken as that name when the token after it fits. The error has already
   * been reported; this only keeps the keyword from starting a bogus statement of its own.
   */
  tryInRuleRecovery(expected: TokenType, follows: TokenType[]): IToken {
    const next = this.LA(1);
    const following = this.LA(2);
    if (expected === Identifier && KEYWORDS.includes(next.tokenType) && follows.some((t) => tokenMatcher(following, t))) {
      this.SKIP_TOKEN();
      return next;
    }
    return chevrotainInRuleRecovery.call(this, expected, follows);
  }

  /** program := network* */
  program = this.RULE("program", () => {
    this.MANY(() => this.SUBRULE(this.network));
  });

  /** network := 'network' ID '{' statement* '}' */
  network = this.RULE("network", () => {
    this.CONSUME(Network);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(RCurly);
  });

  statement = this.RULE("statement", () => {
    this.OR([
      alt(() => this.SUBRULE(this.constDecl)),
      alt(() => this.SUBRULE(this.inputDecl)),
      alt(() => this.SUBRULE(this.layerDecl)),
      alt(() => this.SUBRULE(this.connectDecl)),
      alt(() => this.SUBRULE(this.runBlock)),
      alt(() => this.SUBRULE(this.chipBlock)),
      alt(() => this.SUBRULE(this.probeDecl)),
      alt(() => this.SUBRULE(this.learnBlock)),
    ]);
  });

  /** const := 'const' ID '=' expr ';' */
  constDecl = this.RULE("constDecl", () => {
    this.CONSUME(Const);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: "value" });
    this.CONSUME(Semicolon);
  });

  /** input := 'input' ID '[' expr (',' expr)* ']' ':' call ';' */
  inputDecl = this.RULE("inputDecl", () => {
    this.CONSUME(Input);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.SUBRULE(this.shape);
    this.CONSUME(Colon);
    this.SUBRULE(this.call, { LABEL: "encoder" });
    this.CONSUME(Semicolon);
  });

  /** layer := 'layer' ID '[' expr (',' expr)* ']' ':' call ';' */
  layerDecl = this.RULE("layerDecl", () => {
    this.CONSUME(Layer);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.SUBRULE(this.shape);
    this.CONSUME(Colon);
    this.SUBRULE(this.call, { LABEL: "model" });
    this.CONSUME(Semicolon);
  });

  /** '[' expr (',' expr)* ']' — the shape of an input or layer. */
  shape = this.RULE("shape", () => {
    this.CONSUME(LSquare);
    this.SUBRULE(this.expression, { LABEL: "dims" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.expression, { LABEL: "dims" });
    });
    this.CONSUME(RSquare);
  });

  /** connect := 'connect' ID '->' ID ':' call ';' */
  connectDecl = this.RULE("connectDecl", () => {
    this.CONSUME(Connect);
    this.CONSUME(Identifier, { LABEL: "source" });
    this.CONSUME(Arrow);
    this.CONSUME2(Identifier, { LABEL: "target" });
    this.CONSUME(Colon);
    this.SUBRULE(this.call, { LABEL: "connection" });
    this.CONSUME(Semicolon);
  });

  /** run := 'run' '{' setting* '}' */
  runBlock = this.RULE("runBlock", () => {
    this.CONSUME(Run);
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.setting));
    this.CONSUME(RCurly);
  });

  /** learn := 'learn' ID '{' setting* '}' */
  learnBlock = this.RULE("learnBlock", () => {
    this.CONSUME(Learn);
    this.CONSUME(Identifier, { LABEL: "rule" });
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.setting));
    this.CONSUME(RCurly);
  });

  /** chip := 'chip' ID ( '{' setting* '}' | ';' ) */
  chipBlock = this.RULE("chipBlock", () => {
    this.CONSUME(Chip);
    this.CONSUME(Identifier, { LABEL: "preset" });
    this.OR([
      alt(() => {
        this.CONSUME(LCurly);
        this.MANY(() => this.SUBRULE(this.setting));
        this.CONSUME(RCurly);
      }),
      alt(() => this.CONSUME(Semicolon)),
    ]);
  });

  /** probe := 'probe' ID '.' ID ';' */
  probeDecl = this.RULE("probeDecl", () => {
    this.CONSUME(Probe);
    this.CONSUME(Identifier, { LABEL: "population" });
    this.CONSUME(Dot);
    this.CONSUME2(Identifier, { LABEL: "variable" });
    this.CONSUME(Semicolon);
  });

  /** setting := ID '=' expr ';' */
  setting = this.RULE("setting", () => {
    this.CONSUME(Identifier, { LABEL: "key" });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: "value" });
    this.CONSUME(Semicolon);
  });

  /** call := ID '(' (arg (',' arg)*)? ')' */
  call = this.RULE("call", () => {
    this.CONSUME(Identifier, { LABEL: "callee" });
    this.CONSUME(LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument, { LABEL: "args" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.argument, { LABEL: "args" });
      });
    });
    this.CONSUME(RParen);
  });

  /** arg := ID '=' expr | expr   (two tokens of lookahead tell them apart) */
  argument = this.RULE("argument", () => {
    this.OR([
      alt(() => {
        this.CONSUME(Identifier, { LABEL: "name" });
        this.CONSUME(Equals);
        this.SUBRULE(this.expression, { LABEL: "value" });
      }),
      alt(() => this.SUBRULE2(this.expression, { LABEL: "value" })),
    ]);
  });

  /** expr := mul (('+'|'-') mul)* */
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.multiplication, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(AdditiveOperator, { LABEL: "operators" });
      this.SUBRULE2(this.multiplication, { LABEL: "operands" });
    });
  });

  /** mul := unary (('*'|'/') unary)* */
  multiplication = this.RULE("multiplication", () => {
    this.SUBRULE(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(MultiplicativeOperator, { LABEL: "operators" });
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    });
  });

  /** unary := ('-'|'+') unary | primary */
  unary = this.RULE("unary", () => {
    this.OR([
      alt(() => {
        this.CONSUME(AdditiveOperator, { LABEL: "sign" });
        this.SUBRULE(this.unary, { LABEL: "operand" });
      }),
      alt(() => this.SUBRULE(this.primary, { LABEL: "operand" })),
    ]);
  });

  /** primary := NUMBER | STRING | call | ID | '(' expr ')' | '[' (expr (',' expr)*)? ']' */
  primary = this.RULE("primary", () => {
    this.OR([
      alt(() => this.CONSUME(NumberLiteral)),
      alt(() => this.CONSUME(StringLiteral)),
      alt(() => this.SUBRULE(this.call)),
      alt(() => this.CONSUME(Identifier)),
      alt(() => {
        this.CONSUME(LParen);
        this.SUBRULE(this.expression, { LABEL: "parenthesized" });
        this.CONSUME(RParen);
      }),
      alt(() => {
        this.CONSUME(LSquare);
        this.OPTION(() => {
          this.SUBRULE2(this.expression, { LABEL: "items" });
          this.MANY(() => {
            this.CONSUME(Comma);
            this.SUBRULE3(this.expression, { LABEL: "items" });
          });
        });
        this.CONSUME(RSquare);
      }),
    ]);
  });
}

/** Chevrotain's own in-rule recovery, which {@link SnnParser.tryInRuleRecovery} falls back to. */
const chevrotainInRuleRecovery = (CstParser.prototype as unknown as Record<string, unknown>)["tryInRuleRecovery"] as (
  this: SnnParser,
  expected: TokenType,
  follows: TokenType[],
) => IToken;
if (typeof chevrotainInRuleRecovery !== "function") {
  throw new Error("chevrotain no longer has tryInRuleRecovery: check dsl/parser.ts against the chevrotain version");
}

/** The one parser instance; chevrotain parsers are reusable (`parser.input = tokens` resets them). */
export const snnParser = new SnnParser();
