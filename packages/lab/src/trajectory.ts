/**
 * Optimizer paths on a 2-D function, run with simdopt's public API: the point is a float64 parameter
 * of two values, its gradient is computed exactly before every step, and the optimizer's own step
 * moves it (the same loop as simdopt's `runTrajectory`, for any function).
 */
import { createOptimizer, type OptimizerName, type Runtime, type TestFunction } from "simdopt";

/** A path: the start, then the point after every step; `diverged` when it left the finite numbers. */
export interface Path {
  readonly points: [number, number][];
  readonly diverged: boolean;
}

/**
 * Runs `optimizer` with `options` from `start` for `steps` steps on `fn`. A path that overflows stops
 * at its last finite point and says so.
 */
export function runPath(
  runtime: Runtime,
  fn: TestFunction,
  optimizer: OptimizerName,
  options: object,
  start: readonly [number, number],
  steps: number,
): Path {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`simdopt-lab: steps must be a whole number ≥ 0, got ${steps}`);
  if (!start.every(Number.isFinite))
    throw new RangeError(`simdopt-lab: the start must be two finite numbers, got ${start.join(", ")}`);
  const point = runtime.parameter(start, { name: "point", dtype: "float64" });
  try {
    const opt = createOptimizer(optimizer, [point], options as never);
    try {
      const points: [number, number][] = [[point.data[0], point.data[1]]];
      for (let t = 0; t < steps; t++) {
        point.setGrad(fn.gradient(point.data[0], point.data[1]));
        opt.step();
        const [x, y] = point.data;
        if (!Number.isFinite(x) || !Number.isFinite(y)) return { points, diverged: true };
        points.push([x, y]);
      }
      return { points, diverged: false };
    } finally {
      opt.dispose();
    }
  } finally {
    point.dispose();
  }
}
