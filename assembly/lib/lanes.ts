// Arithmetic written once for two shapes of operand: a SIMD vector (V = v128, holding f32x4 or
// f64x2 according to T) or one element (V = T). T is f32 or f64. Every helper is @inline and
// branches only on compile-time constants, so an update rule written with them becomes straight
// SIMD code in the vector loop and straight scalar code in the tail, with no call left behind.

/** Elements of T in one 128-bit vector. */
@inline export function lanesOf<T>(): usize {
  return 16 / sizeof<T>();
}

/** Loads element `i` of the T array at byte address `base` (a whole vector when V is v128). */
@inline export function loadAt<T, V>(base: usize, i: usize): V {
  return load<V>(base + i * sizeof<T>());
}

@inline export function storeAt<T, V>(base: usize, i: usize, value: V): void {
  store<V>(base + i * sizeof<T>(), value);
}

@inline export function splat<T, V>(x: T): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.splat(<f32>x);
    return f64x2.splat(<f64>x);
  }
  return x;
}

@inline export function add<T, V>(a: V, b: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.add(a, b);
    return f64x2.add(a, b);
  }
  return a + b;
}

@inline export function sub<T, V>(a: V, b: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.sub(a, b);
    return f64x2.sub(a, b);
  }
  return a - b;
}

@inline export function mul<T, V>(a: V, b: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.mul(a, b);
    return f64x2.mul(a, b);
  }
  return a * b;
}

@inline export function div<T, V>(a: V, b: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.div(a, b);
    return f64x2.div(a, b);
  }
  return a / b;
}

@inline export function sqrt<T, V>(a: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.sqrt(a);
    return f64x2.sqrt(a);
  }
  if (sizeof<T>() == 4) return f32.sqrt(a);
  return f64.sqrt(a);
}

@inline export function abs<T, V>(a: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.abs(a);
    return f64x2.abs(a);
  }
  if (sizeof<T>() == 4) return f32.abs(a);
  return f64.abs(a);
}

@inline export function neg<T, V>(a: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.neg(a);
    return f64x2.neg(a);
  }
  return -a;
}

/** IEEE maximum as Wasm defines it (and JS's Math.max): NaN if either is NaN, +0 above -0. */
@inline export function max<T, V>(a: V, b: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.max(a, b);
    return f64x2.max(a, b);
  }
  if (sizeof<T>() == 4) return f32.max(a, b);
  return f64.max(a, b);
}

/** IEEE minimum: NaN if either is NaN, -0 below +0. */
@inline export function min<T, V>(a: V, b: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return f32x4.min(a, b);
    return f64x2.min(a, b);
  }
  if (sizeof<T>() == 4) return f32.min(a, b);
  return f64.min(a, b);
}

/** `x > 0 ? ifTrue : ifFalse`, lane by lane. */
@inline export function whereAboveZero<T, V>(x: V, ifTrue: V, ifFalse: V): V {
  if (isVector<V>()) {
    const zero = splat<T, V>(0);
    if (sizeof<T>() == 4) return v128.bitselect(ifTrue, ifFalse, f32x4.gt(x, zero));
    return v128.bitselect(ifTrue, ifFalse, f64x2.gt(x, zero));
  }
  return select<V>(ifTrue, ifFalse, x > <V>0);
}

/** `x < 0 ? ifTrue : ifFalse`, lane by lane. */
@inline export function whereBelowZero<T, V>(x: V, ifTrue: V, ifFalse: V): V {
  if (isVector<V>()) {
    const zero = splat<T, V>(0);
    if (sizeof<T>() == 4) return v128.bitselect(ifTrue, ifFalse, f32x4.lt(x, zero));
    return v128.bitselect(ifTrue, ifFalse, f64x2.lt(x, zero));
  }
  return select<V>(ifTrue, ifFalse, x < <V>0);
}

/** `x < limit ? ifTrue : ifFalse`, lane by lane (false for NaN). */
@inline export function whereBelow<T, V>(x: V, limit: V, ifTrue: V, ifFalse: V): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) return v128.bitselect(ifTrue, ifFalse, f32x4.lt(x, limit));
    return v128.bitselect(ifTrue, ifFalse, f64x2.lt(x, limit));
  }
  return select<V>(ifTrue, ifFalse, x < limit);
}

/** `x == 0 ? ifTrue : ifFalse`, lane by lane (true for -0 too, false for NaN). */
@inline export function whereZero<T, V>(x: V, ifTrue: V, ifFalse: V): V {
  if (isVector<V>()) {
    const zero = splat<T, V>(0);
    if (sizeof<T>() == 4) return v128.bitselect(ifTrue, ifFalse, f32x4.eq(x, zero));
    return v128.bitselect(ifTrue, ifFalse, f64x2.eq(x, zero));
  }
  return select<V>(ifTrue, ifFalse, x == <V>0);
}

