/**
 * optax's optimizers (optax 0.2.8) on simdopt's kernels: optax's option names in camelCase and its
 * defaults, each update rule mapped onto the kernel that computes it. Where optax bias-corrects ε
 * (m̂/(√v̂ + ε)) and torch does not, the per-step ε becomes ε·√(1 − β2ᵗ); optax's Nesterov Adam is
 * NAdam's kernel with optax's two coefficients; its momentum comes after the learning rate. Not yet
 * mapped (rejected by name): epsRoot ≠ 0, rmsprop's nesterov and biasCorrection.
 */
export type { PresetClass } from "./optax/preset.js";
export * from "./optax/adam.js";
export * from "./optax/sgd.js";
export * from "./optax/lion.js";
export * from "./optax/adamax.js";
export * from "./optax/adadelta.js";
export * from "./optax/radam.js";
export * from "./optax/lamb.js";
export * from "./optax/rmsprop.js";
