import type { OptimizerName } from "../dist/index.js";

/** Option sets that together take every branch of every kernel. */
export const OPTION_FAMILIES: Record<OptimizerName, object[]> = {
  sgd: [
    { lr: 0.1 },
    { lr: 0.1, weightDecay: 0.01 },
    { lr: 0.05, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 },
    { lr: 0.05, momentum: 0.9, nesterov: true },
    { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
    { lr: 0.05, momentum: 0.5, maximize: true },
  ],
  adam: [
    { lr: 0.01 }, { lr: 0.01, amsgrad: true }, { lr: 0.01, weightDecay: 0.05 }, { lr: 0.02, betas: [0.8, 0.99], eps: 0.1, maximize: true },
    { lr: 0.01, weightDecay: 0.05, decoupledWeightDecay: true },
  ],
  adamw: [{ lr: 0.01 }, { lr: 0.01, weightDecay: 0.1, amsgrad: true }],
  adamax: [{ lr: 0.02 }, { lr: 0.02, weightDecay: 0.01, eps: 0.1, maximize: true }],
  nadam: [
    { lr: 0.02 }, { lr: 0.02, momentumDecay: 0.01, weightDecay: 0.01 }, { lr: 0.02, torch113: true },
    { lr: 0.02, weightDecay: 0.05, decoupledWeightDecay: true, maximize: true },
  ],
  radam: [{ lr: 0.01 }, { lr: 0.01, weightDecay: 0.01, eps: 0.01 }, { lr: 0.01, weightDecay: 0.05, decoupledWeightDecay: true }],
  adagrad: [{ lr: 0.1 }, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.01, eps: 1e-3 }],
  adadelta: [{}, { lr: 0.5, rho: 0.95, eps: 1e-3, weightDecay: 0.01, maximize: true }],
  rmsprop: [
    { lr: 0.01 },
    { lr: 0.01, centered: true },
    { lr: 0.01, momentum: 0.9 },
    { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.01, eps: 0.1 },
  ],
  rprop: [{ lr: 0.01 }, { lr: 0.05, etas: [0.3, 1.5], stepSizes: [1e-4, 1], maximize: true }],
  asgd: [
    { lr: 0.01 }, { lr: 0.05, lambd: 0.01, alpha: 0.5, t0: 3, weightDecay: 0.01 }, { lr: 0.02, lambd: 1e-3, alpha: 1, t0: 0, maximize: true },
  ],
  ftrl: [
    { learningRate: 0.1 },
    { learningRate: 0.05, learningRatePower: -0.7, initialAccumulatorValue: 0.5, l1RegularizationStrength: 0.01, l2RegularizationStrength: 0.02 },
    { learningRate: 0.1, initialAccumulatorValue: 0, l1RegularizationStrength: 5e-4, l2ShrinkageRegularizationStrength: 0.05, beta: 0.5 },
    { learningRate: 0.2, learningRatePower: 0, l2ShrinkageRegularizationStrength: 0.01 },
  ],
  lamb: [
    { lr: 0.01 }, { lr: 0.02, betas: [0.8, 0.99], weightDecay: 0.01, debias: true },
    { lr: 0.01, eps: 1e-3, weightDecay: 0.1, clampValue: 0.5 }, { lr: 0.005, adam: true, debias: true },
  ],
  adafactor: [
    { lr: 0.05 }, { lr: 0.05, beta2Decay: -0.5, eps: [1e-20, 1e-3], d: 2, weightDecay: 0.01 }, { lr: 0.02, eps: [null, 0.01], maximize: true },
  ],
  "keras:adam": [
    { learningRate: 0.01 }, { learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, amsgrad: true, decay: 0.05 },
    { learningRate: 0.01, weightDecay: 0.05, clipnorm: 1 }, { learningRate: 0.02, globalClipnorm: 2 },
  ],
  "keras:nadam": [{ learningRate: 0.01 }, { learningRate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-4, clipvalue: 0.5, weightDecay: 0.01 }],
  "keras:rmsprop": [
    { learningRate: 0.01 }, { learningRate: 0.01, rho: 0.8, centered: true, epsilon: 1e-4 },
    { learningRate: 0.005, momentum: 0.9, centered: true, weightDecay: 0.01, decay: 0.05 },
  ],
  "keras:sgd": [
    { learningRate: 0.1 }, { learningRate: 0.05, momentum: 0.9, nesterov: true, clipnorm: 2 },
    { learningRate: 0.1, momentum: 0.5, decay: 0.05, weightDecay: 0.01 },
  ],
  "keras:lion": [{ learningRate: 0.01 }, { learningRate: 0.003, beta1: 0.95, beta2: 0.98, weightDecay: 0.1 }],
  "optax:adam": [{ learningRate: 0.01 }, { learningRate: 0.02, b1: 0.8, b2: 0.99, eps: 1e-3 }, { learningRate: 0.01, nesterov: true }],
  "optax:adamw": [{ learningRate: 0.01 }, { learningRate: 0.02, weightDecay: 0.05, eps: 1e-6, nesterov: true }],
  "optax:nadam": [{ learningRate: 0.02 }, { learningRate: 0.01, b1: 0.85, b2: 0.98, eps: 0.05 }],
  "optax:sgd": [{ learningRate: 0.1 }, { learningRate: 0.05, momentum: 0.9 }, { learningRate: 0.05, momentum: 0.9, nesterov: true }],
  "optax:lion": [{ learningRate: 0.01 }, { learningRate: 0.003, b1: 0.95, b2: 0.98, weightDecay: 0.1 }],
  "optax:adamax": [{ learningRate: 0.02 }, { learningRate: 0.02, b1: 0.7, b2: 0.9, eps: 0.1 }],
  "optax:adadelta": [{ learningRate: 1 }, { learningRate: 0.5, rho: 0.95, eps: 1e-3, weightDecay: 0.01 }],
  "optax:radam": [{ learningRate: 0.01 }, { learningRate: 0.01, eps: 1e-3, threshold: 6 }],
  "optax:lamb": [{ learningRate: 0.01 }, { learningRate: 0.01, eps: 1e-3, weightDecay: 0.1 }],
  "optax:rmsprop": [
    { learningRate: 0.01 }, { learningRate: 0.01, epsInSqrt: false }, { learningRate: 0.01, decay: 0.8, eps: 1e-4, centered: true },
    { learningRate: 0.005, centered: true, momentum: 0.9, epsInSqrt: false, initialScale: 0.1 },
  ],
  "tfjs:sgd": [{ learningRate: 0.1 }],
  "tfjs:momentum": [{ learningRate: 0.05 }, { learningRate: 0.05, momentum: 0.5, useNesterov: true }],
  "tfjs:adam": [{ learningRate: 0.01 }, { learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-3 }],
  "tfjs:rmsprop": [{ learningRate: 0.01 }, { learningRate: 0.01, momentum: 0.9, centered: true, epsilon: 1e-4 }],
  lion: [{ lr: 0.01 }, { lr: 0.003, betas: [0.95, 0.98], weightDecay: 0.1 }, { lr: 0.01, betas: [0, 0], maximize: true }],
};
