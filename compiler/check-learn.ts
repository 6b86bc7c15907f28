/**
 * @fileoverview Checks a network's `learn sfdfa|dfa { ... }` block (docs/dsl.md "learn"): binds its
 * settings against LEARN_SETTINGS, turns shifts given as values (powers of two, 1 − 2^−s) into the
 * learning unit's integers, and checks that the network is one the on-chip rule can train — a
 * feed-forward chain input → dense → layer → … → output with reset = subtract and no refractory
 * period — reporting each problem at the statement that causes it. The emulator repeats the chain
 * check on the IR (emulator/learning/chain.ts) for images that did not come from this checker.
 */
import type { LearnBlock, NetworkDecl, Span } from "../dsl/ast.ts";
import { error, type Diagnostic } from "../dsl/diagnostic.ts";
import type { CheckedConnection, CheckedPopulation } from "./checked.ts";
import { LEARN_RULES, LEARN_SETTINGS } from "./constructs.ts";
import { evaluate, type Environment, type Value } from "./evaluate.ts";
import type { LearningSpec } from "./ir.ts";
import { bindArgs, numberArg, numberListArg, suggest } from "./params.ts";

export interface LearnContext {
  decl: NetworkDecl;
  env: Environment;
  populations: readonly CheckedPopulation[];
  connections: readonly CheckedConnection[];
  steps: number;
  diagnostics: Diagnostic[];
}

/** The network's learning spec, null when it has no learn block or the block has errors (reported). */
export function checkLearnBlock(context: LearnContext): LearningSpec | null {
  const blocks = context.decl.body.filter((s): s is LearnBlock => s.kind === "LearnBlock");
  for (const extra of blocks.slice(1)) context.diagnostics.push(error("E101", "only one learn block is allowed", extra.span));
  const block = blocks[0];
  if (!block) return null;
  const before = context.diagnostics.length;
  const rule = block.rule.name;
  if (!(LEARN_RULES as readonly string[]).includes(rule)) {
    context.diagnostics.push(error("E102", `unknown learning rule '${rule}'${suggest(rule, [...LEARN_RULES])}; rules are ${LEARN_RULES.join(", ")}`, block.rule.span));
  }
  const chain = checkOutput(context, block);
  const args = block.settings.filter((s) => s.key.name !== "output").flatMap((s) => {
    const value = evaluate(s.value, context.env, context.diagnostics);
    return value ? [{ name: s.key.name, value, span: s.span }] : [];
  });
  const bound = bindArgs(`learn ${rule}`, args, LEARN_SETTINGS, block.span, context.diagnostics);
  if (!bound || chain === null || context.diagnostics.length > before) return null;
  const { output, trainedLayers } = chain;
  const specOf = (name: string) => LEARN_SETTINGS.find((s) => s.name === name)!;
  const list = (name: string) => numberListArg(bound, specOf(name));
  // A list setting's scalar is its first layer's value, so a reader that knows only the scalar still
  // sees a setting the network uses.
  const value = (name: string) => list(name)?.[0] ?? numberArg(bound, specOf(name));
  const spanOf = (name: string) => block.settings.find((s) => s.key.name === name)?.span ?? block.span;
  const fail = (name: string, message: string) => {
    context.diagnostics.push(error("E106", `learn ${rule}: ${name} ${message}`, spanOf(name)));
    return NaN;
  };
  const powerOfTwo = (name: string) => {
    const log2 = Math.log2(value(name));
    return Number.isInteger(log2) ? log2 : fail(name, `= ${value(name)} must be a power of two (the learning unit shifts)`);
  };
  const betaShift = (name: string, largest: number) => {
    const shift = -Math.log2(1 - value(name));
    const rounded = Math.round(shift);
    return Math.abs(shift - rounded) < 1e-9 && rounded >= 1 && rounded <= largest ? rounded : fail(name, `= ${value(name)} must be 1 − 2^−s with s in 1..${largest} (the learning unit shifts)`);
  };
  const outputLayer = context.populations.find((p) => p.name === output)!;
  const outputsPerClass = (k: number) => (outputLayer.size % k === 0 ? k : fail("outputs_per_class", `= ${k} does not divide the ${outputLayer.size} neurons of output '${output}'; give the output layer classes × ${k} neurons`));
  const withinSteps = (name: string, x: number) => (x <= context.steps ? x : fail(name, `= ${x} exceeds the ${context.steps} steps of a sample (run block)`));
  const atMostSteps = (name: string) => withinSteps(name, value(name));
  const hiddenLayers = trainedLayers - 1;
  const perLayer = (name: string): number[] | null => {
    const values = list(name);
    if (values === null) return null;
    if (values.length !== hiddenLayers) {
      fail(name, `has ${values.length} entries; give one per hidden layer (${hiddenLayers}, input side first) or a single number`);
      return null;
    }
    return name === "rate_target" ? values.map((x) => withinSteps(name, x)) : values;
  };
  const layerRateRegularisation = perLayer("rate_reg");
  const layerRateTargetSpikes = perLayer("rate_target");
  const layerLearningRate = perLayer("lr");
  const spec: LearningSpec = {
    rule: rule as LearningSpec["rule"], output,
    learningRate: value("lr"),
    ...(bound.values.has("lr_output") ? { outputLearningRate: value("lr_output") } : {}),
    ...(wordOf(bound.values.get("loss")) === "spike_count_hinge" ? { loss: "spike_count_hinge" as const } : {}),
    ...(wordOf(bound.values.get("perturb")) === "alternate" ? { perturbLayers: "alternate" as const } : {}),
    ...(bound.values.has("output_error") ? { outputErrorPerSpike: wordOf(bound.values.get("output_error")) === "per_spike" } : {}),
    ...(bound.values.has("silent_floor") ? { silentFloorFraction: value("silent_floor") } : {}),
    ...(bound.values.has("outputs_per_class") ? { outputsPerClass: outputsPerClass(value("outputs_per_class")) } : {}),
    perturbationLog2: powerOfTwo("perturbation"),
    feedbackRateShift: -powerOfTwo("feedback_rate"),
    ...(bound.values.has("weight_average") ? { weightAverageShift: -powerOfTwo("weight_average") } : {}),
    ...(value("weight_decay") > 0 ? { weightDecay: value("weight_decay") } : {}),
    dfaFeedbackRange: value("feedback_range"),
    targetTrueCount: atMostSteps("target_true"),
    targetOtherCount: atMostSteps("target_other"),
    rateRegularisation: value("rate_reg"),
    rateTargetSpikes: layerRateTargetSpikes?.[0] ?? atMostSteps("rate_target"),
    ...(layerRateRegularisation ? { layerRateRegularisation } : {}),
    ...(layerRateTargetSpikes ? { layerRateTargetSpikes } : {}),
    ...(layerLearningRate ? { layerLearningRate } : {}),
    batchSize: value("batch"),
    slopeMinFraction: value("slope_min"),
    adamFirstShift: betaShift("adam_beta1", 12),
    adamSecondShift: betaShift("adam_beta2", 16),
  };
  return context.diagnostics.length > before ? null : spec;
}

