// RMSprop (torch.optim.RMSprop, 1.13), plain, centered and with momentum:
//   g = grad·gradScale + weightDecay·p        s ← α·s + (1−α)·g²
//   centered: ḡ ← α·ḡ + (1−α)·g,  avg = √(s − ḡ²) + ε;   otherwise avg = √s + ε
//   momentum: b ← μ·b + g / avg,  p ← p − lr·b;          otherwise p ← p − lr·g / avg
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma, neg } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare } from "../lib/rules";

@inline function rmspropAt<T, V>(
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

@inline function rmspropStep<T>(
  param: usize, grad: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, n: usize,
  gradScale: T, weightDecay: T, alpha: T, oneMinusAlpha: T, eps: T, momentum: T, negLr: T,
  centered: bool,
): void {
  const coupled = weightDecay != 0;
  const withMomentum = momentum > 0;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), weightDecayV = splat<T, v128>(weightDecay);
    const alphaV = splat<T, v128>(alpha), oneMinusAlphaV = splat<T, v128>(oneMinusAlpha);
    const epsV = splat<T, v128>(eps), momentumV = splat<T, v128>(momentum);
    const negLrV = splat<T, v128>(negLr);
    for (; i + lanes <= n; i += lanes) {
      rmspropAt<T, v128>(i, param, grad, squareAvg, gradAvg, momentumBuffer, gradScaleV,
        weightDecayV, alphaV, oneMinusAlphaV, epsV, momentumV, negLrV, coupled, centered, withMomentum);
    }
  }
  for (; i < n; i++) {
    rmspropAt<T, T>(i, param, grad, squareAvg, gradAvg, momentumBuffer, gradScale,
      weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, coupled, centered, withMomentum);
  }
}

/**
 * One RMSprop step over `n` float32 elements, in place. `param`, `grad`, `squareAvg`, and when used
 * `gradAvg` (centered) and `momentumBuffer` (momentum > 0) are byte addresses of float32 arrays of
 * length `n` (16-byte aligned for full speed); unused ones are ignored. Four lanes at a time, then
 * the last `n % 4` elements one by one with the same rule.
 */
export function rmsprop_step_f32(
  param: usize, grad: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, n: usize,
  gradScale: f32, weightDecay: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, momentum: f32,
  negLr: f32, centered: bool,
): void {
  rmspropStep<f32>(param, grad, squareAvg, gradAvg, momentumBuffer, n, gradScale, weightDecay,
    alpha, oneMinusAlpha, eps, momentum, negLr, centered);
}

/** `rmsprop_step_f32` over float64 arrays (two lanes at a time). */
export function rmsprop_step_f64(
  param: usize, grad: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, n: usize,
  gradScale: f64, weightDecay: f64, alpha: f64, oneMinusAlpha: f64, eps: f64, momentum: f64,
  negLr: f64, centered: bool,
): void {
  rmspropStep<f64>(param, grad, squareAvg, gradAvg, momentumBuffer, n, gradScale, weightDecay,
    alpha, oneMinusAlpha, eps, momentum, negLr, centered);
}
