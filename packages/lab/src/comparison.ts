/** A comparison on one function: every chosen optimizer's path from one start, ready to draw. */
import type { Runtime } from "simdopt";
import { colourOf, type LabOptimizer } from "./classic.js";
import type { LabFunction } from "./functions.js";
import type { DrawnPath } from "./plot/contour-plot.js";
import { runPath } from "./trajectory.js";

/** Runs each of `optimizers` on `fn` from `start` for `steps` steps; labels carry the learning rate. */
export function compare(
  runtime: Runtime,
  fn: LabFunction,
  optimizers: readonly LabOptimizer[],
  start: readonly [number, number] = fn.start,
  steps: number = fn.steps,
): DrawnPath[] {
  return optimizers.map((entry, index) => {
    const lr = (entry.options as { lr?: number }).lr;
    return {
      label: lr === undefined ? entry.label : `${entry.label}  lr=${formatNumber(lr)}`,
      colour: colourOf(entry.label, index),
      path: runPath(runtime, fn, entry.optimizer, entry.options, start, steps),
    };
  });
}

/** A number in at most 3 significant digits, without trailing zeros. */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}
