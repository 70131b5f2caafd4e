// Gradient reductions and rescaling over a tensor table, for gradient clipping and for detecting
// non-finite gradients. They read the table of any optimizer kernel (u32 words [n, param, grad,
// ...state], `stride` bytes per entry; see generate.js), so that they run over a parameter
// group's existing table, and touch only the gradients.
//
// Sums have one fixed order in every build, which the plain-JS reference (reference/clipping.ts)
// repeats: element i of every tensor goes to accumulator a[i % 4] (float64, float32 values
// promoted exactly), the accumulators run on through the tensors of the table, and the result is
// (a0 + a2) + (a1 + a3). The SIMD build keeps a0..a3 in two f64x2 vectors, the scalar build in
// four locals: the same operations in the same order, so the sums are bit-identical.

import { abs, add, div, lanesOf, max, min, mul } from "./lib/lanes";

/** Which term a sum adds up for an element x. */
const SQUARE = 0; // x²
const ABS = 1; // |x|
const POWER = 2; // |x|^p (the scalar loop in every build: SIMD has no pow)

@inline function term(mode: i32, x: f64, p: f64): f64 {
  if (mode == SQUARE) return x * x;
  if (mode == ABS) return f64.abs(x);
  return Math.pow(f64.abs(x), p);
}

@inline function elementAt<T>(grad: usize, i: usize): f64 {
  return <f64>load<T>(grad + i * sizeof<T>());
}

/** The SIMD terms of elements i..i+3 as two f64x2 vectors (elements i, i+1 and i+2, i+3). */
@inline function termsLow<T>(mode: i32, grad: usize, i: usize): v128 {
  let v: v128;
  if (sizeof<T>() == 4) v = f64x2.promote_low_f32x4(v128.load(grad + i * 4));
  else v = v128.load(grad + i * 8);
  return mode == SQUARE ? f64x2.mul(v, v) : f64x2.abs(v);
}

@inline function termsHigh<T>(mode: i32, grad: usize, i: usize): v128 {
  let v: v128;
  if (sizeof<T>() == 4) v = f64x2.promote_low_f32x4(v128.load(grad + i * 4 + 8));
  else v = v128.load(grad + i * 8 + 16);
  return mode == SQUARE ? f64x2.mul(v, v) : f64x2.abs(v);
}

@inline function sumOf<T>(mode: i32, table: usize, count: usize, stride: usize, p: f64): f64 {
  let a0: f64 = 0;
  let a1: f64 = 0;
  let a2: f64 = 0;
  let a3: f64 = 0;
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * stride;
    const n = <usize>load<u32>(entry);
    const grad = <usize>load<u32>(entry, 8);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD && mode != POWER) {
      let low = f64x2(a0, a1);
      let high = f64x2(a2, a3);
      for (; i + 4 <= n; i += 4) {
        low = f64x2.add(low, termsLow<T>(mode, grad, i));
        high = f64x2.add(high, termsHigh<T>(mode, grad, i));
      }
      a0 = f64x2.extract_lane(low, 0);
      a1 = f64x2.extract_lane(low, 1);
      a2 = f64x2.extract_lane(high, 0);
      a3 = f64x2.extract_lane(high, 1);
    } else {
      for (; i + 4 <= n; i += 4) {
        a0 += term(mode, elementAt<T>(grad, i), p);
        a1 += term(mode, elementAt<T>(grad, i + 1), p);
        a2 += term(mode, elementAt<T>(grad, i + 2), p);
        a3 += term(mode, elementAt<T>(grad, i + 3), p);
      }
    }
    // The tail: at most three elements, to a0, a1 and a2.
    if (i < n) a0 += term(mode, elementAt<T>(grad, i), p);
    if (i + 1 < n) a1 += term(mode, elementAt<T>(grad, i + 1), p);
    if (i + 2 < n) a2 += term(mode, elementAt<T>(grad, i + 2), p);
  }
  return (a0 + a2) + (a1 + a3);
}

/** Σ grad² over every gradient of the table (`stride` bytes per entry), float64, in the fixed order. */
export function grad_sum_squares_f32(table: usize, count: usize, stride: usize): f64 {
  return sumOf<f32>(SQUARE, table, count, stride, 2);
}

