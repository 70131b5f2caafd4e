// Adamax (torch.optim.Adamax, 1.13), the infinity-norm variant of Adam:
//   g = grad·gradScale + weightDecay·p
//   m ← β1·m + (1−β1)·g        u ← max(β2·u, |g| + ε)        p ← p − clr·m / u
// with clr = lr / (1 − β1^t) computed once per step by the caller.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, abs, max } from "../lib/lanes";
import { effectiveGradient, ema } from "../lib/rules";

@inline function adamaxAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expInf: usize,
  gradScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V, eps: V, negClr: V,
  coupled: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const m = ema<T, V>(loadAt<T, V>(expAvg, i), beta1, oneMinusBeta1, g);
  const u = max<T, V>(mul<T, V>(loadAt<T, V>(expInf, i), beta2), add<T, V>(abs<T, V>(g), eps));
  storeAt<T, V>(expAvg, i, m);
  storeAt<T, V>(expInf, i, u);
  storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(negClr, m), u)));
}

@inline function adamaxStep<T>(
  param: usize, grad: usize, expAvg: usize, expInf: usize, n: usize,
  gradScale: T, weightDecay: T, beta1: T, oneMinusBeta1: T, beta2: T, eps: T, negClr: T,
): void {
  const coupled = weightDecay != 0;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), weightDecayV = splat<T, v128>(weightDecay);
    const beta1V = splat<T, v128>(beta1), oneMinusBeta1V = splat<T, v128>(oneMinusBeta1);
    const beta2V = splat<T, v128>(beta2), epsV = splat<T, v128>(eps), negClrV = splat<T, v128>(negClr);
    for (; i + lanes <= n; i += lanes) {
      adamaxAt<T, v128>(i, param, grad, expAvg, expInf, gradScaleV, weightDecayV, beta1V,
        oneMinusBeta1V, beta2V, epsV, negClrV, coupled);
    }
  }
  for (; i < n; i++) {
    adamaxAt<T, T>(i, param, grad, expAvg, expInf, gradScale, weightDecay, beta1,
      oneMinusBeta1, beta2, eps, negClr, coupled);
  }
}

/**
 * One Adamax step over `n` float32 elements, in place. `param`, `grad`, `expAvg` and `expInf` are
 * byte addresses of float32 arrays of length `n` (16-byte aligned for full speed). Four lanes at a
 * time, then the last `n % 4` elements one by one with the same rule.
 */
export function adamax_step_f32(
  param: usize, grad: usize, expAvg: usize, expInf: usize, n: usize,
  gradScale: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, eps: f32, negClr: f32,
): void {
  adamaxStep<f32>(param, grad, expAvg, expInf, n, gradScale, weightDecay, beta1, oneMinusBeta1,
    beta2, eps, negClr);
}

/** `adamax_step_f32` over float64 arrays (two lanes at a time). */
export function adamax_step_f64(
  param: usize, grad: usize, expAvg: usize, expInf: usize, n: usize,
  gradScale: f64, weightDecay: f64, beta1: f64, oneMinusBeta1: f64, beta2: f64, eps: f64, negClr: f64,
): void {
  adamaxStep<f64>(param, grad, expAvg, expInf, n, gradScale, weightDecay, beta1, oneMinusBeta1,
    beta2, eps, negClr);
}
