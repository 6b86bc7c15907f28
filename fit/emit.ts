/**
 * @fileoverview Writes the fitted network as a `.snn` source plus `.npy` weight files (docs/fit.md,
 * "The fitted network"), and compiles it in memory. The source says everything in the DSL's own
 * terms — `gif(gamma, vth = 1, v_init)`, one dense projection per delay, each weight file in
 * threshold units on the exact grid of its `bits`/`exponent` — so that compiling it reproduces the
 * fitted mantissas bit for bit.
 *
 * The gIF's constant input I_i differs per neuron, but a layer's `bias` is one number; so I_i is a
 * weight from `drive`, an input that spikes at every step (rate encoder with offset 1), with delay 1:
 * it reaches the neuron from step 1 on, which the fit models.
 */
import { formatNpy } from "../compiler/arrays.ts";
import { compileSource } from "../compiler/index.ts";
import type { ChipNetwork } from "../compiler/ir.ts";
import type { Diagnostic } from "../dsl/diagnostic.ts";
import type { NeuronSolution } from "./neuron-check.ts";
import type { Sources } from "./sources.ts";
import type { FitTarget, WeightGrid } from "./target.ts";

/** Population names in the emitted network. */
export const LAYER_NAME = "out";
export const INPUT_NAME = "stim";
export const DRIVE_NAME = "drive";

export interface EmittedNetwork {
  /** Base name of the .snn (without folder or extension): the network's name and its data folder's stem. */
  name: string;
  text: string;
  /** Weight files by the path the source names them with (relative to the .snn). */
  files: Map<string, Uint8Array>;
}

export interface EmitOptions {
  name: string;
  steps: number;
  /** A comment line about where the network came from. */
  provenance: string;
}

/** The network's name must be a DSL identifier; anything else becomes '_'. */
export function networkName(base: string): string {
  const cleaned = base.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `n_${cleaned}`;
}

/** A DSL string literal (docs/dsl.md: only \" and \\ are escapes). */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function emitNetwork(solutions: readonly NeuronSolution[], sources: Sources, target: FitTarget, options: EmitOptions): EmittedNetwork {
  const n = solutions.length;
  const D = sources.delays;
  const theta = target.thetaLsb;
  const dataFolder = `${options.name}.data`;
  const files = new Map<string, Uint8Array>();
  const lines = [
    `// ${options.provenance}`,
    `// ${n} gIF neurons fitted by \`neurocc fit\` (docs/fit.md); weights in threshold units on the chip's grid.`,
    `network ${networkName(options.name)} {`,
    `  chip ${target.chip.preset};`,
  ];
  const connects: string[] = [];
  const addFile = (stem: string, values: Float64Array, shape: number[]) => {
    const path = `${dataFolder}/${stem}.npy`;
    files.set(path, formatNpy(values, shape));
    return path;
  };
  const connect = (source: string, stem: string, values: Float64Array, sourceSize: number, grid: WeightGrid, delay: number) => {
    if (values.every((v) => v === 0)) return;
    const path = addFile(stem, values, [n, sourceSize]);
    connects.push(`  connect ${source} -> ${LAYER_NAME} : dense(weight = file(${quoted(path)}), bits = ${grid.bits}, exponent = ${grid.exponent}, delay = ${delay}ms);`);
  };

  const bias = Float64Array.from(solutions, (s) => (s.biasMantissa * target.bias.stepLsb) / theta);
  if (bias.some((b) => b !== 0)) {
    lines.push(`  input ${DRIVE_NAME}[1] : rate(offset = 1);   // spikes at every step: carries each neuron's constant input`);
    connect(DRIVE_NAME, "drive", bias, 1, target.bias, 1);
  }
  if (sources.inputCount > 0) lines.push(`  input ${INPUT_NAME}[${sources.inputCount}] : spikes();   // the --input raster: neurocc run ... --input ${INPUT_NAME}=FILE`);
  const initial = Float64Array.from(solutions, (s) => s.initialVoltage / theta);
  const vInit = initial.some((v) => v !== 0) ? `, v_init = file(${quoted(addFile("v_init", initial, [n]))})` : "";
  lines.push(`  layer ${LAYER_NAME}[${n}] : gif(gamma = ${target.gammaRealised}, vth = 1${vInit});`);

  const blocks: { name: string; first: number; size: number; stem: string }[] = [];
  if (sources.inputCount > 0) blocks.push({ name: INPUT_NAME, first: 0, size: sources.inputCount, stem: "input" });
  if (sources.recurrent) blocks.push({ name: LAYER_NAME, first: sources.inputCount, size: n, stem: "recurrent" });
  for (const block of blocks) {
    for (let d = 1; d <= D; d++) {
      const weights = new Float64Array(n * block.size);
      solutions.forEach((solution, post) => {
        for (let pre = 0; pre < block.size; pre++) {
          weights[post * block.size + pre] = (solution.mantissas[(block.first + pre) * D + d - 1] * target.weights.stepLsb) / theta;
        }
      });
      connect(block.name, `${block.stem}_d${d}`, weights, block.size, target.weights, d);
    }
  }
  lines.push(...connects, `  probe ${LAYER_NAME}.v;`, `  run { steps = ${options.steps}; dt = 1ms; }`, "}", "");
  return { name: options.name, text: lines.join("\n"), files };
}

export interface CompiledFit {
  network: ChipNetwork | null;
  diagnostics: Diagnostic[];
}

/** Compiles the emitted source with its weight files served from memory. */
export function compileEmitted(emitted: EmittedNetwork): CompiledFit {
  return compileSource(emitted.text, `${emitted.name}.snn`, {
    readFile: (path) => {
      const bytes = emitted.files.get(path);
      if (!bytes) throw new Error(`the fitted network names a file it did not write: ${path}`);
      return bytes;
    },
  });
}
