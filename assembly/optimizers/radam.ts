// RAdam (torch.optim.RAdam, 1.13), Adam with a rectified adaptive step:
//   g = grad·gradScale + weightDecay·p
//   m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²        m̂ = m / bc1
//   p ← p − m̂·lr·(√bc2 / (√v + ε))·r     while the variance is tractable (ρ_t > 5)
//   p ← p − m̂·lr                          before that
// The caller computes bc1 = 1 − β1^t, √bc2 and the rectification r, and chooses the branch.
import { lanesOf, loadAt, storeAt, splat, add, sub, mul, div, sqrt } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare } from "../lib/rules";

@inline function radamAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize,
  gradScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V,
  biasCorrection1: V, lr: V, biasCorrection2Sqrt: V, eps: V, rect: V,
  coupled: bool, rectified: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const m = ema<T, V>(loadAt<T, V>(expAvg, i), beta1, oneMinusBeta1, g);
  const v = emaOfSquare<T, V>(loadAt<T, V>(expAvgSq, i), beta2, oneMinusBeta2, g);
  storeAt<T, V>(expAvg, i, m);
  storeAt<T, V>(expAvgSq, i, v);
  let update = mul<T, V>(div<T, V>(m, biasCorrection1), lr);
  if (rectified) {
    const adaptiveLr = div<T, V>(biasCorrection2Sqrt, add<T, V>(sqrt<T, V>(v), eps));
    update = mul<T, V>(mul<T, V>(update, adaptiveLr), rect);
  }
  storeAt<T, V>(param, i, sub<T, V>(p, update));
}

@inline function radamStep<T>(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, n: usize,
  gradScale: T, weightDecay: T, beta1: T, oneMinusBeta1: T, beta2: T, oneMinusBeta2: T,
  biasCorrection1: T, lr: T, biasCorrection2Sqrt: T, eps: T, rect: T, rectified: bool,
): void {
  const coupled = weightDecay != 0;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), weightDecayV = splat<T, v128>(weightDecay);
    const beta1V = splat<T, v128>(beta1), oneMinusBeta1V = splat<T, v128>(oneMinusBeta1);
    const beta2V = splat<T, v128>(beta2), oneMinusBeta2V = splat<T, v128>(oneMinusBeta2);
    const bc1V = splat<T, v128>(biasCorrection1), lrV = splat<T, v128>(lr);
    const bc2SqrtV = splat<T, v128>(biasCorrection2Sqrt), epsV = splat<T, v128>(eps);
    const rectV = splat<T, v128>(rect);
    for (; i + lanes <= n; i += lanes) {
      radamAt<T, v128>(i, param, grad, expAvg, expAvgSq, gradScaleV, weightDecayV, beta1V,
        oneMinusBeta1V, beta2V, oneMinusBeta2V, bc1V, lrV, bc2SqrtV, epsV, rectV, coupled, rectified);
    }
  }
  for (; i < n; i++) {
    radamAt<T, T>(i, param, grad, expAvg, expAvgSq, gradScale, weightDecay, beta1, oneMinusBeta1,
      beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, coupled, rectified);
  }
}

/**
 * One RAdam step over `n` float32 elements, in place. `param`, `grad`, `expAvg` and `expAvgSq` are
 * byte addresses of float32 arrays of length `n` (16-byte aligned for full speed); `rect` is
 * ignored unless `rectified`. Four lanes at a time, then the last `n % 4` elements one by one.
 */
export function radam_step_f32(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, n: usize,
  gradScale: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  biasCorrection1: f32, lr: f32, biasCorrection2Sqrt: f32, eps: f32, rect: f32, rectified: bool,
): void {
  radamStep<f32>(param, grad, expAvg, expAvgSq, n, gradScale, weightDecay, beta1, oneMinusBeta1,
    beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, rectified);
}

/** `radam_step_f32` over float64 arrays (two lanes at a time). */
export function radam_step_f64(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, n: usize,
  gradScale: f64, weightDecay: f64, beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64,
  biasCorrection1: f64, lr: f64, biasCorrection2Sqrt: f64, eps: f64, rect: f64, rectified: bool,
): void {
  radamStep<f64>(param, grad, expAvg, expAvgSq, n, gradScale, weightDecay, beta1, oneMinusBeta1,
    beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, rectified);
}
