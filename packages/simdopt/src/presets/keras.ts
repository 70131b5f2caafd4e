/**
 * Keras's optimizers (Keras 3, with Keras 2's `decay`) on simdopt's kernels: Keras's option names
 * in camelCase and its defaults, its update rules mapped onto the kernel that computes the same
 * thing (Adam's ε-hat as a per-step ε, momentum taken after the learning rate as a gradient scale,
 * ε inside RMSprop's root), and Keras's base options (keras-base.ts).
 */
import type { OptimizerDefinition, ParamsInput } from "../optimizer.js";
import type { OptionChecker } from "../runtime/validate.js";
import {
  checkKerasBase,
  decayedLearningRate,
  decaysWeights,
  KERAS_BASE_DEFAULTS,
  KerasOptimizer,
  weightDecayScale,
  type KerasBaseOptions,
} from "./keras-base.js";
import { deepFreeze } from "../runtime/freeze.js";

export type { KerasBaseOptions } from "./keras-base.js";

// ---- keras.optimizers.Adam

/** Options of `KerasAdam`: keras.optimizers.Adam's arguments in camelCase (defaults: `kerasAdamDefaults`). */
export interface KerasAdamOptions extends KerasBaseOptions {
  /** Learning rate. Default 1e-3. */
  learningRate?: number;
  /**
   * Decay rate of the running average of the gradient. Default 0.9 (Lion: the interpolation of the
   * update's direction).
   */
  beta1?: number;
  /** Decay rate of the running average of the squared gradient. Default 0.999 (Lion: the momentum's decay, 0.99). */
  beta2?: number;
  /** Small constant for numerical stability (Keras's `epsilon`). Default 1e-7. */
  epsilon?: number;
  /** Use the maximum of the past second moments (AMSGrad). Default false. */
  amsgrad?: boolean;
}

/** `KerasAdam`'s defaults (keras.optimizers.Adam's). */
export const kerasAdamDefaults: Required<KerasAdamOptions> = deepFreeze({
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  amsgrad: false,
  ...KERAS_BASE_DEFAULTS,
});

function checkBetas(o: { beta1: number; beta2: number }, check: OptionChecker): void {
  check.betas([o.beta1, o.beta2], ["beta1", "beta2"]);
}

/** Keras's Adam: θ ← θ − (m·α)/(√v + ε), α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), on Adam's kernel with √(1 − β2ᵗ) = 1. */
export const kerasAdamDefinition: OptimizerDefinition<KerasAdamOptions, "adam"> = {
  title: "keras:adam",
  steps: "shared",
  kernel: "adam",
  defaults: kerasAdamDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    checkBetas(o, check);
    check.nonNegative("epsilon", o.epsilon);
    check.boolean("amsgrad", o.amsgrad);
    checkKerasBase(o, check);
  },
  buffers: (o) => ({ expAvg: 0, expAvgSq: 0, maxExpAvgSq: o.amsgrad ? 0 : null }),
  plan(o, t) {
    const lr = decayedLearningRate(o, t);
    return {
      scalars: {
        gradScale: 1,
        paramScale: weightDecayScale(o, lr),
        weightDecay: 0,
        beta1: o.beta1,
        oneMinusBeta1: 1 - o.beta1,
        beta2: o.beta2,
        oneMinusBeta2: 1 - o.beta2,
        biasCorrection2Sqrt: 1,
        eps: o.epsilon,
        negStepSize: -kerasAdamAlpha(lr, o.beta1, o.beta2, t, (x) => x),
      },
      // Keras computes α in the variable's dtype: the betas cast to float32, raised to the power t
      // and 1 − βᵗ in float32 (with β2 near 1, 1 − β2ᵗ in float32 and in double differ by 1e-4).
      float32Scalars: { negStepSize: -kerasAdamAlpha(lr, o.beta1, o.beta2, t, Math.fround) },
      flags: { decoupled: decaysWeights(o), coupled: false, amsgrad: o.amsgrad, withLerp: false },
    };
  },
};

/**
 * Keras's step size α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), every operation rounded by `round` as in the
 * variable's dtype (the power of float32 betas correctly rounded; XLA's may be an ulp away).
 */
function kerasAdamAlpha(lr: number, beta1: number, beta2: number, t: number, round: (x: number) => number): number {
  const power1 = round(round(beta1) ** t);
  const power2 = round(round(beta2) ** t);
  return round(round(round(lr) * round(Math.sqrt(round(1 - power2)))) / round(1 - power1));
}

/** keras.optimizers.Adam (its ε is added to √v, not to the bias-corrected √v̂ as torch's). */
export class KerasAdam extends KerasOptimizer<KerasAdamOptions> {
  constructor(params: ParamsInput<KerasAdamOptions>, options: KerasAdamOptions = {}) {
    super(params, options, kerasAdamDefinition);
  }
}