/** Σ grad² over every float64 gradient of the table. */
export function grad_sum_squares_f64(table: usize, count: usize, stride: usize): f64 {
  return sumOf<f64>(SQUARE, table, count, stride, 2);
}

/** Σ |grad| over every float32 gradient of the table. */
export function grad_sum_abs_f32(table: usize, count: usize, stride: usize): f64 {
  return sumOf<f32>(ABS, table, count, stride, 1);
}

/** Σ |grad| over every float64 gradient of the table. */
export function grad_sum_abs_f64(table: usize, count: usize, stride: usize): f64 {
  return sumOf<f64>(ABS, table, count, stride, 1);
}

/** Σ |grad|^p over every float32 gradient of the table (a scalar loop in every build). */
export function grad_sum_pow_f32(table: usize, count: usize, stride: usize, p: f64): f64 {
  return sumOf<f32>(POWER, table, count, stride, p);
}

/** Σ |grad|^p over every float64 gradient of the table. */
export function grad_sum_pow_f64(table: usize, count: usize, stride: usize, p: f64): f64 {
  return sumOf<f64>(POWER, table, count, stride, p);
}

@inline function maxAbsOf<T>(table: usize, count: usize, stride: usize): f64 {
  // NaN wins every max (Wasm's max, as JS's Math.max): a NaN gradient gives a NaN norm.
  let best: T = 0;
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * stride;
    const n = <usize>load<u32>(entry);
    const grad = <usize>load<u32>(entry, 8);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const lanes = lanesOf<T>();
      let vector = v128.splat<T>(best);
      for (; i + lanes <= n; i += lanes) {
        const v = v128.load(grad + i * sizeof<T>());
        vector = max<T, v128>(vector, abs<T, v128>(v));
      }
      if (sizeof<T>() == 4) {
        best = <T>f32.max(f32.max(f32x4.extract_lane(vector, 0), f32x4.extract_lane(vector, 1)),
          f32.max(f32x4.extract_lane(vector, 2), f32x4.extract_lane(vector, 3)));
      } else {
        best = <T>f64.max(f64x2.extract_lane(vector, 0), f64x2.extract_lane(vector, 1));
      }
    }
    for (; i < n; i++) best = max<T, T>(best, abs<T, T>(load<T>(grad + i * sizeof<T>())));
  }
  return <f64>best;
}

/** max |grad| over every float32 gradient of the table (NaN if any is NaN; 0 for no elements). */
export function grad_max_abs_f32(table: usize, count: usize, stride: usize): f64 {
  return maxAbsOf<f32>(table, count, stride);
}

/** max |grad| over every float64 gradient of the table. */
export function grad_max_abs_f64(table: usize, count: usize, stride: usize): f64 {
  return maxAbsOf<f64>(table, count, stride);
}

@inline function allFiniteOf<T>(table: usize, count: usize, stride: usize): bool {
  // x·0 is ±0 for a finite x and NaN for NaN or ±Inf; a sum of them is NaN exactly when one is.
  let probe: T = 0;
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * stride;
    const n = <usize>load<u32>(entry);
    const grad = <usize>load<u32>(entry, 8);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const lanes = lanesOf<T>();
      let vector = v128.splat<T>(0);
      const zero = v128.splat<T>(0);
      for (; i + lanes <= n; i += lanes) {
        const v = v128.load(grad + i * sizeof<T>());
        vector = add<T, v128>(vector, mul<T, v128>(v, zero));
      }
      if (sizeof<T>() == 4) {
        probe += f32x4.extract_lane(vector, 0) + f32x4.extract_lane(vector, 1)
          + f32x4.extract_lane(vector, 2) + f32x4.extract_lane(vector, 3);
      } else {
        probe += f64x2.extract_lane(vector, 0) + f64x2.extract_lane(vector, 1);
      }
    }
    for (; i < n; i++) probe += load<T>(grad + i * sizeof<T>()) * <T>0;
  }
  return probe == probe;
}

/** True when every float32 gradient of the table is finite (no NaN, no ±Inf). */
export function grad_all_finite_f32(table: usize, count: usize, stride: usize): bool {
  return allFiniteOf<f32>(table, count, stride);
}

/** True when every float64 gradient of the table is finite. */
export function grad_all_finite_f64(table: usize, count: usize, stride: usize): bool {
  return allFiniteOf<f64>(table, count, stride);
}

