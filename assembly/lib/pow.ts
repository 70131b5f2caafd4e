// x^y for x ≥ 0, written with IEEE operations only (+, −, ×, ÷, floor and bit moves), so that the
// plain-JS reference (src/reference/pow.ts, the same steps) gets the same bits: neither Wasm nor
// JS has a pow that both compute alike (AssemblyScript's and V8's Math.pow differ in the last bit
// on about one input in twelve). Relative error below 1e-14 for |y·ln x| up to 50 (it grows with it).
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
const SQRT2: f64 = 1.4142135623730951;

/** x^y for one double x ≥ 0 (NaN for x < 0 or NaN; 0^y = 0 for y > 0, 1 for y = 0). */
export function powNonNegative(x: f64, y: f64): f64 {
  if (!(x > 0)) return x == 0 ? (y > 0 ? 0 : y == 0 ? 1 : Infinity) : NaN;
  if (x == Infinity) return y > 0 ? Infinity : y == 0 ? 1 : 0;
  if (y == 0) return 1;
  let scaled = x;
  let e: i32 = 0;
  if (scaled < 2.2250738585072014e-308) {
    scaled = scaled * 18014398509481984.0; // 2^54: a subnormal becomes normal
    e = -54;
  }
  const bits = reinterpret<u64>(scaled);
  e += <i32>((bits >> 52) & 0x7ff) - 1023;
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
  if (m > SQRT2) {
    m = m * 0.5;
    e += 1;
  }
  // ln m = 2·atanh(s) = 2s(1 + s²/3 + s⁴/5 + …), |s| ≤ 0.172
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let series = 1.0 / 25.0;
  for (let k = 11; k >= 0; k--) series = series * s2 + 1.0 / <f64>(2 * k + 1);
  const ln = <f64>e * LN2_HI + (<f64>e * LN2_LO + 2 * s * series);
  const t = y * ln;
  if (t > 709.8) return Infinity;
  if (t < -745.2) return 0;
  // e^t = 2^k · e^r, |r| ≤ ln2/2
  const k = Math.floor(t * INV_LN2 + 0.5);
  const r = (t - k * LN2_HI) - k * LN2_LO;
  let poly = 1.0 / 6402373705728000.0; // 1/18!
  let factorial = 6402373705728000.0;
  for (let n = 18; n >= 1; n--) {
    factorial = factorial / <f64>n;
    poly = poly * r + 1.0 / factorial;
  }
  const ki = <i32>k;
  if (ki > 1023) return poly * twoTo(1023) * twoTo(ki - 1023);
  if (ki < -1022) return poly * twoTo(ki + 600) * twoTo(-600);
  return poly * twoTo(ki);
}

/** 2^k for k in [−1022, 1023]. */
@inline function twoTo(k: i32): f64 {
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

/** x^y lane by lane (V a vector of T, or one T), each lane through `powNonNegative` in double. */
@inline export function powLanes<T, V>(x: V, y: T): V {
  if (isVector<V>()) {
    if (sizeof<T>() == 4) {
      let out = f32x4.splat(<f32>powNonNegative(<f64>f32x4.extract_lane(x, 0), <f64>y));
      out = f32x4.replace_lane(out, 1, <f32>powNonNegative(<f64>f32x4.extract_lane(x, 1), <f64>y));
      out = f32x4.replace_lane(out, 2, <f32>powNonNegative(<f64>f32x4.extract_lane(x, 2), <f64>y));
      return f32x4.replace_lane(out, 3, <f32>powNonNegative(<f64>f32x4.extract_lane(x, 3), <f64>y));
    }
    const low = f64x2.splat(powNonNegative(f64x2.extract_lane(x, 0), <f64>y));
    return f64x2.replace_lane(low, 1, powNonNegative(f64x2.extract_lane(x, 1), <f64>y));
  }
  return <V>powNonNegative(<f64>x, <f64>y);
}
