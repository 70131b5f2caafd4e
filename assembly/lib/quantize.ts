// Blockwise 8-bit state as torchao and bitsandbytes keep it: each element a u8 code into a
// 256-entry increasing map (maps.json), each block one float32 absolute maximum; the stored value
// is map[code]·absmax. Dequantizing is a table lookup per lane (Wasm SIMD has no gather);
// quantizing takes two lookups per lane in tables generated from the map (quantize-tables.js):
// a bucket of x's bits names the one candidate code, and one comparison with that code's threshold
// decides it, by the reference's rule (torchao: ties up; bitsandbytes: down).
import { QUANTIZE_BUCKET_BASE, QUANTIZE_BUCKETS_PER_SIGN } from "../generated/maps";

// The vectors `storeCodes` and `largerMagnitude` work with, read from memory where they are used:
// V8 builds a v128 constant anew at each use inside a loop (three instructions), and reads one of
// these with one.
const MAGNITUDE_BITS: i32 = 0x7fffffff;
const QUANTIZE_VECTORS = memory.data<i32>([
  MAGNITUDE_BITS, MAGNITUDE_BITS, MAGNITUDE_BITS, MAGNITUDE_BITS,
  QUANTIZE_BUCKET_BASE, QUANTIZE_BUCKET_BASE, QUANTIZE_BUCKET_BASE, QUANTIZE_BUCKET_BASE,
  QUANTIZE_BUCKETS_PER_SIGN - 1, QUANTIZE_BUCKETS_PER_SIGN - 1, QUANTIZE_BUCKETS_PER_SIGN - 1, QUANTIZE_BUCKETS_PER_SIGN - 1,
  QUANTIZE_BUCKETS_PER_SIGN, QUANTIZE_BUCKETS_PER_SIGN, QUANTIZE_BUCKETS_PER_SIGN, QUANTIZE_BUCKETS_PER_SIGN,
], 16);

/** map[code]·absmax for the codes of element `i` (four lanes when V is v128) of the u8 array at `codes`. */
@inline export function dequantize<V>(codes: usize, i: usize, map: usize, absmax: f32): V {
  if (isVector<V>()) {
    const word = load<u32>(codes + i);
    let v = v128.load32_zero(map + ((word & 0xff) << 2));
    v = v128.load32_lane(map + (((word >> 8) & 0xff) << 2), v, 1);
    v = v128.load32_lane(map + (((word >> 16) & 0xff) << 2), v, 2);
    v = v128.load32_lane(map + ((word >> 24) << 2), v, 3);
    return f32x4.mul(v, f32x4.splat(absmax));
  }
  return <V>(load<f32>(map + (<usize>load<u8>(codes + i) << 2)) * absmax);
}

/** The bucket of x's bits in a bucket table (quantize-tables.js): magnitude bits >> 15, clamped, and the sign's half. */
@inline function bucketOf(bits: u32): i32 {
  const index = min<i32>(max<i32>(<i32>((bits & 0x7fffffff) >> 15) - QUANTIZE_BUCKET_BASE, 0), QUANTIZE_BUCKETS_PER_SIGN - 1);
  return index + select<i32>(QUANTIZE_BUCKETS_PER_SIGN, 0, bits >> 31 != 0);
}

/**
 * The code of x, the number of a map's thresholds ≤ x (0 for NaN): the bucket's candidate c, then
 * one comparison with threshold[c]. With `thresholds` the map's TIES_UP table this is torchao's
 * rule (the nearest map value, ties up, below map[0] 0); with TIES_DOWN and `clampToUnit`,
 * bitsandbytes' (the float32 midpoints strictly below x, x clamped to [−1, 1]). Exact against the
 * binary search of reference/quantize.ts for every float32 (generate.js checks the tables).
 */
@inline export function codeOf(x: f32, buckets: usize, thresholds: usize, clampToUnit: bool): u32 {
  if (clampToUnit) x = min<f32>(max<f32>(x, -1), 1);
  const c = <u32>load<u8>(buckets + bucketOf(reinterpret<u32>(x)));
  const code = c + <u32>(x >= load<f32>(thresholds + (c << 2)));
  return select<u32>(0, code, x != x);
}

