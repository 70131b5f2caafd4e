import type { FloatArray } from "../runtime/kernels.js";
import type { Round } from "./round.js";

/** Adadelta, the specification of `adadelta_step_*` (see src/optimizers/adadelta.ts for the math). */
export function adadeltaReference(
  r: Round,
  [param, grad, squareAvg, accDelta]: FloatArray[],
  [gradScale, weightDecay, rho, oneMinusRho, eps, negLr]: number[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    let g = r(grad[i] * gradScale);
    if (weightDecay !== 0) g = r(g + r(weightDecay * p));
    const s = r(r(squareAvg[i] * rho) + r(r(oneMinusRho * g) * g));
    squareAvg[i] = s;
    const std = r(Math.sqrt(r(s + eps)));
    const a = accDelta[i];
    const delta = r(r(r(Math.sqrt(r(a + eps))) / std) * g);
    accDelta[i] = r(r(a * rho) + r(r(oneMinusRho * delta) * delta));
    param[i] = r(p + r(negLr * delta));
  }
}
