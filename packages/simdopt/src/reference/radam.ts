import type { FloatArray } from "../runtime/kernels.js";
import type { Round } from "./round.js";

/** RAdam, the specification of `radam_step_*` (see src/optimizers/radam.ts for the math). */
export function radamReference(
  r: Round,
  [param, grad, expAvg, expAvgSq]: FloatArray[],
  [gradScale, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect]: number[],
  [rectified]: boolean[],
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    let g = r(grad[i] * gradScale);
    if (weightDecay !== 0) g = r(g + r(weightDecay * p));
    const m = r(r(expAvg[i] * beta1) + r(oneMinusBeta1 * g));
    const v = r(r(expAvgSq[i] * beta2) + r(r(oneMinusBeta2 * g) * g));
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
