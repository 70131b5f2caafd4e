// FTRL-Proximal (keras.optimizers.Ftrl, Keras 3), one pass over a tensor, with P(x) = x^(−power):
//   g = grad·gradScale         g' = g + shrink2·p        n' = n + g²        z ← z + g' − (P(n') − P(n))/lr · p
//   q = P(n')/lr + twoL2      p ← (clip(z, −l1, l1) − z) / q        n ← n'
// P is a square root for the usual power −½ (sqrtPower), otherwise lib/pow.ts, lane by lane.
// decoupled (Keras's weight decay, before the update): p ← p·paramScale first.
import { loadAt, storeAt, add, sub, mul, div, sqrt, min, max } from "../lib/lanes";
import { powLanes } from "../lib/pow";

@inline export function ftrlAt<T, V>(
  i: usize, param: usize, grad: usize, accumulator: usize, linear: usize,
  gradScale: V, paramScale: V, shrink2: V, negPower: V, lr: V, twoL2: V, l1: V, negL1: V,
  decoupled: bool, shrinkage: bool, sqrtPower: bool,
): void {
  let p = loadAt<T, V>(param, i);
  if (decoupled) p = mul<T, V>(p, paramScale);
  const g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  const gu = shrinkage ? add<T, V>(g, mul<T, V>(shrink2, p)) : g;
  const n = loadAt<T, V>(accumulator, i);
  const n1 = add<T, V>(n, mul<T, V>(g, g));
  let root0: V, root1: V;
  if (sqrtPower) {
    root0 = sqrt<T, V>(n);
    root1 = sqrt<T, V>(n1);
  } else {
    root0 = powLanes<T, V>(n, lane0<T, V>(negPower));
    root1 = powLanes<T, V>(n1, lane0<T, V>(negPower));
  }
  const z = add<T, V>(loadAt<T, V>(linear, i), sub<T, V>(gu, mul<T, V>(div<T, V>(sub<T, V>(root1, root0), lr), p)));
  const q = add<T, V>(div<T, V>(root1, lr), twoL2);
  const clipped = min<T, V>(max<T, V>(z, negL1), l1);
  storeAt<T, V>(linear, i, z);
  storeAt<T, V>(accumulator, i, n1);
  storeAt<T, V>(param, i, div<T, V>(sub<T, V>(clipped, z), q));
}

/** The first lane of a splatted scalar (the scalar itself when V is T). */
@inline function lane0<T, V>(x: V): T {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return <T>f32x4.extract_lane(x, 0);
    return <T>f64x2.extract_lane(x, 0);
  }
  return <T>x;
}
