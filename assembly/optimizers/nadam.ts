// NAdam (torch.optim.NAdam), Adam with Nesterov momentum:
//   p ← p·paramScale (decoupled weight decay)        g = grad·gradScale (+ weightDecay·p)
//   m ← m.lerp(g, 1−β1) (torch 2; withLerp off: β1·m + (1−β1)·g)        v ← β2·v + (1−β2)·g²
//   denom = √(v / bc2) + ε
//   p ← p + gradCoef·g / denom + avgCoef·m / denom
// gradCoef = −lr(1−μ_t)/(1−Πμ), avgCoef = −lr·μ_{t+1}/(1−Πμ·μ_{t+1}) and bc2 = 1 − β2^t come
// from the caller, which keeps torch's running product of μ (torch 2's, or torch 1.13's).
// optax's Adam family runs here too: ε inside the root as well, denom = √(v / bc2 + εroot) + ε,
// and RAdam's update before its threshold, p ← p + gradCoef·g + avgCoef·m (no denominator).
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare, lerp } from "../lib/rules";

@inline export function nadamAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize,
  gradScale: V, paramScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V,
  biasCorrection2: V, eps: V, gradCoef: V, avgCoef: V, epsRoot: V,
  decoupled: bool, coupled: bool, withEpsRoot: bool, momentumOnly: bool, withLerp: bool,
): void {
  let p = loadAt<T, V>(param, i);
  if (decoupled) p = mul<T, V>(p, paramScale);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const previous = loadAt<T, V>(expAvg, i);
  const m = withLerp ? lerp<T, V>(previous, g, oneMinusBeta1) : ema<T, V>(previous, beta1, oneMinusBeta1, g);
  const v = emaOfSquare<T, V>(loadAt<T, V>(expAvgSq, i), beta2, oneMinusBeta2, g);
  storeAt<T, V>(expAvg, i, m);
  storeAt<T, V>(expAvgSq, i, v);
  if (momentumOnly) {
    p = add<T, V>(p, mul<T, V>(gradCoef, g));
    storeAt<T, V>(param, i, add<T, V>(p, mul<T, V>(avgCoef, m)));
  } else {
    storeAt<T, V>(param, i, nadamStep<T, V>(p, g, m, v, biasCorrection2, eps, gradCoef, avgCoef, epsRoot, withEpsRoot));
  }
}

/** p + gradCoef·g/d + avgCoef·m/d with d = √(v/bc2 (+ εroot)) + ε: the step from the new moments (also optaxAdamMuBf16's). */
@inline export function nadamStep<T, V>(
  p: V, g: V, m: V, v: V, biasCorrection2: V, eps: V, gradCoef: V, avgCoef: V, epsRoot: V, withEpsRoot: bool,
): V {
  let vHat = div<T, V>(v, biasCorrection2);
  if (withEpsRoot) vHat = add<T, V>(vHat, epsRoot);
  const denom = add<T, V>(sqrt<T, V>(vHat), eps);
  const stepped = add<T, V>(p, div<T, V>(mul<T, V>(gradCoef, g), denom));
  return add<T, V>(stepped, div<T, V>(mul<T, V>(avgCoef, m), denom));
}
