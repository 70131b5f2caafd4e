import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
  /**
   * Compute as torch 1.13 did, where torch 2 changed the arithmetic: the centered mean of g moves by ḡ·α + (1 − α)·g
   * (torch 2: `ḡ.lerp_(g, 1 − α)`, the default; float32 results differ in the last bits).
   */
  torch113?: boolean;
}

export const rmspropDefaults: Required<RMSpropOptions> = deepFreeze({
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
  torch113: false,
});

export const rmspropDefinition: OptimizerDefinition<RMSpropOptions, "rmsprop"> = {
  title: "RMSprop",
  kernel: "rmsprop",
  defaults: rmspropDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.nonNegative("alpha", o.alpha);
    check.nonNegative("eps", o.eps);
    check.nonNegative("weightDecay", o.weightDecay);
    check.nonNegative("momentum", o.momentum);
    check.boolean("centered", o.centered);
    check.boolean("maximize", o.maximize);
    check.boolean("torch113", o.torch113);
  },
  buffers: (o) => ({ squareAvg: 0, gradAvg: o.centered ? 0 : null, momentumBuffer: o.momentum > 0 ? 0 : null }),
  plan: (o) => ({
    scalars: {
      gradScale: gradScale(o.maximize),
      weightDecay: o.weightDecay,
      paramScale: 1,
      alpha: o.alpha,
      oneMinusAlpha: 1 - o.alpha,
      eps: o.eps,
      momentum: o.momentum,
      momentumScale: 1,
      negLr: -o.lr,
      gradAvgScale: 1,
    },
    flags: {
      coupled: o.weightDecay !== 0,
      decoupled: false,
      centered: o.centered,
      withMomentum: o.momentum > 0,
      epsInRoot: false,
      nesterov: false,
      withLerp: o.centered && !o.torch113,
    },
  }),
};

/**
 * RMSprop (Hinton, Lecture 6e, https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf),
 * centered as in Graves, 2013 (https://arxiv.org/abs/1308.0850), as torch.optim.RMSprop computes it:
 *
 *     g ← ∇ + λθ;   s ← αs + (1 − α)g²;   ḡ ← αḡ + (1 − α)g (centered);   d = √(s − ḡ²) + ε (or √s + ε)
 *     b ← μb + g/d, θ ← θ − γb (momentum);   θ ← θ − γg/d (otherwise)
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: RMSpropOptions & TrainingOptions = {}) {
    super(params, options, rmspropDefinition);
  }
}
