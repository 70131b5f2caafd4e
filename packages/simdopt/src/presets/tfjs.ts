/**
 * TF.js's optimizers (`tf.train.*` of @tensorflow/tfjs-core 4) on simdopt's kernels, with TF.js's
 * option names and defaults. TF.js's `epsilon: null` means its backend's epsilon, 1e-7 in float32;
 * here it is 1e-7 for both dtypes. The rules, as tfjs-core computes them:
 *   sgd       θ ← θ − lr·g
 *   momentum  a ← μ·a + g;  θ ← θ − lr·(g + μ·a if useNesterov, a otherwise)
 *   adam      m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ);  θ ← θ − lr·m̂/(√v̂ + ε)   (ε bias-corrected, like optax)
 *   rmsprop   ε inside the root, momentum after the learning rate (like Keras); centered, tfjs-core
 *             subtracts ε instead: √(ms − (mg² + ε)), NaN where ms − mg² < ε, reproduced here
 *   adagrad   s ← s + g²;  θ ← θ − lr·g/√(s + ε)   (ε inside the root; s starts at 0.1, no ε option)
 *   adamax    m ← β1·m + (1 − β1)·g,  u ← max(β2·u, |g|);  θ ← θ − lr_t/(1 − β1ᵗ) · m/(u + ε)
 *             (ε added after the maximum, not inside it as torch's; lr_t = lr/(1 + decay·(t − 1)))
 *   adadelta  s' = ρ·s + (1 − ρ)·g²;  δ = √(a + ε)/√(s + ε)·g with the previous step's s, not s'
 *             (torch divides by √(s' + ε); at the first step δ = g);  a ← ρ·a + (1 − ρ)·δ²;  s ← s'
 * tf.train.adagrad has no default learning rate; here it is 1e-2, as tfjs:sgd's.
 */
import type { OptimizerDefinition } from "../optimizer.js";
import { kerasRMSpropDefinition } from "./keras.js";
import { optaxAdamDefinition } from "./optax.js";
import { heavyBallPlan } from "./heavy-ball.js";
import { presetClass } from "./preset-class.js";
import { deepFreeze } from "../runtime/freeze.js";

/** TF.js's epsilon when given as null: its backend's, 1e-7. */
const BACKEND_EPSILON = 1e-7;

// ---- sgd and momentum

/** Options of `TfjsMomentum`: tf.train.momentum's arguments (defaults: `tfjsMomentumDefaults`). */
export interface TfjsMomentumOptions {
  /** Learning rate. Default 1e-2. */
  learningRate?: number;
  /** Momentum μ. Default 0.9. */
  momentum?: number;
  /** Nesterov momentum. Default false. */
  useNesterov?: boolean;
}

/** `TfjsMomentum`'s defaults (tf.train.momentum's). */
export const tfjsMomentumDefaults: Required<TfjsMomentumOptions> = deepFreeze({
  learningRate: 1e-2,
  momentum: 0.9,
  useNesterov: false,
});

export const tfjsMomentumDefinition: OptimizerDefinition<TfjsMomentumOptions, "sgd"> = {
  title: "tfjs:momentum",
  steps: "shared",
  kernel: "sgd",
  defaults: tfjsMomentumDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.nonNegative("momentum", o.momentum);
    check.boolean("useNesterov", o.useNesterov);
  },
  buffers: (o) => ({ momentumBuffer: o.momentum !== 0 ? 0 : null }),
  plan: (o, t) => heavyBallPlan(o.learningRate, o.momentum, o.useNesterov, t),
};

/** Options of `TfjsSGD`: tf.train.sgd's arguments (defaults: `tfjsSGDDefaults`). */
export interface TfjsSGDOptions {
  /** Learning rate. Default 1e-2. */
  learningRate?: number;
}

/** `TfjsSGD`'s defaults (tf.train.sgd's). */
export const tfjsSGDDefaults: Required<TfjsSGDOptions> = deepFreeze({ learningRate: 1e-2 });

export const tfjsSGDDefinition: OptimizerDefinition<TfjsSGDOptions, "sgd"> = {
  title: "tfjs:sgd",
  steps: "shared",
  kernel: "sgd",
  defaults: tfjsSGDDefaults,
  validate: (o, check) => void check.nonNegative("learningRate", o.learningRate),
  buffers: () => ({ momentumBuffer: null }),
  plan: (o, t) => heavyBallPlan(o.learningRate, 0, false, t),
};

// ---- adam

/** Options of `TfjsAdam`: tf.train.adam's arguments (defaults: `tfjsAdamDefaults`). */
export interface TfjsAdamOptions {
  /** Learning rate. Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the gradient. Default 0.9. */
  beta1?: number;
  /** Decay rate of the running average of the squared gradient. Default 0.999. */
  beta2?: number;
  /** null: the backend's epsilon (1e-7). */
  epsilon?: number | null;
}

