import type { FloatArray } from "../runtime/kernels.js";
import type { Round } from "./round.js";

/** Adamax, the specification of `adamax_step_*` (see src/optimizers/adamax.ts for the math). */
export function adamaxReference(
  r: Round,
  [param, grad, expAvg, expInf]: FloatArray[],
  [gradScale, weightDecay, beta1, oneMinusBeta1, beta2, eps, negClr]: number[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    let g = r(grad[i] * gradScale);
    if (weightDecay !== 0) g = r(g + r(weightDecay * p));
    const m = r(r(expAvg[i] * beta1) + r(oneMinusBeta1 * g));
    const u = Math.max(r(expInf[i] * beta2), r(Math.abs(g) + eps));
    expAvg[i] = m;
    expInf[i] = u;
    param[i] = r(p + r(r(negClr * m) / u));
  }
}
