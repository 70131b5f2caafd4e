import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxAdadelta`: optax.adadelta's arguments in camelCase (defaults: `optaxAdadeltaDefaults`). */
export interface OptaxAdadeltaOptions {
  /**
   * null (optax's default, `learning_rate=None`): no scaling, and so no sign flip either: optax
   * adds the update, p ← p + δ, which moves the parameter up its gradient.
   */
  learningRate?: number | null;
  /** Decay rate of the running averages of the squared gradient and of the squared update. Default 0.9. */
  rho?: number;
  /** Term added inside the roots for numerical stability. Default 1e-6. */
  eps?: number;
  /** Weight decay λ: λθ added to the gradient. Default 0. */
  weightDecay?: number;
}

/** `OptaxAdadelta`'s defaults (optax.adadelta's). */
export const optaxAdadeltaDefaults: Required<OptaxAdadeltaOptions> = deepFreeze({
  learningRate: null,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
});

/**
 * optax.adadelta: torch's Adadelta (λθ added to the gradient), p ← p − lr·δ; without a learning
 * rate, p ← p + δ (optax's scale_by_learning_rate(None) is the identity, without its −1).
 */
export const optaxAdadeltaDefinition: OptimizerDefinition<OptaxAdadeltaOptions, "adadelta"> = {
  title: "optax:adadelta",
  steps: "shared",
  kernel: "adadelta",
  defaults: optaxAdadeltaDefaults,
  validate(o, check) {
    if (o.learningRate !== null) check.nonNegative("learningRate", o.learningRate);
    check.inRange("rho", o.rho, 0, 1, true);
    check.nonNegative("eps", o.eps);
    check.nonNegative("weightDecay", o.weightDecay);
  },
  buffers: () => ({ squareAvg: 0, accDelta: 0 }),
  plan: (o) => ({
    scalars: {
      gradScale: 1,
      weightDecay: o.weightDecay,
      rho: o.rho,
      oneMinusRho: 1 - o.rho,
      eps: o.eps,
      negLr: o.learningRate === null ? 1 : -o.learningRate,
    },
    flags: { coupled: o.weightDecay !== 0, previousSquareAvg: false },
  }),
};

/** optax.adadelta. */
export const OptaxAdadelta = presetClass(optaxAdadeltaDefinition);
