// bfloat16 storage of float32 values, four lanes or one element at a time: a bfloat16 is the high
// half of a float32 (u16 words in memory). Widening is exact; narrowing rounds to nearest, ties to
// even, and turns every NaN into 0x7FC0, as torch's `round_to_nearest_even` does.

// The vectors of the rounding, read from memory where they are used: V8 builds a v128 constant
// anew at each use inside a loop (three instructions), and reads one of these with one.
const ROUNDING_VECTORS = memory.data<i32>([
  1, 1, 1, 1, // the lowest bit kept
  0x7fff, 0x7fff, 0x7fff, 0x7fff, // half an ulp of bfloat16, less one
  0x7fc0, 0x7fc0, 0x7fc0, 0x7fc0, // torch's NaN
], 16);

/** Element `i` of the bfloat16 array at `base` as float32 (four of them when V is v128). */
@inline export function loadBfloat16<V>(base: usize, i: usize): V {
  if (isVector<V>()) return i32x4.shl(v128.load16x4_u(base + (i << 1)), 16);
  return reinterpret<f32>(<u32>load<u16>(base + (i << 1)) << 16);
}

/** Stores `x` rounded to nearest-even bfloat16 as element `i` of the array at `base`. */
@inline export function storeBfloat16<V>(base: usize, i: usize, x: V): void {
  if (isVector<V>()) {
    const words = bfloat16Words(<v128>x);
    v128.store64_lane(base + (i << 1), i16x8.narrow_i32x4_u(words, words), 0);
    return;
  }
  store<u16>(base + (i << 1), <u16>bfloat16Word(<f32>x));
}

/** `x` rounded to nearest-even bfloat16, as float32 (four lanes when V is v128). */
@inline export function roundToBfloat16<V>(x: V): V {
  if (isVector<V>()) return <V>i32x4.shl(bfloat16Words(<v128>x), 16);
  return <V>reinterpret<f32>(bfloat16Word(<f32>x) << 16);
}

/** The bfloat16 words of four float32 lanes, rounded to nearest even (every NaN 0x7FC0), one per i32 lane. */
@inline function bfloat16Words(bits: v128): v128 {
  const lowestKept = v128.and(i32x4.shr_u(bits, 16), v128.load(ROUNDING_VECTORS));
  const bias = i32x4.add(lowestKept, v128.load(ROUNDING_VECTORS, 16));
  const rounded = i32x4.shr_u(i32x4.add(bits, bias), 16);
  return v128.bitselect(v128.load(ROUNDING_VECTORS, 32), rounded, f32x4.ne(bits, bits));
}

/** The bfloat16 word of one float32, rounded to nearest even (every NaN 0x7FC0). */
@inline function bfloat16Word(value: f32): u32 {
  const bits = reinterpret<u32>(value);
  const rounded = (bits + (((bits >> 16) & 1) + 0x7fff)) >> 16;
  return select<u32>(0x7fc0, rounded, value != value);
}