/** Resolves `output = NAME` and checks the chain that ends there; null when either has a problem. */
function checkOutput(context: LearnContext, block: LearnBlock): { output: string; trainedLayers: number } | null {
  const setting = block.settings.find((s) => s.key.name === "output");
  if (!setting) {
    context.diagnostics.push(error("E103", `learn ${block.rule.name} needs 'output = LAYER;', the layer with one neuron per class`, block.span));
    return null;
  }
  if (setting.value.kind !== "NameRef") {
    context.diagnostics.push(error("E105", "learn: output must name a layer, as in 'output = out;'", setting.value.span));
    return null;
  }
  const name = setting.value.name;
  const { populations, connections, diagnostics } = context;
  const index = populations.findIndex((p) => p.name === name);
  if (index < 0) {
    const layers = populations.filter((p) => p.kind === "neuron").map((p) => p.name);
    diagnostics.push(error("E100", `learn: unknown output layer '${name}'${suggest(name, layers)}; layers are ${layers.join(", ") || "(none)"}`, setting.value.span));
    return null;
  }
  if (populations[index].kind !== "neuron") {
    diagnostics.push(error("E107", `learn: output '${name}' is an input; the output must be a layer`, setting.value.span));
    return null;
  }
  const trainedLayers = checkChain(context, index, setting.value.span);
  return trainedLayers > 0 ? { output: name, trainedLayers } : null;
}

/**
 * Walks from the output back to an input; every problem is reported where it is declared. Returns
 * the number of trained layers (output included), 0 after a problem.
 */
function checkChain(context: LearnContext, outputIndex: number, outputSpan: Span): number {
  const { populations, connections, diagnostics } = context;
  const report = (message: string, span: Span) => {
    diagnostics.push(error("E107", `learn: ${message}; on-chip learning trains a feed-forward chain of dense connections`, span));
    return 0;
  };
  // Checked connection names carry a '#index' suffix; messages show the name as written.
  const shown = (c: CheckedConnection) => c.name.replace(/#\d+$/, "");
  const trained = new Set<number>();
  let current = outputIndex;
  while (populations[current].kind === "neuron") {
    const layer = populations[current];
    if (trained.has(current)) return report(`layer '${layer.name}' is part of a loop`, layer.span);
    trained.add(current);
    const neuron = layer.neuron!;
    if (neuron.reset.kind !== "subtract") return report(`layer '${layer.name}' must use reset = subtract (the gradient models a subtractive reset)`, layer.span);
    if (neuron.refractorySteps !== 0) return report(`layer '${layer.name}' has a refractory period; the rule needs none`, layer.span);
    const incoming = connections.filter((c) => c.target === current);
    if (incoming.length !== 1) return report(`layer '${layer.name}' has ${incoming.length} incoming connections, the rule needs exactly one`, incoming[1]?.span ?? layer.span);
    const link = incoming[0];
    if (link.kind !== "dense") return report(`connection '${shown(link)}' is ${link.kind}, the rule trains dense connections only`, link.span);
    if (link.delay.kind !== "fixed") return report(`connection '${shown(link)}' has per-synapse delays`, link.span);
    if (link.perChannelExponents) return report(`connection '${shown(link)}' has per-channel exponents`, link.span);
    current = link.source;
  }
  for (const c of connections) {
    if (trained.has(c.source) && !trained.has(c.target)) return report(`connection '${shown(c)}' leaves trained layer '${populations[c.source].name}' outside the chain`, c.span);
  }
  if (trained.size === 0) return report("the output has no layer to train", outputSpan);
  return trained.size;
}

/** The word of a `name = word` setting (checked against its spec's words by bindArgs). */
function wordOf(value: Value | undefined): string | null {
  return value?.kind === "name" ? value.name : null;
}
