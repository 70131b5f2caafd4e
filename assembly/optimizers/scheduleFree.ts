// Schedule-free AdamW and SGD (Defazio et al., 2024; facebookresearch/schedule_free), one pass over
// a tensor, with y the parameter (the point gradients are taken at) and z the base sequence:
//   AdamW: v ← β2·v + (1−β2)·g²   den = √(v / bc2) + ε   d = g / den   (or (m / bc1) / den with
//          the inner momentum m ← μ·m + (1−μ)·g);   SGD: d = g
//   d ← d + λ·y      y ← lerp(y, z, c)      y ← y + yStep·d      z ← z − lr_k·d
// The averaging weight c, the scheduled lr_k and yStep = lr_k·(β·(1−c) − 1) are computed once per
// step by the caller; x, the average, is never stored: eval() recovers it from y and z.
import { loadAt, storeAt, splat, add, mul, div, sqrt, sub, fma } from "../lib/lanes";
import { ema, emaOfSquare } from "../lib/rules";
import { lerp } from "../lib/lerp";

@inline export function scheduleFreeAt<T, V>(
  i: usize, param: usize, grad: usize, z: usize, expAvgSq: usize, expAvg: usize,
  gradScale: V, beta2: V, oneMinusBeta2: V, biasCorrection2: V, eps: V, innerMomentum: V,
  oneMinusInnerMomentum: V, biasCorrection1: V, weightDecay: V, averageWeight: V, yStep: V, negLr: V,
  adaptive: bool, withInnerMomentum: bool, coupled: bool, averageFromEnd: bool, firstStep: bool,
): void {
  const y = loadAt<T, V>(param, i);
  const zk = firstStep ? y : loadAt<T, V>(z, i);
  const g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  let d = g;
  if (adaptive) {
    const v = emaOfSquare<T, V>(loadAt<T, V>(expAvgSq, i), beta2, oneMinusBeta2, g);
    storeAt<T, V>(expAvgSq, i, v);
    const den = add<T, V>(sqrt<T, V>(div<T, V>(v, biasCorrection2)), eps);
    if (withInnerMomentum) {
      const m = ema<T, V>(loadAt<T, V>(expAvg, i), innerMomentum, oneMinusInnerMomentum, g);
      storeAt<T, V>(expAvg, i, m);
      d = div<T, V>(div<T, V>(m, biasCorrection1), den);
    } else {
      d = div<T, V>(g, den);
    }
  }
  if (coupled) d = fma<T, V>(weightDecay, y, d);
  const oneMinusC = sub<T, V>(splat<T, V>(<T>1), averageWeight);
  const averaged = lerp<T, V>(y, zk, averageWeight, oneMinusC, averageFromEnd);
  storeAt<T, V>(param, i, fma<T, V>(yStep, d, averaged));
  storeAt<T, V>(z, i, fma<T, V>(negLr, d, zk));
}
