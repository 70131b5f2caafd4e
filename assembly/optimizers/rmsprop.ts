// RMSprop (torch.optim.RMSprop), plain, centered and with momentum:
//   g = grad·gradScale + weightDecay·p        s ← α·s + (1−α)·g²
//   centered: ḡ ← ḡ.lerp(g, 1−α) (torch 2; withLerp off: α·ḡ + (1−α)·g),  avg = √(s − ḡ²) + ε;
//   otherwise avg = √s + ε
//   momentum: b ← μ·b + momentumScale·(g / avg),  p ← p − lr·b;   otherwise p ← p − lr·g / avg
// Other conventions (Keras, optax) as options: ε inside the root (avg = √(s + ε)), momentum taken
// after the learning rate (momentumScale = lr, then lr = 1), decoupled weight decay (p ← p·paramScale),
// Nesterov momentum after the learning rate (p ← p − (μ·b + momentumScale·g/avg), optax's trace),
// and ḡ scaled in the variance s − ḡ·(gradAvgScale·ḡ) (optax's bias correction, see presets/optax).
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma, neg } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare, lerp } from "../lib/rules";

@inline export function rmspropAt<T, V>(
  i: usize, param: usize, grad: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize,
  gradScale: V, weightDecay: V, paramScale: V, alpha: V, oneMinusAlpha: V, eps: V, momentum: V, momentumScale: V, negLr: V,
  gradAvgScale: V,
  coupled: bool, decoupled: bool, centered: bool, withMomentum: bool, epsInRoot: bool, nesterov: bool, withLerp: bool,
): void {
  let p = loadAt<T, V>(param, i);
  if (decoupled) p = mul<T, V>(p, paramScale);
  const g = effectiveGradient<T, V>(grad, i, gradScale, p, weightDecay, coupled);
  const s = emaOfSquare<T, V>(loadAt<T, V>(squareAvg, i), alpha, oneMinusAlpha, g);
  storeAt<T, V>(squareAvg, i, s);
  let avg: V;
  if (centered) {
    const previous = loadAt<T, V>(gradAvg, i);
    const ga = withLerp ? lerp<T, V>(previous, g, oneMinusAlpha) : ema<T, V>(previous, alpha, oneMinusAlpha, g);
    storeAt<T, V>(gradAvg, i, ga);
    const variance = fma<T, V>(neg<T, V>(ga), mul<T, V>(gradAvgScale, ga), s);
    avg = epsInRoot ? sqrt<T, V>(add<T, V>(variance, eps)) : add<T, V>(sqrt<T, V>(variance), eps);
  } else {
    avg = epsInRoot ? sqrt<T, V>(add<T, V>(s, eps)) : add<T, V>(sqrt<T, V>(s), eps);
  }
  if (withMomentum) {
    const scaled = mul<T, V>(momentumScale, div<T, V>(g, avg));
    const b = add<T, V>(mul<T, V>(loadAt<T, V>(momentumBuffer, i), momentum), scaled);
    storeAt<T, V>(momentumBuffer, i, b);
    const step = nesterov ? add<T, V>(mul<T, V>(momentum, b), scaled) : b;
    storeAt<T, V>(param, i, fma<T, V>(negLr, step, p));
  } else {
    storeAt<T, V>(param, i, add<T, V>(p, div<T, V>(mul<T, V>(negLr, g), avg)));
  }
}
