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
 * a·b + c, the multiply-add of torch's `add(x, alpha=…)` and `addcmul`. The binaries built with
 * FUSED_MULTIPLY_ADD=1 (a compile-time constant set by asconfig.json's `use`) round it once, as
 * torch's float32 CPU kernels (FMA instructions) do, so that float32 results are bit-identical to
 * torch's: computed in float64, where a product of two float32 is exact, then rounded to float32
 * (Math.fround(a * b + c) in JS is the same). The others round the product and the sum
 * separately, which is several times cheaper in SIMD and differs from torch by a few units in the
 * last place. For float64 both compute a·b then + c: WebAssembly has no deterministic fused
 * multiply-add.
 */
@inline export function fma<T, V>(a: V, b: V, c: V): V {
  if (!FUSED_MULTIPLY_ADD || sizeof<T>() == 8) return add<T, V>(mul<T, V>(a, b), c);
  if (isVector<V>()) {
    const low = f64x2.add(
      f64x2.mul(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b)), f64x2.promote_low_f32x4(c));
    const high = f64x2.add(
      f64x2.mul(f64x2.promote_low_f32x4(upperHalf(a)), f64x2.promote_low_f32x4(upperHalf(b))),
      f64x2.promote_low_f32x4(upperHalf(c)));
    return v128.shuffle<f32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
  }
  return <f32>(<f64>a * <f64>b + <f64>c);
}

/** Lanes 2 and 3 of an f32x4, moved to lanes 0 and 1. */
@inline function upperHalf(a: v128): v128 {
  return v128.shuffle<f32>(a, a, 2, 3, 2, 3);
}