/** Stores the codes of the normalized values x (four lanes when V is v128) as element `i` of the u8 array at `codes`. */
@inline export function storeCodes<V>(
  codes: usize, i: usize, buckets: usize, thresholds: usize, x: V, clampToUnit: bool,
): void {
  if (isVector<V>()) {
    let v = <v128>x;
    // pmin and pmax are one x86 instruction each, and clamp as min and max do here: a NaN stays
    // itself (each keeps its first operand unless the comparison holds), and ±1 are not zeros.
    if (clampToUnit) v = f32x4.pmin(f32x4.pmax(v, f32x4.splat(-1)), f32x4.splat(1));
    // Bucket indices in SIMD, then a candidate and its threshold per lane (Wasm SIMD has no gather).
    const magnitude = i32x4.shr_u(v128.and(v, v128.load(QUANTIZE_VECTORS)), 15);
    let bucket = i32x4.sub(magnitude, v128.load(QUANTIZE_VECTORS, 16));
    bucket = i32x4.min_s(i32x4.max_s(bucket, i32x4.splat(0)), v128.load(QUANTIZE_VECTORS, 32));
    bucket = i32x4.add(bucket, v128.and(i32x4.shr_s(v, 31), v128.load(QUANTIZE_VECTORS, 48)));
    const c0 = <u32>load<u8>(buckets + i32x4.extract_lane(bucket, 0));
    const c1 = <u32>load<u8>(buckets + i32x4.extract_lane(bucket, 1));
    const c2 = <u32>load<u8>(buckets + i32x4.extract_lane(bucket, 2));
    const c3 = <u32>load<u8>(buckets + i32x4.extract_lane(bucket, 3));
    let candidates = i32x4.splat(c0);
    candidates = i32x4.replace_lane(candidates, 1, c1);
    candidates = i32x4.replace_lane(candidates, 2, c2);
    candidates = i32x4.replace_lane(candidates, 3, c3);
    let limits = v128.load32_zero(thresholds + (c0 << 2));
    limits = v128.load32_lane(thresholds + (c1 << 2), limits, 1);
    limits = v128.load32_lane(thresholds + (c2 << 2), limits, 2);
    limits = v128.load32_lane(thresholds + (c3 << 2), limits, 3);
    // c + 1 where x ≥ threshold (the mask is −1), then 0 for NaN.
    const code = v128.andnot(i32x4.sub(candidates, f32x4.ge(v, limits)), f32x4.ne(v, v));
    const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(code, code), i16x8.narrow_i32x4_u(code, code));
    v128.store32_lane(codes + i, bytes, 0);
    return;
  }
  store<u8>(codes + i, <u8>codeOf(<f32>x, buckets, thresholds, clampToUnit));
}

/**
 * The larger of `largest` and |x| (four lanes when V is v128), NaN when either is: for values ≥ 0
 * and NaN with the sign cleared, the bits order as the values do (any NaN above +∞), so one integer
 * maximum does in SIMD what Wasm's float maximum does in several x86 instructions.
 */
@inline export function largerMagnitude<V>(largest: V, x: V): V {
  if (isVector<V>()) return <V>i32x4.max_s(<v128>largest, v128.and(<v128>x, v128.load(QUANTIZE_VECTORS)));
  return <V>max<f32>(<f32>largest, Mathf.abs(<f32>x));
}

/** The largest lane of a vector of absolute values (NaN if any lane is NaN), or the value itself. */
@inline export function largestLane<V>(v: V): f32 {
  if (isVector<V>()) {
    const a = f32x4.max(<v128>v, v128.shuffle<i32>(<v128>v, <v128>v, 2, 3, 0, 1));
    return f32x4.extract_lane(f32x4.max(a, v128.shuffle<i32>(a, a, 1, 0, 3, 2)), 0);
  }
  return <f32>v;
}

/**
 * map[code]·absmax for 4-bit codes into a 16-entry map, packed two per byte as torchao packs them
 * (element 2k in the high nibble), for element `i` (even; four lanes when V is v128).
 */
@inline export function dequantize4<V>(codes: usize, i: usize, map: usize, absmax: f32): V {
  if (isVector<V>()) {
    // Elements i, i + 1 in the first byte (high nibble first), i + 2, i + 3 in the second.
    const word = <u32>load<u16>(codes + (i >> 1));
    let v = v128.load32_zero(map + (((word >> 4) & 0xf) << 2));
    v = v128.load32_lane(map + ((word & 0xf) << 2), v, 1);
    v = v128.load32_lane(map + (((word >> 12) & 0xf) << 2), v, 2);
    v = v128.load32_lane(map + (((word >> 8) & 0xf) << 2), v, 3);
    return f32x4.mul(v, f32x4.splat(absmax));
  }
  const byte = <u32>load<u8>(codes + (i >> 1));
  const code = (i & 1) == 0 ? byte >> 4 : byte & 0xf;
  return <V>(load<f32>(map + (code << 2)) * absmax);
}

/**
 * Stores the 4-bit codes of the normalized values x (four lanes when V is v128, from an even
 * element `i`) into a 16-entry map, packed as `dequantize4` reads them: the number of the map's
 * 15 thresholds ≤ x (its TIES_UP table: torchao's nearest value, ties up; 0 below map[0] and for NaN).
 */
@inline export function storeCodes4<V>(codes: usize, i: usize, thresholds: usize, x: V): void {
  if (isVector<V>()) {
    const v = <v128>x;
    // Each comparison that holds is −1 in its lane.
    let code = i32x4.splat(0);
    for (let k: usize = 0; k < 15; k++) code = i32x4.sub(code, f32x4.ge(v, v128.load32_splat(thresholds + (k << 2))));
    // Lanes 0 and 2 become the bytes c0·16 + c1 and c2·16 + c3.
    const pairs = v128.or(i32x4.shl(code, 4), v128.shuffle<i32>(code, code, 1, 0, 3, 2));
    store<u16>(codes + (i >> 1), <u16>(i32x4.extract_lane(pairs, 0) | (i32x4.extract_lane(pairs, 2) << 8)));
    return;
  }
  let code: u32 = 0;
  for (let k: usize = 0; k < 15; k++) code += <u32>(<f32>x >= load<f32>(thresholds + (k << 2)));
  const at = codes + (i >> 1);
  const byte = <u32>load<u8>(at);
  store<u8>(at, <u8>((i & 1) == 0 ? (byte & 0x0f) | (code << 4) : (byte & 0xf0) | code));
}
