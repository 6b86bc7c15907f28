/**
 * @fileoverview Where the benchmarks get their CUBA network from.
 *
 * `compiled` (the default): examples/cuba.snn through `compileSource`, with the size rescaled by
 * editing the source text — `const N = 4000;` becomes N, every `p = 0.02` becomes p, and for more
 * neurons than the loihi preset's 128 cores can hold, `chip loihi;` becomes
 * `chip loihi { cores = 4096; mesh_width = 64; }` (same per-core limits and formats, a bigger mesh).
 * `hand`: the hand-built generator of bench/cuba-network.ts (same model, its own mapping and RNG).
 * Both give the same kind of network (two populations, four sparse projections, delay 1); the spike
 * counts differ a little because the quantisation and the random draws differ.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ChipNetwork } from "../compiler/ir.ts";
import { cubaNetwork } from "./cuba-network.ts";

export type NetworkSource = "compiled" | "hand";

export interface LoadedNetwork {
  network: ChipNetwork;
  /** How it was made, for the report. */
  origin: string;
  buildSeconds: number;
}

const EXAMPLE = fileURLToPath(new URL("../examples/cuba.snn", import.meta.url));

/** examples/cuba.snn rescaled to n neurons and connection probability p (see the file comment). */
export function cubaSource(n: number, p: number): string {
  let text = readFileSync(EXAMPLE, "utf8");
  const edit = (pattern: RegExp, replacement: string, what: string): void => {
    if (!pattern.test(text)) throw new Error(`examples/cuba.snn: cannot find ${what} to rescale`);
    text = text.replace(pattern, replacement);
  };
  edit(/const N = \d+;/, `const N = ${n};`, "`const N = …;`");
  edit(/\bp = 0\.02\b/g, `p = ${p}`, "`p = 0.02`");
  if (n > 128 * 1024 / 2) edit(/chip loihi;/, "chip loihi { cores = 4096; mesh_width = 64; }", "`chip loihi;`");
  return text;
}

export async function loadCubaNetwork(n: number, p: number, source: NetworkSource, seed = 1): Promise<LoadedNetwork> {
  const t0 = performance.now();
  if (source === "hand") {
    const network = cubaNetwork({ n, p, seed });
    return { network, origin: "hand-built (bench/cuba-network.ts)", buildSeconds: (performance.now() - t0) / 1000 };
  }
  const { compileSource } = await import("../compiler/index.ts");
  const text = cubaSource(n, p);
  const result = compileSource(text, "examples/cuba.snn");
  if (!result.network) {
    const errors = result.diagnostics.map((d) => JSON.stringify(d)).join("\n");
    throw new Error(`examples/cuba.snn (N = ${n}, p = ${p}) does not compile:\n${errors}`);
  }
  return {
    network: result.network,
    origin: "examples/cuba.snn via compileSource",
    buildSeconds: (performance.now() - t0) / 1000,
  };
}
