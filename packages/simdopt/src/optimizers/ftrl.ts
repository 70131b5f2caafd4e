import type { OptimizerDefinition, ParamsInput } from "../optimizer.js";
import {
  checkKerasBase,
  decayedLearningRate,
  decaysWeights,
  KERAS_BASE_DEFAULTS,
  KerasOptimizer,
  weightDecayScale,
  type KerasBaseOptions,
} from "../presets/keras-base.js";
import { deepFreeze } from "../runtime/freeze.js";

/** keras.optimizers.Ftrl's options, in camelCase, with Keras's base options. */
export interface FtrlOptions extends KerasBaseOptions {
  /** Learning rate γ. Default 1e-3. */
  learningRate?: number;
  /** The power of n in the per-coordinate rate; −½ (a square root) is the usual. At most 0. */
  learningRatePower?: number;
  /** n's starting value. */
  initialAccumulatorValue?: number;
  /** L1 regularization strength (≥ 0). Default 0. */
  l1RegularizationStrength?: number;
  /** L2 regularization strength (≥ 0). Default 0. */
  l2RegularizationStrength?: number;
  /** An L2 penalty in the gradient only (magnitude shrinkage). */
  l2ShrinkageRegularizationStrength?: number;
  /** β of the per-coordinate rate's denominator (β + √n)/lr. */
  beta?: number;
}

/** Keras 3's defaults. */
export const ftrlDefaults: Required<FtrlOptions> = deepFreeze({
  learningRate: 1e-3,
  learningRatePower: -0.5,
  initialAccumulatorValue: 0.1,
  l1RegularizationStrength: 0,
  l2RegularizationStrength: 0,
  l2ShrinkageRegularizationStrength: 0,
  beta: 0,
  ...KERAS_BASE_DEFAULTS,
});

export const ftrlDefinition: OptimizerDefinition<FtrlOptions, "ftrl"> = {
  title: "Ftrl",
  steps: "shared", // Keras's: the optimizer's iterations count every step
  kernel: "ftrl",
  defaults: ftrlDefaults,
  validate(o, check) {
    if (check.number("learningRate", o.learningRate) <= 0)
      check.fail(`invalid learningRate: ${o.learningRate} (must be > 0)`);
    if (check.number("learningRatePower", o.learningRatePower) > 0) {
      check.fail(`invalid learningRatePower: ${o.learningRatePower} (must be <= 0)`);
    }
    check.nonNegative("initialAccumulatorValue", o.initialAccumulatorValue);
    check.nonNegative("l1RegularizationStrength", o.l1RegularizationStrength);
    check.nonNegative("l2RegularizationStrength", o.l2RegularizationStrength);
    check.nonNegative("l2ShrinkageRegularizationStrength", o.l2ShrinkageRegularizationStrength);
    check.nonNegative("beta", o.beta);
    checkKerasBase(o, check);
  },
  buffers: (o) => ({ accumulator: o.initialAccumulatorValue, linear: 0 }),
  // TensorFlow's sparse FTRL (ResourceSparseApplyFtrlV2) steps the listed rows alone: the others keep
  // θ, n and z. Keras's own clipping and weight decay act on dense gradients and weights: refused.
  sparse(o) {
    const set: string[] = (["clipnorm", "globalClipnorm", "clipvalue"] as const).filter((name) => o[name] !== null);
    if (decaysWeights(o)) set.push("weightDecay");
    return set.length === 0
      ? "rows"
      : { refused: `${set.join(", ")} ${set.length === 1 ? "is" : "are"} not supported with sparse gradients` };
  },
  plan(o, t) {
    // Keras 2's decayed rate is the rate of the whole step, β's term of the L2 strength included.
    const lr = decayedLearningRate(o, t);
    return {
      scalars: {
        gradScale: 1,
        paramScale: weightDecayScale(o, lr),
        shrink2: 2 * o.l2ShrinkageRegularizationStrength,
        negPower: -o.learningRatePower,
        lr,
        twoL2: 2 * (o.l2RegularizationStrength + o.beta / (2 * lr)),
        l1: o.l1RegularizationStrength,
        negL1: -o.l1RegularizationStrength,
      },
      flags: {
        decoupled: decaysWeights(o),
        shrinkage: o.l2ShrinkageRegularizationStrength !== 0,
        sqrtPower: o.learningRatePower === -0.5,
      },
    };
  },
};

/**
 * FTRL-Proximal, "follow the regularized leader" (McMahan et al., 2013,
 * https://research.google/pubs/pub41159/), for sparse weights: L1 sets coordinates exactly to 0.
 * As keras.optimizers.Ftrl computes it, with P(n) = n^(−learningRatePower):
 *
 *     g' = g + 2λ_shrink·θ;   n' = n + g²;   z ← z + g' − (P(n') − P(n))/γ · θ
 *     θ ← (clip(z, −λ1, λ1) − z) / (P(n')/γ + 2(λ2 + β/(2γ)));   n ← n'
 *
 * Options keep Keras's names (in camelCase), with Keras's base options (clipnorm, globalClipnorm,
 * clipvalue, weightDecay, decay; see presets/keras-base.ts). A non-default power runs through a
 * portable pow that the kernels and the reference compute alike. With a sparse gradient
 * (`param.setSparseGrad`), only the listed rows step, as TensorFlow's sparse FTRL steps them.
 */
export class Ftrl extends KerasOptimizer<FtrlOptions> {
  constructor(params: ParamsInput<FtrlOptions>, options: FtrlOptions = {}) {
    super(params, options, ftrlDefinition);
  }
}
