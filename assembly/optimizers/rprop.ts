// Rprop (torch.optim.Rprop, 1.13), resilient backpropagation:
//   g = grad·gradScale        f = η+ if g·g_prev > 0, η− if < 0, 1 if = 0 (NaN stays NaN)
//   η ← clamp(η·f, stepMin, stepMax)        g ← 0 where the sign flipped (f = η−)
//   p ← p − sign(g)·η        g_prev ← g
import { lanesOf, loadAt, storeAt, splat, sub, mul, min, max, whereAboveZero, whereBelowZero, whereZero } from "../lib/lanes";

@inline function rpropAt<T, V>(
  i: usize, param: usize, grad: usize, prev: usize, stepSize: usize,
  gradScale: V, etaPlus: V, etaMinus: V, stepMin: V, stepMax: V, one: V, minusOne: V, zero: V,
): void {
  let g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  const product = mul<T, V>(g, loadAt<T, V>(prev, i));
  const factor = whereAboveZero<T, V>(product, etaPlus,
    whereBelowZero<T, V>(product, etaMinus, whereZero<T, V>(product, one, product)));
  const eta = min<T, V>(max<T, V>(mul<T, V>(loadAt<T, V>(stepSize, i), factor), stepMin), stepMax);
  storeAt<T, V>(stepSize, i, eta);
  g = whereBelowZero<T, V>(product, zero, g);
  const sign = whereAboveZero<T, V>(g, one, whereBelowZero<T, V>(g, minusOne, g));
  storeAt<T, V>(param, i, sub<T, V>(loadAt<T, V>(param, i), mul<T, V>(sign, eta)));
  storeAt<T, V>(prev, i, g);
}

@inline function rpropStep<T>(
  param: usize, grad: usize, prev: usize, stepSize: usize, n: usize,
  gradScale: T, etaPlus: T, etaMinus: T, stepMin: T, stepMax: T,
): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), etaPlusV = splat<T, v128>(etaPlus);
    const etaMinusV = splat<T, v128>(etaMinus), stepMinV = splat<T, v128>(stepMin);
    const stepMaxV = splat<T, v128>(stepMax), oneV = splat<T, v128>(1);
    const minusOneV = splat<T, v128>(-1), zeroV = splat<T, v128>(0);
    for (; i + lanes <= n; i += lanes) {
      rpropAt<T, v128>(i, param, grad, prev, stepSize, gradScaleV, etaPlusV, etaMinusV,
        stepMinV, stepMaxV, oneV, minusOneV, zeroV);
    }
  }
  for (; i < n; i++) {
    rpropAt<T, T>(i, param, grad, prev, stepSize, gradScale, etaPlus, etaMinus, stepMin, stepMax,
      <T>1, <T>-1, <T>0);
  }
}

/**
 * One Rprop step over `n` float32 elements, in place. `param`, `grad`, `prev` (the previous
 * step's gradient) and `stepSize` (per-element step sizes, initially lr) are byte addresses of
 * float32 arrays of length `n` (16-byte aligned for full speed). Four lanes at a time, then the
 * last `n % 4` elements one by one with the same rule.
 */
export function rprop_step_f32(
  param: usize, grad: usize, prev: usize, stepSize: usize, n: usize,
  gradScale: f32, etaPlus: f32, etaMinus: f32, stepMin: f32, stepMax: f32,
): void {
  rpropStep<f32>(param, grad, prev, stepSize, n, gradScale, etaPlus, etaMinus, stepMin, stepMax);
}

/** `rprop_step_f32` over float64 arrays (two lanes at a time). */
export function rprop_step_f64(
  param: usize, grad: usize, prev: usize, stepSize: usize, n: usize,
  gradScale: f64, etaPlus: f64, etaMinus: f64, stepMin: f64, stepMax: f64,
): void {
  rpropStep<f64>(param, grad, prev, stepSize, n, gradScale, etaPlus, etaMinus, stepMin, stepMax);
}
