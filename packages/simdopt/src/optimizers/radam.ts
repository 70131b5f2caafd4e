import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

export interface RAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Decay the parameters by 1 − γλ (AdamW's way) instead of adding λθ to the gradient (torch 2). */
  decoupledWeightDecay?: boolean;
  maximize?: boolean;
  /**
   * Compute as torch 1.13 did, where torch 2 changed the arithmetic: the first moment moves by
   * m·β1 + (1 − β1)·g (torch 2: `m.lerp_(g, 1 − β1)`, the default; float32 results differ in the last bits).
   */
  torch113?: boolean;
}

export const radamDefaults: Required<RAdamOptions> = deepFreeze({
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
  torch113: false,
});

export const radamDefinition: OptimizerDefinition<RAdamOptions, "radam"> = {
  title: "RAdam",
  kernel: "radam",
  defaults: radamDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.nonNegative("eps", o.eps);
    check.betas(o.betas);
    check.nonNegative("weightDecay", o.weightDecay);
    check.boolean("decoupledWeightDecay", o.decoupledWeightDecay);
    check.boolean("maximize", o.maximize);
    check.boolean("torch113", o.torch113);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  plan(o, step) {
    const [beta1, beta2] = o.betas;
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
    const rectified = rhoT > 5;
    const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    const decoupled = o.decoupledWeightDecay && o.weightDecay !== 0;
    return {
      scalars: {
        gradScale: gradScale(o.maximize),
        paramScale: decoupled ? 1 - o.lr * o.weightDecay : 1,
        weightDecay: decoupled ? 0 : o.weightDecay,
        beta1,
        oneMinusBeta1: 1 - beta1,
        beta2,
        oneMinusBeta2: 1 - beta2,
        biasCorrection1,
        lr: o.lr,
        biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
        eps: o.eps,
        rect,
      },
      flags: { decoupled, coupled: !o.decoupledWeightDecay && o.weightDecay !== 0, rectified, withLerp: !o.torch113 },
    };
  },
};

/**
 * RAdam, Adam with a rectified variance (Liu et al., 2020, https://arxiv.org/abs/1908.03265), as
 * torch.optim.RAdam computes it, with ρ∞ = 2/(1 − β2) − 1 and ρ_t = ρ∞ − 2tβ2ᵗ/(1 − β2ᵗ):
 *
 *     g ← ∇ + λθ (or θ ← θ(1 − γλ) with decoupledWeightDecay);   m ← β1·m + (1 − β1)g;   v ← β2·v + (1 − β2)g²;   m̂ = m/(1 − β1ᵗ)
 *     θ ← θ − γ·m̂·√(1 − β2ᵗ)/(√v + ε)·r_t   when ρ_t > 5, with r_t = √((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t))
 *     θ ← θ − γ·m̂                           otherwise
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsInput<RAdamOptions>, options: RAdamOptions & TrainingOptions = {}) {
    super(params, options, radamDefinition);
  }
}
