import type { FloatArray } from "../runtime/kernels.js";
import { sign, type Round } from "./rules.js";

/** Rprop, the specification of `rprop_step_*` (see src/optimizers/rprop.ts for the math). */
export function rpropReference(
  r: Round,
  [param, grad, prev, stepSize]: FloatArray[],
  [gradScale, etaPlus, etaMinus, stepMin, stepMax]: number[],
): void {
  for (let i = 0; i < param.length; i++) {
    let g = r(grad[i] * gradScale);
    const product = r(g * prev[i]);
    // η+ where the sign held, η− where it flipped, 1 where either is zero; NaN stays NaN.
    const factor = product > 0 ? etaPlus : product < 0 ? etaMinus : product === 0 ? 1 : product;
    const eta = Math.min(Math.max(r(stepSize[i] * factor), stepMin), stepMax);
    stepSize[i] = eta;
    if (product < 0) g = 0; // after a sign flip, skip this step and forget the gradient
    param[i] = r(param[i] - r(sign(g) * eta));
    prev[i] = g;
  }
}
