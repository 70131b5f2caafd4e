import type { ReferenceRule } from "./kernels.js";
import { ema, emaOfSquare, fma, type Round } from "./rules.js";

/** LAMB, the specification of `lamb_f32` and `lamb_f64` (see src/optimizers/lamb.ts for the math). */
export const lambReference: ReferenceRule<"lamb"> = (
  r,
  { param, grad, expAvg, expAvgSq },
  { beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, weightDecay, negStepSize, clampValue, epsRoot },
  flags,
) => {
  const direction = (m: number, v: number, p: number) => {
    const root = r(Math.sqrt(flags.withEpsRoot ? r(v + epsRoot) : v));
    const u = r(m / r(root + eps));
    return flags.decay ? fma(r, weightDecay, p, u) : u;
  };
  // Sums of squares in double: element i goes to partial sum i mod lanes (4 for float32, 2 for
  // float64, the SIMD lanes), the partials added as ((s0 + s1) + s2) + s3, as the kernels do.
  const lanes = isFloat32(r) ? 4 : 2;
  const sumP = [0, 0, 0, 0];
  const sumU = [0, 0, 0, 0];
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const m = ema(r, expAvg[i], beta1, oneMinusBeta1, g);
    const v = emaOfSquare(r, expAvgSq[i], beta2, oneMinusBeta2, g);
    expAvg[i] = m;
    expAvgSq[i] = v;
    const p = param[i];
    const u = direction(m, v, p);
    sumP[i % lanes] += p * p;
    sumU[i % lanes] += u * u;
  }
  const weightNorm = Math.min(Math.sqrt(sumP[0] + sumP[1] + sumP[2] + sumP[3]), clampValue);
  const adamNorm = Math.sqrt(sumU[0] + sumU[1] + sumU[2] + sumU[3]);
  const trust = !flags.adamMode && weightNorm !== 0 && adamNorm !== 0 ? weightNorm / adamNorm : 1;
  const coef = r(negStepSize * trust);
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    param[i] = fma(r, coef, direction(expAvg[i], expAvgSq[i], p), p);
  }
};

/** Whether `r` rounds to float32 (0.1 is not a float32). */
function isFloat32(r: Round): boolean {
  return r(0.1) !== 0.1;
}
