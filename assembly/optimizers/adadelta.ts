// Adadelta (torch.optim.Adadelta, 1.13):
//   g = grad·gradScale + weightDecay·p
//   s ← ρ·s + (1−ρ)·g²     δ = √(a + ε) / √(s + ε) · g     a ← ρ·a + (1−ρ)·δ²     p ← p − lr·δ
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma } from "../lib/lanes";
import { effectiveGradient, emaOfSquare } from "../lib/rules";

@inline function adadeltaAt<T, V>(
  i: usize, param: usize, grad: usize, squareAvg: usize, accDelta: usize,
  gradScale: V, weightDecay: V, rho: V, oneMinusRho: V, eps: V, negLr: V, coupled: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const s = emaOfSquare<T, V>(loadAt<T, V>(squareAvg, i), rho, oneMinusRho, g);
  storeAt<T, V>(squareAvg, i, s);
  const std = sqrt<T, V>(add<T, V>(s, eps));
  const a = loadAt<T, V>(accDelta, i);
  const delta = mul<T, V>(div<T, V>(sqrt<T, V>(add<T, V>(a, eps)), std), g);
  storeAt<T, V>(accDelta, i, emaOfSquare<T, V>(a, rho, oneMinusRho, delta));
  storeAt<T, V>(param, i, fma<T, V>(negLr, delta, p));
}

@inline function adadeltaStep<T>(
  param: usize, grad: usize, squareAvg: usize, accDelta: usize, n: usize,
  gradScale: T, weightDecay: T, rho: T, oneMinusRho: T, eps: T, negLr: T,
): void {
  const coupled = weightDecay != 0;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), weightDecayV = splat<T, v128>(weightDecay);
    const rhoV = splat<T, v128>(rho), oneMinusRhoV = splat<T, v128>(oneMinusRho);
    const epsV = splat<T, v128>(eps), negLrV = splat<T, v128>(negLr);
    for (; i + lanes <= n; i += lanes) {
      adadeltaAt<T, v128>(i, param, grad, squareAvg, accDelta, gradScaleV, weightDecayV, rhoV,
        oneMinusRhoV, epsV, negLrV, coupled);
    }
  }
  for (; i < n; i++) {
    adadeltaAt<T, T>(i, param, grad, squareAvg, accDelta, gradScale, weightDecay, rho,
      oneMinusRho, eps, negLr, coupled);
  }
}

/**
 * One Adadelta step over `n` float32 elements, in place. `param`, `grad`, `squareAvg` and
 * `accDelta` are byte addresses of float32 arrays of length `n` (16-byte aligned for full speed).
 * Four lanes at a time, then the last `n % 4` elements one by one with the same rule.
 */
export function adadelta_step_f32(
  param: usize, grad: usize, squareAvg: usize, accDelta: usize, n: usize,
  gradScale: f32, weightDecay: f32, rho: f32, oneMinusRho: f32, eps: f32, negLr: f32,
): void {
  adadeltaStep<f32>(param, grad, squareAvg, accDelta, n, gradScale, weightDecay, rho,
    oneMinusRho, eps, negLr);
}

/** `adadelta_step_f32` over float64 arrays (two lanes at a time). */
export function adadelta_step_f64(
  param: usize, grad: usize, squareAvg: usize, accDelta: usize, n: usize,
  gradScale: f64, weightDecay: f64, rho: f64, oneMinusRho: f64, eps: f64, negLr: f64,
): void {
  adadeltaStep<f64>(param, grad, squareAvg, accDelta, n, gradScale, weightDecay, rho,
    oneMinusRho, eps, negLr);
}
