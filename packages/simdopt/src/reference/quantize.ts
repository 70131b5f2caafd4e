// Blockwise 8-bit state as the kernels keep it (assembly/lib/quantize.ts): u8 codes into a
// 256-entry increasing map, one float32 absolute maximum per block, value = map[code]·absmax.

/** torchao clips a block's absolute maximum to this (float32). */
const SMALLEST_ABSMAX = Math.fround(1e-12);
/** bitsandbytes' floor of a maximum it divides by, float32(1e−38) (a subnormal). */
const BNB_SMALLEST_ABSMAX = Math.fround(1e-38);

/**
 * The code of the float32 `x`. torchao's (`tiesDown` false): the nearest map value, ties up; below
 * map[0] (or NaN): 0. bitsandbytes' (`tiesDown`): how many float32 midpoints (lo + hi)/2 lie
 * strictly below x, x clamped to [−1, 1].
 */
export function codeOf(x: number, map: ArrayLike<number>, tiesDown = false): number {
  const f = Math.fround;
  const clamped = tiesDown ? Math.min(Math.max(x, -1), 1) : x;
  // k = how many map values are ≤ x.
  let k = 0;
  for (let step = 128; step >= 1; step >>= 1) if (map[k + step - 1] <= clamped) k += step;
  if (k === 0) return 0;
  if (k === 256) return 255;
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
 * precision). torchao's: the maximum clipped to at least 1e−12, x = s/max. bitsandbytes': a
 * whole block stores the maximum itself (0 for zeros) and x = s·(1/max(max, 1e−38)); a `partial`
 * last block stores max(max, 1e−38) and x = s/max.
 */
export function blockScale(
  r: (x: number) => number,
  largest: number,
  partial: boolean,
  bitsandbytes: boolean,
): BlockScale {
  if (!bitsandbytes) return { absmax: Math.max(largest, SMALLEST_ABSMAX), factor: undefined };
  if (partial) return { absmax: Math.max(largest, BNB_SMALLEST_ABSMAX), factor: undefined };
  return { absmax: largest, factor: r(1 / Math.max(largest, BNB_SMALLEST_ABSMAX)) };
}

/** `s` over its block's scale: the number whose nearest map value is its code. */
export function normalised(r: (x: number) => number, s: number, scale: BlockScale): number {
  return scale.factor === undefined ? r(s / scale.absmax) : r(s * scale.factor);
}

/**
 * `values` stored as a step stores a moment it has formed: each block of `blockSize` (the last
 * one possibly partial) scaled by its largest magnitude (`blockScale`) and each value replaced by
 * the code of its nearest map value (`codeOf`, bitsandbytes' ties down or torchao's up).
 */
export function quantizeBlockwise(
  values: Float32Array,
  blockSize: number,
  map: ArrayLike<number>,
  bitsandbytes: boolean,
): { codes: Uint8Array; absmax: Float32Array } {
  const r = Math.fround;
  const codes = new Uint8Array(values.length);
  const absmax = new Float32Array(Math.ceil(values.length / blockSize));
  for (let b = 0, start = 0; start < values.length; b++, start += blockSize) {
    const end = Math.min(start + blockSize, values.length);
    let largest = 0;
    for (let i = start; i < end; i++) largest = Math.max(largest, Math.abs(values[i]));
    const scale = blockScale(r, largest, end - start < blockSize, bitsandbytes);
    for (let i = start; i < end; i++) codes[i] = codeOf(normalised(r, values[i], scale), map, bitsandbytes);
    absmax[b] = scale.absmax;
  }
  return { codes, absmax };
}

/** The values blockwise 8-bit state stands for: map[code]·absmax of its block, one float32 product each. */
export function dequantizeBlockwise(
  codes: Uint8Array,
  absmax: Float32Array,
  blockSize: number,
  map: ArrayLike<number>,
): Float32Array {
  const values = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) values[i] = Math.fround(map[codes[i]] * absmax[Math.floor(i / blockSize)]);
  return values;
}
