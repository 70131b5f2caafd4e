import type { FloatArray } from "../runtime/kernels.js";
import { effectiveGradient, ema, emaOfSquare, type Round } from "./rules.js";

/** Adam and AdamW, the specification of `adam_step_*` (see src/optimizers/adam.ts for the math). */
export function adamReference(
  r: Round,
  [param, grad, expAvg, expAvgSq, maxExpAvgSq]: FloatArray[],
  [gradScale, paramScale, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize]: number[],
  [amsgrad]: boolean[],
): void {
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    if (paramScale !== 1) p = r(p * paramScale);
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay);
    const m = ema(r, expAvg[i], beta1, oneMinusBeta1, g);
    let v = emaOfSquare(r, expAvgSq[i], beta2, oneMinusBeta2, g);
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
