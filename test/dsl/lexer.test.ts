/**
 * @fileoverview The `.snn` lexer: keywords against identifiers, numbers with every unit, strings and
 * escapes, comments, punctuation, and the lexical problems it reports (offsets, messages).
 */
import { describe, expect, it } from "vitest";
import { decodeString, splitNumber, tokenize, UNITS } from "../../dsl/lexer.ts";

/** `TokenName:image` for every token of `text`. */
function tokens(text: string): string[] {
  return tokenize(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

function problems(text: string): string[] {
  return tokenize(text).problems.map((p) => `${p.start}-${p.end} ${p.message}`);
}

describe("lexer", () => {
  it("lexes keywords, but longer words that start with one as identifiers", () => {
    expect(tokens("network const input layer connect run chip probe")).toEqual([
      "Network:network",
      "Const:const",
      "Input:input",
      "Layer:layer",
      "Connect:connect",
      "Run:run",
      "Chip:chip",
      "Probe:probe",
    ]);
    expect(tokens("inputs layer2 _x runner chip_a Network")).toEqual([
      "Identifier:inputs",
      "Identifier:layer2",
      "Identifier:_x",
      "Identifier:runner",
      "Identifier:chip_a",
      "Identifier:Network",
    ]);
  });

  it("lexes every punctuation mark, with '->' as one token", () => {
    expect(tokens("{ } ( ) [ ] , ; : = . -> + - * /").map((t) => t.split(":")[0])).toEqual([
      "LCurly", "RCurly", "LParen", "RParen", "LSquare", "RSquare", "Comma", "Semicolon", "Colon",
      "Equals", "Dot", "Arrow", "Plus", "Minus", "Star", "Slash",
    ]);
    expect(tokens("a->b-c")).toEqual(["Identifier:a", "Arrow:->", "Identifier:b", "Minus:-", "Identifier:c"]);
    expect(tokens("- >")).toEqual(["Minus:-"]);
    expect(problems("- >")).toEqual(["2-3 unexpected character '>'"]);
  });

  it("lexes numbers in every written form", () => {
    const forms = ["12", "1.5", ".5", "1e-3", "2.5E+2", "0", "007", "3e4"];
    for (const form of forms) {
      expect(tokens(form)).toEqual([`NumberLiteral:${form}`]);
      expect(splitNumber(form)).toEqual({ value: Number(form), suffix: null, digitsLength: form.length });
    }
    expect(problems(forms.join(" "))).toEqual([]);
  });

  it("lexes a unit written directly after a number, for every unit", () => {
    expect(UNITS).toEqual(["s", "ms", "us", "Hz", "kHz", "mV", "V"]);
    const cases: [string, number, string][] = [
      ["1e-3s", 1e-3, "s"],
      ["20ms", 20, "ms"],
      ["100us", 100, "us"],
      ["40Hz", 40, "Hz"],
      ["1.5kHz", 1.5, "kHz"],
      ["1.62mV", 1.62, "mV"],
      ["0.07V", 0.07, "V"],
      ["2.5E+2Hz", 250, "Hz"],
      [".5ms", 0.5, "ms"],
    ];
    for (const [text, value, unit] of cases) {
      expect(tokens(text)).toEqual([`NumberLiteral:${text}`]);
      expect(splitNumber(text)).toMatchObject({ value, suffix: unit });
      expect(problems(text)).toEqual([]);
    }
  });

  it("keeps a unit separated by a space apart from the number", () => {
    expect(tokens("20 ms")).toEqual(["NumberLiteral:20", "Identifier:ms"]);
  });

  it("reports letters after a number that are not a unit, pointing at the letters", () => {
    expect(problems("x = 20xyz;")).toEqual([
      "6-9 unknown unit 'xyz' after number; units are s, ms, us, Hz, kHz, mV, V",
    ]);
    expect(problems("2MS 3msec 1e")).toEqual([
      "1-3 unknown unit 'MS' after number; units are s, ms, us, Hz, kHz, mV, V",
      "5-9 unknown unit 'msec' after number; units are s, ms, us, Hz, kHz, mV, V",
      "11-12 unknown unit 'e' after number; units are s, ms, us, Hz, kHz, mV, V",
    ]);
  });

  it("reports a number too large to represent", () => {
    expect(problems("1e999")).toEqual(["0-5 number '1e999' is too large"]);
  });

  it("lexes strings with \\\" and \\\\ escapes", () => {
    const text = String.raw`"w.npy" "a \"quoted\" name" "C:\\data\\w.npy" ""`;
    const images = tokenize(text).tokens.map((t) => t.image);
    expect(images.map((image) => decodeString(image).value)).toEqual([
      "w.npy",
      'a "quoted" name',
      String.raw`C:\data\w.npy`,
      "",
    ]);
    expect(problems(text)).toEqual([]);
  });

  it("reports an unknown escape in a string, pointing at the backslash", () => {
    expect(problems(String.raw`"a\nb"`)).toEqual([String.raw`2-4 unknown escape '\n' in string; only \" and \\ are escapes`]);
  });

  it("reports an unterminated string, which ends at the end of its line", () => {
    const text = 'f("abc);\nnext';
    expect(problems(text)).toEqual([`2-8 unterminated string: add a closing '"' before the end of the line`]);
    expect(tokens(text)).toEqual(["Identifier:f", "LParen:(", 'UnterminatedString:"abc);', "Identifier:next"]);
    expect(problems('"ends in escape\\"')).toHaveLength(1);
  });

  it("skips all three kinds of comment", () => {
    const text = "a // line comment\nb # hash comment\nc /* block\n comment */ d /**/ e";
    expect(tokens(text)).toEqual(["Identifier:a", "Identifier:b", "Identifier:c", "Identifier:d", "Identifier:e"]);
    expect(tokens("a/b")).toEqual(["Identifier:a", "Slash:/", "Identifier:b"]);
    expect(problems(text)).toEqual([]);
  });

  it("reports an unterminated block comment at its opening", () => {
    const result = tokenize("a /* never closed\n b c");
    expect(result.tokens.map((t) => t.image)).toEqual(["a"]);
    expect(result.hasUnterminatedComment).toBe(true);
    expect(result.problems.map((p) => `${p.start}-${p.end} ${p.message}`)).toEqual([
      "2-4 unterminated comment: '/*' has no closing '*/'",
    ]);
  });

  it("reports unexpected characters and carries on", () => {
    expect(problems("a @ b $% c")).toEqual([
      "2-3 unexpected character '@'",
      "6-8 unexpected characters '$%'",
    ]);
    expect(tokens("a @ b")).toEqual(["Identifier:a", "Identifier:b"]);
    expect(problems("\u0007")).toEqual(["0-1 unexpected character 'U+0007'"]);
  });
});
