import type { FloatArray } from "../runtime/kernels.js";
import { effectiveGradient, ema, emaOfSquare, type Round } from "./rules.js";

/** RAdam, the specification of `radam_step_*` (see src/optimizers/radam.ts for the math). */
export function radamReference(
  r: Round,
  [param, grad, expAvg, expAvgSq]: FloatArray[],
  [gradScale, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect]: number[],
  [rectified]: boolean[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay);
    const m = ema(r, expAvg[i], beta1, oneMinusBeta1, g);
    const v = emaOfSquare(r, expAvgSq[i], beta2, oneMinusBeta2, g);
    expAvg[i] = m;
    expAvgSq[i] = v;
    let update = r(r(m / biasCorrection1) * lr);
    if (rectified) {
      const adaptiveLr = r(biasCorrection2Sqrt / r(r(Math.sqrt(v)) + eps));
      update = r(r(update * adaptiveLr) * rect);
    }
    param[i] = r(p - update);
  }
}
