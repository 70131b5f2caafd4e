import type { ReferenceRule } from "./kernels.js";
import { ema, emaOfSquare, fma, type Round } from "./rules.js";
import { KERNEL_LAYOUTS } from "../generated/kernels.js";

/** LAMB, the specification of `lamb_f32` and `lamb_f64` (see src/optimizers/lamb.ts for the math). */
export const lambReference: ReferenceRule<"lamb"> = (
  r,
  { param, grad, expAvg, expAvgSq },
  { beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, weightDecay, negStepSize, clampValue, epsRoot, gradScale },
  flags,
) => {
  const direction = (m: number, v: number, p: number) => {
    const root = r(Math.sqrt(flags.withEpsRoot ? r(v + epsRoot) : v));
    const u = r(m / r(root + eps));
    return flags.decay ? fma(r, weightDecay, p, u) : u;
  };
  // Sums of squares in double, per block of the declaration's blocks.elements: element i goes to partial sum
  // i mod lanes (4 for float32, 2 for float64, the SIMD lanes), the partials added as
  // ((s0 + s1) + s2) + s3, and the block sums in block order, as the kernels do on any number of
  // threads.
  const lanes = isFloat32(r) ? 4 : 2;
  const BLOCK = KERNEL_LAYOUTS.lamb.blocks.elements; // read here: generated/kernels.js imports this module
  let sumP = 0;
  let sumU = 0;
  for (let start = 0; start < param.length; start += BLOCK) {
    const blockP = [0, 0, 0, 0];
    const blockU = [0, 0, 0, 0];
    for (let i = start; i < Math.min(start + BLOCK, param.length); i++) {
      const g = r(grad[i] * gradScale);
      const m = ema(r, expAvg[i], beta1, oneMinusBeta1, g);
      const v = emaOfSquare(r, expAvgSq[i], beta2, oneMinusBeta2, g);
      expAvg[i] = m;
      expAvgSq[i] = v;
      const p = param[i];
      const u = direction(m, v, p);
      blockP[i % lanes] += p * p;
      blockU[i % lanes] += u * u;
    }
    sumP += blockP[0] + blockP[1] + blockP[2] + blockP[3];
    sumU += blockU[0] + blockU[1] + blockU[2] + blockU[3];
  }
  const weightNorm = Math.min(Math.sqrt(sumP), clampValue);
  const adamNorm = Math.sqrt(sumU);
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
