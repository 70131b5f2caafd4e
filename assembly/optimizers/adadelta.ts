// Adadelta (torch.optim.Adadelta, 1.13):
//   g = grad·gradScale + weightDecay·p
//   s ← ρ·s + (1−ρ)·g²     δ = √(a + ε) / √(s + ε) · g     a ← ρ·a + (1−ρ)·δ²     p ← p − lr·δ
// previousSquareAvg (TF.js): δ divides by √(s + ε) of s before this step's update.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma } from "../lib/lanes";
import { effectiveGradient, emaOfSquare } from "../lib/rules";

@inline export function adadeltaAt<T, V>(
  i: usize, param: usize, grad: usize, squareAvg: usize, accDelta: usize,
  gradScale: V, weightDecay: V, rho: V, oneMinusRho: V, eps: V, negLr: V, coupled: bool, previousSquareAvg: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const previous = loadAt<T, V>(squareAvg, i);
  const s = emaOfSquare<T, V>(previous, rho, oneMinusRho, g);
  storeAt<T, V>(squareAvg, i, s);
  const std = sqrt<T, V>(add<T, V>(previousSquareAvg ? previous : s, eps));
  const a = loadAt<T, V>(accDelta, i);
  const delta = mul<T, V>(div<T, V>(sqrt<T, V>(add<T, V>(a, eps)), std), g);
  storeAt<T, V>(accDelta, i, emaOfSquare<T, V>(a, rho, oneMinusRho, delta));
  storeAt<T, V>(param, i, fma<T, V>(negLr, delta, p));
}
