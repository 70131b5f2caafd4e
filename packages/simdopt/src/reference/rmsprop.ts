import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, ema, emaOfSquare, fma, lerp } from "./rules.js";

/** RMSprop, the specification of `rmsprop_f32` and `rmsprop_f64` (see src/optimizers/rmsprop.ts for the math). */
export const rmspropReference: ReferenceRule<"rmsprop"> = (
  r,
  { param, grad, squareAvg, gradAvg, momentumBuffer },
  { gradScale, weightDecay, paramScale, alpha, oneMinusAlpha, eps, momentum, momentumScale, negLr, gradAvgScale },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    const p = flags.decoupled ? r(param[i] * paramScale) : param[i];
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    const s = emaOfSquare(r, squareAvg[i], alpha, oneMinusAlpha, g);
    squareAvg[i] = s;
    let avg: number;
    if (flags.centered) {
      const ga = flags.withLerp ? lerp(r, gradAvg[i], g, oneMinusAlpha) : ema(r, gradAvg[i], alpha, oneMinusAlpha, g);
      gradAvg[i] = ga;
      const variance = fma(r, -ga, r(gradAvgScale * ga), s);
      avg = flags.epsInRoot ? r(Math.sqrt(r(variance + eps))) : r(r(Math.sqrt(variance)) + eps);
    } else {
      avg = flags.epsInRoot ? r(Math.sqrt(r(s + eps))) : r(r(Math.sqrt(s)) + eps);
    }
    if (flags.withMomentum) {
      const scaled = r(momentumScale * r(g / avg));
      const b = r(r(momentumBuffer[i] * momentum) + scaled);
      momentumBuffer[i] = b;
      const step = flags.nesterov ? r(r(momentum * b) + scaled) : b;
      param[i] = fma(r, negLr, step, p);
    } else {
      param[i] = r(p + r(r(negLr * g) / avg));
    }
  }
};
