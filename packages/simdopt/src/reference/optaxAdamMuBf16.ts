import type { ReferenceRule } from "./kernels.js";
import { fromBfloat16, toBfloat16 } from "./bfloat16.js";
import { emaOfSquare } from "./rules.js";
import { nadamUpdate } from "./nadam.js";

/**
 * optax's Adam family with a bfloat16 first moment, the specification of `optaxAdamMuBf16_f32`
 * (see assembly/optimizers/optaxAdamMuBf16.ts): μ′ = (1 − b1)·g + bf16(b1·μ̂) with b1 already
 * bfloat16, ν in float32, the step as nadam.ts takes it (`nadamUpdate`) with μ′ unrounded, μ
 * stored as bf16(μ′).
 */
export const optaxAdamMuBf16Reference: ReferenceRule<"optaxAdamMuBf16"> = (
  r,
  { param, grad, expAvg, expAvgSq },
  scalars,
  flags,
) => {
  if (!(param instanceof Float32Array)) throw new Error("simdopt: a bfloat16 μ is kept for float32 parameters only");
  // μ is u16 words (state-elements.ts), whatever the rule's generic buffer type says.
  const mu = expAvg as unknown as Uint16Array;
  const { gradScale, paramScale, beta1, oneMinusBeta1, beta2, oneMinusBeta2 } = scalars;
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    if (flags.decoupled) p = r(p * paramScale);
    const g = r(grad[i] * gradScale);
    const decayed = fromBfloat16(toBfloat16(r(beta1 * fromBfloat16(mu[i]))));
    const m = r(r(oneMinusBeta1 * g) + decayed);
    const v = emaOfSquare(r, expAvgSq[i], beta2, oneMinusBeta2, g);
    mu[i] = toBfloat16(m);
    expAvgSq[i] = v;
    param[i] = nadamUpdate(r, p, g, m, v, scalars, flags.withEpsRoot);
  }
};
