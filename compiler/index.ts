/**
 * @fileoverview The compiler's public entry: source text → ChipNetwork, through
 * parse (dsl/) → check → lower (quantize, connect, place). Browser-safe: files named in the
 * source are read through `options.readFile`, supplied by the caller.
 */
import type { Diagnostic } from "../dsl/diagnostic.ts";
import { hasErrors } from "../dsl/diagnostic.ts";
import { parseSource } from "../dsl/parse.ts";
import { checkProgram, type CheckOptions } from "./check.ts";
import type { ChipNetwork } from "./ir.ts";
import { lowerNetwork } from "./lower.ts";

export type CompileOptions = CheckOptions;

export interface CompileResult {
  network: ChipNetwork | null;
  diagnostics: Diagnostic[];
}

export function compileSource(text: string, file: string, options: CompileOptions = {}): CompileResult {
  const parsed = parseSource(text, file);
  if (!parsed.program || hasErrors(parsed.diagnostics)) return { network: null, diagnostics: parsed.diagnostics };
  const checked = checkProgram(parsed.program, options);
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics];
  if (!checked.network) return { network: null, diagnostics };
  const network = lowerNetwork(checked.network, diagnostics);
  return { network: hasErrors(diagnostics) ? null : network, diagnostics };
}

export { encodeImage, decodeImage, ImageError } from "./image.ts";
export type { ChipNetwork } from "./ir.ts";
