// A running average of parameters (torch.optim.swa_utils.AveragedModel.update_parameters), one
// pass over a tensor; the gradient is not read:
//   first update: a = p
//   SWA (get_swa_avg_fn):        a ← a + (p − a)/(n + 1)
//   EMA (get_ema_multi_avg_fn):  a ← lerp(a, p, 1 − δ)
import { loadAt, storeAt, splat, add, div, sub } from "../lib/lanes";
import { lerp } from "../lib/lerp";

@inline export function averageAt<T, V>(
  i: usize, param: usize, grad: usize, average: usize,
  weight: V, updates: V,
  first: bool, equalWeights: bool, fromEnd: bool,
): void {
  const p = loadAt<T, V>(param, i);
  if (first) {
    storeAt<T, V>(average, i, p);
  } else if (equalWeights) {
    const a = loadAt<T, V>(average, i);
    storeAt<T, V>(average, i, add<T, V>(a, div<T, V>(sub<T, V>(p, a), updates)));
  } else {
    const oneMinusWeight = sub<T, V>(splat<T, V>(<T>1), weight);
    storeAt<T, V>(average, i, lerp<T, V>(loadAt<T, V>(average, i), p, weight, oneMinusWeight, fromEnd));
  }
}
