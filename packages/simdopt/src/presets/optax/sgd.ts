import type { OptimizerDefinition } from "../../optimizer.js";
import { heavyBallPlan } from "../heavy-ball.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxSGD`: optax.sgd's arguments in camelCase (defaults: `optaxSGDDefaults`). */
export interface OptaxSGDOptions {
  /** Learning rate (optax's `learning_rate`). Default 1e-3. */
  learningRate?: number;
  /** null: no momentum. */
  momentum?: number | null;
  /** Nesterov momentum (optax's `nesterov`). Default false. */
  nesterov?: boolean;
}

/** `OptaxSGD`'s defaults (optax.sgd's). */
export const optaxSGDDefaults: Required<OptaxSGDOptions> = deepFreeze({
  learningRate: 1e-3,
  momentum: null,
  nesterov: false,
});

/** optax.sgd: tr ← g + μ·tr; θ ← θ − lr·(g + μ·tr if nesterov, tr otherwise), SGD's kernel without dampening. */
export const optaxSGDDefinition: OptimizerDefinition<OptaxSGDOptions, "sgd"> = {
  title: "optax:sgd",
  steps: "shared",
  kernel: "sgd",
  defaults: optaxSGDDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    if (o.momentum !== null) check.nonNegative("momentum", o.momentum);
    check.boolean("nesterov", o.nesterov);
  },
  buffers: (o) => ({ momentumBuffer: o.momentum !== null && o.momentum !== 0 ? 0 : null }),
  plan: (o, t) => heavyBallPlan(o.learningRate, o.momentum ?? 0, o.nesterov, t),
};

/** optax.sgd. */
export const OptaxSGD = presetClass(optaxSGDDefinition);
