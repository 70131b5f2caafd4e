// Lion (Chen et al., 2023, google/automl lion_pytorch.py), one pass over a tensor:
//   p ← p·paramScale   (decoupled weight decay: 1 − lr·λ)
//   c = β1·m + (1−β1)·g (two products, then the sum)      p ← p − lr·sign(c)      m ← β2·m + (1−β2)·g
// sign(0) = 0 (and a NaN stays NaN).
import { loadAt, storeAt, splat, add, mul, whereAboveZero, whereBelowZero, fma } from "../lib/lanes";
import { ema } from "../lib/rules";

@inline export function lionAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize,
  gradScale: V, paramScale: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V, negLr: V,
  decoupled: bool,
): void {
  let p = loadAt<T, V>(param, i);
  if (decoupled) p = mul<T, V>(p, paramScale);
  const g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  const m = loadAt<T, V>(expAvg, i);
  const c = add<T, V>(mul<T, V>(m, beta1), mul<T, V>(g, oneMinusBeta1));
  const sign = whereAboveZero<T, V>(c, splat<T, V>(1), whereBelowZero<T, V>(c, splat<T, V>(-1), c));
  storeAt<T, V>(param, i, fma<T, V>(negLr, sign, p));
  storeAt<T, V>(expAvg, i, ema<T, V>(m, beta2, oneMinusBeta2, g));
}
