// Blockwise low-bit state as the kernels keep it (assembly/lib/quantize.ts, lib/formats.ts): a
// code per element, one float32 scale per block, value = map[code]·scale. The formats: 8-bit codes
// into a 256-entry increasing map (bitsandbytes' and torchao's), 4-bit codes into a 16-entry one,
// two per byte (torchao's), and float8_e4m3fn codes (torchao's FP8), whose map is the e4m3 values.
import { STATE_MAPS } from "../generated/maps.js";

/** How a moment's codes are kept: the lowbit golden folder's names. */
export type QuantizedFormat = "blockwise8" | "blockwise4" | "fp8e4m3fn";

/** torchao clips a block's absolute maximum to this (float32). */
const SMALLEST_ABSMAX = Math.fround(1e-12);
/** bitsandbytes' floor of a maximum it divides by, float32(1e−38) (a subnormal). */
const BNB_SMALLEST_ABSMAX = Math.fround(1e-38);
/** The largest e4m3fn value. */
const E4M3FN_MAX = 448;

const DYNAMIC8_SIGNED = Float32Array.from(STATE_MAPS.dynamic8_signed);
const DYNAMIC8_UNSIGNED = Float32Array.from(STATE_MAPS.dynamic8_unsigned);
const DYNAMIC4_SIGNED = Float32Array.from(STATE_MAPS.dynamic4_signed);
const LINEAR4_UNSIGNED = Float32Array.from(STATE_MAPS.linear4_unsigned);

/**
 * The code of the float32 `x` in an increasing map of 256 or 16 values. torchao's (`tiesDown`
 * false): the nearest map value, ties up; below map[0] (or NaN): 0. bitsandbytes' (`tiesDown`): how
 * many float32 midpoints (lo + hi)/2 lie strictly below x, x clamped to [−1, 1].
 */
export function codeOf(x: number, map: ArrayLike<number>, tiesDown = false): number {
  const f = Math.fround;
  const clamped = tiesDown ? Math.min(Math.max(x, -1), 1) : x;
  // k = how many map values are ≤ x.
  let k = 0;
  for (let step = map.length >> 1; step >= 1; step >>= 1) if (map[k + step - 1] <= clamped) k += step;
  if (k === 0) return 0;
  if (k === map.length) return k - 1;
  const low = map[k - 1];
  const high = map[k];
  if (tiesDown) return f(f(low + high) * 0.5) < clamped ? k : k - 1;
  return f(clamped - low) >= f(f(high - low) * 0.5) ? k : k - 1;
}

/** A block's stored maximum, and the factor its values are multiplied by where they are not divided by it. */
export interface BlockScale {
  absmax: number;
  /** bitsandbytes' whole blocks: x = s·factor; undefined: x = s/absmax. */
  factor: number | undefined;
}

/**
 * The scale of a block whose largest magnitude is `largest` (`r` rounds to the parameters'
 * precision). torchao's: the maximum clipped to at least 1e−12, x = s/max (FP8: that over 448,
 * x = s/scale). bitsandbytes': a
 * whole block stores the maximum itself (0 for zeros) and x = s·(1/max(max, 1e−38)); a `partial`
 * last block stores max(max, 1e−38) and x = s/max.
 */
export function blockScale(
  r: (x: number) => number,
  largest: number,
  partial: boolean,
  bitsandbytes: boolean,
  format: QuantizedFormat = "blockwise8",
): BlockScale {
  if (format === "fp8e4m3fn") return { absmax: r(Math.max(largest, SMALLEST_ABSMAX) / E4M3FN_MAX), factor: undefined };
  if (!bitsandbytes) return { absmax: Math.max(largest, SMALLEST_ABSMAX), factor: undefined };
  if (partial) return { absmax: Math.max(largest, BNB_SMALLEST_ABSMAX), factor: undefined };
  return { absmax: largest, factor: r(1 / Math.max(largest, BNB_SMALLEST_ABSMAX)) };
}

/** `s` over its block's scale: the number whose nearest map value is its code. */
export function normalised(r: (x: number) => number, s: number, scale: BlockScale): number {
  return scale.factor === undefined ? r(s / scale.absmax) : r(s * scale.factor);
}

/** The map a moment's codes index: `signed` for a first moment (any sign), else a second moment's. */
export function mapOf(format: QuantizedFormat, signed: boolean): Float32Array {
  if (format === "fp8e4m3fn") return E4M3FN_VALUES;
  if (format === "blockwise4") return signed ? DYNAMIC4_SIGNED : LINEAR4_UNSIGNED;
  return signed ? DYNAMIC8_SIGNED : DYNAMIC8_UNSIGNED;
}

