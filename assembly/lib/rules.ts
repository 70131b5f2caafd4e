// Pieces of update rules that several optimizers share, written once over lanes.ts so that each
// kernel reads as its formula.
import { add, loadAt, mul } from "./lanes";

/** The gradient as the optimizer sees it: grad·gradScale (−1 to maximize), plus λ·p when `coupled`. */
@inline export function effectiveGradient<T, V>(
  grad: usize, i: usize, gradScale: V, p: V, weightDecay: V, coupled: bool,
): V {
  const g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  return coupled ? add<T, V>(g, mul<T, V>(weightDecay, p)) : g;
}

/** Exponential moving average, torch's `avg.mul_(β).add_(x, alpha=1−β)`: avg·β + (1−β)·x. */
@inline export function ema<T, V>(avg: V, beta: V, oneMinusBeta: V, x: V): V {
  return add<T, V>(mul<T, V>(avg, beta), mul<T, V>(oneMinusBeta, x));
}

/** Moving average of squares, torch's `avg.mul_(β).addcmul_(x, x, value=1−β)`: avg·β + ((1−β)·x)·x. */
@inline export function emaOfSquare<T, V>(avg: V, beta: V, oneMinusBeta: V, x: V): V {
  return add<T, V>(mul<T, V>(avg, beta), mul<T, V>(mul<T, V>(oneMinusBeta, x), x));
}
