// RAdam (torch.optim.RAdam), Adam with a rectified adaptive step:
//   p ← p·paramScale (decoupled weight decay)        g = grad·gradScale (+ weightDecay·p)
//   m ← m.lerp(g, 1−β1) (torch 2; withLerp off: β1·m + (1−β1)·g)        v ← β2·v + (1−β2)·g²
//   m̂ = m / bc1
//   p ← p − m̂·lr·((1 / (√v + ε))·√bc2)·r     while the variance is tractable (ρ_t > 5)
//   p ← p − m̂·lr                          before that
// The caller computes bc1 = 1 − β1^t, √bc2 and the rectification r, and chooses the branch.
import { lanesOf, loadAt, storeAt, splat, add, sub, mul, div, sqrt } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare, lerp } from "../lib/rules";

@inline export function radamAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize,
  gradScale: V, paramScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V,
  biasCorrection1: V, lr: V, biasCorrection2Sqrt: V, eps: V, rect: V,
  decoupled: bool, coupled: bool, rectified: bool, withLerp: bool,
): void {
  let p = loadAt<T, V>(param, i);
  if (decoupled) p = mul<T, V>(p, paramScale);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const previous = loadAt<T, V>(expAvg, i);
  const m = withLerp ? lerp<T, V>(previous, g, oneMinusBeta1) : ema<T, V>(previous, beta1, oneMinusBeta1, g);
  const v = emaOfSquare<T, V>(loadAt<T, V>(expAvgSq, i), beta2, oneMinusBeta2, g);
  storeAt<T, V>(expAvg, i, m);
  storeAt<T, V>(expAvgSq, i, v);
  let update = mul<T, V>(div<T, V>(m, biasCorrection1), lr);
  if (rectified) {
    // torch computes √bc2 / (√v + ε) as (√v + ε).reciprocal() · √bc2 (a Python float over a tensor).
    const adaptiveLr = mul<T, V>(div<T, V>(splat<T, V>(1), add<T, V>(sqrt<T, V>(v), eps)), biasCorrection2Sqrt);
    update = mul<T, V>(mul<T, V>(update, adaptiveLr), rect);
  }
  storeAt<T, V>(param, i, sub<T, V>(p, update));
}
