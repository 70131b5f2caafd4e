import type { ReferenceRule } from "./kernels.js";
import { powNonNegative } from "./pow.js";

/** FTRL, the specification of `ftrl_f32` and `ftrl_f64` (see src/optimizers/ftrl.ts for the math). */
export const ftrlReference: ReferenceRule<"ftrl"> = (
  r,
  { param, grad, accumulator, linear },
  { gradScale, paramScale, shrink2, negPower, lr, twoL2, l1, negL1 },
  flags,
) => {
  const power = (x: number) => (flags.sqrtPower ? r(Math.sqrt(x)) : r(powNonNegative(x, negPower)));
  for (let i = 0; i < param.length; i++) {
    const p = flags.decoupled ? r(param[i] * paramScale) : param[i];
    const g = r(grad[i] * gradScale);
    const gu = flags.shrinkage ? r(g + r(shrink2 * p)) : g;
    const n = accumulator[i];
    const n1 = r(n + r(g * g));
    const root0 = power(n);
    const root1 = power(n1);
    const z = r(linear[i] + r(gu - r(r(r(root1 - root0) / lr) * p)));
    const q = r(r(root1 / lr) + twoL2);
    const clipped = Math.min(Math.max(z, negL1), l1);
    linear[i] = z;
    accumulator[i] = n1;
    param[i] = r(r(clipped - z) / q);
  }
};
