import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxLion`: optax.lion's arguments in camelCase (defaults: `optaxLionDefaults`). */
export interface OptaxLionOptions {
  /** Learning rate (optax's `learning_rate`). Default 1e-3. */
  learningRate?: number;
  /** Interpolation of the update's direction between the momentum and the gradient (optax's `b1`). Default 0.9. */
  b1?: number;
  /** Decay rate of the momentum (optax's `b2`). Default 0.99. */
  b2?: number;
  /** Decoupled weight decay λ, multiplied by the learning rate. Default 1e-3. */
  weightDecay?: number;
}

/** `OptaxLion`'s defaults (optax.lion's). */
export const optaxLionDefaults: Required<OptaxLionOptions> = deepFreeze({
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.99,
  weightDecay: 1e-3,
});

/** optax.lion: θ ← θ − lr·(sign(β1·m + (1 − β1)g) + λθ), Lion's kernel. */
export const optaxLionDefinition: OptimizerDefinition<OptaxLionOptions, "lion"> = {
  title: "optax:lion",
  steps: "shared",
  kernel: "lion",
  defaults: optaxLionDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.betas([o.b1, o.b2], ["b1", "b2"]);
    check.nonNegative("weightDecay", o.weightDecay);
  },
  buffers: () => ({ expAvg: 0 }),
  plan: (o) => ({
    scalars: {
      gradScale: 1,
      paramScale: 1 - o.learningRate * o.weightDecay,
      beta1: o.b1,
      oneMinusBeta1: 1 - o.b1,
      beta2: o.b2,
      oneMinusBeta2: 1 - o.b2,
      negLr: -o.learningRate,
    },
    flags: { decoupled: o.weightDecay !== 0 },
  }),
};

/** optax.lion. */
export const OptaxLion = presetClass(optaxLionDefinition);
