import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
  /**
   * Compute as torch 1.13 did, where torch 2 changed the arithmetic: the first moment moves by m·β1 + (1 − β1)·g
   * (torch 2: `m.lerp_(g, 1 − β1)`, the default; float32 results differ in the last bits).
   */
  torch113?: boolean;
}

export const adamaxDefaults: Required<AdamaxOptions> = deepFreeze({
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
  torch113: false,
});

export const adamaxDefinition: OptimizerDefinition<AdamaxOptions, "adamax"> = {
  title: "Adamax",
  kernel: "adamax",
  defaults: adamaxDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.nonNegative("eps", o.eps);
    check.betas(o.betas);
    check.nonNegative("weightDecay", o.weightDecay);
    check.boolean("maximize", o.maximize);
    check.boolean("torch113", o.torch113);
  },
  buffers: () => ({ expAvg: 0, expInf: 0 }),
  plan(o, t) {
    const [beta1, beta2] = o.betas;
    const clr = o.lr / (1 - beta1 ** t);
    return {
      scalars: {
        gradScale: gradScale(o.maximize),
        weightDecay: o.weightDecay,
        beta1,
        oneMinusBeta1: 1 - beta1,
        beta2,
        eps: o.eps,
        negClr: -clr,
      },
      flags: { coupled: o.weightDecay !== 0, epsAfterMax: false, withLerp: !o.torch113 },
    };
  },
};

/**
 * Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2015, https://arxiv.org/abs/1412.6980,
 * section 7), as torch.optim.Adamax computes it:
 *
 *     g ← ∇ + λθ;   m ← β1·m + (1 − β1)g;   u ← max(β2·u, |g| + ε);   θ ← θ − γ/(1 − β1ᵗ) · m/u
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: ParamsInput<AdamaxOptions>, options: AdamaxOptions & TrainingOptions = {}) {
    super(params, options, adamaxDefinition);
  }
}
