/**
 * @fileoverview Checks one `connect SRC -> DST : KIND(...)` whose endpoints the checker has resolved
 * and whose arguments it has bound: the target must be a layer, one_to_one needs equal sizes,
 * convolution and pooling geometry goes to check-conv.ts (conv2d may take its kernel size from the
 * weight file), hetquant to check-hetquant.ts; weights and per-synapse delays are bound as
 * initialisers of the shape the connectivity needs, and delays in ms become whole steps of dt.
 */
import type { Call, Span } from "../dsl/ast.ts";
import { error } from "../dsl/diagnostic.ts";
import { planConvolution, type ConvKind, type ConvPlan } from "./check-conv.ts";
import { checkHetquant } from "./check-hetquant.ts";
import { checkInitializer, checkValuesShape, type InitializerContext, type ValuesInitializer } from "./check-initializers.ts";
import type { CheckedConnection, CheckedPopulation, Initializer } from "./checked.ts";
import type { Value } from "./evaluate.ts";
import { numberArg, type BoundArgs, type ParamSpec } from "./params.ts";

/** One connect statement, its endpoints resolved to population indices and its call bound. */
export interface ConnectionCheck extends InitializerContext {
  sourceName: string;
  source: number;
  targetName: string;
  targetSpan: Span;
  target: number;
  call: Call;
  bound: BoundArgs;
  specs: ParamSpec[];
  /** Position among the declared connections; part of the connection's name. */
  index: number;
  dtMs: number;
  populations: readonly CheckedPopulation[];
}

/** The connection, and (hetquant with a cycle) the oscillator input the checker must add with its connection. */
export interface ConnectionResult {
  connection: CheckedConnection;
  oscillator: { population: CheckedPopulation; connection: CheckedConnection } | null;
}

/** Null after an error (reported). */
export function checkConnection(c: ConnectionCheck): ConnectionResult | null {
  const { call, bound, specs, diagnostics } = c;
  const sourcePop = c.populations[c.source];
  const targetPop = c.populations[c.target];
  if (targetPop.kind === "input") {
    diagnostics.push(error("E113", `'${c.targetName}' is an input; connections must end at a layer`, c.targetSpan));
    return null;
  }
  const callee = call.callee.name;
  const get = (n: string) => numberArg(bound, specs.find((s) => s.name === n)!);
  if (callee === "hetquant") {
    const { sourceName, source, targetName, target, index, dtMs, populations } = c;
    return checkHetquant({ sourceName, source, targetName, target, bound, specs, span: call.span, index, dtMs, populations, diagnostics });
  }
  if (callee === "one_to_one" && sourcePop.size !== targetPop.size) {
    diagnostics.push(error("E107", `one_to_one needs equal sizes, but '${c.sourceName}' has ${sourcePop.size} neurons and '${c.targetName}' has ${targetPop.size}`, call.span));
    return null;
  }
  let conv: ConvPlan | null = null;
  let weight: Initializer | null;
  if (callee === "conv2d" || callee.endsWith("_pool")) {
    const planned = convolutionWeights(c, callee as ConvKind);
    if (!planned) return null;
    ({ conv, weight } = planned);
  } else {
    const weightShape = callee === "one_to_one" ? [targetPop.size] : [targetPop.size, sourcePop.size];
    weight = checkInitializer(c, bound.values.get("weight") ?? null, "weight", weightShape);
  }
  if (!weight) return null;
  const delayShape = callee === "one_to_one" ? [targetPop.size] : [targetPop.size, sourcePop.size];
  const delay = delaySpec(c, bound.values.get("delay") ?? null, delayShape);
  if (!delay) return null;
  const exponentValue = bound.values.get("exponent");
  const exponents = bound.values.get("exponents");
  const kind = callee === "one_to_one" ? "oneToOne" : callee === "dense" || callee === "sparse" ? callee : "conv2d";
  const connection: CheckedConnection = {
    name: `${c.sourceName}->${c.targetName}#${c.index}`,
    source: c.source,
    target: c.target,
    kind,
    conv: conv?.conv ?? null,
    perChannelExponents: exponents?.kind === "name" && exponents.name === "per_channel",
    probability: kind === "sparse" ? get("p") : 1,
    seed: kind === "sparse" ? get("seed") : 0,
    allowSelf: kind === "sparse" ? get("allow_self") === 1 : true,
    weight,
    bits: specs.some((s) => s.name === "bits") ? get("bits") : 1,
    exponent: exponentValue?.kind === "number" ? exponentValue.value : null,
    rounding: bound.values.get("rounding")?.kind === "name" && (bound.values.get("rounding") as { name: string }).name === "stochastic" ? "stochastic" : "nearest",
    delay,
    span: call.span,
  };
  return { connection, oscillator: null };
}

