/**
 * optax.adafactor (optax 0.2.8) on its own hand-written kernel (assembly/optimizers/optaxAdafactor.ts):
 * optax's option names in camelCase and its defaults, `null` where optax takes None (off).
 */
import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { twoLargestDims } from "../../runtime/shape-words.js";
import { optaxAdafactorLengths } from "../../runtime/state-lengths.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxAdafactor`: optax.adafactor's arguments in camelCase (defaults: `optaxAdafactorDefaults`). */
export interface OptaxAdafactorOptions {
  /** null: no learning rate (the update is not scaled by one). */
  learningRate?: number | null;
  /** A tensor of 2 or more dims is factored when its second largest dim has at least this size. */
  minDimSizeToFactor?: number;
  /** The second moment's decay: β̂ = 1 − (t − decayOffset)^(−decayRate). Default 0.8. */
  decayRate?: number;
  /** The decay schedule's step is t − decayOffset. */
  decayOffset?: number;
  /** Multiply the update by max(RMS(p), 1e-3). */
  multiplyByParameterScale?: boolean;
  /** null: no clipping of the update's RMS. */
  clippingThreshold?: number | null;
  /** null: no momentum. Its average is kept in the parameter's dtype (optax's `dtype_momentum` = the dtype). */
  momentum?: number | null;
  /** null: no weight decay; otherwise w·p is added to the update, not multiplied by the learning rate. */
  weightDecayRate?: number | null;
  /** ε added to g². */
  eps?: number;
  /** false: never factor (every tensor keeps a full second moment). */
  factored?: boolean;
}

/** `OptaxAdafactor`'s defaults (optax.adafactor's). */
export const optaxAdafactorDefaults: Required<OptaxAdafactorOptions> = deepFreeze({
  learningRate: null,
  minDimSizeToFactor: 128,
  decayRate: 0.8,
  decayOffset: 0,
  multiplyByParameterScale: true,
  clippingThreshold: 1,
  momentum: null,
  weightDecayRate: null,
  eps: 1e-30,
  factored: true,
});

/**
 * optax.adafactor (Shazeer & Stern, 2018, https://arxiv.org/abs/1804.04235). Per tensor, at step t,
 * with β̂ = 1 − (t − decayOffset)^(−decayRate) computed in float32 as optax does (for float64
 * tensors too) and G2 = g² + ε:
 *
 *     factored (2 or more dims, the second largest ≥ minDimSizeToFactor), over the largest dim d0
 *     and the second largest d1:  R ← β̂R + (1 − β̂)·mean_d0(G2);  C ← β̂C + (1 − β̂)·mean_d1(G2)
 *                                 U = g·(R/mean_d1(R))^(−½)·C^(−½)
 *     otherwise:                  V ← β̂V + (1 − β̂)·G2;  U = g·V^(−½)
 *     U ← U / max(1, RMS(U)/clippingThreshold);  U ← lr·U;  U ← U·max(RMS(p), 1e-3)
 *     E ← (1 − momentum)·U + momentum·E, U ← E;  U ← U + weightDecayRate·p;  p ← p − U
 *
 * Parameters give their shape with `runtime.parameter(values, { shape })`; one without is 1-D. A
 * factored tensor keeps vRow (its shape without d0), vCol (without d1) and in v the means of R
 * over d1 (the shape without both); one that is not keeps v of its length.
 */
export const optaxAdafactorDefinition: OptimizerDefinition<OptaxAdafactorOptions, "optaxAdafactor"> = {
  title: "optax:adafactor",
  steps: "shared",
  kernel: "optaxAdafactor",
  defaults: optaxAdafactorDefaults,
  validate(o, check) {
    if (o.learningRate !== null) check.nonNegative("learningRate", o.learningRate);
    if (!Number.isInteger(check.nonNegative("minDimSizeToFactor", o.minDimSizeToFactor)))
      check.fail(`invalid minDimSizeToFactor: ${o.minDimSizeToFactor} (must be a whole number)`);
    check.number("decayRate", o.decayRate);
    check.number("decayOffset", o.decayOffset);
    check.boolean("multiplyByParameterScale", o.multiplyByParameterScale);
    if (o.clippingThreshold !== null) check.nonNegative("clippingThreshold", o.clippingThreshold);
    if (o.momentum !== null) check.inRange("momentum", o.momentum, 0, 1, true);
    if (o.weightDecayRate !== null) check.nonNegative("weightDecayRate", o.weightDecayRate);
    check.nonNegative("eps", o.eps);
    check.boolean("factored", o.factored);
  },
  buffers: (o) => ({ vRow: 0, vCol: 0, v: 0, ema: o.momentum === null ? null : 0 }),
  bufferLengths: (o, shape, length) =>
    optaxAdafactorLengths(length, twoLargestDims(shape), o.factored, o.minDimSizeToFactor),
  plan(o, t) {
    // optax: t = float32(step − decay_offset), β̂ = 1 − t^(−decay_rate), all in float32.
    const decay = Math.fround(1 - Math.fround(Math.fround(t - o.decayOffset) ** Math.fround(-o.decayRate)));
    const momentum = o.momentum ?? 0;
    return {
      scalars: {
        decay,
        oneMinusDecay: Math.fround(1 - decay),
        eps: o.eps,
        minDimSizeToFactor: o.minDimSizeToFactor,
        clippingThreshold: o.clippingThreshold ?? 1,
        learningRate: o.learningRate ?? 1,
        momentum,
        oneMinusMomentum: 1 - momentum,
        weightDecayRate: o.weightDecayRate ?? 0,
        gradScale: 1,
      },
      flags: {
        factored: o.factored,
        clipping: o.clippingThreshold !== null,
        parameterScale: o.multiplyByParameterScale,
        withMomentum: o.momentum !== null,
        weightDecay: o.weightDecayRate !== null,
      },
    };
  },
};

/** optax.adafactor. */
export const OptaxAdafactor = presetClass(optaxAdafactorDefinition);
