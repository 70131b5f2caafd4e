import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "./preset.js";

export interface OptaxSGDOptions {
  learningRate?: number;
  /** null: no momentum. */
  momentum?: number | null;
  nesterov?: boolean;
}

export const optaxSGDDefaults: Required<OptaxSGDOptions> = { learningRate: 1e-3, momentum: null, nesterov: false };

/** optax.sgd: tr ← g + μ·tr; θ ← θ − lr·(g + μ·tr if nesterov, tr otherwise), SGD's kernel without dampening. */
export const optaxSGDDefinition: OptimizerDefinition<OptaxSGDOptions, "sgd"> = {
  title: "optax:sgd",
  kernel: "sgd",
  defaults: optaxSGDDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    if (o.momentum !== null) check.nonNegative("momentum", o.momentum);
    check.boolean("nesterov", o.nesterov);
  },
  buffers: (o) => ({ momentumBuffer: o.momentum !== null && o.momentum !== 0 ? 0 : null }),
  plan(o, t) {
    const withMomentum = o.momentum !== null && o.momentum !== 0;
    return {
      scalars: {
        gradScale: 1,
        paramScale: 1,
        weightDecay: 0,
        momentum: o.momentum ?? 0,
        oneMinusDampening: 1,
        negLr: -o.learningRate,
      },
      flags: {
        coupled: false,
        decoupled: false,
        withMomentum,
        firstStep: t === 1,
        nesterov: withMomentum && o.nesterov,
      },
    };
  },
};

/** optax.sgd. */
export const OptaxSGD = presetClass(optaxSGDDefinition);
