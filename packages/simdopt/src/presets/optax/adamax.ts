import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxAdamax`: optax.adamax's arguments in camelCase (defaults: `optaxAdamaxDefaults`). */
export interface OptaxAdamaxOptions {
  /** Learning rate (optax's `learning_rate`). Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the gradient (optax's `b1`). Default 0.9. */
  b1?: number;
  /** Decay rate of the infinity norm (optax's `b2`). Default 0.999. */
  b2?: number;
  /** Term added to the denominator for numerical stability, outside the root. Default 1e-8. */
  eps?: number;
}

/** `OptaxAdamax`'s defaults (optax.adamax's). */
export const optaxAdamaxDefaults: Required<OptaxAdamaxOptions> = deepFreeze({
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-8,
});

/** optax.adamax: ν ← max(β2·ν, |g| + ε), θ ← θ − lr·(m/(1 − β1ᵗ))/ν, torch's Adamax. */
export const optaxAdamaxDefinition: OptimizerDefinition<OptaxAdamaxOptions, "adamax"> = {
  title: "optax:adamax",
  steps: "shared",
  kernel: "adamax",
  defaults: optaxAdamaxDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.betas([o.b1, o.b2], ["b1", "b2"]);
    check.nonNegative("eps", o.eps);
  },
  buffers: () => ({ expAvg: 0, expInf: 0 }),
  plan: (o, t) => ({
    scalars: {
      gradScale: 1,
      weightDecay: 0,
      beta1: o.b1,
      oneMinusBeta1: 1 - o.b1,
      beta2: o.b2,
      eps: o.eps,
      negClr: -(o.learningRate / (1 - o.b1 ** t)),
    },
    flags: { coupled: false, epsAfterMax: false, withLerp: false },
  }),
};

/** optax.adamax. */
export const OptaxAdamax = presetClass(optaxAdamaxDefinition);
