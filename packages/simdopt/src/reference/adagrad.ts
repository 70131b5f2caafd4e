import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, fma } from "./rules.js";

/** Adagrad, the specification of `adagrad_f32` and `adagrad_f64` (see src/optimizers/adagrad.ts for the math). */
export const adagradReference: ReferenceRule<"adagrad"> = (
  r,
  { param, grad, sum },
  { gradScale, weightDecay, eps, negClr },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    const s = fma(r, g, g, sum[i]);
    sum[i] = s;
    if (flags.epsInRoot) {
      // optax: where s is 0 (or NaN) the step is 0·g, NaN for an infinite or NaN g.
      const step = s > 0 ? r(r(negClr * g) / r(Math.sqrt(r(s + eps)))) : r(g * 0);
      param[i] = r(p + step);
    } else {
      const std = r(r(Math.sqrt(s)) + eps);
      param[i] = r(p + r(r(negClr * g) / std));
    }
  }
};
