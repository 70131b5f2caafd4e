import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

/**
 * Options of `Adadelta`, as torch.optim.Adadelta names them in camelCase; every one optional (defaults:
 * `adadeltaDefaults`).
 */
export interface AdadeltaOptions {
  /** Coefficient γ that scales the update before it is applied. Default 1. */
  lr?: number;
  /** Coefficient ρ of the running averages of the squared gradient and of the squared update. Default 0.9. */
  rho?: number;
  /** Term added to the denominator for numerical stability. Default 1e-6. */
  eps?: number;
  /** Weight decay λ: λθ added to the gradient (an L2 penalty). Default 0. */
  weightDecay?: number;
  /** Ascend the objective instead of descending it (torch's `maximize`). Default false. */
  maximize?: boolean;
}

/** `Adadelta`'s defaults (torch's): the options it takes when not given. */
export const adadeltaDefaults: Required<AdadeltaOptions> = deepFreeze({
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
});

export const adadeltaDefinition: OptimizerDefinition<AdadeltaOptions, "adadelta"> = {
  title: "Adadelta",
  kernel: "adadelta",
  defaults: adadeltaDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.inRange("rho", o.rho, 0, 1, true);
    check.nonNegative("eps", o.eps);
    check.nonNegative("weightDecay", o.weightDecay);
    check.boolean("maximize", o.maximize);
  },
  buffers: () => ({ squareAvg: 0, accDelta: 0 }),
  plan: (o) => ({
    scalars: {
      gradScale: gradScale(o.maximize),
      weightDecay: o.weightDecay,
      rho: o.rho,
      oneMinusRho: 1 - o.rho,
      eps: o.eps,
      negLr: -o.lr,
    },
    flags: { coupled: o.weightDecay !== 0, previousSquareAvg: false },
  }),
};

/**
 * Adadelta (Zeiler, 2012, https://arxiv.org/abs/1212.5701), as torch.optim.Adadelta computes it:
 *
 *     g ← ∇ + λθ;   s ← ρs + (1 − ρ)g²;   δ = √(a + ε)/√(s + ε) · g;   a ← ρa + (1 − ρ)δ²;   θ ← θ − γδ
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsInput<AdadeltaOptions>, options: AdadeltaOptions & TrainingOptions = {}) {
    super(params, options, adadeltaDefinition);
  }
}