// ---- keras.optimizers.Nadam

/** Options of `KerasNadam`: keras.optimizers.Nadam's, Adam's without amsgrad (defaults: `kerasNadamDefaults`). */
export type KerasNadamOptions = Omit<KerasAdamOptions, "amsgrad">;

/** `KerasNadam`'s defaults (keras.optimizers.Nadam's). */
export const kerasNadamDefaults: Required<KerasNadamOptions> = deepFreeze({
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  ...KERAS_BASE_DEFAULTS,
});

/**
 * Keras's Nadam: torch 2's NAdam with μ_t = β1(1 − ½·0.96ᵗ) (torch's momentumDecay of 1) and the
 * running product Πμ in the parameters' precision (double here) rather than torch's float32.
 */
export const kerasNadamDefinition: OptimizerDefinition<KerasNadamOptions, "nadam"> = {
  title: "keras:nadam",
  steps: "shared",
  kernel: "nadam",
  defaults: kerasNadamDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    checkBetas(o, check);
    check.nonNegative("epsilon", o.epsilon);
    checkKerasBase(o, check);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  initialState: () => ({ muProduct: 1 }),
  // A product of momentum coefficients μ_t = β1(1 − 0.5·0.96^t), each in [0, 1).
  stateRanges: { muProduct: [0, 1] },
  plan(o, t, state) {
    const lr = decayedLearningRate(o, t);
    const mu = o.beta1 * (1 - 0.5 * 0.96 ** t);
    const muNext = o.beta1 * (1 - 0.5 * 0.96 ** (t + 1));
    const muProduct = state.muProduct * mu;
    return {
      scalars: {
        gradScale: 1,
        paramScale: weightDecayScale(o, lr),
        weightDecay: 0,
        beta1: o.beta1,
        oneMinusBeta1: 1 - o.beta1,
        beta2: o.beta2,
        oneMinusBeta2: 1 - o.beta2,
        biasCorrection2: 1 - o.beta2 ** t,
        eps: o.epsilon,
        gradCoef: (-lr * (1 - mu)) / (1 - muProduct),
        avgCoef: (-lr * muNext) / (1 - muProduct * muNext),
        epsRoot: 0,
      },
      flags: { decoupled: decaysWeights(o), coupled: false, withEpsRoot: false, momentumOnly: false, withLerp: false },
      next: { muProduct },
    };
  },
};

/** keras.optimizers.Nadam. */
export class KerasNadam extends KerasOptimizer<KerasNadamOptions> {
  constructor(params: ParamsInput<KerasNadamOptions>, options: KerasNadamOptions = {}) {
    super(params, options, kerasNadamDefinition);
  }
}

// ---- keras.optimizers.RMSprop

/** Options of `KerasRMSprop`: keras.optimizers.RMSprop's arguments in camelCase (defaults: `kerasRMSpropDefaults`). */
export interface KerasRMSpropOptions extends KerasBaseOptions {
  /** Learning rate. Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the squared gradient. Default 0.9. */
  rho?: number;
  /** Momentum, taken after the learning rate. Default 0. */
  momentum?: number;
  /** Small constant for numerical stability (Keras's `epsilon`). Default 1e-7. */
  epsilon?: number;
  /** Divide by an estimate of the gradient's variance. Default false. */
  centered?: boolean;
}

/** `KerasRMSprop`'s defaults (keras.optimizers.RMSprop's). */
export const kerasRMSpropDefaults: Required<KerasRMSpropOptions> = deepFreeze({
  learningRate: 1e-3,
  rho: 0.9,
  momentum: 0,
  epsilon: 1e-7,
  centered: false,
  ...KERAS_BASE_DEFAULTS,
});

/** Keras's RMSprop: ε inside the root, momentum after the learning rate (b ← μb + lr·g/√(v + ε), θ ← θ − b). */
export const kerasRMSpropDefinition: OptimizerDefinition<KerasRMSpropOptions, "rmsprop"> = {
  title: "keras:rmsprop",
  steps: "shared",
  kernel: "rmsprop",
  defaults: kerasRMSpropDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("rho", o.rho, 0, 1);
    check.nonNegative("momentum", o.momentum);
    check.nonNegative("epsilon", o.epsilon);
    check.boolean("centered", o.centered);
    checkKerasBase(o, check);
  },
  buffers: (o) => ({ squareAvg: 0, gradAvg: o.centered ? 0 : null, momentumBuffer: o.momentum > 0 ? 0 : null }),
  plan(o, t) {
    const lr = decayedLearningRate(o, t);
    const withMomentum = o.momentum > 0;
    return {
      scalars: {
        gradScale: 1,
        weightDecay: 0,
        paramScale: weightDecayScale(o, lr),
        alpha: o.rho,
        oneMinusAlpha: 1 - o.rho,
        eps: o.epsilon,
        momentum: o.momentum,
        momentumScale: lr,
        negLr: withMomentum ? -1 : -lr,
        gradAvgScale: 1,
      },
      flags: {
        coupled: false,
        decoupled: decaysWeights(o),
        centered: o.centered,
        withMomentum,
        epsInRoot: true,
        nesterov: false,
        withLerp: false,
      },
    };
  },
};

