// Adagrad (torch.optim.Adagrad, 1.13, dense gradients):
//   g = grad·gradScale + weightDecay·p        s ← s + g²        p ← p − clr·g / (√s + ε)
// with the decayed rate clr = lr / (1 + (t − 1)·lrDecay) computed once per step by the caller.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma } from "../lib/lanes";
import { effectiveGradient } from "../lib/rules";

@inline function adagradAt<T, V>(
  i: usize, param: usize, grad: usize, sum: usize,
  gradScale: V, weightDecay: V, eps: V, negClr: V, coupled: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const s = fma<T, V>(g, g, loadAt<T, V>(sum, i));
  storeAt<T, V>(sum, i, s);
  const std = add<T, V>(sqrt<T, V>(s), eps);
  storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(negClr, g), std)));
}

@inline function adagradStep<T>(
  param: usize, grad: usize, sum: usize, n: usize,
  gradScale: T, weightDecay: T, eps: T, negClr: T,
): void {
  const coupled = weightDecay != 0;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), weightDecayV = splat<T, v128>(weightDecay);
    const epsV = splat<T, v128>(eps), negClrV = splat<T, v128>(negClr);
    for (; i + lanes <= n; i += lanes) {
      adagradAt<T, v128>(i, param, grad, sum, gradScaleV, weightDecayV, epsV, negClrV, coupled);
    }
  }
  for (; i < n; i++) {
    adagradAt<T, T>(i, param, grad, sum, gradScale, weightDecay, eps, negClr, coupled);
  }
}

/**
 * One Adagrad step over `n` float32 elements, in place. `param`, `grad` and `sum` (the running sum
 * of squared gradients) are byte addresses of float32 arrays of length `n` (16-byte aligned for
 * full speed). Four lanes at a time, then the last `n % 4` elements one by one.
 */
export function adagrad_step_f32(
  param: usize, grad: usize, sum: usize, n: usize,
  gradScale: f32, weightDecay: f32, eps: f32, negClr: f32,
): void {
  adagradStep<f32>(param, grad, sum, n, gradScale, weightDecay, eps, negClr);
}

/** `adagrad_step_f32` over float64 arrays (two lanes at a time). */
export function adagrad_step_f64(
  param: usize, grad: usize, sum: usize, n: usize,
  gradScale: f64, weightDecay: f64, eps: f64, negClr: f64,
): void {
  adagradStep<f64>(param, grad, sum, n, gradScale, weightDecay, eps, negClr);
}
