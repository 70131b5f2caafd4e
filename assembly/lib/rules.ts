// Pieces of update rules that several optimizers share, written once over lanes.ts so that each
// kernel reads as its formula. Where torch's float32 CPU kernels fuse a multiply and an add
// (`add(x, alpha=…)`, `addcmul`), so do these (see `fma`), which keeps float32 results identical
// to torch's rather than a few units in the last place away.
import { fma, loadAt, mul, splat, sub } from "./lanes";

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

/**
 * torch 2's `a.lerp_(b, w)`, which moves its running averages (torch 1.13 used `ema`): one
 * multiply-add fma(c, b − a, base) with c = w and base = a while |w| < ½, else c = w − 1 and
 * base = b (that is b − (b − a)·(1 − w)), b − a and w − 1 rounded first, as torch's CPU kernel
 * computes it in its vector body and its tail alike. The weight is uniform, so the choice is the
 * same in every lane: it is taken once from the first lane, a branch that never mispredicts,
 * rather than selected lane by lane.
 */
@inline export function lerp<T, V>(a: V, b: V, w: V): V {
  const difference = sub<T, V>(b, a);
  let first: f64;
  if (isVector<V>()) {
    first = sizeof<T>() == 4 ? <f64>f32x4.extract_lane(w, 0) : f64x2.extract_lane(w, 0);
  } else {
    first = <f64>w;
  }
  if (Math.abs(first) < 0.5) return fma<T, V>(w, difference, a);
  return fma<T, V>(sub<T, V>(w, splat<T, V>(1)), difference, b);
}
