import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

/**
 * Options of `Adamax`, as torch.optim.Adamax names them in camelCase; every one optional (defaults: `adamaxDefaults`).
 */
export interface AdamaxOptions {
  /** Learning rate γ. Default 2e-3. */
  lr?: number;
  /**
   * Coefficients [β1, β2]: β1 of the running average of the gradient, β2 of the infinity norm's
   * decay. Default [0.9, 0.999].
   */
  betas?: [number, number];
  /** Term added to the denominator for numerical stability. Default 1e-8. */
  eps?: number;
  /** Weight decay λ: λθ added to the gradient (an L2 penalty). Default 0. */
  weightDecay?: number;
  /** Ascend the objective instead of descending it (torch's `maximize`). Default false. */
  maximize?: boolean;
  /**
   * Compute as torch 1.13 did, where torch 2 changed the arithmetic: the first moment moves by m·β1 + (1 − β1)·g
   * (torch 2: `m.lerp_(g, 1 − β1)`, the default; float32 results differ in the last bits).
   */
  torch113?: boolean;
}

/** `Adamax`'s defaults (torch's): the options it takes when not given. */
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
