import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

export const adagradDefaults: Required<AdagradOptions> = deepFreeze({
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
});

export const adagradDefinition: OptimizerDefinition<AdagradOptions, "adagrad"> = {
  title: "Adagrad",
  kernel: "adagrad",
  defaults: adagradDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.nonNegative("lrDecay", o.lrDecay);
    check.nonNegative("weightDecay", o.weightDecay);
    check.nonNegative("initialAccumulatorValue", o.initialAccumulatorValue);
    check.nonNegative("eps", o.eps);
    check.boolean("maximize", o.maximize);
  },
  // torch fills state["sum"] in its constructor from the constructor's initial_accumulator_value,
  // whatever a group's own value says; so does this, so that results match torch's.
  buffers: (_o, constructorOptions) => ({ sum: constructorOptions.initialAccumulatorValue }),
  // Rows without gradient do not change under the dense rule (s and p stay), so only listed rows are stepped.
  sparse: (o) =>
    o.weightDecay !== 0
      ? { refused: `weightDecay ${o.weightDecay} is not compatible with sparse gradients (as torch's weight_decay)` }
      : "rows",
  plan(o, t) {
    const clr = o.lr / (1 + (t - 1) * o.lrDecay);
    return {
      scalars: { gradScale: gradScale(o.maximize), weightDecay: o.weightDecay, eps: o.eps, negClr: -clr },
      flags: { coupled: o.weightDecay !== 0, epsInRoot: false },
    };
  },
};

/**
 * Adagrad (Duchi et al., 2011, https://jmlr.org/papers/v12/duchi11a.html), as torch.optim.Adagrad
 * computes it for dense gradients:
 *
 *     g ← ∇ + λθ;   s ← s + g²;   θ ← θ − γ/(1 + (t − 1)η) · g/(√s + ε)
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: AdagradOptions & TrainingOptions = {}) {
    super(params, options, adagradDefinition);
  }
}
