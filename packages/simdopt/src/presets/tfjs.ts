/**
 * TF.js's optimizers (`tf.train.*` of @tensorflow/tfjs-core 4) on simdopt's kernels, with TF.js's
 * option names and defaults. TF.js's `epsilon: null` means its backend's epsilon, 1e-7 in float32;
 * here it is 1e-7 for both dtypes. The rules, as tfjs-core computes them:
 *   sgd       θ ← θ − lr·g
 *   momentum  a ← μ·a + g;  θ ← θ − lr·(g + μ·a if useNesterov, a otherwise)
 *   adam      m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ);  θ ← θ − lr·m̂/(√v̂ + ε)   (ε bias-corrected, like optax)
 *   rmsprop   ε inside the root, momentum after the learning rate (like Keras); centered, tfjs-core
 *             subtracts ε instead: √(ms − (mg² + ε)), NaN where ms − mg² < ε, reproduced here
 * Not mapped: tf.train.adagrad (ε inside the root), tf.train.adamax (ε added after the maximum) and
 * tf.train.adadelta (its update divides by the previous step's mean square, not the new one).
 */
import { Optimizer, type AnyOptimizerDefinition, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import { kerasRMSpropDefinition } from "./keras.js";
import { optaxAdamDefinition } from "./optax.js";

/** TF.js's epsilon when given as null: its backend's, 1e-7. */
const BACKEND_EPSILON = 1e-7;

function presetClass<O extends object>(
  definition: AnyOptimizerDefinition<O>,
): new (
  params: ParamsInput<O>,
  options?: O,
) => Optimizer<O> {
  return class extends Optimizer<O> {
    constructor(params: ParamsInput<O>, options: O = {} as O) {
      super(params, options, definition);
    }
  };
}

// ---- sgd and momentum

export interface TfjsMomentumOptions {
  learningRate?: number;
  momentum?: number;
  useNesterov?: boolean;
}

export const tfjsMomentumDefaults: Required<TfjsMomentumOptions> = {
  learningRate: 1e-2,
  momentum: 0.9,
  useNesterov: false,
};

export const tfjsMomentumDefinition: OptimizerDefinition<TfjsMomentumOptions, "sgd"> = {
  title: "tfjs:momentum",
  kernel: "sgd",
  defaults: tfjsMomentumDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.nonNegative("momentum", o.momentum);
    check.boolean("useNesterov", o.useNesterov);
  },
  buffers: (o) => ({ momentumBuffer: o.momentum !== 0 ? 0 : null }),
  plan(o, t) {
    const withMomentum = o.momentum !== 0;
    return {
      scalars: { gradScale: 1, weightDecay: 0, momentum: o.momentum, oneMinusDampening: 1, negLr: -o.learningRate },
      flags: { coupled: false, withMomentum, firstStep: t === 1, nesterov: withMomentum && o.useNesterov },
    };
  },
};

export interface TfjsSGDOptions {
  learningRate?: number;
}

export const tfjsSGDDefaults: Required<TfjsSGDOptions> = { learningRate: 1e-2 };

export const tfjsSGDDefinition: OptimizerDefinition<TfjsSGDOptions, "sgd"> = {
  title: "tfjs:sgd",
  kernel: "sgd",
  defaults: tfjsSGDDefaults,
  validate: (o, check) => void check.nonNegative("learningRate", o.learningRate),
  buffers: () => ({ momentumBuffer: null }),
  plan: (o) => ({
    scalars: { gradScale: 1, weightDecay: 0, momentum: 0, oneMinusDampening: 1, negLr: -o.learningRate },
    flags: { coupled: false, withMomentum: false, firstStep: false, nesterov: false },
  }),
};

// ---- adam

export interface TfjsAdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  /** null: the backend's epsilon (1e-7). */
  epsilon?: number | null;
}

export const tfjsAdamDefaults: Required<TfjsAdamOptions> = {
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: null,
};

const optaxAdamOf = (o: Required<TfjsAdamOptions>) => ({
  ...optaxAdamDefinition.defaults,
  learningRate: o.learningRate,
  b1: o.beta1,
  b2: o.beta2,
  eps: o.epsilon ?? BACKEND_EPSILON,
});

export const tfjsAdamDefinition: OptimizerDefinition<TfjsAdamOptions, "nadam"> = {
  title: "tfjs:adam",
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

export interface TfjsRMSpropOptions {
  learningRate?: number;
  decay?: number;
  momentum?: number;
  epsilon?: number | null;
  centered?: boolean;
}

export const tfjsRMSpropDefaults: Required<TfjsRMSpropOptions> = {
  learningRate: 1e-3,
  decay: 0.9,
  momentum: 0,
  epsilon: null,
  centered: false,
};

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

/** tf.train.sgd. */
export const TfjsSGD = presetClass(tfjsSGDDefinition);
/** tf.train.momentum. */
export const TfjsMomentum = presetClass(tfjsMomentumDefinition);
/** tf.train.adam. */
export const TfjsAdam = presetClass(tfjsAdamDefinition);
/** tf.train.rmsprop. */
export const TfjsRMSprop = presetClass(tfjsRMSpropDefinition);
