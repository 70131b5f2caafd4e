import type { ReferenceRule } from "./kernels.js";
import { ema, fma, sign } from "./rules.js";

/** Lion, the specification of `lion_f32` and `lion_f64` (see src/optimizers/lion.ts for the math). */
export const lionReference: ReferenceRule<"lion"> = (
  r,
  { param, grad, expAvg },
  { gradScale, paramScale, beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    if (flags.decoupled) p = r(p * paramScale);
    const g = r(grad[i] * gradScale);
    const m = expAvg[i];
    const c = r(r(m * beta1) + r(g * oneMinusBeta1));
    param[i] = fma(r, negLr, sign(c), p);
    expAvg[i] = ema(r, m, beta2, oneMinusBeta2, g);
  }
};
