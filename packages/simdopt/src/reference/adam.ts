import type { FloatArray } from "../runtime/kernels.js";
import type { Round } from "./round.js";

/** Adam and AdamW, the specification of `adam_step_*` (see src/optimizers/adam.ts for the math). */
export function adamReference(
  r: Round,
  [param, grad, expAvg, expAvgSq, maxExpAvgSq]: FloatArray[],
  [gradScale, paramScale, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize]: number[],
  [amsgrad]: boolean[],
): void {
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    let g = r(grad[i] * gradScale);
    if (paramScale !== 1) p = r(p * paramScale);
    if (weightDecay !== 0) g = r(g + r(weightDecay * p));
    const m = r(r(expAvg[i] * beta1) + r(oneMinusBeta1 * g));
    let v = r(r(expAvgSq[i] * beta2) + r(r(oneMinusBeta2 * g) * g));
    expAvg[i] = m;
    expAvgSq[i] = v;
    if (amsgrad) {
      v = Math.max(maxExpAvgSq[i], v);
      maxExpAvgSq[i] = v;
    }
    const denom = r(r(r(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
    param[i] = r(p + r(r(negStepSize * m) / denom));
  }
}
