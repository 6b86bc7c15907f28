/**
 * @fileoverview The compiler's public entry: source text → ChipNetwork, through
 * parse (dsl/) → check → lower (quantize, connect, place). Browser-safe: files named in the
 * source are read through `options.readFile`, supplied by the caller.
 */
import type { Diagnostic } from "../dsl/diagnostic.ts";
import { hasErrors } from "../dsl/diagnostic.ts";
import { parseSource } from "../dsl/parse.ts";
import { checkProgram, type CheckOptions } from "./check.ts";
import type { CheckedNetwork } from "./checked.ts";
import type { ChipNetwork } from "./ir.ts";
import { lowerNetwork, type QuantizationRecord } from "./lower.ts";

/** A change to how one connection's weights are quantized (`neurocc quantize`). */
export interface QuantizationOverride {
  bits?: number;
  rounding?: "nearest" | "stochastic";
  perChannelExponents?: boolean;
}

export interface CompileOptions extends CheckOptions {
  /** Called per connection (name "SRC->DST") before lowering; may change its quantization. */
  quantization?: (connection: string) => QuantizationOverride | null;
  /** Receives what the compiler did to each projection's weights. */
  onQuantized?: (record: QuantizationRecord) => void;
  /** May change the checked network before it is quantized (hetquant calibration). */
  beforeLowering?: (checked: CheckedNetwork) => void;
}

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
  if (options.quantization) {
    for (const connection of checked.network.connections) {
      const override = options.quantization(connection.name.replace(/#\d+$/, ""));
      if (override?.bits !== undefined) connection.bits = override.bits;
      if (override?.rounding !== undefined) connection.rounding = override.rounding;
      if (override?.perChannelExponents !== undefined) connection.perChannelExponents = override.perChannelExponents;
    }
  }
  options.beforeLowering?.(checked.network);
  const network = lowerNetwork(checked.network, diagnostics, options.onQuantized);
  return { network: hasErrors(diagnostics) ? null : network, diagnostics };
}

export { encodeImage, decodeImage, ImageError } from "./image.ts";
export type { ChipNetwork } from "./ir.ts";
export type { QuantizationRecord } from "./lower.ts";