/**
 * a·b + c, the multiply-add of torch's `add(x, alpha=…)` and `addcmul`. MULTIPLY_ADD, a
 * compile-time constant of each binary (build.js), says how float32 rounds it:
 *   0  separately: the product rounded, then the sum (the cheapest; a few units in the last place
 *      away from torch);
 *   1  once, as an FMA instruction, emulated: exact in float64, the sum rounded to odd, then to
 *      float32 (see `sumRoundedToOdd`), bit-identical to torch's float32 CPU kernels;
 *   2  once, with relaxed SIMD's `relaxed_madd` in the vector body (the host uses this binary only
 *      after a probe has shown that this engine fuses it) and the emulation in the tail.
 * float64 is always rounded separately: a correctly rounded float64 multiply-add has no cheap
 * emulation, and a result must not depend on the engine.
 */
@inline export function fma<T, V>(a: V, b: V, c: V): V {
  if (MULTIPLY_ADD == 0 || sizeof<T>() == 8) return add<T, V>(mul<T, V>(a, b), c);
  if (isVector<V>()) {
    if (MULTIPLY_ADD == 2) return f32x4.relaxed_madd(a, b, c);
    const productLow = f64x2.mul(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b));
    const productHigh = f64x2.mul(f64x2.promote_low_f32x4(upperHalf(a)), f64x2.promote_low_f32x4(upperHalf(b)));
    const cLow = f64x2.promote_low_f32x4(c), cHigh = f64x2.promote_low_f32x4(upperHalf(c));
    let low = f64x2.add(productLow, cLow);
    let high = f64x2.add(productHigh, cHigh);
    if (v128.any_true(v128.or(mayRoundTwice(low), mayRoundTwice(high)))) {
      low = sumRoundedToOdd<v128>(productLow, cLow);
      high = sumRoundedToOdd<v128>(productHigh, cHigh);
    }
    return v128.shuffle<f32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
  }
  const sum = <f64>a * <f64>b + <f64>c;
  if (!mayRoundTwice<f64>(sum)) return <V>(<f32>sum);
  return <f32>sumRoundedToOdd<f64>(<f64>a * <f64>b, <f64>c);
}

/**
 * Whether rounding the double `sum` (the nearest double to an exact a·b + c) to float32 may differ
 * from rounding the exact value: only when the double is a float32 midpoint (the 29 bits below
 * float32's last are 1000…0; the exact value may lie on either side of it), or nonzero and below
 * float32's normal range (where the midpoints sit elsewhere). Otherwise no float32 midpoint lies
 * between the exact value and its nearest double, and one rounding of the double is exact.
 */
@inline function mayRoundTwice<V>(sum: V): V {
  if (isVector<V>()) {
    const midpoint = i64x2.eq(v128.and(sum, i64x2.splat(0x1fffffff)), i64x2.splat(0x10000000));
    const size = f64x2.abs(sum);
    const tiny = v128.and(f64x2.lt(size, f64x2.splat(MIN_NORMAL_F32)), f64x2.gt(size, f64x2.splat(0)));
    return v128.or(midpoint, tiny);
  }
  const size = f64.abs(<f64>sum);
  return <V>((reinterpret<i64>(<f64>sum) & 0x1fffffff) == 0x10000000 || (size < MIN_NORMAL_F32 && size > 0));
}

/** The smallest normal float32, 2⁻¹²⁶. */
const MIN_NORMAL_F32: f64 = 1.1754943508222875e-38;

/**
 * p + c in float64 rounded to odd (Boldo and Melquiond, IEEE TC 2008): when the sum is inexact,
 * the neighbour of the exact sum whose last bit is odd. p is the exact product of two float32, so
 * rounding this to float32 rounds a·b + c once, as an FMA does; rounding the nearest double
 * instead would round twice (a = b = 1 + 2⁻¹², c = 2⁻⁶⁰). The error comes from TwoSum; a NaN
 * error (an infinite or NaN sum) leaves the sum as it is.
 */
@inline function sumRoundedToOdd<V>(p: V, c: V): V {
  if (isVector<V>()) {
    const sum = f64x2.add(p, c);
    const cPart = f64x2.sub(sum, p);
    const error = f64x2.add(f64x2.sub(p, f64x2.sub(sum, cPart)), f64x2.sub(c, cPart));
    const inexact = f64x2.gt(f64x2.abs(error), f64x2.splat(0));
    const one = i64x2.splat(1);
    const awayFromZero = i64x2.ge_s(v128.xor(error, sum), i64x2.splat(0)); // same signs
    const odd = v128.bitselect(v128.or(sum, one), v128.or(i64x2.sub(sum, one), one), awayFromZero);
    return v128.bitselect(odd, sum, inexact);
  }
  const sum = <f64>p + <f64>c;
  const cPart = sum - <f64>p;
  const error = (<f64>p - (sum - cPart)) + (<f64>c - cPart);
  if (!(f64.abs(error) > 0)) return <V>sum;
  const bits = reinterpret<i64>(sum);
  const odd = (error > 0) == (sum > 0) ? bits | 1 : (bits - 1) | 1;
  return <V>reinterpret<f64>(odd);
}

/** Lanes 2 and 3 of an f32x4, moved to lanes 0 and 1. */
@inline function upperHalf(a: v128): v128 {
  return v128.shuffle<f32>(a, a, 2, 3, 2, 3);
}
