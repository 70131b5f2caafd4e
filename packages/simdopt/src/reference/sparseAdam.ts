import type { ReferenceRule } from "./kernels.js";

/** SparseAdam, the specification of `sparseAdam_rows_f32` and `sparseAdam_rows_f64` (see src/optimizers/sparseAdam.ts). */
export const sparseAdamReference: ReferenceRule<"sparseAdam"> = (
  r,
  { param, grad, expAvg, expAvgSq },
  { gradScale, oneMinusBeta1, oneMinusBeta2, eps, negStepSize },
) => {
  for (let i = 0; i < param.length; i++) {
    const g = r(grad[i] * gradScale);
    const m = r(expAvg[i] + r(r(g - expAvg[i]) * oneMinusBeta1));
    const v = r(expAvgSq[i] + r(r(r(g * g) - expAvgSq[i]) * oneMinusBeta2));
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = r(param[i] + r(negStepSize * r(m / r(r(Math.sqrt(v)) + eps))));
  }
};
