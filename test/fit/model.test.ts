/**
 * @fileoverview The pieces the fit's correctness rests on, checked one by one: the open-loop model
 * of a neuron agrees with the emulator (so a neuron that passes the exact check spikes the same in
 * the network), the drift bounds really bound the chip's integer potential against the real-valued
 * model (so a margin that covers them survives rounding), v_init inversion, the rank-deficient
 * least-squares solve, and solver failures surfacing as a FitSolverError.
 */
import fc from "fast-check";
import type { Highs } from "highs";
import { describe, expect, it } from "vitest";
import { createReferenceEmulator } from "../../emulator/reference/index.ts";
import { decayVoltage } from "../../emulator/reference/neuron.ts";
import { fitNeuron, FitSolverError } from "../../fit/fit-neuron.ts";
import { solveSemidefinite } from "../../fit/least-squares.ts";
import { runOpenLoop, type NeuronSolution } from "../../fit/neuron-check.ts";
import { buildSources, driftBounds, forEachActiveColumn, ownSpikes } from "../../fit/sources.ts";
import { syntheticNetwork } from "../../fit/synthetic.ts";
import { DEFAULT_SETTINGS, initialVoltageFor, resolveTarget, type FitTarget } from "../../fit/target.ts";

describe("the open-loop neuron model", () => {
  it("reproduces the emulator's spikes and potentials for the ground truth's own weights", async () => {
    const truth = await syntheticNetwork({ neurons: 12, inputs: 4, steps: 150, density: 0.4, seed: 5, settings: { delays: 3 } }, createReferenceEmulator);
    const sources = buildSources(truth.raster, truth.input, true, 3);
    truth.solutions.forEach((solution, n) => {
      const run = runOpenLoop(solution, sources, truth.target);
      expect(Array.from(run.spikes)).toEqual(Array.from(ownSpikes(truth.raster, n)));
      expect(Array.from(run.potentials)).toEqual(Array.from({ length: 150 }, (_, t) => truth.potentials.values[t * 12 + n]));
    });
  });
});

/** The real-valued model V[k] = g_k·V[k−1] + x_k·w for given integer weights (LSB, no rounding). */
function realPotentials(solution: NeuronSolution, own: Uint8Array, sources: ReturnType<typeof buildSources>, target: FitTarget): Float64Array {
  const v = new Float64Array(own.length);
  v[0] = solution.initialLsb;
  for (let k = 1; k < own.length; k++) {
    let input = solution.biasMantissa * target.bias.stepLsb;
    forEachActiveColumn(sources, k, (c) => (input += solution.mantissas[c] * target.weights.stepLsb));
    v[k] = (own[k - 1] ? 0 : target.gammaRealised * v[k - 1]) + input;
  }
  return v;
}

describe("drift bounds", () => {
  it("bound |chip potential − real-valued potential| at every step (property over random neurons)", async () => {
    const truth = await syntheticNetwork({ neurons: 6, inputs: 3, steps: 120, density: 0.5, seed: 8, settings: { delays: 2, gamma: 0.9 } }, createReferenceEmulator);
    const sources = buildSources(truth.raster, truth.input, true, 2);
    const target = truth.target;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(fc.integer({ min: -3000, max: 3000 }), { minLength: sources.count * 2, maxLength: sources.count * 2 }), fc.integer({ min: -2000, max: 4000 }), fc.integer({ min: -40000, max: 40000 }), (neuron, mantissas, bias, initial) => {
        const own = ownSpikes(truth.raster, neuron);
        const solution: NeuronSolution = { mantissas: Int32Array.from(mantissas), biasMantissa: bias, initialLsb: initial, initialVoltage: initialVoltageFor(initial, target)! };
        // Drive the neuron with the raster's own resets, as the fit's model does.
        const chip = runOpenLoopWithResets(solution, own, sources, target);
        const real = realPotentials(solution, own, sources, target);
        const bound = driftBounds(own, sources, target, false);
        for (let k = 0; k < own.length; k++) expect(Math.abs(chip[k] - real[k])).toBeLessThanOrEqual(bound[k]);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

/** Pre-reset chip potentials with the resets of the observed train (v → 0 after an observed spike). */
function runOpenLoopWithResets(solution: NeuronSolution, own: Uint8Array, sources: ReturnType<typeof buildSources>, target: FitTarget): Float64Array {
  const out = new Float64Array(own.length);
  let v = solution.initialVoltage;
  for (let k = 0; k < own.length; k++) {
    let input = k >= 1 ? solution.biasMantissa * target.bias.stepLsb : 0;
    forEachActiveColumn(sources, k, (c) => (input += solution.mantissas[c] * target.weights.stepLsb));
    v = decayVoltage(v, target.neuron.decay) + input;
    out[k] = v;
    if (own[k]) v = 0;
  }
  return out;
}

describe("initial voltage", () => {
  for (const [chipPreset, gamma] of [["generic", 0.875], ["generic", 0.3], ["edge", 0.9], ["generic", 1]] as const) {
    it(`decay(v_init) hits every wanted start value (${chipPreset}, γ = ${gamma})`, () => {
      const target = resolveTarget({ ...DEFAULT_SETTINGS, chipPreset, gamma });
      for (let u = -target.maxInitialLsb; u <= target.maxInitialLsb; u += Math.max(1, Math.floor(target.maxInitialLsb / 997))) {
        const v = initialVoltageFor(u, target);
        expect(v).not.toBeNull();
        expect(decayVoltage(v!, target.neuron.decay)).toBe(u);
      }
    });
  }
});

describe("least squares", () => {
  it("solves a rank-deficient system exactly, zeroing the dependent unknowns", () => {
    // Unknowns x0, x1 = x0 (duplicate column), x2, x3 never seen: A = [[1,1,0,0],[0,0,2,0],[1,1,1,0]].
    const rows = [[1, 1, 0, 0], [0, 0, 2, 0], [1, 1, 1, 0]];
    const truth = [3, 0, 5, 0];
    const gram = new Float64Array(16);
    const rhs = new Float64Array(4);
    for (const row of rows) {
      const y = row.reduce((s, a, i) => s + a * truth[i], 0);
      for (let i = 0; i < 4; i++) {
        rhs[i] += row[i] * y;
        for (let j = 0; j < 4; j++) gram[i * 4 + j] += row[i] * row[j];
      }
    }
    const { solution, dropped } = solveSemidefinite(gram, rhs, 4);
    expect(dropped).toBe(2);
    expect(Array.from(solution).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([3, 0, 5, 0]);
  });
});

describe("solver failures", () => {
  it("a solver that cannot build the model stops the fit with a FitSolverError", () => {
    const target = resolveTarget(DEFAULT_SETTINGS);
    const raster = { steps: 5, neurons: 1, spikes: Uint8Array.from([0, 1, 0, 0, 1]) };
    const sources = buildSources(raster, null, true, 1);
    const broken = {
      constants: { objectiveSense: { maximize: -1, minimize: 1 }, modelStatus: {} },
      createModel: () => {
        throw new Error("out of memory");
      },
    } as unknown as Highs;
    expect(() => fitNeuron(broken, 0, ownSpikes(raster, 0), sources, target, { method: "auto", timeLimitSeconds: 1 }, null)).toThrow(FitSolverError);
    expect(() => fitNeuron(broken, 0, ownSpikes(raster, 0), sources, target, { method: "auto", timeLimitSeconds: 1 }, null)).toThrow(/HiGHS rejected the model: out of memory/);
  });
});
