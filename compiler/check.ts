/**
 * @fileoverview The checker: AST → CheckedNetwork. Owns the statement order (constants, run and
 * chip blocks, populations, connections, probes, learn block), name resolution (constants,
 * populations), the run/chip settings, and the encoder and neuron-model bindings with their unit
 * conversions. Connections are checked in check-connections.ts (with check-conv.ts and
 * check-hetquant.ts), value initialisers and weight files in check-initializers.ts, the learn block
 * in check-learn.ts. All problems are diagnostics; nothing here throws on user input.
 */
import type { Call, NetworkDecl, Program, Setting, Span } from "../dsl/ast.ts";
import { error, type Diagnostic } from "../dsl/diagnostic.ts";
import type { CheckedConnection, CheckedNetwork, CheckedPopulation, EncoderSpec, NeuronModelSpec } from "./checked.ts";
import { CHIP_SETTINGS, CONNECTIONS, ENCODERS, NEURON_MODELS, RUN_SETTINGS } from "./constructs.ts";
import { evaluate, type Environment } from "./evaluate.ts";
import type { ChipConfig } from "./ir.ts";
import { checkConnection } from "./check-connections.ts";
import { checkInitializer, describeValue, type InitializerContext } from "./check-initializers.ts";
import { checkLearnBlock } from "./check-learn.ts";
import { bindArgs, numberArg, suggest, type BoundArgs, type ParamSpec } from "./params.ts";
import { PRESET_NAMES, presetConfig } from "./presets.ts";

export interface CheckOptions {
  /** Reads a file named in the source (relative paths are the caller's to resolve); throws if it cannot. */
  readFile?: (path: string) => Uint8Array;
  /** Chip preset chosen on the command line; overrides the `chip` block's preset. */
  chipPreset?: string;
}

export function checkProgram(program: Program, options: CheckOptions = {}): { network: CheckedNetwork | null; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const decl = program.networks[0];
  if (!decl) {
    diagnostics.push(error("E110", "the file declares no network; start with `network NAME { ... }`", program.span));
    return { network: null, diagnostics };
  }
  for (const extra of program.networks.slice(1)) {
    diagnostics.push(error("E110", `only one network per file is supported; '${extra.name.name}' is a second one`, extra.name.span));
  }
  const network = new Checker(decl, options, diagnostics).check();
  return { network: diagnostics.some((d) => d.severity === "error") ? null : network, diagnostics };
}

class Checker {
  private readonly env: Environment = new Map();
  private readonly populations: CheckedPopulation[] = [];
  private readonly populationSpans = new Map<string, Span>();
  private readonly generatedConnections: CheckedConnection[] = [];
  private dtMs = 1;

  constructor(
    private readonly decl: NetworkDecl,
    private readonly options: CheckOptions,
    private readonly diagnostics: Diagnostic[],
  ) {}

  check(): CheckedNetwork {
    const body = this.decl.body;
    // Constants first, in order, so that later statements (and the run block) can use them.
    for (const statement of body) {
      if (statement.kind !== "ConstDecl") continue;
      if (this.env.has(statement.name.name)) {
        this.diagnostics.push(error("E101", `constant '${statement.name.name}' is declared twice`, statement.name.span));
        continue;
      }
      this.env.set(statement.name.name, evaluate(statement.value, this.env, this.diagnostics));
    }
    const run = this.checkRun();
    const chip = this.checkChip();
    for (const statement of body) {
      if (statement.kind === "InputDecl" || statement.kind === "LayerDecl") this.checkPopulation(statement);
    }
    const connections: CheckedConnection[] = [];
    for (const statement of body) {
      if (statement.kind !== "ConnectDecl") continue;
      const connection = this.checkConnection(statement, connections.length);
      if (connection) connections.push(connection);
    }
    // Connections that constructs generate (hetquant's oscillator) come after the declared ones.
    for (const generated of this.generatedConnections) connections.push({ ...generated, name: `${generated.name}#${connections.length}` });
    const probes: CheckedNetwork["probes"] = [];
    for (const statement of body) {
      if (statement.kind !== "ProbeDecl") continue;
      const population = this.resolvePopulation(statement.population.name, statement.population.span);
      const variable = statement.variable.name;
      if (variable !== "v" && variable !== "u") {
        this.diagnostics.push(error("E100", `cannot probe '${variable}'; probe 'v' (membrane voltage) or 'u' (synaptic current)`, statement.variable.span));
      } else if (population !== null) {
        if (this.populations[population].kind === "input") {
          this.diagnostics.push(error("E107", `'${statement.population.name}' is an input; only layers have a membrane to probe`, statement.population.span));
        } else probes.push({ population, variable });
      }
    }
    const learning = checkLearnBlock({ decl: this.decl, env: this.env, populations: this.populations, connections, steps: run.steps, diagnostics: this.diagnostics });
    return { name: this.decl.name.name, dtMs: this.dtMs, steps: run.steps, seed: run.seed, chip, populations: this.populations, connections, probes, ...(learning ? { learning } : {}) };
  }

