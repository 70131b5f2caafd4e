// Blockwise 8-bit state as the kernels keep it (assembly/lib/quantize.ts): u8 codes into a
// 256-entry increasing map, one float32 absolute maximum per block, value = map[code]·absmax.

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
