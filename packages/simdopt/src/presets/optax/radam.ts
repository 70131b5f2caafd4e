import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { checkAdam, momentumCoefficients } from "./adam.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxRAdam`: optax.radam's arguments in camelCase (defaults: `optaxRAdamDefaults`). */
export interface OptaxRAdamOptions {
  /** Learning rate (optax's `learning_rate`). Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the gradient (optax's `b1`). Default 0.9. */
  b1?: number;
  /** Decay rate of the running average of the squared gradient (optax's `b2`). Default 0.999. */
  b2?: number;
  /** Term added to the denominator for numerical stability, outside the root. Default 1e-8. */
  eps?: number;
  /** Term added inside the root: √(v̂ + epsRoot). Default 0. */
  epsRoot?: number;
  /** The ρ_t from which the rectified update applies (ρ_t ≥ threshold). */
  threshold?: number;
  /** Nesterov momentum (optax's `nesterov`). Default false. */
  nesterov?: boolean;
}

/** `OptaxRAdam`'s defaults (optax.radam's). */
export const optaxRAdamDefaults: Required<OptaxRAdamOptions> = deepFreeze({
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-8,
  epsRoot: 0,
  threshold: 5,
  nesterov: false,
});

/**
 * optax.radam on NAdam's kernel: ρ∞ = 2/(1 − β2) − 1, ρ_t = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ); from ρ_t ≥ threshold
 * on, optax's Adam step times the rectification r_t, before that the step −lr·m̂ alone (the kernel
 * without its denominator). m̂ is Nesterov's with `nesterov`.
 */
export const optaxRAdamDefinition: OptimizerDefinition<OptaxRAdamOptions, "nadam"> = {
  title: "optax:radam",
  steps: "shared",
  kernel: "nadam",
  defaults: optaxRAdamDefaults,
  validate(o, check) {
    checkAdam(o, check);
    check.number("threshold", o.threshold);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  plan(o, t) {
    const biasCorrection2 = 1 - o.b2 ** t;
    const rhoInf = 2 / (1 - o.b2) - 1;
    const rhoT = rhoInf - (2 * t * o.b2 ** t) / biasCorrection2;
    const rectified = rhoT >= o.threshold;
    const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 1;
    return {
      scalars: {
        gradScale: 1,
        paramScale: 1,
        weightDecay: 0,
        beta1: o.b1,
        oneMinusBeta1: 1 - o.b1,
        beta2: o.b2,
        oneMinusBeta2: 1 - o.b2,
        biasCorrection2,
        eps: o.eps,
        ...momentumCoefficients(o, t, -o.learningRate * rect),
        epsRoot: o.epsRoot,
      },
      flags: {
        decoupled: false,
        coupled: false,
        withEpsRoot: rectified && o.epsRoot !== 0,
        momentumOnly: !rectified,
        withLerp: false,
      },
    };
  },
};

/** optax.radam. */
export const OptaxRAdam = presetClass(optaxRAdamDefinition);
