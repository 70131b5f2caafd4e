import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { checkAdam } from "./adam.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxLamb`: optax.lamb's arguments in camelCase (defaults: `optaxLambDefaults`). */
export interface OptaxLambOptions {
  /** Learning rate (optax's `learning_rate`). Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the gradient (optax's `b1`). Default 0.9. */
  b1?: number;
  /** Decay rate of the running average of the squared gradient (optax's `b2`). Default 0.999. */
  b2?: number;
  /** Term added to the denominator for numerical stability, outside the root. Default 1e-6. */
  eps?: number;
  /** Term added inside the root: √(v̂ + epsRoot). Default 0. */
  epsRoot?: number;
  /** Weight decay λ: λθ added to the Adam direction before the trust ratio. Default 0. */
  weightDecay?: number;
}

/** `OptaxLamb`'s defaults (optax.lamb's). */
export const optaxLambDefaults: Required<OptaxLambOptions> = deepFreeze({
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-6,
  epsRoot: 0,
  weightDecay: 0,
});

/**
 * optax.lamb on LAMB's kernel: optax's u = m̂/(√(v̂ + εroot) + ε) + λθ is
 * s·(m/(√(v + εroot·bc2) + ε√bc2) + (λ/s)θ) with s = √bc2/bc1, and the trust ratio ‖θ‖/‖u‖ takes
 * the scale s out again, so the kernel runs with εroot·bc2, ε·√bc2, λ/s, no clamp and a step of −lr.
 */
export const optaxLambDefinition: OptimizerDefinition<OptaxLambOptions, "lamb"> = {
  title: "optax:lamb",
  steps: "shared",
  kernel: "lamb",
  defaults: optaxLambDefaults,
  validate(o, check) {
    checkAdam({ ...o, nesterov: false }, check);
    check.nonNegative("weightDecay", o.weightDecay);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  plan(o, t) {
    const bc1 = 1 - o.b1 ** t;
    const bc2 = 1 - o.b2 ** t;
    const bc2Sqrt = Math.sqrt(bc2);
    return {
      scalars: {
        beta1: o.b1,
        oneMinusBeta1: 1 - o.b1,
        beta2: o.b2,
        oneMinusBeta2: 1 - o.b2,
        eps: o.eps * bc2Sqrt,
        weightDecay: (o.weightDecay * bc1) / bc2Sqrt,
        negStepSize: -o.learningRate,
        clampValue: Infinity,
        epsRoot: o.epsRoot * bc2,
        gradScale: 1,
      },
      flags: { decay: o.weightDecay !== 0, adamMode: false, withEpsRoot: o.epsRoot !== 0 },
    };
  },
};

/** optax.lamb. */
export const OptaxLamb = presetClass(optaxLambDefinition);
