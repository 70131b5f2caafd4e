// Adam and AdamW (torch.optim.Adam / AdamW), one pass over a tensor:
//   g = grad·gradScale (+ weightDecay·p)          p ← p·paramScale   (AdamW's decoupled decay)
//   m ← m.lerp(g, 1−β1) (torch 2; withLerp off: β1·m + (1−β1)·g, torch 1.13)
//   v ← β2·v + (1−β2)·g²        v̂ ← max(v̂, v) when amsgrad
//   p ← p − stepSize·m / (√v / √bc2 + ε),  stepSize = lr / (1 − β1^t), bc2 = 1 − β2^t
// Bias corrections and the step size are computed once per step by the caller.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, max } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare, lerp } from "../lib/rules";

@inline export function adamAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  gradScale: V, paramScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V,
  oneMinusBeta2: V, biasCorrection2Sqrt: V, eps: V, negStepSize: V,
  decoupled: bool, coupled: bool, amsgrad: bool, withLerp: bool,
): void {
  let p = loadAt<T, V>(param, i);
  if (decoupled) p = mul<T, V>(p, paramScale);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const previous = loadAt<T, V>(expAvg, i);
  const m = withLerp ? lerp<T, V>(previous, g, oneMinusBeta1) : ema<T, V>(previous, beta1, oneMinusBeta1, g);
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