/** keras.optimizers.RMSprop. */
export class KerasRMSprop extends KerasOptimizer<KerasRMSpropOptions> {
  constructor(params: ParamsInput<KerasRMSpropOptions>, options: KerasRMSpropOptions = {}) {
    super(params, options, kerasRMSpropDefinition);
  }
}

// ---- keras.optimizers.SGD

/** Options of `KerasSGD`: keras.optimizers.SGD's arguments in camelCase (defaults: `kerasSGDDefaults`). */
export interface KerasSGDOptions extends KerasBaseOptions {
  /** Learning rate. Default 1e-2. */
  learningRate?: number;
  /** Momentum μ, taken after the learning rate. Default 0. */
  momentum?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/** `KerasSGD`'s defaults (keras.optimizers.SGD's). */
export const kerasSGDDefaults: Required<KerasSGDOptions> = deepFreeze({
  learningRate: 1e-2,
  momentum: 0,
  nesterov: false,
  ...KERAS_BASE_DEFAULTS,
});

/**
 * Keras's SGD: m ← μm − lr·g, θ ← θ + m (Nesterov: θ ← θ + μm − lr·g), the momentum taken after
 * the learning rate: SGD's kernel with the gradient scaled by lr_t and a step of 1.
 */
export const kerasSGDDefinition: OptimizerDefinition<KerasSGDOptions, "sgd"> = {
  title: "keras:sgd",
  steps: "shared",
  kernel: "sgd",
  defaults: kerasSGDDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("momentum", o.momentum, 0, 1, true);
    check.boolean("nesterov", o.nesterov);
    checkKerasBase(o, check);
  },
  buffers: (o) => ({ momentumBuffer: o.momentum !== 0 ? 0 : null }),
  plan(o, t) {
    const lr = decayedLearningRate(o, t);
    const withMomentum = o.momentum !== 0;
    return {
      scalars: {
        gradScale: withMomentum ? lr : 1,
        paramScale: weightDecayScale(o, lr),
        weightDecay: 0,
        momentum: o.momentum,
        oneMinusDampening: 1,
        negLr: withMomentum ? -1 : -lr,
      },
      flags: {
        coupled: false,
        decoupled: decaysWeights(o),
        withMomentum,
        firstStep: t === 1,
        nesterov: withMomentum && o.nesterov,
      },
    };
  },
};

/** keras.optimizers.SGD. */
export class KerasSGD extends KerasOptimizer<KerasSGDOptions> {
  constructor(params: ParamsInput<KerasSGDOptions>, options: KerasSGDOptions = {}) {
    super(params, options, kerasSGDDefinition);
  }
}

// ---- keras.optimizers.Lion

/**
 * Options of `KerasLion`: keras.optimizers.Lion's, Adam's without epsilon and amsgrad (defaults: `kerasLionDefaults`).
 */
export type KerasLionOptions = Omit<KerasAdamOptions, "epsilon" | "amsgrad">;

/** `KerasLion`'s defaults (keras.optimizers.Lion's). */
export const kerasLionDefaults: Required<KerasLionOptions> = deepFreeze({
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.99,
  ...KERAS_BASE_DEFAULTS,
});

/** Keras's Lion: θ ← θ − lr·sign(β1·m + (1 − β1)g), m ← β2·m + (1 − β2)g, Lion's kernel. */
export const kerasLionDefinition: OptimizerDefinition<KerasLionOptions, "lion"> = {
  title: "keras:lion",
  steps: "shared",
  kernel: "lion",
  defaults: kerasLionDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("beta1", o.beta1, 0, 1, true);
    check.inRange("beta2", o.beta2, 0, 1, true);
    checkKerasBase(o, check);
  },
  buffers: () => ({ expAvg: 0 }),
  plan(o, t) {
    const lr = decayedLearningRate(o, t);
    return {
      scalars: {
        gradScale: 1,
        paramScale: weightDecayScale(o, lr),
        beta1: o.beta1,
        oneMinusBeta1: 1 - o.beta1,
        beta2: o.beta2,
        oneMinusBeta2: 1 - o.beta2,
        negLr: -lr,
      },
      flags: { decoupled: decaysWeights(o) },
    };
  },
};

/** keras.optimizers.Lion. */
export class KerasLion extends KerasOptimizer<KerasLionOptions> {
  constructor(params: ParamsInput<KerasLionOptions>, options: KerasLionOptions = {}) {
    super(params, options, kerasLionDefinition);
  }
}
