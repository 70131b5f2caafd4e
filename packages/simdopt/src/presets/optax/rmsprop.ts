import type { OptimizerDefinition } from "../../optimizer.js";
import { notYet, presetClass } from "./preset.js";

export interface OptaxRMSpropOptions {
  learningRate?: number;
  decay?: number;
  eps?: number;
  /** ν₀. */
  initialScale?: number;
  /** √(ν + ε) (true) or √ν + ε. */
  epsInSqrt?: boolean;
  centered?: boolean;
  /** null: no momentum; taken after the learning rate. */
  momentum?: number | null;
  nesterov?: boolean;
  biasCorrection?: boolean;
}

export const optaxRMSpropDefaults: Required<OptaxRMSpropOptions> = {
  learningRate: 1e-3,
  decay: 0.9,
  eps: 1e-8,
  initialScale: 0,
  epsInSqrt: true,
  centered: false,
  momentum: null,
  nesterov: false,
  biasCorrection: false,
};

/** optax.rmsprop on RMSprop's kernel (ε inside or outside the root, momentum after the learning rate). */
export const optaxRMSpropDefinition: OptimizerDefinition<OptaxRMSpropOptions, "rmsprop"> = {
  title: "optax:rmsprop",
  kernel: "rmsprop",
  defaults: optaxRMSpropDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("decay", o.decay, 0, 1, true);
    check.nonNegative("eps", o.eps);
    check.nonNegative("initialScale", o.initialScale);
    check.boolean("epsInSqrt", o.epsInSqrt);
    check.boolean("centered", o.centered);
    if (o.momentum !== null) check.nonNegative("momentum", o.momentum);
    notYet(check, "nesterov", o.nesterov, false);
    notYet(check, "biasCorrection", o.biasCorrection, false);
  },
  buffers: (o) => ({
    squareAvg: o.initialScale,
    gradAvg: o.centered ? 0 : null,
    momentumBuffer: o.momentum ? 0 : null,
  }),
  plan(o) {
    const withMomentum = o.momentum !== null && o.momentum > 0;
    return {
      scalars: {
        gradScale: 1,
        weightDecay: 0,
        paramScale: 1,
        alpha: o.decay,
        oneMinusAlpha: 1 - o.decay,
        eps: o.eps,
        momentum: o.momentum ?? 0,
        momentumScale: o.learningRate,
        negLr: withMomentum ? -1 : -o.learningRate,
      },
      flags: { coupled: false, decoupled: false, centered: o.centered, withMomentum, epsInRoot: o.epsInSqrt },
    };
  },
};

/** optax.rmsprop. */
export const OptaxRMSprop = presetClass(optaxRMSpropDefinition);
