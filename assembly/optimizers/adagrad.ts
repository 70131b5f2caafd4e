// Adagrad (torch.optim.Adagrad, 1.13, dense gradients):
//   g = grad·gradScale + weightDecay·p        s ← s + g²        p ← p − clr·g / (√s + ε)
// with the decayed rate clr = lr / (1 + (t − 1)·lrDecay) computed once per step by the caller.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma } from "../lib/lanes";
import { effectiveGradient } from "../lib/rules";

@inline export function adagradAt<T, V>(
  i: usize, param: usize, grad: usize, sum: usize,
  gradScale: V, weightDecay: V, eps: V, negClr: V, coupled: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const s = fma<T, V>(g, g, loadAt<T, V>(sum, i));
  storeAt<T, V>(sum, i, s);
  const std = add<T, V>(sqrt<T, V>(s), eps);
  storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(negClr, g), std)));
}