/** The bytes of n codes: two 4-bit codes per byte, else one. */
export function codeBytes(format: QuantizedFormat, n: number): number {
  return format === "blockwise4" ? Math.ceil(n / 2) : n;
}

/** The code of element i: 4-bit codes are packed two per byte, element 2k in the high nibble (torchao's order). */
export function codeAt(codes: Uint8Array, i: number, format: QuantizedFormat): number {
  if (format !== "blockwise4") return codes[i];
  return i % 2 === 0 ? codes[i >> 1] >> 4 : codes[i >> 1] & 0xf;
}

/** Sets the code of element i (see `codeAt`). */
export function setCode(codes: Uint8Array, i: number, format: QuantizedFormat, code: number): void {
  if (format !== "blockwise4") codes[i] = code;
  else if (i % 2 === 0) codes[i >> 1] = (codes[i >> 1] & 0x0f) | (code << 4);
  else codes[i >> 1] = (codes[i >> 1] & 0xf0) | code;
}

/** The code of the normalized value x: its nearest map value (`codeOf`), or its nearest e4m3fn value (`e4m3Code`). */
export function quantizedCode(x: number, format: QuantizedFormat, signed: boolean, tiesDown: boolean): number {
  return format === "fp8e4m3fn" ? e4m3Code(x) : codeOf(x, mapOf(format, signed), tiesDown);
}

/**
 * `values` stored as a step stores a moment it has formed: each block of `blockSize` (the last
 * one possibly partial) scaled by its largest magnitude (`blockScale`) and each value replaced by
 * its code (`quantizedCode`: bitsandbytes' ties down or torchao's up).
 */
export function quantizeBlockwise(
  values: Float32Array,
  blockSize: number,
  format: QuantizedFormat,
  signed: boolean,
  bitsandbytes: boolean,
): { codes: Uint8Array; absmax: Float32Array } {
  const r = Math.fround;
  const codes = new Uint8Array(codeBytes(format, values.length));
  const absmax = new Float32Array(Math.ceil(values.length / blockSize));
  for (let b = 0, start = 0; start < values.length; b++, start += blockSize) {
    const end = Math.min(start + blockSize, values.length);
    let largest = 0;
    for (let i = start; i < end; i++) largest = Math.max(largest, Math.abs(values[i]));
    const scale = blockScale(r, largest, end - start < blockSize, bitsandbytes, format);
    for (let i = start; i < end; i++)
      setCode(codes, i, format, quantizedCode(normalised(r, values[i], scale), format, signed, bitsandbytes));
    absmax[b] = scale.absmax;
  }
  return { codes, absmax };
}

/** The `n` values blockwise state stands for: map[code]·scale of its block, one float32 product each. */
export function dequantizeBlockwise(
  codes: Uint8Array,
  absmax: Float32Array,
  n: number,
  blockSize: number,
  format: QuantizedFormat,
  signed: boolean,
): Float32Array {
  const map = mapOf(format, signed);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++)
    values[i] = Math.fround(map[codeAt(codes, i, format)] * absmax[Math.floor(i / blockSize)]);
  return values;
}

/** The value of each float8_e4m3fn code: sign, 4 exponent bits (bias 7), 3 mantissa bits; 0x7f and 0xff are NaN. */
export const E4M3FN_VALUES = Float32Array.from({ length: 256 }, (_, code) => {
  const sign = code & 0x80 ? -1 : 1;
  const exponent = (code >> 3) & 0xf;
  const mantissa = code & 7;
  if ((code & 0x7f) === 0x7f) return Number.NaN;
  return exponent === 0 ? sign * mantissa * 2 ** -9 : sign * (1 + mantissa / 8) * 2 ** (exponent - 7);
});

/**
 * The e4m3fn code of x as torch converts it: the nearest e4m3fn value, ties to the even code, the
 * sign kept (−0 too); magnitudes beyond 464 (the midpoint of 448 and 480, which e4m3fn lacks) and
 * NaN take the NaN code 0x7f.
 */
export function e4m3Code(x: number): number {
  if (Number.isNaN(x)) return 0x7f;
  const sign = x < 0 || Object.is(x, -0) ? 0x80 : 0;
  const a = Math.abs(x);
  if (a > 464) return 0x7f | sign;
  // The greatest code ≤ a among the finite non-negative ones (0 … 0x7e, increasing).
  let low = 0;
  for (let step = 64; step >= 1; step >>= 1) if (low + step <= 0x7e && E4M3FN_VALUES[low + step] <= a) low += step;
  if (low === 0x7e) return low | sign;
  const below = a - E4M3FN_VALUES[low];
  const above = E4M3FN_VALUES[low + 1] - a;
  const code = below < above ? low : below > above ? low + 1 : low % 2 === 0 ? low : low + 1;
  return code | sign;
}
