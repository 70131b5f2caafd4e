// NAdam (torch.optim.NAdam, 1.13), Adam with Nesterov momentum:
//   g = grad·gradScale + weightDecay·p
//   m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²        denom = √(v / bc2) + ε
//   p ← p + gradCoef·g / denom + avgCoef·m / denom
// gradCoef = −lr(1−μ_t)/(1−Πμ), avgCoef = −lr·μ_{t+1}/(1−Πμ·μ_{t+1}) and bc2 = 1 − β2^t come
// from the caller, which keeps torch's running product of μ.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare } from "../lib/rules";

@inline function nadamAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize,
  gradScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V,
  biasCorrection2: V, eps: V, gradCoef: V, avgCoef: V, coupled: bool,
): void {
  let p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const m = ema<T, V>(loadAt<T, V>(expAvg, i), beta1, oneMinusBeta1, g);
  const v = emaOfSquare<T, V>(loadAt<T, V>(expAvgSq, i), beta2, oneMinusBeta2, g);
  storeAt<T, V>(expAvg, i, m);
  storeAt<T, V>(expAvgSq, i, v);
  const denom = add<T, V>(sqrt<T, V>(div<T, V>(v, biasCorrection2)), eps);
  p = add<T, V>(p, div<T, V>(mul<T, V>(gradCoef, g), denom));
  storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(avgCoef, m), denom)));
}

@inline function nadamStep<T>(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, n: usize,
  gradScale: T, weightDecay: T, beta1: T, oneMinusBeta1: T, beta2: T, oneMinusBeta2: T,
  biasCorrection2: T, eps: T, gradCoef: T, avgCoef: T,
): void {
  const coupled = weightDecay != 0;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), weightDecayV = splat<T, v128>(weightDecay);
    const beta1V = splat<T, v128>(beta1), oneMinusBeta1V = splat<T, v128>(oneMinusBeta1);
    const beta2V = splat<T, v128>(beta2), oneMinusBeta2V = splat<T, v128>(oneMinusBeta2);
    const bc2V = splat<T, v128>(biasCorrection2), epsV = splat<T, v128>(eps);
    const gradCoefV = splat<T, v128>(gradCoef), avgCoefV = splat<T, v128>(avgCoef);
    for (; i + lanes <= n; i += lanes) {
      nadamAt<T, v128>(i, param, grad, expAvg, expAvgSq, gradScaleV, weightDecayV, beta1V,
        oneMinusBeta1V, beta2V, oneMinusBeta2V, bc2V, epsV, gradCoefV, avgCoefV, coupled);
    }
  }
  for (; i < n; i++) {
    nadamAt<T, T>(i, param, grad, expAvg, expAvgSq, gradScale, weightDecay, beta1,
      oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2, eps, gradCoef, avgCoef, coupled);
  }
}

/**
 * One NAdam step over `n` float32 elements, in place. `param`, `grad`, `expAvg` and `expAvgSq` are
 * byte addresses of float32 arrays of length `n` (16-byte aligned for full speed). Four lanes at a
 * time, then the last `n % 4` elements one by one with the same rule.
 */
export function nadam_step_f32(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, n: usize,
  gradScale: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  biasCorrection2: f32, eps: f32, gradCoef: f32, avgCoef: f32,
): void {
  nadamStep<f32>(param, grad, expAvg, expAvgSq, n, gradScale, weightDecay, beta1, oneMinusBeta1,
    beta2, oneMinusBeta2, biasCorrection2, eps, gradCoef, avgCoef);
}

/** `nadam_step_f32` over float64 arrays (two lanes at a time). */
export function nadam_step_f64(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, n: usize,
  gradScale: f64, weightDecay: f64, beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64,
  biasCorrection2: f64, eps: f64, gradCoef: f64, avgCoef: f64,
): void {
  nadamStep<f64>(param, grad, expAvg, expAvgSq, n, gradScale, weightDecay, beta1, oneMinusBeta1,
    beta2, oneMinusBeta2, biasCorrection2, eps, gradCoef, avgCoef);
}
