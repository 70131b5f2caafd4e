import type { FloatArray } from "../runtime/kernels.js";
import type { Round } from "./round.js";

/** SGD, the specification of `sgd_step_*` (see src/optimizers/sgd.ts for the math). */
export function sgdReference(
  r: Round,
  [param, grad, momentumBuffer]: FloatArray[],
  [gradScale, weightDecay, momentum, oneMinusDampening, negLr]: number[],
  [firstStep, nesterov]: boolean[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    let d = r(grad[i] * gradScale);
    if (weightDecay !== 0) d = r(d + r(weightDecay * p));
    if (momentum !== 0) {
      const b = firstStep ? d : r(r(momentumBuffer[i] * momentum) + r(oneMinusDampening * d));
      momentumBuffer[i] = b;
      d = nesterov ? r(d + r(momentum * b)) : b;
    }
    param[i] = r(p + r(negLr * d));
  }
}
