/**
 * a·b + c rounded once to float32, as a fused multiply-add instruction computes it (torch's float32
 * CPU kernels fuse `add(x, alpha=…)` and `addcmul` this way). For float32 inputs the double product
 * a·b is exact, but rounding the double sum and then rounding again to float32 is not always a
 * single rounding: a = b = 1 + 2⁻¹², c = 2⁻⁶⁰ gives 1 + 2⁻¹¹ that way, where an FMA gives
 * 1 + 2⁻¹¹ + 2⁻²³. So the sum is rounded to odd (Boldo and Melquiond, "Emulation of FMA and
 * correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 2008): the double
 * nearest the exact sum, moved one unit towards it when inexact and even. A double rounded to odd
 * carries 29 bits more than float32, so its rounding to float32 is the correct one.
 */
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer); // words[0]: low 32 bits (little-endian)

export function fma32(a: number, b: number, c: number): number {
  const product = a * b; // exact: two 24-bit significands fit in 53 bits
  const sum = product + c;
  if (!Number.isFinite(sum)) return Math.fround(sum);
  // TwoSum: the exact error of the double sum.
  const cPart = sum - product;
  const error = product - (sum - cPart) + (c - cPart);
  if (error === 0) return Math.fround(sum);
  scratch[0] = sum;
  if (error > 0 === sum > 0) {
    words[0] |= 1; // the exact sum is further from zero: the odd neighbour is at or above
  } else if ((words[0] & 1) === 0) {
    // the exact sum is nearer zero and the double is even: step one unit towards zero
    if (words[0] === 0) {
      words[1] -= 1;
      words[0] = 0xffffffff;
    } else {
      words[0] -= 1;
    }
  }
  return Math.fround(scratch[0]);
}
