import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, fma } from "./rules.js";

/** ASGD, the specification of `asgd_f32` and `asgd_f64` (see src/optimizers/asgd.ts for the math). */
export const asgdReference: ReferenceRule<"asgd"> = (
  r,
  { param, grad, ax },
  { gradScale, weightDecay, paramScale, negEta, mu },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    const g = effectiveGradient(r, grad[i], gradScale, param[i], weightDecay, flags.coupled);
    const p = fma(r, negEta, g, r(param[i] * paramScale));
    param[i] = p;
    ax[i] = flags.averaging ? r(ax[i] + r(r(p - ax[i]) * mu)) : p;
  }
};
