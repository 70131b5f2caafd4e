// Blockwise 8-bit state as torchao and bitsandbytes keep it: each element a u8 code into a
// 256-entry increasing map (maps.json), each block one float32 absolute maximum; the stored value
// is map[code]·absmax. Dequantizing is a table lookup per lane (Wasm SIMD has no gather);
// quantizing finds the two map values around x by a binary search (8 comparisons, exact against the
// map's values), then picks one by the reference's rule (torchao: ties up; bitsandbytes: down).

/** map[code]·absmax for the codes of element `i` (four lanes when V is v128) of the u8 array at `codes`. */
@inline export function dequantize<V>(codes: usize, i: usize, map: usize, absmax: f32): V {
  if (isVector<V>()) {
    const word = load<u32>(codes + i);
    let v = f32x4.splat(load<f32>(map + ((word & 0xff) << 2)));
    v = f32x4.replace_lane(v, 1, load<f32>(map + (((word >> 8) & 0xff) << 2)));
    v = f32x4.replace_lane(v, 2, load<f32>(map + (((word >> 16) & 0xff) << 2)));
    v = f32x4.replace_lane(v, 3, load<f32>(map + ((word >> 24) << 2)));
    return f32x4.mul(v, f32x4.splat(absmax));
  }
  return <V>(load<f32>(map + (<usize>load<u8>(codes + i) << 2)) * absmax);
}

/** How many of the map's 256 increasing values are ≤ x (0 to 256; 0 for NaN): a binary search of 8 comparisons. */
@inline function countAtMost(x: f32, map: usize): u32 {
  let k: u32 = 0;
  k = select<u32>(k + 128, k, load<f32>(map + ((k + 127) << 2)) <= x);
  k = select<u32>(k + 64, k, load<f32>(map + ((k + 63) << 2)) <= x);
  k = select<u32>(k + 32, k, load<f32>(map + ((k + 31) << 2)) <= x);
  k = select<u32>(k + 16, k, load<f32>(map + ((k + 15) << 2)) <= x);
  k = select<u32>(k + 8, k, load<f32>(map + ((k + 7) << 2)) <= x);
  k = select<u32>(k + 4, k, load<f32>(map + ((k + 3) << 2)) <= x);
  k = select<u32>(k + 2, k, load<f32>(map + ((k + 1) << 2)) <= x);
  return select<u32>(k + 1, k, load<f32>(map + (k << 2)) <= x);
}

/**
 * The code of x. torchao's (`tiesDown` false): the nearest map value, between neighbours lo < hi
 * hi when x − lo ≥ (hi − lo)·0.5, so ties go up; x below map[0] (or NaN) gives 0. bitsandbytes'
 * (`tiesDown`): how many float32 midpoints (lo + hi)/2 lie strictly below x, x clamped to [−1, 1].
 */
@inline export function codeOf(x: f32, map: usize, tiesDown: bool): u32 {
  if (tiesDown) x = min<f32>(max<f32>(x, -1), 1);
  const k = countAtMost(x, map);
  if (k == 0) return 0;
  if (k == 256) return 255;
  const low = load<f32>(map + ((k - 1) << 2));
  const high = load<f32>(map + (k << 2));
  if (tiesDown) return select<u32>(k, k - 1, (low + high) * <f32>0.5 < x);
  return select<u32>(k, k - 1, x - low >= (high - low) * <f32>0.5);
}

/** Stores the codes of the normalized values x (four lanes when V is v128) as element `i` of the u8 array at `codes`. */
@inline export function storeCodes<V>(codes: usize, i: usize, map: usize, x: V, tiesDown: bool): void {
  if (isVector<V>()) {
    const word =
      codeOf(f32x4.extract_lane(<v128>x, 0), map, tiesDown) |
      (codeOf(f32x4.extract_lane(<v128>x, 1), map, tiesDown) << 8) |
      (codeOf(f32x4.extract_lane(<v128>x, 2), map, tiesDown) << 16) |
      (codeOf(f32x4.extract_lane(<v128>x, 3), map, tiesDown) << 24);
    store<u32>(codes + i, word);
    return;
  }
  store<u8>(codes + i, <u8>codeOf(<f32>x, map, tiesDown));
}

/** The largest lane of a vector of absolute values (NaN if any lane is NaN), or the value itself. */
@inline export function largestLane<V>(v: V): f32 {
  if (isVector<V>()) {
    const a = f32x4.max(<v128>v, v128.shuffle<i32>(<v128>v, <v128>v, 2, 3, 0, 1));
    return f32x4.extract_lane(f32x4.max(a, v128.shuffle<i32>(a, a, 1, 0, 3, 2)), 0);
  }
  return <f32>v;
}
