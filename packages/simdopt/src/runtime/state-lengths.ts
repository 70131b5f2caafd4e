/**
 * The lengths of the state buffers of the kernels whose buffers are not all the tensor's length,
 * from the tensor's length `n` and its shape words (shape-words.ts) as the kernel views them. The
 * optimizer definitions size their buffers with these (`bufferLengths`) and the reference kernels
 * view exactly these lengths, so a kernel that read past them would disagree with its reference.
 * A length of 0: no buffer for that tensor (address 0 in the table; the kernel never touches it).
 */

/** torch's Adafactor over [rows, cols] (lastTwoDims): a factored moment for 2+ dims, a full one below. */
export function adafactorLengths(
  n: number,
  [rows, cols]: readonly number[],
): { rowVar: number; colVar: number; variance: number } {
  if (n === 0) return { rowVar: 0, colVar: 0, variance: 0 };
  // batch·rows and batch·cols values, batch = n / (rows·cols).
  if (rows > 0) return { rowVar: n / cols, colVar: n / rows, variance: 0 };
  return { rowVar: 0, colVar: 0, variance: n };
}

/**
 * optax's Adafactor over [outer, A, middle, B, inner, aIsLargest] (twoLargestDims): a tensor is
 * factored when `factored` and its second largest dim is at least `minDimSizeToFactor` (the
 * kernel's test); then vRow keeps the shape without the largest dim, vCol the shape without the
 * other, and v the kernel's means of vRow over the other dim, [outer, middle, inner]. Otherwise v
 * is the full second moment. `ema` (the momentum) takes the tensor's length.
 */
export function optaxAdafactorLengths(
  n: number,
  [outer, a, middle, b, inner]: readonly number[],
  factored: boolean,
  minDimSizeToFactor: number,
): { vRow: number; vCol: number; v: number; ema: number } {
  if (n === 0) return { vRow: 0, vCol: 0, v: 0, ema: 0 };
  if (factored && a > 0 && Math.min(a, b) >= minDimSizeToFactor) {
    const largest = Math.max(a, b);
    return { vRow: n / largest, vCol: n / Math.min(a, b), v: outer * middle * inner, ema: n };
  }
  return { vRow: 0, vCol: 0, v: n, ema: n };
}

/**
 * Blockwise low-bit state as torchao keeps it (adam8bit, adam4bit, adamFp8): a tensor of at least
 * `minSize` elements that is whole blocks of `blockSize` keeps each moment as `n` codes (in
 * `n / codesPerByte` bytes: 4-bit codes are two per byte) and `n / blockSize` scales; any other
 * tensor keeps it in float32 (`n` values), as torchao does below 4096 elements or for a length that
 * is not whole blocks.
 */
export function blockwiseLengths(
  n: number,
  blockSize: number,
  minSize: number,
  codesPerByte: 1 | 2,
): {
  expAvg: number;
  expAvgSq: number;
  expAvgCodes: number;
  expAvgSqCodes: number;
  expAvgAbsmax: number;
  expAvgSqAbsmax: number;
} {
  const quantized = n > 0 && n >= minSize && n % blockSize === 0;
  const float = quantized ? 0 : n;
  const codes = quantized ? n / codesPerByte : 0;
  const blocks = quantized ? n / blockSize : 0;
  return {
    expAvg: float,
    expAvgSq: float,
    expAvgCodes: codes,
    expAvgSqCodes: codes,
    expAvgAbsmax: blocks,
    expAvgSqAbsmax: blocks,
  };
}
