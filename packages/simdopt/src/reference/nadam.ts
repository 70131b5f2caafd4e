import type { ReferenceRule } from "./kernels.js";
import { effectiveGradient, ema, emaOfSquare, lerp, type Round } from "./rules.js";

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
      param[i] = nadamUpdate(r, p, g, m, v, { biasCorrection2, eps, gradCoef, avgCoef, epsRoot }, flags.withEpsRoot);
    }
  }
};

/** p + gradCoef·g/d + avgCoef·m/d with d = √(v/bc2 (+ εroot)) + ε: the step of NAdam's kernel, and of optax's Adam family. */
export function nadamUpdate(
  r: Round,
  p: number,
  g: number,
  m: number,
  v: number,
  s: { biasCorrection2: number; eps: number; gradCoef: number; avgCoef: number; epsRoot: number },
  withEpsRoot: boolean,
): number {
  let vHat = r(v / s.biasCorrection2);
  if (withEpsRoot) vHat = r(vHat + s.epsRoot);
  const denom = r(r(Math.sqrt(vHat)) + s.eps);
  return r(r(p + r(r(s.gradCoef * g) / denom)) + r(r(s.avgCoef * m) / denom));
}
