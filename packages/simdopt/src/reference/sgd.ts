import type { FloatArray } from "../runtime/kernels.js";
import { effectiveGradient, ema, fma, type Round } from "./rules.js";

/** SGD, the specification of `sgd_step_*` (see src/optimizers/sgd.ts for the math). */
export function sgdReference(
  r: Round,
  [param, grad, momentumBuffer]: FloatArray[],
  [gradScale, weightDecay, momentum, oneMinusDampening, negLr]: number[],
  [firstStep, nesterov]: boolean[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    let d = effectiveGradient(r, grad[i], gradScale, p, weightDecay);
    if (momentum !== 0) {
      const b = firstStep ? d : ema(r, momentumBuffer[i], momentum, oneMinusDampening, d);
      momentumBuffer[i] = b;
      d = nesterov ? fma(r, momentum, b, d) : b;
    }
    param[i] = fma(r, negLr, d, p);
  }
}
