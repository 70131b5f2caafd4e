/**
 * L-BFGS cases of `optimizer-golden/1` files (the frontier folder's lbfgs.json): torch.optim.LBFGS
 * stepped with a closure over a function simdopt computes itself (a 2-D test function, the
 * n-dimensional Rosenbrock function, or a least-squares objective ‖A·w − b‖²), checking the path,
 * the returned losses, and the exact counts of closure calls and iterations of each step.
 */
import { TEST_FUNCTIONS, type TestFunctionName } from "../functions/index.js";
import { LBFGS } from "../optimizers/lbfgs.js";
import type { Dtype } from "../runtime/kernels.js";
import type { Parameter } from "../runtime/parameter.js";
import type { Runtime } from "../runtime/runtime.js";
import { ErrorMeter, fromTorchOptions, TOLERANCE, type CaseResult } from "./golden.js";

/** A case of lbfgs.json (see the frontier folder's README). */
export interface LBFGSCase {
  name: string;
  function: string;
  start: number[];
  optimizer: "lbfgs";
  options: Record<string, unknown>;
  dtype: Dtype;
  steps: number;
  function_args?: { A: number[][]; b: number[] };
  expected_path: number[][];
  expected_evals: number[];
  expected_iters: number[];
  expected_loss: number[];
}

/** f(w) and ∇f(w) of the case's function. */
function objective(c: LBFGSCase): (w: ArrayLike<number>) => { f: number; g: number[] } {
  if (c.function === "rosenbrock") {
    return (w) => {
      const g = new Array<number>(w.length).fill(0);
      let f = 0;
      for (let i = 0; i < w.length - 1; i++) {
        const a = w[i + 1] - w[i] * w[i];
        const b = 1 - w[i];
        f += 100 * a * a + b * b;
        g[i] += -400 * w[i] * a - 2 * b;
        g[i + 1] += 200 * a;
      }
      return { f, g };
    };
  }
  if (c.function === "least_squares") {
    const { A, b } = c.function_args ?? { A: [], b: [] };
    if (A.length === 0) throw new Error("least_squares needs function_args.A and .b");
    return (w) => {
      const residual = A.map((row, i) => row.reduce((sum, a, j) => sum + a * w[j], 0) - b[i]);
      const g = Array.from(
        { length: w.length },
        (_, j) => 2 * A.reduce((sum, row, i) => sum + row[j] * residual[i], 0),
      );
      return { f: residual.reduce((sum, r) => sum + r * r, 0), g };
    };
  }
  if (!Object.hasOwn(TEST_FUNCTIONS, c.function)) throw new Error(`unknown function '${c.function}'`);
  const fn = TEST_FUNCTIONS[c.function as TestFunctionName];
  return (w) => ({ f: fn.value(w[0], w[1]), g: fn.gradient(w[0], w[1]) });
}

export function runLBFGSCase(runtime: Runtime, c: LBFGSCase): CaseResult {
  const tolerance = TOLERANCE.trajectory;
  const meter = new ErrorMeter();
  let w: Parameter | undefined;
  try {
    const f = objective(c);
    const param = runtime.parameter(c.start, { dtype: c.dtype });
    w = param;
    const optimizer = new LBFGS([param], fromTorchOptions(c.options));
    const closure = () => {
      const { f: loss, g } = f(param.data);
      param.setGrad(g);
      return loss;
    };
    meter.compare(param.data, c.expected_path[0]);
    const counts: string[] = [];
    for (let t = 0; t < c.steps; t++) {
      const loss = optimizer.step(closure);
      meter.compare([loss], [c.expected_loss[t]]);
      meter.compare(param.data, c.expected_path[t + 1]);
      const { evaluations, iterations } = optimizer.lastStep;
      if (evaluations !== c.expected_evals[t] || iterations !== c.expected_iters[t])
        counts.push(
          `step ${t + 1}: ${evaluations} evaluations and ${iterations} iterations, expected ${c.expected_evals[t]} and ${c.expected_iters[t]}`,
        );
    }
    optimizer.dispose();
    const result = meter.result(c.name, tolerance, c.dtype);
    return counts.length === 0 ? result : { ...result, passed: false, bitExact: false, error: counts.join("; ") };
  } catch (cause) {
    return meter.failure(c.name, tolerance, c.dtype, cause);
  } finally {
    w?.dispose();
  }
}
