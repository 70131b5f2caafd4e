import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** ψ in μ_t = β1(1 − ½·0.96^(tψ)). */
  momentumDecay?: number;
  maximize?: boolean;
}

export const nadamDefaults: Required<NAdamOptions> = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 4e-3,
  maximize: false,
};

export const nadamDefinition: OptimizerDefinition<NAdamOptions, "nadam"> = {
  title: "NAdam",
  kernel: "nadam",
  defaults: nadamDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.nonNegative("eps", o.eps);
    check.betas(o.betas);
    check.nonNegative("weightDecay", o.weightDecay);
    check.nonNegative("momentumDecay", o.momentumDecay);
    check.boolean("maximize", o.maximize);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  initialState: () => ({ muProduct: 1 }),
  plan(o, step, state) {
    const [beta1, beta2] = o.betas;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * o.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * o.momentumDecay));
    // torch 1.13 keeps the running product Πμ in a float32 tensor whatever the parameters'
    // dtype, so it is computed in float32 here too, one rounding per tensor operation. Its
    // next-step product takes μ_t once more (Πμ·μ_t·μ_{t+1}, not Πμ·μ_{t+1}); the golden vectors
    // pin both down to the last bit, so both are kept.
    const f32 = Math.fround;
    const muProduct = f32(state.muProduct * f32(mu));
    const muProductNext = f32(f32(muProduct * f32(mu)) * f32(muNext));
    const gradCoef = (-o.lr * (1 - mu)) / (1 - muProduct);
    const avgCoef = (-o.lr * muNext) / (1 - muProductNext);
    return {
      scalars: {
        gradScale: gradScale(o.maximize), weightDecay: o.weightDecay, beta1, oneMinusBeta1: 1 - beta1, beta2,
        oneMinusBeta2: 1 - beta2, biasCorrection2: 1 - beta2 ** step, eps: o.eps, gradCoef, avgCoef,
      },
      flags: { coupled: o.weightDecay !== 0 },
      next: { muProduct },
    };
  },
};

/**
 * NAdam, Adam with Nesterov momentum (Dozat, 2016, https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ),
 * with torch's momentum schedule μ_t = β1(1 − ½·0.96^(tψ)), as torch.optim.NAdam computes it:
 *
 *     g ← ∇ + λθ;   m ← β1·m + (1 − β1)g;   v ← β2·v + (1 − β2)g²;   d = √(v / (1 − β2ᵗ)) + ε
 *     θ ← θ − γ(1 − μ_t)/(1 − Π_{i≤t} μ_i) · g/d − γμ_{t+1}/(1 − μ_t·Π_{i≤t+1} μ_i) · m/d
 *
 * The extra μ_t in the last denominator is torch 1.13's, kept so that results match torch.optim.
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsInput<NAdamOptions>, options: NAdamOptions & TrainingOptions = {}) {
    super(params, options, nadamDefinition);
  }
}
