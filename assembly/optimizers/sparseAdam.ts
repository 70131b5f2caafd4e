// SparseAdam (torch.optim.SparseAdam, 2.13), on each row the gradient lists (the rows kernel; the
// dense kernel is the same rule on every element), in torch's order of operations:
//   m ← m + (1 − β1)·(g − m)        v ← v + (1 − β2)·(g² − v)
//   p ← p + (−stepSize)·(m / (√v + ε)),  stepSize = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), computed by the caller
// Rows the gradient does not list keep p, m and v: no decay (the optimizer is lazy).
import { loadAt, storeAt, add, sub, mul, div, sqrt } from "../lib/lanes";

@inline export function sparseAdamAt<T, V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize,
  gradScale: V, oneMinusBeta1: V, oneMinusBeta2: V, eps: V, negStepSize: V,
): void {
  const g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  const oldM = loadAt<T, V>(expAvg, i);
  const oldV = loadAt<T, V>(expAvgSq, i);
  const m = add<T, V>(oldM, mul<T, V>(sub<T, V>(g, oldM), oneMinusBeta1));
  const v = add<T, V>(oldV, mul<T, V>(sub<T, V>(mul<T, V>(g, g), oldV), oneMinusBeta2));
  storeAt<T, V>(expAvg, i, m);
  storeAt<T, V>(expAvgSq, i, v);
  const denom = add<T, V>(sqrt<T, V>(v), eps);
  storeAt<T, V>(param, i, add<T, V>(loadAt<T, V>(param, i), mul<T, V>(negStepSize, div<T, V>(m, denom))));
}
