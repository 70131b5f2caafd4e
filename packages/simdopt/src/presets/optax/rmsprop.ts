import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxRMSprop`: optax.rmsprop's arguments in camelCase (defaults: `optaxRMSpropDefaults`). */
export interface OptaxRMSpropOptions {
  /** Learning rate (optax's `learning_rate`). Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the squared gradient. Default 0.9. */
  decay?: number;
  /** Term added for numerical stability (inside the root unless `epsInSqrt` is false). Default 1e-8. */
  eps?: number;
  /** ν₀. */
  initialScale?: number;
  /** √(ν + ε) (true) or √ν + ε. */
  epsInSqrt?: boolean;
  /** Divide by an estimate of the gradient's variance. Default false. */
  centered?: boolean;
  /** null: no momentum; taken after the learning rate. */
  momentum?: number | null;
  /** With momentum: θ ← θ + s + μ·tr, tr the new trace (optax's trace with nesterov). */
  nesterov?: boolean;
  /** Divide ν (and the centered mean) by 1 − decayᵗ. */
  biasCorrection?: boolean;
}

/** `OptaxRMSprop`'s defaults (optax.rmsprop's). */
export const optaxRMSpropDefaults: Required<OptaxRMSpropOptions> = deepFreeze({
  learningRate: 1e-3,
  decay: 0.9,
  eps: 1e-8,
  initialScale: 0,
  epsInSqrt: true,
  centered: false,
  momentum: null,
  nesterov: false,
  biasCorrection: false,
});

/**
 * optax.rmsprop on RMSprop's kernel (ε inside or outside the root, momentum after the learning
 * rate). Bias correction, with c = 1 − decayᵗ: g/√(ν/c − (μ/c)² + ε) = √c·g/√(ν − μ·(μ/c) + ε·c) and
 * g/(√(ν/c − (μ/c)²) + ε) = √c·g/(√(ν − μ·(μ/c)) + ε·√c), so the kernel runs with ε·c (or ε·√c), the
 * learning rate times √c and the mean scaled by 1/c in the variance.
 */
export const optaxRMSpropDefinition: OptimizerDefinition<OptaxRMSpropOptions, "rmsprop"> = {
  title: "optax:rmsprop",
  steps: "shared",
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
    check.boolean("nesterov", o.nesterov);
    check.boolean("biasCorrection", o.biasCorrection);
  },
  buffers: (o) => ({
    squareAvg: o.initialScale,
    gradAvg: o.centered ? 0 : null,
    momentumBuffer: o.momentum ? 0 : null,
  }),
  plan(o, t) {
    const withMomentum = o.momentum !== null && o.momentum > 0;
    const c = o.biasCorrection ? 1 - o.decay ** t : 1;
    const lr = o.learningRate * Math.sqrt(c);
    return {
      scalars: {
        gradScale: 1,
        weightDecay: 0,
        paramScale: 1,
        alpha: o.decay,
        oneMinusAlpha: 1 - o.decay,
        eps: o.epsInSqrt ? o.eps * c : o.eps * Math.sqrt(c),
        momentum: o.momentum ?? 0,
        momentumScale: lr,
        negLr: withMomentum ? -1 : -lr,
        gradAvgScale: 1 / c,
      },
      flags: {
        coupled: false,
        decoupled: false,
        centered: o.centered,
        withMomentum,
        epsInRoot: o.epsInSqrt,
        nesterov: withMomentum && o.nesterov,
        withLerp: false,
      },
    };
  },
};

/** optax.rmsprop. */
export const OptaxRMSprop = presetClass(optaxRMSpropDefinition);
