/**
 * @fileoverview Writing `.snn` programs from importers (NIR, netx): valid unique identifiers from
 * foreign names, numbers that read back exactly, and weight arrays inline or as `.npy` files next to
 * the program (`NET.snn` + `NET.data/<name>.npy`). The result is text plus an in-memory file map, so
 * the CLI can write both or compile them directly with `compileSource(text, file, {readFile})`.
 */
import { formatNpy } from "../../compiler/arrays.ts";

/** Words the DSL reserves (docs/dsl.md, "Keywords"). */
const KEYWORDS = new Set(["network", "const", "input", "layer", "connect", "run", "chip", "probe"]);

/** Arrays with at most this many values are written inline as a list; longer ones as .npy files. */
const INLINE_LIMIT = 16;

export interface SnnProgram {
  text: string;
  /** Paths as the text names them (relative to the .snn file) → file contents. */
  files: Map<string, Uint8Array>;
  warnings: string[];
}

/** A DSL identifier for a foreign name: invalid characters become '_', keywords and digits get a prefix or suffix. */
export function identifierFor(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (id === "" || /^[0-9]/.test(id)) id = `n_${id}`;
  if (KEYWORDS.has(id)) id = `${id}_`;
  return id;
}

/** A number as the DSL reads it back exactly (shortest round-trip form; no "-0"). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot write ${x} as a .snn number`);
  return Object.is(x, -0) ? "0" : String(x);
}

export class SnnBuilder {
  private readonly lines: string[] = [];
  private readonly used = new Set<string>();
  readonly files = new Map<string, Uint8Array>();

  /** `dataFolder`: where weight files go, relative to the .snn file (e.g. "net.data"). */
  constructor(private readonly dataFolder: string) {}

  /** A unique identifier for `name` (the same foreign name twice gets two identifiers). */
  identifier(name: string): string {
    const base = identifierFor(name);
    let id = base;
    for (let k = 2; this.used.has(id); k++) id = `${base}_${k}`;
    this.used.add(id);
    return id;
  }

  line(text = ""): void {
    this.lines.push(text);
  }

  /** A comment line (foreign names may hold anything; line breaks are removed). */
  comment(text: string, indent = "  "): void {
    this.lines.push(`${indent}// ${text.replace(/[\r\n]+/g, " ")}`);
  }

  /**
   * A value for a weight or delay parameter: the number itself when every value is equal, an inline
   * list when short, else `file("<dataFolder>/<stem>.npy")` holding the array with `shape`.
   * `unit` ("ms") is appended to inline numbers.
   */
  values(values: ArrayLike<number>, shape: number[], stem: string, unit = ""): string {
    const first = values[0];
    let uniform = true;
    for (let i = 1; i < values.length && uniform; i++) uniform = values[i] === first;
    if (uniform && values.length > 0) return `${formatNumber(first)}${unit}`;
    if (values.length <= INLINE_LIMIT && unit === "") return `[${Array.from(values, formatNumber).join(", ")}]`;
    let path = `${this.dataFolder}/${stem}.npy`;
    for (let k = 2; this.files.has(path); k++) path = `${this.dataFolder}/${stem}_${k}.npy`;
    this.files.set(path, formatNpy(Float64Array.from(values), shape));
    return `file("${path.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}")`;
  }

  text(): string {
    return this.lines.join("\n") + "\n";
  }
}
