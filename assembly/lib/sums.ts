// Sums in double over vectors of T (f32x4 or f64x2), for reductions whose order the SIMD body, the
// scalar build and the reference share. A run of values is summed as `lanes` partial sums (4 for
// float32, 2 for float64), value k going to partial k mod lanes in increasing k, the partials added
// as ((s0 + s1) + s2) + s3; the SIMD body keeps partials 0 and 1 in `low`, 2 and 3 in `high`.

/** low + the squares, in double, of lanes 0 and 1 of x (f32x4), or of both lanes (f64x2). */
@inline export function addSquaresLow<T>(low: v128, x: v128): v128 {
  if (sizeof<T>() == 4) {
    const wide = f64x2.promote_low_f32x4(x);
    return f64x2.add(low, f64x2.mul(wide, wide));
  }
  return f64x2.add(low, f64x2.mul(x, x));
}

/** high + the squares, in double, of lanes 2 and 3 of x (f32x4); high itself for f64x2. */
@inline export function addSquaresHigh<T>(high: v128, x: v128): v128 {
  if (sizeof<T>() == 4) {
    const wide = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
    return f64x2.add(high, f64x2.mul(wide, wide));
  }
  return high;
}

/** The lanes of x (f32x4 or f64x2) in double: lanes 0 and 1. */
@inline export function lowInDouble<T>(x: v128): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(x) : x;
}

/** Lanes 2 and 3 of an f32x4 in double (nothing for f64x2). */
@inline export function highInDouble<T>(x: v128): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3)) : f64x2.splat(0);
}

/** low / d and high / d rounded to T, as one vector of T (high unused for f64x2). */
@inline export function quotientsOf<T>(low: v128, high: v128, d: f64): v128 {
  const divisor = f64x2.splat(d);
  if (sizeof<T>() == 4) {
    return v128.shuffle<f32>(
      f32x4.demote_f64x2_zero(f64x2.div(low, divisor)),
      f32x4.demote_f64x2_zero(f64x2.div(high, divisor)),
      0, 1, 4, 5,
    );
  }
  return f64x2.div(low, divisor);
}

/** The partial sums added in the shared order: ((s0 + s1) + s2) + s3. */
@inline export function partialsTotal(s0: f64, s1: f64, s2: f64, s3: f64): f64 {
  return ((s0 + s1) + s2) + s3;
}
