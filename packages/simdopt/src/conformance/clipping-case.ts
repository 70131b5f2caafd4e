/**
 * Clipping cases of `optimizer-golden/1` files (clipping.json): torch.nn.utils.clip_grad_norm_
 * (which also returns the total norm before clipping) and clip_grad_value_ over several tensors.
 */
import { clipGradNorm, clipGradValue } from "../clipping/clip.js";
import type { Dtype } from "../runtime/kernels.js";
import type { Parameter } from "../runtime/parameter.js";
import type { Runtime } from "../runtime/runtime.js";
import { ErrorMeter, toleranceOf, type CaseResult } from "./golden.js";

/** A case of clipping.json (see the golden folder's README). */
export interface ClippingCase {
  name: string;
  kind: "norm" | "value";
  options: { max_norm?: number; norm_type?: number | "inf"; clip_value?: number };
  dtype: Dtype;
  grads: number[][];
  expected: number[][];
  expected_total_norm?: number;
}

/**
 * Runs one clipping case: the clipped gradients within the dtype's tolerance, and the returned
 * norm within the same (a float32 norm is a float32 sum, whose order torch does not fix).
 */
export function runClippingCase(runtime: Runtime, c: ClippingCase): CaseResult {
  let tolerance = Number.NaN;
  const meter = new ErrorMeter();
  const params: Parameter[] = [];
  try {
    tolerance = toleranceOf(c.dtype);
    // A case of no gradient would pass without checking anything.
    if (!Array.isArray(c.grads) || c.grads.length === 0)
      throw new Error("field 'grads' must hold at least one gradient");
    for (const grad of c.grads) params.push(runtime.parameter(grad.length, { dtype: c.dtype }).setGrad(grad));
    if (c.kind === "norm") {
      const norm = clipGradNorm(params, c.options.max_norm as number, { normType: c.options.norm_type ?? 2 });
      if (c.expected_total_norm !== undefined) meter.compare([norm], [c.expected_total_norm]);
    } else {
      clipGradValue(params, c.options.clip_value as number);
    }
    params.forEach((param, i) => meter.compare(param.grad, c.expected[i]));
    return meter.result(c.name, tolerance, c.dtype);
  } catch (cause) {
    return meter.failure(c.name, tolerance, c.dtype, cause);
  } finally {
    for (const param of params) param.dispose();
  }
}
