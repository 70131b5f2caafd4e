// Adam and AdamW (torch.optim.Adam / AdamW, 1.13), one pass over a tensor:
//   g = grad·gradScale (+ weightDecay·p)          p ← p·paramScale   (AdamW's decoupled decay)
//   m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²        v̂ ← max(v̂, v) when amsgrad
//   p ← p − stepSize·m / (√v / √bc2 + ε),  stepSize = lr / (1 − β1^t), bc2 = 1 − β2^t
// Bias corrections and the step size are computed once per step by the caller.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, max } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare } from "../lib/rules";

@inline function adamAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  gradScale: V, paramScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V,
  oneMinusBeta2: V, biasCorrection2Sqrt: V, eps: V, negStepSize: V,
  decoupled: bool, coupled: bool, amsgrad: bool,
): void {
  let p = loadAt<T, V>(param, i);
  if (decoupled) p = mul<T, V>(p, paramScale);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const m = ema<T, V>(loadAt<T, V>(expAvg, i), beta1, oneMinusBeta1, g);
  let v = emaOfSquare<T, V>(loadAt<T, V>(expAvgSq, i), beta2, oneMinusBeta2, g);
  storeAt<T, V>(expAvg, i, m);
  storeAt<T, V>(expAvgSq, i, v);
  if (amsgrad) {
    v = max<T, V>(loadAt<T, V>(maxExpAvgSq, i), v);
    storeAt<T, V>(maxExpAvgSq, i, v);
  }
  const denom = add<T, V>(div<T, V>(sqrt<T, V>(v), biasCorrection2Sqrt), eps);
  storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(negStepSize, m), denom)));
}

@inline function adamStep<T>(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize, n: usize,
  gradScale: T, paramScale: T, weightDecay: T, beta1: T, oneMinusBeta1: T, beta2: T,
  oneMinusBeta2: T, biasCorrection2Sqrt: T, eps: T, negStepSize: T, amsgrad: bool,
): void {
  const decoupled = paramScale != 1;
  const coupled = weightDecay != 0;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), paramScaleV = splat<T, v128>(paramScale);
    const weightDecayV = splat<T, v128>(weightDecay), beta1V = splat<T, v128>(beta1);
    const oneMinusBeta1V = splat<T, v128>(oneMinusBeta1), beta2V = splat<T, v128>(beta2);
    const oneMinusBeta2V = splat<T, v128>(oneMinusBeta2);
    const bc2SqrtV = splat<T, v128>(biasCorrection2Sqrt), epsV = splat<T, v128>(eps);
    const negStepSizeV = splat<T, v128>(negStepSize);
    for (; i + lanes <= n; i += lanes) {
      adamAt<T, v128>(i, param, grad, expAvg, expAvgSq, maxExpAvgSq, gradScaleV, paramScaleV,
        weightDecayV, beta1V, oneMinusBeta1V, beta2V, oneMinusBeta2V, bc2SqrtV, epsV, negStepSizeV,
        decoupled, coupled, amsgrad);
    }
  }
  for (; i < n; i++) {
    adamAt<T, T>(i, param, grad, expAvg, expAvgSq, maxExpAvgSq, gradScale, paramScale,
      weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize,
      decoupled, coupled, amsgrad);
  }
}

/**
 * One Adam/AdamW step over `n` float32 elements, in place. `param`, `grad`, `expAvg`, `expAvgSq`
 * and (when `amsgrad`) `maxExpAvgSq` are byte addresses of float32 arrays of length `n`, 16-byte
 * aligned for full speed; `maxExpAvgSq` is ignored when `amsgrad` is false. The body runs four
 * lanes at a time; the last `n % 4` elements run the same rule one by one.
 * `paramScale` is 1 − lr·weightDecay for AdamW and 1 for Adam; `weightDecay` is Adam's coupled L2
 * (0 for AdamW); `gradScale` is −1 to maximize; `negStepSize` is −lr / (1 − β1^t). The
 * complements 1 − β are passed in so that they are rounded once, from double, as torch does.
 */
export function adam_step_f32(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize, n: usize,
  gradScale: f32, paramScale: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32,
  oneMinusBeta2: f32, biasCorrection2Sqrt: f32, eps: f32, negStepSize: f32, amsgrad: bool,
): void {
  adamStep<f32>(param, grad, expAvg, expAvgSq, maxExpAvgSq, n, gradScale, paramScale,
    weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize,
    amsgrad);
}

/** `adam_step_f32` over float64 arrays (two lanes at a time). */
export function adam_step_f64(
  param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize, n: usize,
  gradScale: f64, paramScale: f64, weightDecay: f64, beta1: f64, oneMinusBeta1: f64, beta2: f64,
  oneMinusBeta2: f64, biasCorrection2Sqrt: f64, eps: f64, negStepSize: f64, amsgrad: bool,
): void {
  adamStep<f64>(param, grad, expAvg, expAvgSq, maxExpAvgSq, n, gradScale, paramScale,
    weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize,
    amsgrad);
}
