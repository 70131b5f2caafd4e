import type { ReferenceRule } from "./kernels.js";
import { fromBfloat16, toBfloat16 } from "./bfloat16.js";
import { effectiveGradient, ema, emaOfSquare } from "./rules.js";

/**
 * Adam and AdamW with bfloat16 moments, the specification of `adamBf16_f32`: the float32 Adam of
 * adam.ts with m, v (and v̂) read from bfloat16 words and stored rounded to nearest even; the step
 * uses the unrounded new moments, as torchao's and optax's do.
 */
export const adamBf16Reference: ReferenceRule<"adamBf16"> = (
  r,
  { param, grad, expAvg, expAvgSq, maxExpAvgSq },
  {
    gradScale,
    paramScale,
    weightDecay,
    beta1,
    oneMinusBeta1,
    beta2,
    oneMinusBeta2,
    biasCorrection2Sqrt,
    eps,
    negStepSize,
  },
  flags,
) => {
  if (!(param instanceof Float32Array))
    throw new Error("simdopt: bfloat16 moments are kept for float32 parameters only");
  // The moments are u16 words (state-elements.ts), whatever the rule's generic buffer type says.
  const [m16, v16, vMax16] = [expAvg, expAvgSq, maxExpAvgSq] as unknown as Uint16Array[];
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    if (flags.decoupled) p = r(p * paramScale);
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    const m = ema(r, fromBfloat16(m16[i]), beta1, oneMinusBeta1, g);
    let v = emaOfSquare(r, fromBfloat16(v16[i]), beta2, oneMinusBeta2, g);
    m16[i] = toBfloat16(m);
    v16[i] = toBfloat16(v);
    if (flags.amsgrad) {
      v = Math.max(fromBfloat16(vMax16[i]), v);
      vMax16[i] = toBfloat16(v);
    }
    const denom = r(r(r(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
    param[i] = r(p + r(r(negStepSize * m) / denom));
  }
};