/** `TfjsAdam`'s defaults (tf.train.adam's). */
export const tfjsAdamDefaults: Required<TfjsAdamOptions> = deepFreeze({
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: null,
});

const optaxAdamOf = (o: Required<TfjsAdamOptions>) => ({
  ...optaxAdamDefinition.defaults,
  learningRate: o.learningRate,
  b1: o.beta1,
  b2: o.beta2,
  eps: o.epsilon ?? BACKEND_EPSILON,
});

export const tfjsAdamDefinition: OptimizerDefinition<TfjsAdamOptions, "nadam"> = {
  title: "tfjs:adam",
  steps: "shared",
  kernel: "nadam",
  defaults: tfjsAdamDefaults,
  validate: (o, check) => {
    check.nonNegative("learningRate", o.learningRate);
    check.betas([o.beta1, o.beta2], ["beta1", "beta2"]);
    if (o.epsilon !== null) check.nonNegative("epsilon", o.epsilon);
    optaxAdamDefinition.validate(optaxAdamOf(o), check);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  plan: (o, t, state) => optaxAdamDefinition.plan(optaxAdamOf(o), t, state),
};

// ---- rmsprop

/** Options of `TfjsRMSprop`: tf.train.rmsprop's arguments (defaults: `tfjsRMSpropDefaults`). */
export interface TfjsRMSpropOptions {
  /** Learning rate. Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the squared gradient. Default 0.9. */
  decay?: number;
  /** Momentum. Default 0. */
  momentum?: number;
  /** Small constant for numerical stability; null: the backend's epsilon (1e-7). */
  epsilon?: number | null;
  /** Divide by an estimate of the gradient's variance. Default false. */
  centered?: boolean;
}

/** `TfjsRMSprop`'s defaults (tf.train.rmsprop's). */
export const tfjsRMSpropDefaults: Required<TfjsRMSpropOptions> = deepFreeze({
  learningRate: 1e-3,
  decay: 0.9,
  momentum: 0,
  epsilon: null,
  centered: false,
});

const kerasRMSpropOf = (o: Required<TfjsRMSpropOptions>) => ({
  ...kerasRMSpropDefinition.defaults,
  learningRate: o.learningRate,
  rho: o.decay,
  momentum: o.momentum,
  // tfjs-core's centered RMSprop takes √(ms − (mg² + ε)): ε enters the root with a minus sign.
  epsilon: (o.epsilon ?? BACKEND_EPSILON) * (o.centered ? -1 : 1),
  centered: o.centered,
});

export const tfjsRMSpropDefinition: OptimizerDefinition<TfjsRMSpropOptions, "rmsprop"> = {
  title: "tfjs:rmsprop",
  steps: "shared",
  kernel: "rmsprop",
  defaults: tfjsRMSpropDefaults,
  validate: (o, check) => {
    // tf.train.rmsprop's own names first, so that a message names what the caller wrote.
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("decay", o.decay, 0, 1);
    check.nonNegative("momentum", o.momentum);
    if (o.epsilon !== null) check.nonNegative("epsilon", o.epsilon);
    check.boolean("centered", o.centered);
    kerasRMSpropDefinition.validate({ ...kerasRMSpropOf(o), epsilon: o.epsilon ?? BACKEND_EPSILON }, check);
  },
  buffers: (o) => kerasRMSpropDefinition.buffers(kerasRMSpropOf(o), kerasRMSpropOf(o)),
  plan: (o, t, state) => kerasRMSpropDefinition.plan(kerasRMSpropOf(o), t, state),
};

// ---- adagrad

/** Options of `TfjsAdagrad`: tf.train.adagrad's arguments (defaults: `tfjsAdagradDefaults`). */
export interface TfjsAdagradOptions {
  /** Learning rate. Default 1e-2. */
  learningRate?: number;
  /** Starting value of the sum of squared gradients. Default 0.1. */
  initialAccumulatorValue?: number;
}

/** `TfjsAdagrad`'s defaults (tf.train.adagrad's). */
export const tfjsAdagradDefaults: Required<TfjsAdagradOptions> = deepFreeze({
  learningRate: 1e-2,
  initialAccumulatorValue: 0.1,
});

/** tf.train.adagrad: Adagrad's kernel with ε (the backend's, 1e-7) inside the root. */
export const tfjsAdagradDefinition: OptimizerDefinition<TfjsAdagradOptions, "adagrad"> = {
  title: "tfjs:adagrad",
  steps: "shared",
  kernel: "adagrad",
  defaults: tfjsAdagradDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.nonNegative("initialAccumulatorValue", o.initialAccumulatorValue);
  },
  buffers: (o) => ({ sum: o.initialAccumulatorValue }),
  plan: (o) => ({
    scalars: { gradScale: 1, weightDecay: 0, eps: BACKEND_EPSILON, negClr: -o.learningRate },
    flags: { coupled: false, epsInRoot: true },
  }),
};

