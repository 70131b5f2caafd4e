// ASGD, averaged SGD (torch.optim.ASGD), one pass over a tensor:
//   g = grad·gradScale (+ weightDecay·p)        p ← p·(1 − λη)        p ← p − η·g
//   ax ← ax + (p − ax)·μ   while averaging (μ ≠ 1),   ax ← p   before
// η, 1 − λη and μ are the caller's (torch keeps η and μ as float32 scalars and updates them after the step).
import { loadAt, storeAt, add, sub, mul, fma } from "../lib/lanes";
import { effectiveGradient } from "../lib/rules";

@inline export function asgdAt<T, V>(
  i: usize, param: usize, grad: usize, ax: usize,
  gradScale: V, weightDecay: V, paramScale: V, negEta: V, mu: V,
  coupled: bool, averaging: bool,
): void {
  let p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  p = fma<T, V>(negEta, g, mul<T, V>(p, paramScale));
  storeAt<T, V>(param, i, p);
  if (averaging) {
    const a = loadAt<T, V>(ax, i);
    storeAt<T, V>(ax, i, add<T, V>(a, mul<T, V>(sub<T, V>(p, a), mu)));
  } else {
    storeAt<T, V>(ax, i, p);
  }
}
