import { deepFreeze } from "../runtime/freeze.js";
import { Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";

/** tfa.optimizers.LazyAdam's options, in camelCase. */
export interface LazyAdamOptions {
  /** Learning rate γ. Default 1e-3. */
  learningRate?: number;
  /** Coefficient β1 of the running average of the gradient. Default 0.9. */
  beta1?: number;
  /** Coefficient β2 of the running average of the squared gradient. Default 0.999. */
  beta2?: number;
  /** Term added to the denominator for numerical stability. Default 1e-7. */
  epsilon?: number;
}

/** TensorFlow Addons' defaults (Keras's Adam's). */
export const lazyAdamDefaults: Required<LazyAdamOptions> = deepFreeze({
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
});

export const lazyAdamDefinition: OptimizerDefinition<LazyAdamOptions, "sparseAdam"> = {
  title: "LazyAdam",
  steps: "shared", // TensorFlow's: the optimizer's iterations count every step
  kernel: "sparseAdam",
  defaults: lazyAdamDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.betas([o.beta1, o.beta2], ["beta1", "beta2"]);
    check.nonNegative("epsilon", o.epsilon);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  sparse: () => "rows",
  plan(o, t) {
    // lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), t the optimizer's iterations + 1 (every step, empty ones too).
    const stepSize = (o.learningRate * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);
    return {
      scalars: {
        gradScale: 1,
        oneMinusBeta1: 1 - o.beta1,
        oneMinusBeta2: 1 - o.beta2,
        eps: o.epsilon,
        negStepSize: -stepSize,
      },
      flags: {},
    };
  },
};

/**
 * LazyAdam (TensorFlow Addons' `tfa.optimizers.LazyAdam`): Adam whose sparse gradients
 * (`param.setSparseGrad`) move only the rows they list, with their moments; a dense gradient moves
 * every element by the same rule (Keras's Adam, ε added to √v). Per row, with g its summed gradient
 * and t counting every step:
 *
 *     m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²;   θ ← θ − lr·√(1 − β2ᵗ)/(1 − β1ᵗ) · m/(√v + ε)
 *
 * This is torch's SparseAdam with Keras's names and defaults (ε = 1e-7), computed by the same
 * kernel: the moments' updates are rounded as torch rounds them (m + (1 − β1)(g − m)), which TF
 * writes β1·m + (1 − β1)·g, so results agree with TF's up to rounding.
 */
export class LazyAdam extends Optimizer<LazyAdamOptions> {
  constructor(params: ParamsInput<LazyAdamOptions>, options: LazyAdamOptions & TrainingOptions = {}) {
    super(params, options, lazyAdamDefinition);
  }
}
