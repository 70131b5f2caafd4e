/**
 * Weight-averaging cases of `optimizer-golden/1` files (averaging.json): torch.optim.swa_utils'
 * AveragedModel over a sequence of parameter values, with SWA's equal weights (`swa`) or an EMA
 * (`ema`, `options.decay`); `expected[t]` is the average after update t + 1.
 */
import { WeightAverage } from "../averaging/weight-average.js";
import type { Dtype } from "../runtime/kernels.js";
import type { Parameter } from "../runtime/parameter.js";
import type { Runtime } from "../runtime/runtime.js";
import { ErrorMeter, TOLERANCE, type CaseResult } from "./golden.js";

/** A case of averaging.json (see the frontier folder's README). */
export interface AveragingCase {
  name: string;
  kind: "swa" | "ema";
  options: { decay?: number };
  dtype: Dtype;
  steps: number;
  params: { shape?: number[]; sequence: number[][]; expected: number[][] }[];
}

export function isAveragingKind(kind: unknown): boolean {
  return kind === "swa" || kind === "ema";
}

/** Runs one averaging case: every average after every update, within the dtype's tolerance. */
export function runAveragingCase(runtime: Runtime, c: AveragingCase): CaseResult {
  const tolerance = TOLERANCE[c.dtype];
  const meter = new ErrorMeter();
  const params: Parameter[] = [];
  let average: WeightAverage | undefined;
  try {
    for (const p of c.params) params.push(runtime.parameter(p.sequence[0], { dtype: c.dtype, shape: p.shape }));
    average = new WeightAverage(params, { strategy: c.kind, ...(c.kind === "ema" ? { decay: c.options.decay } : {}) });
    for (let t = 0; t < c.steps; t++) {
      c.params.forEach((p, i) => params[i].data.set(p.sequence[t]));
      average.update();
      c.params.forEach((p, i) => meter.compare((average as WeightAverage).averaged(params[i]), p.expected[t]));
    }
    return meter.result(c.name, tolerance, c.dtype);
  } catch (cause) {
    return meter.failure(c.name, tolerance, c.dtype, cause);
  } finally {
    average?.dispose();
    for (const param of params) param.dispose();
  }
}
