// The stored forms of a low-bit moment, for the kernels that keep one per block (adam8bit and its
// 4-bit and FP8 forms): how a moment is read back and stored, and the scale of its block. A format
// is a compile-time constant, so each kernel compiles only its own form's loops.
import { dequantize, dequantize4, storeCodes, storeCodes4 } from "./quantize";
import { storeE4m3 } from "./fp8";
import {
  DYNAMIC4_SIGNED, DYNAMIC4_SIGNED_TIES_UP, LINEAR4_UNSIGNED, LINEAR4_UNSIGNED_TIES_UP, FLOAT8_E4M3FN,
  DYNAMIC8_SIGNED, DYNAMIC8_SIGNED_BUCKETS, DYNAMIC8_SIGNED_TIES_DOWN, DYNAMIC8_SIGNED_TIES_UP,
  DYNAMIC8_UNSIGNED, DYNAMIC8_UNSIGNED_BUCKETS, DYNAMIC8_UNSIGNED_TIES_DOWN, DYNAMIC8_UNSIGNED_TIES_UP,
} from "../generated/maps";

/** A u8 code per element into dynamic8_signed (first moment) or dynamic8_unsigned (second). */
export const BLOCKWISE8: i32 = 0;
/** A 4-bit code per element, two per byte, into dynamic4_signed or linear4_unsigned (torchao's 4-bit). */
export const BLOCKWISE4: i32 = 1;
/** A float8_e4m3fn code per element, its block's scale the largest magnitude over 448 (torchao's FP8). */
export const E4M3FN: i32 = 2;

/** torchao's smallest block maximum (it clips to it, so that s/max is finite). */
const SMALLEST_ABSMAX: f32 = 1e-12;
/** The largest float8_e4m3fn value. */
const E4M3FN_MAX: f32 = 448;

/** The stored value of element `i` (four lanes when V is v128) of a moment, `signed` for a first moment. */
@inline export function dequantizeMoment<V>(format: i32, codes: usize, i: usize, signed: bool, absmax: f32): V {
  if (format == BLOCKWISE4) return dequantize4<V>(codes, i, signed ? DYNAMIC4_SIGNED : LINEAR4_UNSIGNED, absmax);
  if (format == E4M3FN) return dequantize<V>(codes, i, FLOAT8_E4M3FN, absmax);
  return dequantize<V>(codes, i, signed ? DYNAMIC8_SIGNED : DYNAMIC8_UNSIGNED, absmax);
}

/**
 * Stores the codes of the normalized values x (four lanes when V is v128) as element `i` of a
 * moment: the nearest map value (ties up as torchao's, or down as bitsandbytes' 8-bit), or the
 * nearest e4m3fn value (ties to even).
 */
@inline export function storeMoment<V>(format: i32, codes: usize, i: usize, signed: bool, x: V, bitsandbytes: bool): void {
  if (format == BLOCKWISE4) {
    storeCodes4<V>(codes, i, signed ? DYNAMIC4_SIGNED_TIES_UP : LINEAR4_UNSIGNED_TIES_UP, x);
  } else if (format == E4M3FN) {
    storeE4m3<V>(codes, i, x);
  } else {
    const buckets = signed ? DYNAMIC8_SIGNED_BUCKETS : DYNAMIC8_UNSIGNED_BUCKETS;
    const tiesDown = signed ? DYNAMIC8_SIGNED_TIES_DOWN : DYNAMIC8_UNSIGNED_TIES_DOWN;
    const tiesUp = signed ? DYNAMIC8_SIGNED_TIES_UP : DYNAMIC8_UNSIGNED_TIES_UP;
    storeCodes<V>(codes, i, buckets, bitsandbytes ? tiesDown : tiesUp, x, bitsandbytes);
  }
}

/** torchao's scale of a block whose largest magnitude is `largest`, stored and divided by: max(largest, 1e−12), over 448 for e4m3fn. */
@inline export function torchaoScale(format: i32, largest: f32): f32 {
  const clipped = max<f32>(largest, SMALLEST_ABSMAX);
  return format == E4M3FN ? clipped / E4M3FN_MAX : clipped;
}
