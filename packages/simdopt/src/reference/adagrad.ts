import type { FloatArray } from "../runtime/kernels.js";
import { effectiveGradient, fma, type Round } from "./rules.js";

/** Adagrad, the specification of `adagrad_step_*` (see src/optimizers/adagrad.ts for the math). */
export function adagradReference(
  r: Round,
  [param, grad, sum]: FloatArray[],
  [gradScale, weightDecay, eps, negClr]: number[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay);
    const s = fma(r, g, g, sum[i]);
    sum[i] = s;
    const std = r(r(Math.sqrt(s)) + eps);
    param[i] = r(p + r(r(negClr * g) / std));
  }
}
