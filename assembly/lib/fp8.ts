// float8_e4m3fn codes as torch converts a float32 to them (c10's fp8e4m3fn_from_fp32_value): round
// to nearest, ties to even, magnitudes from 480 up (and NaN) to the NaN code 0x7f, the sign kept.
// Below 2⁻⁶ (subnormal codes, steps of 2⁻⁹) a float addition of 2¹⁴ rounds the magnitude to its
// step; above, the integer bits are rounded to 3 mantissa bits and rebased to exponent bias 7.
// The codes' values are a table (generated/maps.ts FLOAT8_E4M3FN), read as the 8-bit maps are.

const SUBNORMAL_LIMIT: u32 = 121 << 23; // 2⁻⁶, the least normal e4m3 magnitude
const NAN_LIMIT: u32 = 1087 << 20; // 480, the least magnitude that is no e4m3 value
const SUBNORMAL_MAGIC: u32 = 141 << 23; // 2¹⁴: one unit in its last place is 2⁻⁹
const REBIAS: u32 = <u32>((7 - 127) << 23) + 0x7ffff; // to bias 7, plus just under half a step

// The vectors of `e4m3Codes`, read from memory (V8 rebuilds a v128 constant at each use in a loop).
const FP8_VECTORS = memory.data<u32>([
  0x80000000, 0x80000000, 0x80000000, 0x80000000,
  SUBNORMAL_LIMIT, SUBNORMAL_LIMIT, SUBNORMAL_LIMIT, SUBNORMAL_LIMIT,
  NAN_LIMIT, NAN_LIMIT, NAN_LIMIT, NAN_LIMIT,
  SUBNORMAL_MAGIC, SUBNORMAL_MAGIC, SUBNORMAL_MAGIC, SUBNORMAL_MAGIC,
  REBIAS, REBIAS, REBIAS, REBIAS,
  1, 1, 1, 1,
  0x7f, 0x7f, 0x7f, 0x7f,
], 16);

/** The e4m3fn code of x. */
@inline export function e4m3Code(x: f32): u32 {
  const bits = reinterpret<u32>(x);
  const sign = bits & 0x80000000;
  const magnitude = bits ^ sign;
  let code: u32;
  if (magnitude >= NAN_LIMIT) code = 0x7f;
  else if (magnitude < SUBNORMAL_LIMIT)
    code = reinterpret<u32>(reinterpret<f32>(magnitude) + reinterpret<f32>(SUBNORMAL_MAGIC)) - SUBNORMAL_MAGIC;
  else code = (magnitude + REBIAS + ((magnitude >> 20) & 1)) >> 20;
  return code | (sign >> 24);
}

/** The e4m3fn codes of four lanes, one per i32 lane (each path's other lanes are discarded by the selects). */
@inline export function e4m3Codes(x: v128): v128 {
  const sign = v128.and(x, v128.load(FP8_VECTORS));
  const magnitude = v128.xor(x, sign);
  const subnormal = i32x4.sub(
    f32x4.add(magnitude, v128.load(FP8_VECTORS, 48)),
    v128.load(FP8_VECTORS, 48),
  );
  const odd = v128.and(i32x4.shr_u(magnitude, 20), v128.load(FP8_VECTORS, 80));
  const normal = i32x4.shr_u(i32x4.add(i32x4.add(magnitude, v128.load(FP8_VECTORS, 64)), odd), 20);
  // Magnitudes are below 2³¹, so signed comparisons order them.
  let code = v128.bitselect(subnormal, normal, i32x4.lt_s(magnitude, v128.load(FP8_VECTORS, 16)));
  code = v128.bitselect(v128.load(FP8_VECTORS, 96), code, i32x4.ge_s(magnitude, v128.load(FP8_VECTORS, 32)));
  return v128.or(code, i32x4.shr_u(sign, 24));
}

/** Stores the e4m3fn codes of x (four lanes when V is v128) as element `i` of the u8 array at `codes`. */
@inline export function storeE4m3<V>(codes: usize, i: usize, x: V): void {
  if (isVector<V>()) {
    const code = e4m3Codes(<v128>x);
    const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(code, code), i16x8.narrow_i32x4_u(code, code));
    v128.store32_lane(codes + i, bytes, 0);
    return;
  }
  store<u8>(codes + i, <u8>e4m3Code(<f32>x));
}
