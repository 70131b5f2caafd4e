import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, emaOfSquare, fma } from "./rules.js";

/** Adadelta, the specification of `adadelta_f32` and `adadelta_f64` (see src/optimizers/adadelta.ts for the math). */
export const adadeltaReference: ReferenceRule<"adadelta"> = (
  r,
  { param, grad, squareAvg, accDelta },
  { gradScale, weightDecay, rho, oneMinusRho, eps, negLr },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    const previous = squareAvg[i];
    const s = emaOfSquare(r, previous, rho, oneMinusRho, g);
    squareAvg[i] = s;
    const std = r(Math.sqrt(r((flags.previousSquareAvg ? previous : s) + eps)));
    const a = accDelta[i];
    const delta = r(r(r(Math.sqrt(r(a + eps))) / std) * g);
    accDelta[i] = emaOfSquare(r, a, rho, oneMinusRho, delta);
    param[i] = fma(r, negLr, delta, p);
  }
};
