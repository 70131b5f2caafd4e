/**
 * Reads files of the `optimizer-golden/1` format (vectors computed by torch.optim) and runs their
 * optimizer and trajectory cases through a runtime, reporting each case's largest error against
 * the tolerance of the format: |actual − expected| ≤ tol·max(1, |expected|).
 */
import { compatibilityOptions } from "./conventions.js";
import { runTrajectory } from "../functions/trajectory.js";
import { TEST_FUNCTIONS, type TestFunctionName } from "../functions/index.js";
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerName } from "../optimizers/index.js";
import { SparseAdam } from "../optimizers/sparseAdam.js";
import { Muon } from "../optimizers/muon.js";
import type { Optimizer } from "../optimizer.js";
import type { Dtype } from "../runtime/kernels.js";
import type { Parameter } from "../runtime/parameter.js";
import { show } from "../runtime/validate.js";
import type { Runtime } from "../runtime/runtime.js";
import { isLowbitCase } from "./lowbit.js";

export const GOLDEN_FORMAT = "optimizer-golden/1";
/** The relative tolerances of the golden format: |actual − expected| ≤ tol·max(1, |expected|). */
export const TOLERANCE = Object.freeze({
  /** Optimizer cases in float32. */
  float32: 1e-5,
  /** Optimizer cases in float64. */
  float64: 1e-10,
  /** Trajectory and L-BFGS cases. */
  trajectory: 1e-9,
} as const);

/** One optimizer case of an `optimizer-golden/1` file, with torch's option names. */
export interface OptimizerCase {
  /** The case's name. */
  name: string;
  /** torch's class name (`Adam`) or a preset's name (`keras:adam`). */
  optimizer: string;
  /** The options, as torch names them (see `fromTorchOptions`). */
  options: Record<string, unknown>;
  /** The element type of the parameters. */
  dtype: Dtype;
  /** The number of steps. */
  steps: number;
  /** Per-group options, where the case has several parameter groups. */
  groups?: Record<string, unknown>[];
  /** The case's own tolerance, replacing the dtype's (Muon's: one bfloat16 ulp of the update per step). */
  tolerance?: number;
  /** Each parameter: its start, each step's gradient and the values expected after each step. */
  params: {
    /** The index of its group in `groups` (0 unless given). */
    group?: number;
    /** The values before the first step. */
    init: number[];
    /** The gradient of each step. */
    grads: number[][];
    /** The values after each step. */
    expected: number[][];
    /** ASGD: the averaged iterate after each step (torch's state["ax"]). */
    expected_ax?: number[][];
    /** The tensor's shape when it has 2 or more dims (values stay flat, row-major). */
    shape?: number[];
    /** Schedule-free: the parameter after the last step once the optimizer is in eval mode (x). */
    expected_eval?: number[];
    /** A row-sparse gradient: each step's row indices, `grads[t]` holding their rows of values. */
    grad_indices?: number[][];
  }[];
}

/** One trajectory case: an optimizer run on a 2-D test function, its path compared point by point. */
export interface TrajectoryCase {
  /** The case's name (made from the others when absent). */
  name?: string;
  /** The test function's name (`TEST_FUNCTIONS`). */
  function: string;
  /** The starting point [x, y]. */
  start: [number, number];
  /** torch's class name of the optimizer. */
  optimizer: string;
  /** The options, as torch names them. */
  options: Record<string, unknown>;
  /** The number of steps. */
  steps: number;
  /** The element type (float64 unless given). */
  dtype?: Dtype;
  /** The starting point, then the point after each step. */
  expected_path: [number, number][];
}

/** The kind of a golden case, from its fields (`caseKind`); `unknown` where none fits. */
export type CaseKind =
  | "optimizer"
  | "lowbit"
  | "trajectory"
  | "schedule"
  | "clipping"
  | "averaging"
  | "lbfgs"
  | "unknown";

