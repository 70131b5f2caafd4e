// SGD with momentum, dampening, Nesterov and weight decay (torch.optim.SGD, 1.13):
//   g = grad·gradScale + weightDecay·p
//   b ← g on the first step, then b ← momentum·b + (1 − dampening)·g
//   d = g + momentum·b (Nesterov) or d = b (momentum) or d = g (no momentum)
//   p ← p − lr·d
import { lanesOf, loadAt, storeAt, splat, fma } from "../lib/lanes";
import { effectiveGradient, ema } from "../lib/rules";

@inline function sgdAt<T, V>(
  i: usize, param: usize, grad: usize, momentumBuffer: usize,
  gradScale: V, weightDecay: V, momentum: V, oneMinusDampening: V, negLr: V,
  coupled: bool, withMomentum: bool, firstStep: bool, nesterov: bool,
): void {
  const p = loadAt<T, V>(param, i);
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

@inline function sgdLoop<T>(
  param: usize, grad: usize, momentumBuffer: usize, n: usize,
  gradScale: T, weightDecay: T, momentum: T, oneMinusDampening: T, negLr: T,
  coupled: bool, withMomentum: bool, firstStep: bool, nesterov: bool,
): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), weightDecayV = splat<T, v128>(weightDecay);
    const momentumV = splat<T, v128>(momentum), oneMinusDampeningV = splat<T, v128>(oneMinusDampening);
    const negLrV = splat<T, v128>(negLr);
    for (; i + lanes <= n; i += lanes) {
      sgdAt<T, v128>(i, param, grad, momentumBuffer, gradScaleV, weightDecayV, momentumV,
        oneMinusDampeningV, negLrV, coupled, withMomentum, firstStep, nesterov);
    }
  }
  for (; i < n; i++) {
    sgdAt<T, T>(i, param, grad, momentumBuffer, gradScale, weightDecay, momentum,
      oneMinusDampening, negLr, coupled, withMomentum, firstStep, nesterov);
  }
}

// SGD does so little per element that a branch on an option inside the loop costs it about half
// its speed, so each steady-state combination of options gets its own loop, the options passed as
// literals that the compiler folds away. (The other kernels are bound by their divisions and
// square roots, and gain nothing from this.) The first momentum step keeps runtime flags.
@inline function sgdStep<T>(
  p: usize, g: usize, b: usize, n: usize,
  gradScale: T, weightDecay: T, momentum: T, oneMinusDampening: T, negLr: T,
  firstStep: bool, nesterov: bool,
): void {
  const coupled = weightDecay != 0;
  const withMomentum = momentum != 0;
  const s = gradScale, wd = weightDecay, mu = momentum, damp = oneMinusDampening, lr = negLr;
  if (withMomentum && firstStep) sgdLoop<T>(p, g, b, n, s, wd, mu, damp, lr, coupled, true, true, nesterov);
  else if (!withMomentum && !coupled) sgdLoop<T>(p, g, b, n, s, wd, mu, damp, lr, false, false, false, false);
  else if (!withMomentum) sgdLoop<T>(p, g, b, n, s, wd, mu, damp, lr, true, false, false, false);
  else if (!nesterov && !coupled) sgdLoop<T>(p, g, b, n, s, wd, mu, damp, lr, false, true, false, false);
  else if (!nesterov) sgdLoop<T>(p, g, b, n, s, wd, mu, damp, lr, true, true, false, false);
  else if (!coupled) sgdLoop<T>(p, g, b, n, s, wd, mu, damp, lr, false, true, false, true);
  else sgdLoop<T>(p, g, b, n, s, wd, mu, damp, lr, true, true, false, true);
}

/**
 * One SGD step over `n` float32 elements, in place. `param`, `grad` and `momentumBuffer` are byte
 * addresses of float32 arrays of length `n` (16-byte aligned for full speed); `momentumBuffer` is
 * ignored when `momentum` is 0. On `firstStep` the buffer is set to the gradient, as torch does.
 * Four lanes at a time, then the last `n % 4` elements one by one with the same rule.
 */
export function sgd_step_f32(
  param: usize, grad: usize, momentumBuffer: usize, n: usize,
  gradScale: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32, negLr: f32,
  firstStep: bool, nesterov: bool,
): void {
  sgdStep<f32>(param, grad, momentumBuffer, n, gradScale, weightDecay, momentum,
    oneMinusDampening, negLr, firstStep, nesterov);
}

/** `sgd_step_f32` over float64 arrays (two lanes at a time). */
export function sgd_step_f64(
  param: usize, grad: usize, momentumBuffer: usize, n: usize,
  gradScale: f64, weightDecay: f64, momentum: f64, oneMinusDampening: f64, negLr: f64,
  firstStep: bool, nesterov: bool,
): void {
  sgdStep<f64>(param, grad, momentumBuffer, n, gradScale, weightDecay, momentum,
    oneMinusDampening, negLr, firstStep, nesterov);
}