  private settingsOf(kind: "RunBlock" | "ChipBlock"): { settings: Setting[]; span: Span } | null {
    const blocks = this.decl.body.filter((s) => s.kind === kind);
    for (const extra of blocks.slice(1)) this.diagnostics.push(error("E101", `only one ${kind === "RunBlock" ? "run" : "chip"} block is allowed`, extra.span));
    const first = blocks[0];
    return first && (first.kind === "RunBlock" || first.kind === "ChipBlock") ? { settings: first.settings, span: first.span } : null;
  }

  private bindSettings(what: string, block: { settings: Setting[]; span: Span } | null, specs: ParamSpec[]): BoundArgs {
    const args = (block?.settings ?? []).flatMap((s) => {
      const value = evaluate(s.value, this.env, this.diagnostics);
      return value ? [{ name: s.key.name, value, span: s.span }] : [];
    });
    return bindArgs(what, args, specs, block?.span ?? this.decl.span, this.diagnostics) ?? { values: new Map(), span: this.decl.span };
  }

  private checkRun(): { steps: number; seed: number } {
    const bound = this.bindSettings("the run block", this.settingsOf("RunBlock"), RUN_SETTINGS);
    const spec = (name: string) => RUN_SETTINGS.find((s) => s.name === name)!;
    this.dtMs = numberArg(bound, spec("dt"));
    const seed = numberArg(bound, spec("seed"));
    const stepsValue = bound.values.get("steps");
    const durationValue = bound.values.get("duration");
    if (stepsValue && durationValue) this.diagnostics.push(error("E101", "give either 'steps' or 'duration' in the run block, not both", durationValue.span));
    if (durationValue?.kind === "number") {
      const steps = Math.round(durationValue.value / this.dtMs);
      if (Math.abs(steps * this.dtMs - durationValue.value) > 1e-9 * durationValue.value || steps < 1) {
        this.diagnostics.push(error("E112", `duration ${durationValue.value}ms is not a whole number of steps of dt = ${this.dtMs}ms`, durationValue.span));
      }
      return { steps: Math.max(1, steps), seed };
    }
    return { steps: stepsValue?.kind === "number" ? stepsValue.value : 100, seed };
  }