/** The outcome of one golden case. */
export interface CaseResult {
  /** The case's name. */
  name: string;
  /** True when every value is within the tolerance. */
  passed: boolean;
  /** Largest |actual − expected| / max(1, |expected|) over every value checked. */
  maxError: number;
  /** Every value checked equals the expected one to the last bit (the sign of a zero included). */
  bitExact: boolean;
  /** The relative tolerance applied (see `TOLERANCE`). */
  tolerance: number;
  /** The element type the case ran in (trajectories: their dtype, float64 unless named). */
  dtype: Dtype;
  /** Why the case could not run, when it could not. */
  error?: string;
}

/** The kind of a golden case, told by its fields. */
export function caseKind(c: Record<string, unknown>): CaseKind {
  if ("scheduler" in c) return "schedule";
  if ("kind" in c) return c.kind === "swa" || c.kind === "ema" ? "averaging" : "clipping";
  if ("function" in c && "expected_evals" in c) return "lbfgs";
  if ("function" in c && "expected_path" in c) return "trajectory";
  if ("optimizer" in c && "params" in c) return isLowbitCase(c) ? "lowbit" : "optimizer";
  return "unknown";
}

/** torch option names (`weight_decay`) to simdopt's (`weightDecay`). */
const TORCH_ONLY = new Set(["foreach", "capturable", "differentiable", "fused"]);
/**
 * torch option names (`weight_decay`) to simdopt's (`weightDecay`), leaving out torch's implementation switches
 * (`foreach`, `fused`, ...).
 */
export function fromTorchOptions(options: Record<string, unknown>): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (TORCH_ONLY.has(key)) continue; // implementation switches that do not change the math
    mapped[key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())] = value; // beta_1: beta1
  }
  return mapped;
}

function optimizerName(name: string): OptimizerName {
  const lower = name.toLowerCase();
  if (!(OPTIMIZER_NAMES as string[]).includes(lower)) throw new Error(`unknown optimizer '${name}'`);
  return lower as OptimizerName;
}

/** The tolerance of a dtype, looked up by own name only ("constructor" is not a dtype). */
export function toleranceOf(dtype: unknown): number {
  if (dtype !== "float32" && dtype !== "float64") throw new Error(`unknown dtype ${show(dtype)}`);
  return TOLERANCE[dtype];
}

/** A case's steps: a case of no step would pass without checking anything. */
export function checkSteps(steps: unknown): number {
  if (!Number.isSafeInteger(steps) || (steps as number) < 1) {
    throw new Error(`field 'steps' must be a whole number >= 1 (a case of no step checks nothing), got ${show(steps)}`);
  }
  return steps as number;
}

/** Accumulates the largest scaled error; NaN matches NaN and infinities match themselves. */
export class ErrorMeter {
  max = 0;
  /** No value has differed in any bit so far (a zero of the wrong sign differs, with error 0). */
  exact = true;
  compare(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
    if (actual.length !== expected.length) {
      throw new Error(`expected ${expected.length} values, got ${actual.length}`);
    }
    for (let i = 0; i < expected.length; i++) {
      const a = actual[i];
      const e = expected[i];
      if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
      this.exact = false;
      const error = Math.abs(a - e) / Math.max(1, Math.abs(e));
      this.max = Math.max(this.max, Number.isNaN(error) ? Infinity : error);
    }
  }
  /** The case's result once every value has been compared. */
  result(name: string, tolerance: number, dtype: Dtype): CaseResult {
    return { name, passed: this.max <= tolerance, maxError: this.max, bitExact: this.exact, tolerance, dtype };
  }
  /** The result of a case that could not run to its end. */
  failure(name: string, tolerance: number, dtype: Dtype, cause: unknown): CaseResult {
    return { name, passed: false, maxError: this.max, bitExact: false, tolerance, dtype, error: String(cause) };
  }
}

/**
 * Runs one optimizer case. `source` is the file's `source` field: it picks the behaviour the
 * case was computed with where simdopt's defaults differ (torch 1.13's numerics; see conventions.ts).
 */
