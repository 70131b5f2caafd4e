import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, ema, emaOfSquare, lerp } from "./rules.js";

/** NAdam, the specification of `nadam_f32` and `nadam_f64` (see src/optimizers/nadam.ts for the math). */
export const nadamReference: ReferenceRule<"nadam"> = (
  r,
  { param, grad, expAvg, expAvgSq },
  {
    gradScale,
    paramScale,
    weightDecay,
    beta1,
    oneMinusBeta1,
    beta2,
    oneMinusBeta2,
    biasCorrection2,
    eps,
    gradCoef,
    avgCoef,
    epsRoot,
  },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    if (flags.decoupled) p = r(p * paramScale);
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    const m = flags.withLerp ? lerp(r, expAvg[i], g, oneMinusBeta1) : ema(r, expAvg[i], beta1, oneMinusBeta1, g);
    const v = emaOfSquare(r, expAvgSq[i], beta2, oneMinusBeta2, g);
    expAvg[i] = m;
    expAvgSq[i] = v;
    if (flags.momentumOnly) {
      p = r(p + r(gradCoef * g));
      param[i] = r(p + r(avgCoef * m));
    } else {
      let vHat = r(v / biasCorrection2);
      if (flags.withEpsRoot) vHat = r(vHat + epsRoot);
      const denom = r(r(Math.sqrt(vHat)) + eps);
      p = r(p + r(r(gradCoef * g) / denom));
      param[i] = r(p + r(r(avgCoef * m) / denom));
    }
  }
};
