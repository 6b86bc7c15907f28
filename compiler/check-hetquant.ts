/**
 * @fileoverview Checking `connect SRC -> DST : hetquant(...)` (compiler/hetquant.ts): the source must
 * be a rate input, the target hold features × duplication neurons. Produces the dense connection of
 * column weights, sets the source's host-side normalisation, and plans the oscillator input
 * `DST_osc` and its inhibitory connection when a `cycle` is given (the checker adds them), and checks
 * the online-calibration settings (`online`, `bins`).
 */
import type { Span } from "../dsl/ast.ts";
import { error, type Diagnostic } from "../dsl/diagnostic.ts";
import type { CheckedConnection, CheckedPopulation } from "./checked.ts";
import { columnScales, DEFAULT_HISTOGRAM_BINS_LOG2, hetquantWeights, type HetquantSpec, type Spacing } from "./hetquant.ts";
import { numberArg, type BoundArgs, type ParamSpec } from "./params.ts";

export interface HetquantCheck {
  sourceName: string;
  source: number;
  targetName: string;
  target: number;
  bound: BoundArgs;
  specs: ParamSpec[];
  span: Span;
  index: number;
  dtMs: number;
  populations: readonly CheckedPopulation[];
  diagnostics: Diagnostic[];
}

/** The connection, and the oscillator to add (its connection's `source` is set by the checker). */
export function checkHetquant(c: HetquantCheck): { connection: CheckedConnection; oscillator: { population: CheckedPopulation; connection: CheckedConnection } | null } | null {
  const { bound, specs, span, populations, diagnostics } = c;
  const get = (n: string) => numberArg(bound, specs.find((s) => s.name === n)!);
  const word = (n: string, fallback: string) => {
    const v = bound.values.get(n);
    return v?.kind === "name" ? v.name : fallback;
  };
  const sourcePop = populations[c.source];
  const targetPop = populations[c.target];
  const encoder = sourcePop.encoder;
  if (encoder?.kind !== "rate") {
    diagnostics.push(error("E107", `hetquant needs a rate-coded source (the column integrates its spike rate); '${c.sourceName}' uses ${sourcePop.kind === "input" ? `the ${encoder?.kind} encoder` : "a layer"}`, span));
    return null;
  }
  const duplication = targetPop.size / sourcePop.size;
  const given = bound.values.get("duplication")?.kind === "number" ? get("duplication") : null;
  if (!Number.isInteger(duplication) || (given !== null && given !== duplication)) {
    diagnostics.push(error("E107", `hetquant: '${c.targetName}' must hold features × duplication neurons (${sourcePop.size} × ${given ?? "D"}), e.g. shape [${sourcePop.size}, ${given ?? 8}]; it has ${targetPop.size}`, span));
    return null;
  }
  encoder.normalization = word("norm", "l1") === "l1" ? "l1" : "none";
  const spec: HetquantSpec = { spacing: word("spacing", "uniform") as Spacing, payload: get("payload"), limit: get("limit"), features: sourcePop.size, duplication };
  if (!onlineSettings(c, spec, word("exponents", "per_projection") === "per_channel")) return null;
  const exponent = bound.values.get("exponent");
  const connection: CheckedConnection = {
    name: `${c.sourceName}->${c.targetName}#${c.index}`, source: c.source, target: c.target, kind: "dense", conv: null,
    perChannelExponents: word("exponents", "per_projection") === "per_channel", probability: 1, seed: 0, allowSelf: true,
    weight: hetquantWeights(spec), bits: get("bits"), exponent: exponent?.kind === "number" ? exponent.value : null,
    rounding: word("rounding", "nearest") === "stochastic" ? "stochastic" : "nearest", delay: { kind: "fixed", steps: 1 }, span, hetquant: spec,
  };
  const cycle = bound.values.get("cycle");
  if (cycle?.kind !== "number") return { connection, oscillator: null };
  const name = `${c.targetName}_osc`;
  const cycleSteps = Math.round(cycle.value / c.dtMs);
  if (cycleSteps < 1 || Math.abs(cycleSteps * c.dtMs - cycle.value) > 1e-9 * cycle.value) {
    diagnostics.push(error("E112", `hetquant cycle ${cycle.value}ms is not a whole number of steps of dt = ${c.dtMs}ms`, cycle.span));
    return null;
  }
  if (populations.some((p) => p.name === name)) {
    diagnostics.push(error("E101", `hetquant with a cycle creates the oscillator input '${name}', but that name is taken`, span));
    return null;
  }
  const strongest = Math.max(...columnScales(spec.spacing, duplication, spec.limit)) * spec.payload;
  const inhibition = bound.values.get("inhibition")?.kind === "number" ? get("inhibition") : strongest;
  return {
    connection,
    oscillator: {
      population: { name, shape: [1], size: 1, kind: "input", encoder: { kind: "phase", gain: 1, cycleMs: cycle.value, firstSpikeMs: 0, value: 1, normalization: "none" }, span },
      connection: { ...connection, name: `${name}->${c.targetName}`, weight: { kind: "constant", value: -inhibition }, exponent: null, rounding: "nearest", hetquant: undefined },
    },
  };
}

/**
 * `online = 1` and `bins` (docs/chip.md §10): the calibration unit needs one exponent for the column
 * weights, a power-of-two histogram, and a column that forgets (leaky or reset by the oscillator),
 * as compile-time calibration does. Sets spec.online / spec.histogramBinsLog2; false after an error.
 */
function onlineSettings(c: HetquantCheck, spec: HetquantSpec, perChannel: boolean): boolean {
  const value = (n: string) => {
    const v = c.bound.values.get(n);
    return v?.kind === "number" ? v : null;
  };
  const online = value("online");
  if (!online || online.value === 0) return true;
  const bins = value("bins")?.value ?? 2 ** DEFAULT_HISTOGRAM_BINS_LOG2;
  const binsLog2 = Math.log2(bins);
  const fail = (message: string) => (c.diagnostics.push(error("E107", `hetquant online calibration: ${message}`, online.span)), false);
  if (!Number.isInteger(binsLog2) || binsLog2 < 1 || binsLog2 > 8) return fail(`bins must be a power of two from 2 to 256, got ${bins}`);
  if (perChannel) return fail("the calibration unit rewrites mantissas under one exponent; drop exponents = per_channel");
  const model = c.populations[c.target].neuron;
  if (model && model.voltageKeep >= 1 && value("cycle") === null) return fail(`'${c.targetName}' does not leak and has no cycle, so its firing threshold does not depend on the input rate; use lif/cuba or give a cycle`);
  spec.online = true;
  spec.histogramBinsLog2 = binsLog2;
  return true;
}
