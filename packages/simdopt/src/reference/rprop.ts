import type { ReferenceRule } from "./kernels.js";
import { sign } from "./rules.js";

/** Rprop, the specification of `rprop_f32` and `rprop_f64` (see src/optimizers/rprop.ts for the math). */
export const rpropReference: ReferenceRule<"rprop"> = (
  r,
  { param, grad, prev, stepSize },
  { gradScale, etaPlus, etaMinus, stepMin, stepMax },
  flags,
) => {
  for (let i = 0; i < param.length; i++) {
    let g = r(grad[i] * gradScale);
    const previous = prev[i];
    const product = r(g * previous);
    if (flags.lagged) {
      // optax 0.2.8: `prev` is the previous update P; it is applied now, and the new one next step.
      const grown = Math.min(Math.max(r(stepSize[i] * (product > 0 ? etaPlus : etaMinus)), stepMin), stepMax);
      const eta = product === 0 ? stepSize[i] : grown;
      stepSize[i] = eta;
      param[i] = r(param[i] - (product < 0 ? 0 : previous));
      prev[i] = product < 0 ? 0 : r(sign(g) * eta);
      continue;
    }
    // η+ where the sign held, η− where it flipped, 1 where either is zero; NaN stays NaN.
    const factor = product > 0 ? etaPlus : product < 0 ? etaMinus : product === 0 ? 1 : product;
    const eta = Math.min(Math.max(r(stepSize[i] * factor), stepMin), stepMax);
    stepSize[i] = eta;
    if (product < 0) g = 0; // after a sign flip, skip this step and forget the gradient
    param[i] = r(param[i] - r(sign(g) * eta));
    prev[i] = g;
  }
};