  private checkChip(): ChipConfig {
    const block = this.decl.body.find((s) => s.kind === "ChipBlock");
    const name = this.options.chipPreset ?? (block?.kind === "ChipBlock" ? block.preset.name : "generic");
    const config = presetConfig(name);
    if (!config) {
      const span = !this.options.chipPreset && block?.kind === "ChipBlock" ? block.preset.span : null;
      this.diagnostics.push(error("E102", `unknown chip preset '${name}'${suggest(name, PRESET_NAMES)}; presets are ${PRESET_NAMES.join(", ")}`, span));
      return presetConfig("generic")!;
    }
    const bound = this.bindSettings(`chip ${name}`, this.settingsOf("ChipBlock"), CHIP_SETTINGS);
    const get = (key: string) => {
      const v = bound.values.get(key);
      return v?.kind === "number" ? v.value : null;
    };
    config.coreCount = get("cores") ?? config.coreCount;
    config.meshWidth = get("mesh_width") ?? Math.min(config.meshWidth, config.coreCount);
    config.limits.neuronsPerCore = get("neurons_per_core") ?? config.limits.neuronsPerCore;
    const memoryKib = get("synapse_memory_kib");
    if (memoryKib !== null) config.limits.synapseMemoryBitsPerCore = memoryKib * 8192;
    config.limits.maxFanIn = get("max_fan_in") ?? config.limits.maxFanIn;
    config.limits.maxDelaySteps = get("max_delay") ?? config.limits.maxDelaySteps;
    return config;
  }