// ---- adamax

/** Options of `TfjsAdamax`: tf.train.adamax's arguments (defaults: `tfjsAdamaxDefaults`). */
export interface TfjsAdamaxOptions {
  /** Learning rate. Default 2e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the gradient. Default 0.9. */
  beta1?: number;
  /** Decay rate of the infinity norm. Default 0.999. */
  beta2?: number;
  /** null: the backend's epsilon (1e-7). */
  epsilon?: number | null;
  /** Learning-rate decay: lr_t = learningRate / (1 + decay·(t − 1)). */
  decay?: number;
}

/** `TfjsAdamax`'s defaults (tf.train.adamax's). */
export const tfjsAdamaxDefaults: Required<TfjsAdamaxOptions> = deepFreeze({
  learningRate: 2e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: null,
  decay: 0,
});

/** tf.train.adamax: Adamax's kernel with ε added to u after the maximum. */
export const tfjsAdamaxDefinition: OptimizerDefinition<TfjsAdamaxOptions, "adamax"> = {
  title: "tfjs:adamax",
  steps: "shared",
  kernel: "adamax",
  defaults: tfjsAdamaxDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.betas([o.beta1, o.beta2], ["beta1", "beta2"]);
    if (o.epsilon !== null) check.nonNegative("epsilon", o.epsilon);
    check.nonNegative("decay", o.decay);
  },
  buffers: () => ({ expAvg: 0, expInf: 0 }),
  plan: (o, t) => ({
    scalars: {
      gradScale: 1,
      weightDecay: 0,
      beta1: o.beta1,
      oneMinusBeta1: 1 - o.beta1,
      beta2: o.beta2,
      eps: o.epsilon ?? BACKEND_EPSILON,
      negClr: -(o.learningRate / (1 + o.decay * (t - 1))) / (1 - o.beta1 ** t),
    },
    flags: { coupled: false, epsAfterMax: true, withLerp: false },
  }),
};

// ---- adadelta

/** Options of `TfjsAdadelta`: tf.train.adadelta's arguments (defaults: `tfjsAdadeltaDefaults`). */
export interface TfjsAdadeltaOptions {
  /** Learning rate. Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running averages of the squared gradient and of the squared update. Default 0.95. */
  rho?: number;
  /** null: the backend's epsilon (1e-7). */
  epsilon?: number | null;
}

/** `TfjsAdadelta`'s defaults (tf.train.adadelta's). */
export const tfjsAdadeltaDefaults: Required<TfjsAdadeltaOptions> = deepFreeze({
  learningRate: 1e-3,
  rho: 0.95,
  epsilon: null,
});

/** tf.train.adadelta: Adadelta's kernel, the step divided by the previous step's mean square. */
export const tfjsAdadeltaDefinition: OptimizerDefinition<TfjsAdadeltaOptions, "adadelta"> = {
  title: "tfjs:adadelta",
  steps: "shared",
  kernel: "adadelta",
  defaults: tfjsAdadeltaDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("rho", o.rho, 0, 1, true);
    if (o.epsilon !== null) check.nonNegative("epsilon", o.epsilon);
  },
  buffers: () => ({ squareAvg: 0, accDelta: 0 }),
  plan: (o) => ({
    scalars: {
      gradScale: 1,
      weightDecay: 0,
      rho: o.rho,
      oneMinusRho: 1 - o.rho,
      eps: o.epsilon ?? BACKEND_EPSILON,
      negLr: -o.learningRate,
    },
    flags: { coupled: false, previousSquareAvg: true },
  }),
};

/** tf.train.sgd. */
export const TfjsSGD = presetClass(tfjsSGDDefinition);
/** tf.train.momentum. */
export const TfjsMomentum = presetClass(tfjsMomentumDefinition);
/** tf.train.adam. */
export const TfjsAdam = presetClass(tfjsAdamDefinition);
/** tf.train.rmsprop. */
export const TfjsRMSprop = presetClass(tfjsRMSpropDefinition);
/** tf.train.adagrad. */
export const TfjsAdagrad = presetClass(tfjsAdagradDefinition);
/** tf.train.adamax. */
export const TfjsAdamax = presetClass(tfjsAdamaxDefinition);
/** tf.train.adadelta. */
export const TfjsAdadelta = presetClass(tfjsAdadeltaDefinition);