@inline function scaleOf<T>(table: usize, count: usize, stride: usize, factor: f64): void {
  const f = <T>factor; // rounded to the element type once, as the optimizer kernels round scalars
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * stride;
    const n = <usize>load<u32>(entry);
    const grad = <usize>load<u32>(entry, 8);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const lanes = lanesOf<T>();
      const fv = v128.splat<T>(f);
      for (; i + lanes <= n; i += lanes) {
        const address = grad + i * sizeof<T>();
        v128.store(address, mul<T, v128>(v128.load(address), fv));
      }
    }
    for (; i < n; i++) {
      const address = grad + i * sizeof<T>();
      store<T>(address, load<T>(address) * f);
    }
  }
}

/** grad ← grad·factor for every float32 gradient of the table (factor rounded to float32 first). */
export function grad_scale_f32(table: usize, count: usize, stride: usize, factor: f64): void {
  scaleOf<f32>(table, count, stride, factor);
}

/** grad ← grad·factor for every float64 gradient of the table. */
export function grad_scale_f64(table: usize, count: usize, stride: usize, factor: f64): void {
  scaleOf<f64>(table, count, stride, factor);
}

@inline function clipNormOf<T>(table: usize, count: usize, stride: usize, clipNorm: f64): void {
  const c = <T>clipNorm;
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * stride;
    const n = <usize>load<u32>(entry);
    const grad = <usize>load<u32>(entry, 8);
    // This tensor's norm, its sum in the fixed order of every reduction here, rounded to T.
    const norm = <T>Math.sqrt(sumOf<T>(SQUARE, entry, 1, stride, 2));
    const divisor = max<T, T>(norm, c);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const lanes = lanesOf<T>();
      const cV = v128.splat<T>(c);
      const divisorV = v128.splat<T>(divisor);
      for (; i + lanes <= n; i += lanes) {
        const address = grad + i * sizeof<T>();
        v128.store(address, div<T, v128>(mul<T, v128>(v128.load(address), cV), divisorV));
      }
    }
    for (; i < n; i++) {
      const address = grad + i * sizeof<T>();
      store<T>(address, div<T, T>(mul<T, T>(load<T>(address), c), divisor));
    }
  }
}

/**
 * grad ← grad·c / max(‖grad‖₂, c) for each float32 gradient of the table on its own (Keras's
 * clipnorm): the product, then the quotient, each rounded to float32 as Keras computes them, with
 * c and the tensor's norm (its float64 sum in the fixed order, square-rooted) rounded to float32.
 * A tensor of norm ≤ c is unchanged but for that rounding; a NaN norm makes the tensor NaN.
 */
export function grad_clip_norm_f32(table: usize, count: usize, stride: usize, clipNorm: f64): void {
  clipNormOf<f32>(table, count, stride, clipNorm);
}

/** grad ← grad·c / max(‖grad‖₂, c) for each float64 gradient of the table on its own. */
export function grad_clip_norm_f64(table: usize, count: usize, stride: usize, clipNorm: f64): void {
  clipNormOf<f64>(table, count, stride, clipNorm);
}

@inline function clampOf<T>(table: usize, count: usize, stride: usize, limit: f64): void {
  const high = <T>limit;
  const low = -high;
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * stride;
    const n = <usize>load<u32>(entry);
    const grad = <usize>load<u32>(entry, 8);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const lanes = lanesOf<T>();
      const highV = v128.splat<T>(high);
      const lowV = v128.splat<T>(low);
      for (; i + lanes <= n; i += lanes) {
        const address = grad + i * sizeof<T>();
        const v = v128.load(address);
        v128.store(address, min<T, v128>(max<T, v128>(v, lowV), highV));
      }
    }
    for (; i < n; i++) {
      const address = grad + i * sizeof<T>();
      store<T>(address, min<T, T>(max<T, T>(load<T>(address), low), high));
    }
  }
}

/** grad ← min(max(grad, −limit), limit) for every float32 gradient (torch's clamp_; NaN stays NaN). */
export function grad_clamp_f32(table: usize, count: usize, stride: usize, limit: f64): void {
  clampOf<f32>(table, count, stride, limit);
}

/** grad ← min(max(grad, −limit), limit) for every float64 gradient. */
export function grad_clamp_f64(table: usize, count: usize, stride: usize, limit: f64): void {
  clampOf<f64>(table, count, stride, limit);
}
