// Rprop (torch.optim.Rprop, 1.13), resilient backpropagation:
//   g = grad·gradScale        f = η+ if g·g_prev > 0, η− if < 0, 1 if = 0 (NaN stays NaN)
//   η ← clamp(η·f, stepMin, stepMax)        g ← 0 where the sign flipped (f = η−)
//   p ← p − sign(g)·η        g_prev ← g
// With `lagged`, optax 0.2.8's scale_by_rprop, which applies the previous step's update: `prev`
// holds that update P, s = g·P, η ← η where s = 0, clamp(η·(η+ if s > 0, else η−)) otherwise;
// p ← p − (0 if s < 0, else P);  P ← (0 if s < 0, else sign(g)·η).
import { lanesOf, loadAt, storeAt, splat, sub, mul, min, max, whereAboveZero, whereBelowZero, whereZero } from "../lib/lanes";

@inline function signOf<T, V>(x: V): V {
  return whereAboveZero<T, V>(x, splat<T, V>(1), whereBelowZero<T, V>(x, splat<T, V>(-1), x));
}

@inline export function rpropAt<T, V>(
  i: usize, param: usize, grad: usize, prev: usize, stepSize: usize,
  gradScale: V, etaPlus: V, etaMinus: V, stepMin: V, stepMax: V, lagged: bool,
): void {
  const one = splat<T, V>(1), zero = splat<T, V>(0);
  let g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  const previous = loadAt<T, V>(prev, i);
  const product = mul<T, V>(g, previous);
  const p = loadAt<T, V>(param, i);
  if (lagged) {
    const size = loadAt<T, V>(stepSize, i);
    const scaled = mul<T, V>(size, whereAboveZero<T, V>(product, etaPlus, etaMinus));
    const eta = whereZero<T, V>(product, size, min<T, V>(max<T, V>(scaled, stepMin), stepMax));
    storeAt<T, V>(stepSize, i, eta);
    storeAt<T, V>(param, i, sub<T, V>(p, whereBelowZero<T, V>(product, zero, previous)));
    storeAt<T, V>(prev, i, whereBelowZero<T, V>(product, zero, mul<T, V>(signOf<T, V>(g), eta)));
  } else {
    const factor = whereAboveZero<T, V>(product, etaPlus,
      whereBelowZero<T, V>(product, etaMinus, whereZero<T, V>(product, one, product)));
    const eta = min<T, V>(max<T, V>(mul<T, V>(loadAt<T, V>(stepSize, i), factor), stepMin), stepMax);
    storeAt<T, V>(stepSize, i, eta);
    g = whereBelowZero<T, V>(product, zero, g);
    storeAt<T, V>(param, i, sub<T, V>(p, mul<T, V>(signOf<T, V>(g), eta)));
    storeAt<T, V>(prev, i, g);
  }
}