/**
 * conv2d and pooling: the geometry, and the weights — a constant kernel for pooling, else the
 * `weight` initialiser of shape [C', C/groups, k, k]. conv2d without `kernel` takes k from its weight
 * file. `weight` is null after an initialiser error; the whole result null after any other error.
 */
function convolutionWeights(c: ConnectionCheck, callee: ConvKind): { conv: ConvPlan; weight: Initializer | null } | null {
  const { bound, specs, call, diagnostics } = c;
  const get = (n: string) => numberArg(bound, specs.find((s) => s.name === n)!);
  const has = (n: string) => bound.values.get(n)?.kind === "number";
  const weightValue = bound.values.get("weight") ?? null;
  let kernel = has("kernel") ? get("kernel") : null;
  let fileWeights: Initializer | null = null;
  if (kernel === null) {
    // conv2d without `kernel`: the weight file's [C', C/groups, k, k] shape says it.
    if (weightValue?.kind === "call" && weightValue.name === "file") {
      fileWeights = checkInitializer(c, weightValue, "weight", null);
      if (!fileWeights) return null;
    }
    if (!fileWeights || fileWeights.kind !== "values" || fileWeights.shape.length !== 4 || fileWeights.shape[2] !== fileWeights.shape[3]) {
      diagnostics.push(error("E104", `conv2d needs 'kernel', or a weight file of shape [out channels, in channels / groups, k, k]`, call.span));
      return null;
    }
    kernel = fileWeights.shape[2];
  }
  const stride = callee === "conv2d" ? get("stride") : has("stride") ? get("stride") : kernel;
  const groups = callee === "conv2d" ? get("groups") : 1;
  const conv = planConvolution(callee, { kernel, stride, padding: get("padding"), groups }, c.populations[c.source], c.populations[c.target], call.span, diagnostics);
  if (!conv) return null;
  if (conv.poolWeightScale !== null) {
    const base = callee === "max_pool" ? 1 : get("weight");
    return { conv, weight: { kind: "constant", value: base * conv.poolWeightScale } };
  }
  const weight = fileWeights
    ? checkValuesShape(diagnostics, fileWeights as ValuesInitializer, "weight", conv.weightShape, call.span)
    : checkInitializer(c, weightValue, "weight", conv.weightShape);
  return { conv, weight };
}

/** `shape`: what a list or file of per-synapse delays must hold ([target, source], or [n] one-to-one). */
function delaySpec(c: ConnectionCheck, value: Value | null, shape: number[]): CheckedConnection["delay"] | null {
  const { dtMs, diagnostics } = c;
  if (!value) return { kind: "fixed", steps: 1 };
  if (value.kind === "number") {
    const steps = Math.round(value.value / dtMs);
    if (Math.abs(steps * dtMs - value.value) > 1e-6 * Math.max(dtMs, Math.abs(value.value))) {
      diagnostics.push(error("E112", `delay ${value.value}ms is not a whole number of steps of dt = ${dtMs}ms`, value.span));
      return null;
    }
    if (steps < 1) {
      diagnostics.push(error("E106", `delay ${value.value}ms is shorter than one step (dt = ${dtMs}ms); the chip's smallest delay is one step`, value.span));
      return null;
    }
    return { kind: "fixed", steps };
  }
  const initializerMs = checkInitializer(c, value, "delay", shape);
  return initializerMs ? { kind: "random", initializerMs, span: value.span } : null;
}
