import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

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
