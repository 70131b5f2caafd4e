// Adagrad (torch.optim.Adagrad, 1.13, dense gradients):
//   g = grad·gradScale + weightDecay·p        s ← s + g²        p ← p − clr·g / (√s + ε)
// with the decayed rate clr = lr / (1 + (t − 1)·lrDecay) computed once per step by the caller.
// optax's scale_by_rss with epsInRoot: p ← p − clr·g / √(s + ε) where s > 0, and where s is 0 (or
// NaN) the step is 0·g, as optax's jnp.where(s > 0, rsqrt(s + ε), 0)·g. TF.js's adagrad is the same
// rule: its s starts at initialAccumulatorValue ≥ 0, so s is 0 only where g is, and its step is 0 there.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma, whereAboveZero } from "../lib/lanes";
import { effectiveGradient } from "../lib/rules";

@inline export function adagradAt<T, V>(
  i: usize, param: usize, grad: usize, sum: usize,
  gradScale: V, weightDecay: V, eps: V, negClr: V, coupled: bool, epsInRoot: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const s = fma<T, V>(g, g, loadAt<T, V>(sum, i));
  storeAt<T, V>(sum, i, s);
  if (epsInRoot) {
    const step = div<T, V>(mul<T, V>(negClr, g), sqrt<T, V>(add<T, V>(s, eps)));
    const none = mul<T, V>(g, splat<T, V>(0));
    storeAt<T, V>(param, i, add<T, V>(p, whereAboveZero<T, V>(s, step, none)));
  } else {
    const std = add<T, V>(sqrt<T, V>(s), eps);
    storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(negClr, g), std)));
  }
}
