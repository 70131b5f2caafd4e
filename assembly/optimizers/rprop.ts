// Rprop (torch.optim.Rprop, 1.13), resilient backpropagation:
//   g = grad·gradScale        f = η+ if g·g_prev > 0, η− if < 0, 1 if = 0 (NaN stays NaN)
//   η ← clamp(η·f, stepMin, stepMax)        g ← 0 where the sign flipped (f = η−)
//   p ← p − sign(g)·η        g_prev ← g
import { lanesOf, loadAt, storeAt, splat, sub, mul, min, max, whereAboveZero, whereBelowZero, whereZero } from "../lib/lanes";

@inline export function rpropAt<T, V>(
  i: usize, param: usize, grad: usize, prev: usize, stepSize: usize,
  gradScale: V, etaPlus: V, etaMinus: V, stepMin: V, stepMax: V,
): void {
  const one = splat<T, V>(1), minusOne = splat<T, V>(-1), zero = splat<T, V>(0);
  let g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  const product = mul<T, V>(g, loadAt<T, V>(prev, i));
  const factor = whereAboveZero<T, V>(product, etaPlus,
    whereBelowZero<T, V>(product, etaMinus, whereZero<T, V>(product, one, product)));
  const eta = min<T, V>(max<T, V>(mul<T, V>(loadAt<T, V>(stepSize, i), factor), stepMin), stepMax);
  storeAt<T, V>(stepSize, i, eta);
  g = whereBelowZero<T, V>(product, zero, g);
  const sign = whereAboveZero<T, V>(g, one, whereBelowZero<T, V>(g, minusOne, g));
  storeAt<T, V>(param, i, sub<T, V>(loadAt<T, V>(param, i), mul<T, V>(sign, eta)));
  storeAt<T, V>(prev, i, g);
}
