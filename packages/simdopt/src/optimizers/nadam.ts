import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** ψ in μ_t = β1(1 − ½·0.96^(tψ)). */
  momentumDecay?: number;
  /** Decay the parameters by 1 − γλ (AdamW's way) instead of adding λθ to the gradient (torch 2). */
  decoupledWeightDecay?: boolean;
  maximize?: boolean;
  /**
   * Compute as torch 1.13 did: its next μ product takes μ_t twice (Π·μ_t·μ_{t+1}), which torch 2.0
   * fixed to Π·μ_{t+1}, the default here (results differ by about 3.5e-4 after 20 steps); and the
   * first moment moves by m·β1 + (1 − β1)·g (torch 2: `m.lerp_(g, 1 − β1)`; the last bits in float32).
   */
  torch113?: boolean;
}

export const nadamDefaults: Required<NAdamOptions> = deepFreeze({
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 4e-3,
  decoupledWeightDecay: false,
  maximize: false,
  torch113: false,
});

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
    check.boolean("decoupledWeightDecay", o.decoupledWeightDecay);
    check.boolean("maximize", o.maximize);
    check.boolean("torch113", o.torch113);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  initialState: () => ({ muProduct: 1 }),
  // A product of momentum coefficients μ_t = β1(1 − 0.5·0.96^(tψ)), each in [0, 1).
  stateRanges: { muProduct: [0, 1] },
  plan(o, step, state) {
    const [beta1, beta2] = o.betas;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * o.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * o.momentumDecay));
    // torch keeps the running product Πμ in a float32 tensor whatever the parameters' dtype, so it
    // is computed in float32 here too, one rounding per tensor operation. torch 2 takes the next
    // step's product in double (Π.item()·μ_{t+1}); torch 1.13 as a float32 tensor product with μ_t
    // once more (Π·μ_t·μ_{t+1}). The golden vectors pin both down to the last bit.
    const f32 = Math.fround;
    const muProduct = f32(state.muProduct * f32(mu));
    const muProductNext = o.torch113 ? f32(f32(muProduct * f32(mu)) * f32(muNext)) : muProduct * muNext;
    const gradCoef = (-o.lr * (1 - mu)) / (1 - muProduct);
    const avgCoef = (-o.lr * muNext) / (1 - muProductNext);
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
        biasCorrection2: 1 - beta2 ** step,
        eps: o.eps,
        gradCoef,
        avgCoef,
        epsRoot: 0,
      },
      flags: {
        decoupled,
        coupled: !o.decoupledWeightDecay && o.weightDecay !== 0,
        withEpsRoot: false,
        momentumOnly: false,
        withLerp: !o.torch113,
      },
      next: { muProduct },
    };
  },
};

/**
 * NAdam, Adam with Nesterov momentum (Dozat, 2016, https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ),
 * with torch's momentum schedule μ_t = β1(1 − ½·0.96^(tψ)), as torch.optim.NAdam computes it:
 *
 *     g ← ∇ + λθ (or θ ← θ(1 − γλ) with decoupledWeightDecay);   m ← β1·m + (1 − β1)g
 *     v ← β2·v + (1 − β2)g²;   d = √(v / (1 − β2ᵗ)) + ε
 *     θ ← θ − γ(1 − μ_t)/(1 − Π_{i≤t} μ_i) · g/d − γμ_{t+1}/(1 − Π_{i≤t+1} μ_i) · m/d
 *
 * That is torch 2's NAdam; `torch113: true` reproduces torch 1.13's, whose last denominator is
 * 1 − μ_t·Π_{i≤t+1} μ_i.
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsInput<NAdamOptions>, options: NAdamOptions & TrainingOptions = {}) {
    super(params, options, nadamDefinition);
  }
}
