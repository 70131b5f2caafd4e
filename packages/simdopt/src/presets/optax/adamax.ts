import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

export interface OptaxAdamaxOptions {
  learningRate?: number;
  b1?: number;
  b2?: number;
  eps?: number;
}

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
