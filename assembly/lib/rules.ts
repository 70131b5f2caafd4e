// Pieces of update rules that several optimizers share, written once over lanes.ts so that each
// kernel reads as its formula. Where torch's float32 CPU kernels fuse a multiply and an add
// (`add(x, alpha=…)`, `addcmul`), so do these (see `fma`), which keeps float32 results identical
// to torch's rather than a few units in the last place away.
import { fma, loadAt, mul } from "./lanes";

/** The gradient as the optimizer sees it: grad·gradScale (−1 to maximize), plus λ·p when `coupled`
 *  (torch's `grad.add(param, alpha=λ)`). */
@inline export function effectiveGradient<T, V>(
  grad: usize, i: usize, gradScale: V, p: V, weightDecay: V, coupled: bool,
): V {
  const g = mul<T, V>(loadAt<T, V>(grad, i), gradScale);
  return coupled ? fma<T, V>(weightDecay, p, g) : g;
}

/** Exponential moving average, torch's `avg.mul_(β).add_(x, alpha=1−β)`: avg·β + (1−β)·x. */
@inline export function ema<T, V>(avg: V, beta: V, oneMinusBeta: V, x: V): V {
  return fma<T, V>(oneMinusBeta, x, mul<T, V>(avg, beta));
}

/** Moving average of squares, torch's `avg.mul_(β).addcmul_(x, x, value=1−β)`: avg·β + ((1−β)·x)·x. */
@inline export function emaOfSquare<T, V>(avg: V, beta: V, oneMinusBeta: V, x: V): V {
  return fma<T, V>(mul<T, V>(oneMinusBeta, x), x, mul<T, V>(avg, beta));
}
