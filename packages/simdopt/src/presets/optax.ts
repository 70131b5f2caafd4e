/**
 * optax's optimizers (optax 0.2.8) on simdopt's kernels: optax's option names in camelCase and its
 * defaults, each update rule mapped onto the kernel that computes it. optax's Adam, NAdam and RAdam
 * run on NAdam's kernel with optax's bias corrections, √(v̂ + epsRoot) + eps and its two Nesterov
 * coefficients; where a torch kernel takes ε outside the bias correction (LAMB), the per-step ε
 * becomes ε·√(1 − β2ᵗ); momentum comes after the learning rate; adagrad takes ε inside the root;
 * rprop reproduces 0.2.8's one-step-late update; adafactor has a kernel of its own.
 */
export type { PresetClass } from "./preset-class.js";
export * from "./optax/adam.js";
export * from "./optax/sgd.js";
export * from "./optax/lion.js";
export * from "./optax/adamax.js";
export * from "./optax/adadelta.js";
export * from "./optax/radam.js";
export * from "./optax/lamb.js";
export * from "./optax/rmsprop.js";
export * from "./optax/adagrad.js";
export * from "./optax/rprop.js";
export * from "./optax/adafactor.js";
export * from "./optax/schedule-free-adamw.js";
