// Lookup tables that let a kernel quantize in a few operations per lane instead of a binary search
// over a 256-entry map, for generate.js. The reference's nearest-code rule (reference/quantize.ts)
// picks code k + 1 over k exactly when x reaches a float32 threshold between map[k] and map[k + 1],
// so the code of x is the number of thresholds ≤ x. Thresholds are found here by searching the
// float32 line with the reference's own arithmetic, for each tie rule:
//   up    (torchao)       the least x with fround(x − lo) ≥ fround(fround(hi − lo)·0.5)
//   down  (bitsandbytes)  the least x with x > fround(fround(lo + hi)·0.5)
// A bucket table then narrows x to one candidate: x's magnitude bits >> 15 (exponent and 8 bits of
// mantissa, clamped to [2⁻²⁴, 2)) and its sign name a bucket that holds at most one threshold
// (checked below), and the bucket stores that candidate c; the code is
// c + (x ≥ threshold[c]). One bucket table serves both tie rules (checked).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fround = Math.fround;

/** The float32 with these bits. */
function fromBits(bits) {
  u32[0] = bits >>> 0;
  return f32[0];
}

/** A float32's bits. */
function bitsOf(x) {
  f32[0] = x;
  return u32[0];
}

/** Orders float32 values as integers (−0 just below +0). */
function keyOf(x) {
  const bits = bitsOf(x);
  return bits >>> 31 ? 0x7fffffff - (bits & 0x7fffffff) : 0x80000000 + bits;
}

/** The float32 of an ordering key. */
function fromKey(key) {
  return key >= 0x80000000 ? fromBits(key - 0x80000000) : fromBits(0x80000000 | (0x7fffffff - key));
}

/** The least float32 x in (lo, hi] for which `chooseHigh(x)` holds (monotone in x). */
function leastChoosingHigh(lo, hi, chooseHigh) {
  let below = keyOf(lo);
  let at = keyOf(hi);
  if (!chooseHigh(hi)) throw new Error(`quantize tables: ${hi} does not choose itself over ${lo}`);
  while (at - below > 1) {
    const mid = Math.floor((below + at) / 2);
    if (chooseHigh(fromKey(mid))) at = mid;
    else below = mid;
  }
  return fromKey(at);
}

/** The thresholds of a map under a tie rule (one fewer than its values), then NaN: no x, not even +Infinity, takes a code beyond the last. */
export function thresholds(values, tiesDown) {
  const out = [];
  for (let k = 0; k + 1 < values.length; k++) {
    const lo = values[k];
    const hi = values[k + 1];
    const half = fround(fround(hi - lo) * 0.5);
    const mid = fround(fround(lo + hi) * 0.5);
    const rule = tiesDown ? (x) => x > mid : (x) => fround(x - lo) >= half;
    out.push(leastChoosingHigh(lo, hi, rule));
  }
  out.push(Number.NaN);
  return out;
}

/** Buckets per sign: magnitudes from 2⁻²⁴ (biased exponent 103) to 2, 256 buckets per binade. */
export const BUCKET_BASE = 103 << 8;
export const BUCKETS_PER_SIGN = 25 << 8;

/** The magnitudes [low, high] of a bucket of one sign (the end buckets take everything beyond). */
function bucketMagnitudes(b) {
  const low = b === 0 ? 0 : fromBits((BUCKET_BASE + b) << 15);
  const high = b === BUCKETS_PER_SIGN - 1 ? Number.POSITIVE_INFINITY : fromBits(((BUCKET_BASE + b + 1) << 15) - 1);
  return [low, high];
}

/**
 * For each bucket (positive signs first), the candidate c shared by both tie rules: under each, every
 * threshold below c lies below the whole bucket and every one above c beyond it, so that the code
 * is c + (x ≥ threshold[c]). Throws where no such c exists.
 */
export function buckets(name, rules) {
  const out = [];
  for (const sign of [1, -1]) {
    for (let b = 0; b < BUCKETS_PER_SIGN; b++) {
      const [low, high] = bucketMagnitudes(b);
      const least = sign > 0 ? low : -high;
      const most = sign > 0 ? high : sign * low;
      const c = Math.min(...rules.map((limits) => limits.filter((t) => t <= least).length));
      for (const limits of rules) {
        if ((c > 0 && !(limits[c - 1] <= least)) || (c < 254 && !(limits[c + 1] > most)))
          throw new Error(`quantize tables: map ${name} has no single candidate code in bucket ${sign * b}`);
      }
      out.push(c);
    }
  }
  return out;
}