  private checkPopulation(statement: Extract<NetworkDecl["body"][number], { kind: "InputDecl" | "LayerDecl" }>): void {
    const name = statement.name.name;
    const first = this.populationSpans.get(name);
    if (first) {
      this.diagnostics.push(error("E101", `population '${name}' is declared twice (first at line ${first.line})`, statement.name.span));
      return;
    }
    this.populationSpans.set(name, statement.name.span);
    const shape: number[] = [];
    for (const dim of statement.shape) {
      const value = evaluate(dim, this.env, this.diagnostics);
      if (!value) return;
      if (value.kind !== "number" || value.dimension.time !== 0 || value.dimension.voltage !== 0 || !Number.isInteger(value.value) || value.value < 1) {
        this.diagnostics.push(error("E107", `the size of '${name}' must be a whole number ≥ 1, found ${describeValue(value)}`, dim.span));
        return;
      }
      shape.push(value.value);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const call = statement.kind === "InputDecl" ? statement.encoder : statement.model;
    const table = statement.kind === "InputDecl" ? ENCODERS : NEURON_MODELS;
    const noun = statement.kind === "InputDecl" ? "encoder" : "neuron model";
    const specs = table[call.callee.name];
    if (!specs) {
      const names = Object.keys(table);
      this.diagnostics.push(error("E102", `unknown ${noun} '${call.callee.name}'${suggest(call.callee.name, names)}; ${noun}s are ${names.join(", ")}`, call.callee.span));
      return;
    }
    const bound = this.bindCall(`${call.callee.name}()`, call, specs);
    if (!bound) return;
    const population: CheckedPopulation = { name, shape, size, kind: statement.kind === "InputDecl" ? "input" : "neuron", span: statement.span };
    if (statement.kind === "InputDecl") {
      const encoder = this.encoderSpec(call.callee.name, bound, specs);
      if (!encoder) return;
      population.encoder = encoder;
      // Spikes are binary, so delta's off spikes get their own neurons: shape [2, …] (on, then off).
      if (encoder.kind === "delta" && encoder.offSpikes) {
        population.shape = [2, ...shape];
        population.size = 2 * size;
      }
    } else {
      const model = this.neuronSpec(call.callee.name as NeuronModelSpec["model"], bound, specs, size);
      if (!model) return;
      population.neuron = model;
    }
    this.populations.push(population);
  }

  private bindCall(what: string, call: Call, specs: ParamSpec[]): BoundArgs | null {
    const args = [];
    for (const arg of call.args) {
      const value = evaluate(arg.value, this.env, this.diagnostics);
      if (!value) return null;
      args.push({ name: arg.name?.name ?? null, value, span: arg.span });
    }
    return bindArgs(what, args, specs, call.span, this.diagnostics);
  }

  private encoderSpec(kind: string, bound: BoundArgs, specs: ParamSpec[]): EncoderSpec | null {
    const get = (n: string) => numberArg(bound, specs.find((s) => s.name === n)!);
    const given = (n: string) => (bound.values.get(n)?.kind === "number" ? get(n) : null);
    const norm = () => (bound.values.get("norm")?.kind === "name" && (bound.values.get("norm") as { name: string }).name === "l1" ? "l1" : "none");
    switch (kind) {
      case "rate":
        return { kind: "rate", gain: get("gain"), offset: get("offset"), firstSpikeMs: get("first_spike"), normalization: norm() };
      case "latency":
        return { kind: "latency", gain: get("gain"), tauMs: given("tau"), threshold: get("threshold"), linear: get("linear") === 1, normalize: get("normalize") === 1, clip: get("clip") === 1, firstSpikeMs: get("first_spike") };
      case "delta":
        return { kind: "delta", gain: get("gain"), threshold: get("threshold"), offSpikes: get("off_spikes") === 1, padding: get("padding") === 1 };
      case "phase": {
        const cycleMs = get("cycle");
        const steps = Math.round(cycleMs / this.dtMs);
        if (steps < 1 || Math.abs(steps * this.dtMs - cycleMs) > 1e-9 * cycleMs) {
          this.diagnostics.push(error("E112", `phase cycle ${cycleMs}ms is not a whole number of steps of dt = ${this.dtMs}ms`, bound.values.get("cycle")?.span ?? bound.span));
          return null;
        }
        return { kind: "phase", gain: get("gain"), cycleMs, firstSpikeMs: get("first_spike"), value: given("value"), normalization: norm() };
      }
      default: {
        const times = bound.values.get("times");
        return { kind: "spikes", timesMs: times?.kind === "list" ? times.items.map((t) => (t.kind === "number" ? t.value : 0)) : [] };
      }
    }
  }

  private neuronSpec(model: NeuronModelSpec["model"], bound: BoundArgs, specs: ParamSpec[], size: number): NeuronModelSpec | null {
    const has = (n: string) => specs.some((s) => s.name === n);
    const get = (n: string, fallback = 0) => (has(n) ? numberArg(bound, specs.find((s) => s.name === n)!) : fallback);
    const resetValue = bound.values.get("reset");
    const thresholdMv = model === "or" ? 0.5 : get("vth");
    const reset: NeuronModelSpec["reset"] = resetValue?.kind === "name" ? { kind: "subtract" } : { kind: "value", valueMv: get("reset") };
    if (reset.kind === "value" && reset.valueMv >= thresholdMv) {
      this.diagnostics.push(error("E106", `reset (${reset.valueMv}) must be below the threshold vth (${thresholdMv}), or the neuron fires at every step`, resetValue?.span ?? bound.span));
      return null;
    }
    if (reset.kind === "subtract" && (model === "lif" || model === "cuba") && thresholdMv <= get("rest")) {
      this.diagnostics.push(error("E106", `with reset = subtract the threshold vth (${thresholdMv}) must be above rest (${get("rest")}), or the neuron fires at every step`, bound.span));
      return null;
    }
    const vInit = bound.values.get("v_init");
    const initialVoltage = vInit ? checkInitializer(this.initializerContext(), vInit, "v_init", [size]) : null;
    if (vInit && !initialVoltage) return null;
    const keep = this.membraneKeep(model, bound, specs);
    if (keep === null) return null;
    const base: NeuronModelSpec = {
      model,
      voltageKeep: keep.voltage,
      currentKeep: keep.current,
      shiftDecay: bound.values.get("decay")?.kind === "name" && (bound.values.get("decay") as { name: string }).name === "shift",
      inputGain: model === "cuba" || model === "plif" ? "leak" : "one",
      biasMode: model === "if" || model === "gif" || model === "or" ? "perStep" : "leak",
      inputScale: has("gain") ? get("gain") : 1,
      spikeAtEqual: model === "gif",
      thresholdMv,
      reset,
      restMv: model === "lif" || model === "cuba" ? get("rest") : model === "plif" && reset.kind === "value" ? reset.valueMv : 0,
      biasMv: get("bias"),
      refractorySteps: Math.round(get("refractory") / this.dtMs),
      initialVoltage,
      raw: null,
    };
    if (model === "loihi_cuba") {
      base.raw = { du: get("du"), dv: get("dv"), vth: get("vth"), biasMant: get("bias_mant"), biasExp: get("bias_exp") };
      base.thresholdMv = base.raw.vth;
      base.reset = { kind: "value", valueMv: 0 };
    }
    return base;
  }

  /** Per-step retention of v and of the synaptic current, from each model's time constants. */
  private membraneKeep(model: NeuronModelSpec["model"], bound: BoundArgs, specs: ParamSpec[]): { voltage: number; current: number } | null {
    const get = (n: string) => numberArg(bound, specs.find((s) => s.name === n)!);
    const dt = this.dtMs;
    switch (model) {
      case "lif":
        return { voltage: Math.exp(-dt / get("tau")), current: 0 };
      case "cuba":
        return { voltage: Math.exp(-dt / get("tau_mem")), current: Math.exp(-dt / get("tau_syn")) };
      case "if":
        return { voltage: 1, current: 0 };
      case "gif":
        return { voltage: get("gamma"), current: 0 };
      case "or":
        return { voltage: 0, current: 0 };
      case "loihi_cuba":
        return { voltage: 1 - get("dv") / 4096, current: (4095 - get("du")) / 4096 };
      case "plif": {
        // Fang et al. 2021: H = V + (X − (V − V_reset))/τ with 1/τ = sigmoid(w), τ in steps.
        const tau = bound.values.get("tau");
        const w = bound.values.get("w");
        if ((tau && w) || (!tau && !w)) {
          this.diagnostics.push(error("E104", "plif() needs exactly one of 'tau' (initial time constant) or 'w' (1/τ = sigmoid(w))", bound.span));
          return null;
        }
        const inverseTau = tau?.kind === "number" ? Math.min(1, dt / tau.value) : 1 / (1 + Math.exp(-(w as { value: number }).value));
        return { voltage: 1 - inverseTau, current: 0 };
      }
    }
  }

  /** Resolves the endpoints and binds the call, then checks the rest in check-connections.ts. */
  private checkConnection(statement: Extract<NetworkDecl["body"][number], { kind: "ConnectDecl" }>, index: number): CheckedConnection | null {
    const { source: sourceRef, target: targetRef, connection: call } = statement;
    const source = this.resolvePopulation(sourceRef.name, sourceRef.span);
    const target = this.resolvePopulation(targetRef.name, targetRef.span);
    const specs = CONNECTIONS[call.callee.name];
    if (!specs) {
      const names = Object.keys(CONNECTIONS);
      this.diagnostics.push(error("E102", `unknown connection '${call.callee.name}'${suggest(call.callee.name, names)}; connections are ${names.join(", ")}`, call.callee.span));
      return null;
    }
    const bound = this.bindCall(`${call.callee.name}()`, call, specs);
    if (source === null || target === null || !bound) return null;
    const checked = checkConnection({
      ...this.initializerContext(),
      sourceName: sourceRef.name,
      source,
      targetName: targetRef.name,
      targetSpan: targetRef.span,
      target,
      call,
      bound,
      specs,
      index,
      dtMs: this.dtMs,
      populations: this.populations,
    });
    if (checked?.oscillator) {
      this.populationSpans.set(checked.oscillator.population.name, call.span);
      this.populations.push(checked.oscillator.population);
      this.generatedConnections.push({ ...checked.oscillator.connection, source: this.populations.length - 1 });
    }
    return checked?.connection ?? null;
  }

  private initializerContext(): InitializerContext {
    return { readFile: this.options.readFile, diagnostics: this.diagnostics };
  }

  private resolvePopulation(name: string, span: Span): number | null {
    const index = this.populations.findIndex((p) => p.name === name);
    if (index >= 0) return index;
    if (!this.populationSpans.has(name)) {
      const names = this.populations.map((p) => p.name);
      this.diagnostics.push(error("E100", `unknown population '${name}'${suggest(name, names)}${names.length ? `; declared populations are ${names.join(", ")}` : ""}`, span));
    }
    return null;
  }
}
