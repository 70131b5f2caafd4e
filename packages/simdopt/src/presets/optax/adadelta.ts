import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

export interface OptaxAdadeltaOptions {
  learningRate?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
}

export const optaxAdadeltaDefaults: Required<OptaxAdadeltaOptions> = deepFreeze({
  learningRate: 1,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
});

/** optax.adadelta: torch's Adadelta (λθ added to the gradient). */
export const optaxAdadeltaDefinition: OptimizerDefinition<OptaxAdadeltaOptions, "adadelta"> = {
  title: "optax:adadelta",
  steps: "shared",
  kernel: "adadelta",
  defaults: optaxAdadeltaDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
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
      negLr: -o.learningRate,
    },
    flags: { coupled: o.weightDecay !== 0, previousSquareAvg: false },
  }),
};

/** optax.adadelta. */
export const OptaxAdadelta = presetClass(optaxAdadeltaDefinition);
