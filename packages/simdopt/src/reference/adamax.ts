import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, ema, lerp } from "./rules.js";

/** Adamax, the specification of `adamax_f32` and `adamax_f64` (see src/optimizers/adamax.ts for the math). */
export const adamaxReference: ReferenceRule<"adamax"> = (
  r,
  { param, grad, expAvg, expInf },
  { gradScale, weightDecay, beta1, oneMinusBeta1, beta2, eps, negClr },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    const m = flags.withLerp ? lerp(r, expAvg[i], g, oneMinusBeta1) : ema(r, expAvg[i], beta1, oneMinusBeta1, g);
    const decayed = r(expInf[i] * beta2);
    const u = flags.epsAfterMax ? Math.max(decayed, Math.abs(g)) : Math.max(decayed, r(Math.abs(g) + eps));
    expAvg[i] = m;
    expInf[i] = u;
    const denom = flags.epsAfterMax ? r(u + eps) : u;
    param[i] = r(p + r(r(negClr * m) / denom));
  }
};
