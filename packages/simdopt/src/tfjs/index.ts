/**
 * simdopt/tfjs: simdopt's optimizers as a TF.js optimizer, for `model.compile({ optimizer })` and
 * `model.fit`. Needs @tensorflow/tfjs-core (or @tensorflow/tfjs), an optional peer dependency of
 * simdopt that only this entry point imports.
 *
 *     const optimizer = new SimdoptOptimizer(await loadRuntime(), "tfjs:adam", { learningRate: 1e-3 });
 *     model.compile({ optimizer, loss: "categoricalCrossentropy" });
 */
export { SimdoptOptimizer, registerSimdoptOptimizer, type SimdoptOptimizerConfig } from "./optimizer.js";
