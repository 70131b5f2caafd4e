import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, ema, emaOfSquare, lerp } from "./rules.js";

/** Adam and AdamW, the specification of `adam_f32` and `adam_f64` (see src/optimizers/adam.ts for the math). */
export const adamReference: ReferenceRule<"adam"> = (
  r,
  { param, grad, expAvg, expAvgSq, maxExpAvgSq },
  {
    gradScale,
    paramScale,
    weightDecay,
    beta1,
    oneMinusBeta1,
    beta2,
    oneMinusBeta2,
    biasCorrection2Sqrt,
    eps,
    negStepSize,
  },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    if (flags.decoupled) p = r(p * paramScale);
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    const m = flags.withLerp ? lerp(r, expAvg[i], g, oneMinusBeta1) : ema(r, expAvg[i], beta1, oneMinusBeta1, g);
    let v = emaOfSquare(r, expAvgSq[i], beta2, oneMinusBeta2, g);
    expAvg[i] = m;
    expAvgSq[i] = v;
    if (flags.amsgrad) {
      v = Math.max(maxExpAvgSq[i], v);
      maxExpAvgSq[i] = v;
    }
    const denom = r(r(r(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
    param[i] = r(p + r(r(negStepSize * m) / denom));
  }
};