/** The reference's code of x (reference/quantize.ts): a binary search, then the tie rule. */
function searchedCode(x, values, tiesDown) {
  const clamped = tiesDown ? Math.min(Math.max(x, -1), 1) : x;
  let k = 0;
  for (let step = values.length >> 1; step >= 1; step >>= 1) if (values[k + step - 1] <= clamped) k += step;
  if (k === 0) return 0;
  if (k === values.length) return k - 1;
  const low = values[k - 1];
  const high = values[k];
  if (tiesDown) return fround(fround(low + high) * 0.5) < clamped ? k : k - 1;
  return fround(clamped - low) >= fround(fround(high - low) * 0.5) ? k : k - 1;
}

/** The kernel's code of x (lib/quantize.ts codeOf) from the tables. */
function tableCode(x, limits, table, tiesDown) {
  const clamped = tiesDown ? Math.min(Math.max(x, -1), 1) : x;
  if (Number.isNaN(clamped)) return 0;
  const bits = bitsOf(clamped);
  const index = Math.min(Math.max(((bits & 0x7fffffff) >>> 15) - BUCKET_BASE, 0), BUCKETS_PER_SIGN - 1);
  const c = table[index + (bits >>> 31 ? BUCKETS_PER_SIGN : 0)];
  return c + (clamped >= limits[c] ? 1 : 0);
}

/** Throws unless the tables give the reference's code a few float32 steps around every threshold, map value and bucket edge. */
function checkTables(name, values, tables) {
  const near = [...tables.up.slice(0, 255), ...tables.down.slice(0, 255), ...values].flatMap((x) => {
    const key = keyOf(x);
    return [-3, -2, -1, 0, 1, 2, 3].map((d) => fromKey(key + d));
  });
  for (let b = 0; b <= BUCKETS_PER_SIGN; b++) {
    for (const d of [-1, 0, 1]) {
      const x = fromBits(((BUCKET_BASE + b) << 15) + d);
      near.push(x, -x);
    }
  }
  near.push(0, -0, 1, -1, 2, -2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN);
  for (const tiesDown of [false, true]) {
    const limits = tiesDown ? tables.down : tables.up;
    for (const x of near) {
      if (tableCode(x, limits, tables.buckets, tiesDown) !== searchedCode(x, values, tiesDown))
        throw new Error(
          `quantize tables: map ${name} codes ${x} otherwise than the reference (ties ${tiesDown ? "down" : "up"})`,
        );
    }
  }
}

/** A map's tables: thresholds for both tie rules and the bucket table they share, checked against the reference's rule. */
export function quantizeTables(name, values) {
  const up = thresholds(values, false);
  const down = thresholds(values, true);
  const tables = { up, down, buckets: buckets(name, [up, down]) };
  checkTables(name, values, tables);
  return tables;
}

/**
 * A 4-bit map's thresholds under torchao's rule (ties up), then NaN, checked: the number of them ≤ x
 * (lib/quantize.ts fourBitCodes) is the reference's code a few float32 steps around every threshold
 * and map value.
 */
export function fourBitThresholds(name, values) {
  const up = thresholds(values, false);
  const near = [...up.slice(0, -1), ...values].flatMap((x) =>
    [-3, -2, -1, 0, 1, 2, 3].map((d) => fromKey(keyOf(x) + d)),
  );
  near.push(0, -0, 2, -2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN);
  for (const x of near) {
    const counted = up.filter((t) => x >= t).length;
    if (counted !== searchedCode(x, values, false))
      throw new Error(`quantize tables: map ${name} codes ${x} otherwise than the reference`);
  }
  return up;
}

/** The value of each float8_e4m3fn code: sign, 4 exponent bits (bias 7), 3 mantissa bits; 0x7f and 0xff are NaN. */
export const E4M3FN_VALUES = Array.from({ length: 256 }, (_, code) => {
  const sign = code & 0x80 ? -1 : 1;
  const exponent = (code >> 3) & 0xf;
  const mantissa = code & 7;
  if ((code & 0x7f) === 0x7f) return Number.NaN;
  return exponent === 0 ? sign * mantissa * 2 ** -9 : sign * (1 + mantissa / 8) * 2 ** (exponent - 7);
});
