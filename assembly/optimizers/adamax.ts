// Adamax (torch.optim.Adamax), the infinity-norm variant of Adam:
//   g = grad·gradScale + weightDecay·p
//   m ← m.lerp(g, 1−β1) (torch 2; withLerp off: β1·m + (1−β1)·g, torch 1.13)
//   u ← max(β2·u, |g| + ε)        p ← p − clr·m / u
// with clr = lr / (1 − β1^t) computed once per step by the caller.
// epsAfterMax (TF.js): u ← max(β2·u, |g|) and p ← p − clr·m / (u + ε).
import { lanesOf, loadAt, storeAt, splat, add, mul, div, abs, max } from "../lib/lanes";
import { effectiveGradient, ema, lerp } from "../lib/rules";

@inline export function adamaxAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expInf: usize,
  gradScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V, eps: V, negClr: V,
  coupled: bool, epsAfterMax: bool, withLerp: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const previous = loadAt<T, V>(expAvg, i);
  const m = withLerp ? lerp<T, V>(previous, g, oneMinusBeta1) : ema<T, V>(previous, beta1, oneMinusBeta1, g);
  const decayed = mul<T, V>(loadAt<T, V>(expInf, i), beta2);
  const u = epsAfterMax ? max<T, V>(decayed, abs<T, V>(g)) : max<T, V>(decayed, add<T, V>(abs<T, V>(g), eps));
  storeAt<T, V>(expAvg, i, m);
  storeAt<T, V>(expInf, i, u);
  const denom = epsAfterMax ? add<T, V>(u, eps) : u;
  storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(negClr, m), denom)));
}
