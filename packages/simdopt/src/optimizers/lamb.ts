import { Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import { deepFreeze } from "../runtime/freeze.js";

/** torch_optimizer.Lamb's options, in camelCase. */
export interface LambOptions {
  /** Learning rate γ. Default 1e-3. */
  lr?: number;
  /** Coefficients [β1, β2] of the running averages of the gradient and of its square. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Term added to the denominator for numerical stability. Default 1e-6. */
  eps?: number;
  /** λ, added to Adam's direction before the trust ratio (as in the LAMB paper). */
  weightDecay?: number;
  /** The largest ‖θ‖ the trust ratio uses. */
  clampValue?: number;
  /** Trust ratio 1: Adam with λθ in the direction (for comparisons). */
  adam?: boolean;
  /** Bias-correct the step: γ·√(1 − β2ᵗ)/(1 − β1ᵗ) (the paper's v3 does not). */
  debias?: boolean;
}

/** torch_optimizer 0.3.0's defaults. */
export const lambDefaults: Required<LambOptions> = deepFreeze({
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-6,
  weightDecay: 0,
  clampValue: 10,
  adam: false,
  debias: false,
});

export const lambDefinition: OptimizerDefinition<LambOptions, "lamb"> = {
  title: "Lamb",
  kernel: "lamb",
  defaults: lambDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.betas(o.betas);
    check.nonNegative("eps", o.eps);
    check.nonNegative("weightDecay", o.weightDecay);
    check.nonNegative("clampValue", o.clampValue);
    check.boolean("adam", o.adam);
    check.boolean("debias", o.debias);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  plan(o, t) {
    const [beta1, beta2] = o.betas;
    const biasCorrection = o.debias ? Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) : 1;
    return {
      scalars: {
        beta1,
        oneMinusBeta1: 1 - beta1,
        beta2,
        oneMinusBeta2: 1 - beta2,
        eps: o.eps,
        weightDecay: o.weightDecay,
        negStepSize: -(o.lr * biasCorrection),
        clampValue: o.clampValue,
        epsRoot: 0,
        gradScale: 1,
      },
      flags: { decay: o.weightDecay !== 0, adamMode: o.adam, withEpsRoot: false },
    };
  },
};

/**
 * LAMB, layer-wise adaptive moments (You et al., 2020, https://arxiv.org/abs/1904.00962), as
 * torch_optimizer.Lamb computes it, per tensor:
 *
 *     m ← β1·m + (1 − β1)g;   v ← β2·v + (1 − β2)g²;   u = m/(√v + ε) + λθ
 *     θ ← θ − γ·min(‖θ‖, clampValue)/‖u‖ · u     (trust ratio 1 if either norm is 0, or with `adam`)
 *
 * The norms make it a two-pass kernel, still one call per group; they are summed in double.
 */
export class Lamb extends Optimizer<LambOptions> {
  constructor(params: ParamsInput<LambOptions>, options: LambOptions = {}) {
    super(params, options, lambDefinition);
  }
}
