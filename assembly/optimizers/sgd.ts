// SGD with momentum, dampening, Nesterov and weight decay (torch.optim.SGD, 1.13):
//   g = grad·gradScale + weightDecay·p
//   b ← g on the first step, then b ← momentum·b + (1 − dampening)·g
//   d = g + momentum·b (Nesterov) or d = b (momentum) or d = g (no momentum)
//   p ← p − lr·d
// decoupled (Keras's weight decay): p ← p·paramScale first, paramScale = 1 − λ·lr.
import { lanesOf, loadAt, storeAt, splat, fma, mul } from "../lib/lanes";
import { effectiveGradient, ema } from "../lib/rules";

@inline export function sgdAt<T, V>(
  i: usize, param: usize, grad: usize, momentumBuffer: usize,
  gradScale: V, paramScale: V, weightDecay: V, momentum: V, oneMinusDampening: V, negLr: V,
  coupled: bool, decoupled: bool, withMomentum: bool, firstStep: bool, nesterov: bool,
): void {
  let p = loadAt<T, V>(param, i);
  if (decoupled) p = mul<T, V>(p, paramScale);
  let d = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  if (withMomentum) {
    let b = d;
    if (!firstStep) {
      b = ema<T, V>(loadAt<T, V>(momentumBuffer, i), momentum, oneMinusDampening, d);
    }
    storeAt<T, V>(momentumBuffer, i, b);
    d = nesterov ? fma<T, V>(momentum, b, d) : b;
  }
  storeAt<T, V>(param, i, fma<T, V>(negLr, d, p));
}
