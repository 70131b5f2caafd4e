// RMSprop (torch.optim.RMSprop, 1.13), plain, centered and with momentum:
//   g = grad·gradScale + weightDecay·p        s ← α·s + (1−α)·g²
//   centered: ḡ ← α·ḡ + (1−α)·g,  avg = √(s − ḡ²) + ε;   otherwise avg = √s + ε
//   momentum: b ← μ·b + g / avg,  p ← p − lr·b;          otherwise p ← p − lr·g / avg
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma, neg } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare } from "../lib/rules";

@inline export function rmspropAt<T, V>(
  i: usize, param: usize, grad: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize,
  gradScale: V, weightDecay: V, alpha: V, oneMinusAlpha: V, eps: V, momentum: V, negLr: V,
  coupled: bool, centered: bool, withMomentum: bool,
): void {
  const p = loadAt<T, V>(param, i);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const s = emaOfSquare<T, V>(loadAt<T, V>(squareAvg, i), alpha, oneMinusAlpha, g);
  storeAt<T, V>(squareAvg, i, s);
  let avg: V;
  if (centered) {
    const ga = ema<T, V>(loadAt<T, V>(gradAvg, i), alpha, oneMinusAlpha, g);
    storeAt<T, V>(gradAvg, i, ga);
    avg = sqrt<T, V>(fma<T, V>(neg<T, V>(ga), ga, s));
  } else {
    avg = sqrt<T, V>(s);
  }
  avg = add<T, V>(avg, eps);
  if (withMomentum) {
    const b = add<T, V>(mul<T, V>(loadAt<T, V>(momentumBuffer, i), momentum), div<T, V>(g, avg));
    storeAt<T, V>(momentumBuffer, i, b);
    storeAt<T, V>(param, i, fma<T, V>(negLr, b, p));
  } else {
    storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(negLr, g), avg)));
  }
}
