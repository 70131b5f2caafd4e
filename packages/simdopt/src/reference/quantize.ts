// Blockwise 8-bit state as the kernels keep it (assembly/lib/quantize.ts): u8 codes into a
// 256-entry increasing map, one float32 absolute maximum per block, value = map[code]·absmax.

/** The code of the map value nearest to the float32 `x`, ties up (torchao); below map[0] (or NaN): 0. */
export function nearestCode(x: number, map: ArrayLike<number>): number {
  // k = how many map values are ≤ x.
  let k = 0;
  for (let step = 128; step >= 1; step >>= 1) if (map[k + step - 1] <= x) k += step;
  if (k === 0) return 0;
  if (k === 256) return 255;
  const low = map[k - 1];
  const high = map[k];
  return Math.fround(x - low) >= Math.fround(Math.fround(high - low) * 0.5) ? k : k - 1;
}
