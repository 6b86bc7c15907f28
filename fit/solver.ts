/**
 * @fileoverview The optimisation edge of fit/: one sparse LP or MILP in, one outcome out,
 * solved by HiGHS (the npm `highs` WebAssembly build, v1.15). Models are passed as CSR arrays through
 * the persistent API (`createModel(ModelData)`): no LP text to print and parse, which matters for the
 * 10^5–10^6 non-zeros of a large neuron. The caller loads HiGHS (cli/ in Node, a bundler asset in a
 * browser) and hands the instance in, so this file has no I/O.
 */
import type { Highs, ModelData } from "highs";

/** A model in HiGHS's form: optimise cᵀx s.t. rowLower ≤ Ax ≤ rowUpper, colLower ≤ x ≤ colUpper. */
export interface SparseProblem {
  numCols: number;
  numRows: number;
  maximize: boolean;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** A in CSR: row r holds columns colIndex[rowStart[r] .. rowStart[r+1]-1]. */
  rowStart: Int32Array;
  colIndex: Int32Array;
  value: Float64Array;
  /** 1 marks an integer column (a MILP); absent: all continuous. */
  integer?: Uint8Array;
}

export type SolveStatus = "optimal" | "infeasible" | "time-limit" | "failed";

export interface SolveOutcome {
  status: SolveStatus;
  /** Column values: the optimum, or (MILP at its time limit) the best feasible point found. */
  values: Float64Array | null;
  objective: number;
  seconds: number;
  /** HiGHS's own words when the solve did not succeed. */
  detail: string;
}

export interface SolveOptions {
  timeLimitSeconds: number;
  /** MILP only: stop at the first feasible point instead of proving the best. */
  firstFeasible?: boolean;
}

/** HiGHS's primal_solution_status value meaning "a feasible point is available". */
const FEASIBLE_POINT = 2;

/** Solves one problem; never throws for solver outcomes (a native error becomes status "failed"). */
export function solveProblem(highs: Highs, problem: SparseProblem, options: SolveOptions): SolveOutcome {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const constants = highs.constants;
  const data: ModelData = {
    numCols: problem.numCols,
    numRows: problem.numRows,
    sense: problem.maximize ? constants.objectiveSense.maximize : constants.objectiveSense.minimize,
    colCost: problem.colCost,
    colLower: problem.colLower,
    colUpper: problem.colUpper,
    rowLower: problem.rowLower,
    rowUpper: problem.rowUpper,
    matrix: { format: "csr", numRows: problem.numRows, numCols: problem.numCols, starts: problem.rowStart, indices: problem.colIndex, values: problem.value },
    ...(problem.integer ? { integrality: Int32Array.from(problem.integer) } : {}),
  };
  let model;
  try {
    model = highs.createModel(data);
  } catch (e) {
    return { status: "failed", values: null, objective: NaN, seconds: elapsed(), detail: `HiGHS rejected the model: ${(e as Error).message}` };
  }
  try {
    model.options.set({ output_flag: false, time_limit: options.timeLimitSeconds, random_seed: 0 });
    // Interior point (with crossover, so the answer is still a vertex) beat dual simplex by about
    // 1.6× on 200-neuron, 1,000-step neurons (docs/fit.md). Only for LPs: for a MILP a named LP
    // solver would make HiGHS drop the integrality.
    if (!problem.integer) model.options.set("solver", "ipm");
    if (problem.integer && options.firstFeasible) model.options.set("mip_max_improving_sols", 1);
    const codes = constants.modelStatus;
    let status = model.run().modelStatus;
    if (!problem.integer && status !== codes.optimal && status !== codes.infeasible && status !== codes.timeLimit) {
      // Interior point gave up (numerical trouble): simplex gets the rest of the time (HiGHS's run
      // clock is cumulative per model, so the same time_limit bounds both runs together).
      model.options.set("solver", "simplex");
      status = model.run().modelStatus;
    }
    const hasPoint = Number(model.info.get("primal_solution_status")) === FEASIBLE_POINT;
    const values = hasPoint ? Float64Array.from(model.getSolution().colValue) : null;
    const objective = hasPoint ? model.getObjectiveValue() : NaN;
    if (status === codes.optimal || (status === codes.solutionLimit && hasPoint)) return { status: "optimal", values, objective, seconds: elapsed(), detail: "" };
    if (status === codes.infeasible) return { status: "infeasible", values: null, objective: NaN, seconds: elapsed(), detail: "infeasible" };
    if (status === codes.timeLimit) return { status: "time-limit", values, objective, seconds: elapsed(), detail: `time limit of ${options.timeLimitSeconds} s reached` };
    return { status: "failed", values, objective, seconds: elapsed(), detail: `HiGHS ended with model status ${statusName(highs, status)}` };
  } catch (e) {
    return { status: "failed", values: null, objective: NaN, seconds: elapsed(), detail: `HiGHS failed: ${(e as Error).message}` };
  } finally {
    model.dispose();
  }
}

function statusName(highs: Highs, code: number): string {
  const entry = Object.entries(highs.constants.modelStatus).find(([, value]) => value === code);
  return entry ? entry[0] : String(code);
}

/** Incrementally builds a CSR problem row by row. */
export class ProblemBuilder {
  private readonly starts: number[] = [0];
  private readonly columns: number[] = [];
  private readonly values: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];

  constructor(
    readonly numCols: number,
    readonly colLower: Float64Array,
    readonly colUpper: Float64Array,
    readonly colCost: Float64Array,
  ) {}

  /** Adds lower ≤ Σ values[k]·x[columns[k]] ≤ upper (columns must be distinct). */
  addRow(columns: ArrayLike<number>, values: ArrayLike<number>, lower: number, upper: number): void {
    for (let k = 0; k < columns.length; k++) {
      this.columns.push(columns[k]);
      this.values.push(values[k]);
    }
    this.starts.push(this.columns.length);
    this.lower.push(lower);
    this.upper.push(upper);
  }

  build(maximize: boolean, extra: Pick<SparseProblem, "integer"> = {}): SparseProblem {
    return {
      numCols: this.numCols,
      numRows: this.lower.length,
      maximize,
      colCost: this.colCost,
      colLower: this.colLower,
      colUpper: this.colUpper,
      rowLower: Float64Array.from(this.lower),
      rowUpper: Float64Array.from(this.upper),
      rowStart: Int32Array.from(this.starts),
      colIndex: Int32Array.from(this.columns),
      value: Float64Array.from(this.values),
      ...extra,
    };
  }
}
