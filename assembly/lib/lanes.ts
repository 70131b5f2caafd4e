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