export function runOptimizerCase(runtime: Runtime, c: OptimizerCase, source?: string): CaseResult {
  let tolerance = Number.NaN;
  const meter = new ErrorMeter();
  const params: Parameter[] = [];
  let optimizer: Optimizer<object> | undefined;
  try {
    tolerance = c.tolerance ?? toleranceOf(c.dtype);
    checkSteps(c.steps);
    for (const p of c.params) params.push(runtime.parameter(p.init, { dtype: c.dtype, shape: p.shape }));
    const groupOptions = c.groups && c.groups.length > 0 ? c.groups : [{}];
    const groups = groupOptions
      .map((overrides, index) => ({
        params: params.filter((_, i) => (c.params[i].group ?? 0) === index),
        ...fromTorchOptions(overrides),
      }))
      .filter((group) => group.params.length > 0);
    const options = { ...compatibilityOptions(c.optimizer, source), ...fromTorchOptions(c.options) };
    // SparseAdam steps only sparse gradients and Muon only matrices: they are not among the
    // optimizers that take any gradient of any shape.
    optimizer =
      c.optimizer === "sparse_adam"
        ? (new SparseAdam(groups, options) as unknown as Optimizer<object>)
        : c.optimizer === "muon"
          ? (new Muon(groups, options) as unknown as Optimizer<object>)
          : createOptimizer(optimizerName(c.optimizer), groups, options);
    for (let t = 0; t < c.steps; t++) {
      c.params.forEach((p, i) => {
        if (p.grad_indices === undefined) params[i].setGrad(p.grads[t]);
        else params[i].setSparseGrad(p.grad_indices[t], p.grads[t]);
      });
      optimizer.step();
      c.params.forEach((p, i) => meter.compare(params[i].data, p.expected[t]));
      if (c.params.some((p) => p.expected_ax !== undefined)) {
        const averaged = (optimizer as unknown as { averaged(param: Parameter): ArrayLike<number> }).averaged;
        if (typeof averaged !== "function")
          throw new Error(`'expected_ax' is given but ${c.optimizer} keeps no averaged iterate`);
        c.params.forEach((p, i) => {
          if (p.expected_ax !== undefined) meter.compare(averaged.call(optimizer, params[i]), p.expected_ax[t]);
        });
      }
    }
    if (c.params.some((p) => p.expected_eval !== undefined)) {
      const evalMode = (optimizer as unknown as { eval?: () => void }).eval;
      if (typeof evalMode !== "function")
        throw new Error(`'expected_eval' is given but ${c.optimizer} has no eval mode`);
      evalMode.call(optimizer);
      c.params.forEach((p, i) => {
        if (p.expected_eval !== undefined) meter.compare(params[i].data, p.expected_eval);
      });
    }
    return meter.result(c.name, tolerance, c.dtype);
  } catch (cause) {
    return meter.failure(c.name, tolerance, c.dtype, cause);
  } finally {
    // A failing case gives back its memory too.
    optimizer?.dispose();
    for (const p of params) p.dispose();
  }
}

/** Runs one trajectory case; `source` as for `runOptimizerCase`. */
export function runTrajectoryCase(runtime: Runtime, c: TrajectoryCase, source?: string): CaseResult {
  const name = c.name ?? `${c.function}/${c.optimizer}/${JSON.stringify(c.options)}`;
  const tolerance = TOLERANCE.trajectory;
  const dtype = c.dtype ?? "float64";
  const meter = new ErrorMeter();
  try {
    if (!Object.hasOwn(TEST_FUNCTIONS, c.function)) throw new Error(`unknown test function ${show(c.function)}`);
    checkSteps(c.steps);
    const path = runTrajectory(
      runtime,
      c.function as TestFunctionName,
      optimizerName(c.optimizer),
      { ...compatibilityOptions(c.optimizer, source), ...fromTorchOptions(c.options) },
      c.start,
      c.steps,
      dtype,
    );
    meter.compare(path.flat(), c.expected_path.flat());
    return meter.result(name, tolerance, dtype);
  } catch (cause) {
    return meter.failure(name, tolerance, dtype, cause);
  }
}
