import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxAdagrad`: optax.adagrad's arguments in camelCase (defaults: `optaxAdagradDefaults`). */
export interface OptaxAdagradOptions {
  /** Learning rate (optax's `learning_rate`). Default 1e-3. */
  learningRate?: number;
  /** S₀, the sum of squares before the first step. */
  initialAccumulatorValue?: number;
  /** Inside the root: √(S + eps). */
  eps?: number;
}

/** `OptaxAdagrad`'s defaults (optax.adagrad's). */
export const optaxAdagradDefaults: Required<OptaxAdagradOptions> = deepFreeze({
  learningRate: 1e-3,
  initialAccumulatorValue: 0.1,
  eps: 1e-7,
});

/**
 * optax.adagrad (scale_by_rss, then the learning rate) on Adagrad's kernel with ε inside the root:
 * S ← S + g²;  θ ← θ − lr·g/√(S + ε) where S > 0, θ unchanged where S = 0.
 */
export const optaxAdagradDefinition: OptimizerDefinition<OptaxAdagradOptions, "adagrad"> = {
  title: "optax:adagrad",
  steps: "shared",
  kernel: "adagrad",
  defaults: optaxAdagradDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.nonNegative("initialAccumulatorValue", o.initialAccumulatorValue);
    check.nonNegative("eps", o.eps);
  },
  buffers: (o) => ({ sum: o.initialAccumulatorValue }),
  plan: (o) => ({
    scalars: { gradScale: 1, weightDecay: 0, eps: o.eps, negClr: -o.learningRate },
    flags: { coupled: false, epsInRoot: true },
  }),
};

/** optax.adagrad. */
export const OptaxAdagrad = presetClass(optaxAdagradDefinition);
