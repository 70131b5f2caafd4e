import type { FloatArray } from "../runtime/kernels.js";
import { effectiveGradient, emaOfSquare, fma, type Round } from "./rules.js";

/** Adadelta, the specification of `adadelta_step_*` (see src/optimizers/adadelta.ts for the math). */
export function adadeltaReference(
  r: Round,
  [param, grad, squareAvg, accDelta]: FloatArray[],
  [gradScale, weightDecay, rho, oneMinusRho, eps, negLr]: number[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay);
    const s = emaOfSquare(r, squareAvg[i], rho, oneMinusRho, g);
    squareAvg[i] = s;
    const std = r(Math.sqrt(r(s + eps)));
    const a = accDelta[i];
    const delta = r(r(r(Math.sqrt(r(a + eps))) / std) * g);
    accDelta[i] = emaOfSquare(r, a, rho, oneMinusRho, delta);
    param[i] = fma(r, negLr, delta, p);
  }
}
