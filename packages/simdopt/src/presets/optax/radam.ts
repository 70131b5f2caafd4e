import type { OptimizerDefinition } from "../../optimizer.js";
import { notYet, presetClass } from "./preset.js";
import { checkAdam } from "./adam.js";

export interface OptaxRAdamOptions {
  learningRate?: number;
  b1?: number;
  b2?: number;
  eps?: number;
  epsRoot?: number;
  /** The ρ_t from which the rectified update applies (ρ_t ≥ threshold). */
  threshold?: number;
  nesterov?: boolean;
}

export const optaxRAdamDefaults: Required<OptaxRAdamOptions> = {
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-8,
  epsRoot: 0,
  threshold: 5,
  nesterov: false,
};

/** optax.radam on RAdam's kernel, with optax's bias-corrected ε (ε·√(1 − β2ᵗ) in torch's form) and its threshold. */
export const optaxRAdamDefinition: OptimizerDefinition<OptaxRAdamOptions, "radam"> = {
  title: "optax:radam",
  kernel: "radam",
  defaults: optaxRAdamDefaults,
  validate(o, check) {
    checkAdam(o, check);
    notYet(check, "nesterov", o.nesterov, false);
    check.number("threshold", o.threshold);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  plan(o, t) {
    const biasCorrection2 = 1 - o.b2 ** t;
    const rhoInf = 2 / (1 - o.b2) - 1;
    const rhoT = rhoInf - (2 * t * o.b2 ** t) / biasCorrection2;
    const rectified = rhoT >= o.threshold;
    return {
      scalars: {
        gradScale: 1,
        paramScale: 1,
        weightDecay: 0,
        beta1: o.b1,
        oneMinusBeta1: 1 - o.b1,
        beta2: o.b2,
        oneMinusBeta2: 1 - o.b2,
        biasCorrection1: 1 - o.b1 ** t,
        lr: o.learningRate,
        biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
        eps: o.eps * Math.sqrt(biasCorrection2),
        rect: rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0,
      },
      flags: { decoupled: false, coupled: false, rectified },
    };
  },
};

/** optax.radam. */
export const OptaxRAdam = presetClass(optaxRAdamDefinition);
