import type { FloatArray } from "../runtime/kernels.js";
import { effectiveGradient, ema, type Round } from "./rules.js";

/** Adamax, the specification of `adamax_step_*` (see src/optimizers/adamax.ts for the math). */
export function adamaxReference(
  r: Round,
  [param, grad, expAvg, expInf]: FloatArray[],
  [gradScale, weightDecay, beta1, oneMinusBeta1, beta2, eps, negClr]: number[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay);
    const m = ema(r, expAvg[i], beta1, oneMinusBeta1, g);
    const u = Math.max(r(expInf[i] * beta2), r(Math.abs(g) + eps));
    expAvg[i] = m;
    expInf[i] = u;
    param[i] = r(p + r(r(negClr * m) / u));
  }
}
