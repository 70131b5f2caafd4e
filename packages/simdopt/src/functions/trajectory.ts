import { createOptimizer, type OptimizerName } from "../optimizers/index.js";
import type { Dtype } from "../runtime/kernels.js";
import type { Runtime } from "../runtime/runtime.js";
import { show } from "../runtime/validate.js";
import { TEST_FUNCTIONS, type TestFunctionName } from "./index.js";

/**
 * Runs an optimizer on a 2-D test function from `start` for `steps` steps (in float64 unless
 * `dtype` says otherwise), the gradient computed exactly at the current point before every step.
 * Returns the path, start included.
 */
export function runTrajectory(
  runtime: Runtime,
  functionName: TestFunctionName,
  optimizer: OptimizerName,
  options: object,
  start: readonly [number, number],
  steps: number,
  dtype: Dtype = "float64",
): [number, number][] {
  // Own names only: "constructor" is an unknown function, not Object's.
  if (!Object.hasOwn(TEST_FUNCTIONS, functionName)) {
    throw new TypeError(
      `simdopt: unknown test function ${show(functionName)} (known: ${Object.keys(TEST_FUNCTIONS).join(", ")})`,
    );
  }
  const fn = TEST_FUNCTIONS[functionName];
  if (!Number.isSafeInteger(steps) || steps < 0) {
    throw new RangeError(`simdopt: runTrajectory's steps must be a whole number >= 0, got ${show(steps)}`);
  }
  const point = runtime.parameter(start, { name: "point", dtype });
  try {
    const opt = createOptimizer(optimizer, [point], options);
    try {
      const path: [number, number][] = [[point.data[0], point.data[1]]];
      for (let t = 0; t < steps; t++) {
        point.setGrad(fn.gradient(point.data[0], point.data[1]));
        opt.step();
        path.push([point.data[0], point.data[1]]);
      }
      return path;
    } finally {
      opt.dispose();
    }
  } finally {
    point.dispose();
  }
}
