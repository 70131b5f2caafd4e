import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, ema, fma } from "./rules.js";

/** SGD, the specification of `sgd_f32` and `sgd_f64` (see src/optimizers/sgd.ts for the math). */
export const sgdReference: ReferenceRule<"sgd"> = (
  r,
  { param, grad, momentumBuffer },
  { gradScale, paramScale, weightDecay, momentum, oneMinusDampening, negLr },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    const p = flags.decoupled ? r(param[i] * paramScale) : param[i];
    let d = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    if (flags.withMomentum) {
      const b = flags.firstStep ? d : ema(r, momentumBuffer[i], momentum, oneMinusDampening, d);
      momentumBuffer[i] = b;
      d = flags.nesterov ? fma(r, momentum, b, d) : b;
    }
    param[i] = fma(r, negLr, d, p);
  }
};
