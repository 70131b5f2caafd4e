import type { ReferenceRule } from "./kernels.js";
import { lerp } from "./lerp.js";
import { ema, emaOfSquare, fma } from "./rules.js";

/** Schedule-free AdamW and SGD, the specification of `scheduleFree_f32` and `scheduleFree_f64` (see src/optimizers/schedule-free.ts). */
export const scheduleFreeReference: ReferenceRule<"scheduleFree"> = (
  r,
  { param, grad, z, expAvgSq, expAvg },
  {
    gradScale,
    beta2,
    oneMinusBeta2,
    biasCorrection2,
    eps,
    innerMomentum,
    oneMinusInnerMomentum,
    biasCorrection1,
    weightDecay,
    averageWeight,
    yStep,
    negLr,
  },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    const y = param[i];
    const zk = flags.firstStep ? y : z[i];
    const g = r(grad[i] * gradScale);
    let d = g;
    if (flags.adaptive) {
      const v = emaOfSquare(r, expAvgSq[i], beta2, oneMinusBeta2, g);
      expAvgSq[i] = v;
      const den = r(r(Math.sqrt(r(v / biasCorrection2))) + eps);
      if (flags.withInnerMomentum) {
        const m = ema(r, expAvg[i], innerMomentum, oneMinusInnerMomentum, g);
        expAvg[i] = m;
        d = r(r(m / biasCorrection1) / den);
      } else {
        d = r(g / den);
      }
    }
    if (flags.coupled) d = fma(r, weightDecay, y, d);
    param[i] = fma(r, yStep, d, lerp(r, y, zk, averageWeight, flags.averageFromEnd));
    z[i] = fma(r, negLr, d, zk);
  }
};
