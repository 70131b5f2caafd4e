import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, ema, emaOfSquare, lerp } from "./rules.js";

/** RAdam, the specification of `radam_f32` and `radam_f64` (see src/optimizers/radam.ts for the math). */
export const radamReference: ReferenceRule<"radam"> = (
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
    biasCorrection1,
    lr,
    biasCorrection2Sqrt,
    eps,
    rect,
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
    let update = r(r(m / biasCorrection1) * lr);
    if (flags.rectified) {
      const adaptiveLr = r(r(1 / r(r(Math.sqrt(v)) + eps)) * biasCorrection2Sqrt); // (√v + ε).reciprocal() · √bc2, as torch
      update = r(r(update * adaptiveLr) * rect);
    }
    param[i] = r(p - update);
  }
};
