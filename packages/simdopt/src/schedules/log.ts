/**
 * Natural logarithms rounded correctly, as the C library under CPython (and so torch) computes
 * them on all but rare inputs within a hair of a rounding midpoint. `Math.log` may be one unit in
 * the last place off (in V8, `Math.log(3)` is 1.0986122886681096 where the correctly rounded value
 * is 1.0986122886681098), and torch's CosineAnnealingWarmRestarts truncates a quotient of
 * logarithms to an integer, so one unit decides between a restart and the end of a period.
 * Evaluated in double-double arithmetic (about 100 bits) and rounded once.
 */

/** A value hi + lo with |lo| ≤ ulp(hi)/2. */
type DoubleDouble = [number, number];

function twoSum(a: number, b: number): DoubleDouble {
  const s = a + b;
  const v = s - a;
  return [s, a - (s - v) + (b - v)];
}

const SPLITTER = 134217729; // 2^27 + 1

function split(a: number): DoubleDouble {
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

function twoProduct(a: number, b: number): DoubleDouble {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function add([ah, al]: DoubleDouble, [bh, bl]: DoubleDouble): DoubleDouble {
  const [s, e] = twoSum(ah, bh);
  return twoSum(s, e + al + bl);
}

function multiply([ah, al]: DoubleDouble, [bh, bl]: DoubleDouble): DoubleDouble {
  const [p, e] = twoProduct(ah, bh);
  return twoSum(p, e + ah * bl + al * bh);
}

function divide(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const q1 = a[0] / b[0];
  const r = add(a, multiply(b, [-q1, 0]));
  const q2 = r[0] / b[0];
  const r2 = add(r, multiply(b, [-q2, 0]));
  return add(twoSum(q1, q2), [r2[0] / b[0], 0]);
}

/** ln 2 as a double-double. */
const LN2: DoubleDouble = [Math.LN2, 2.3190468138462996e-17];

/** ln x for a finite x > 0, correctly rounded (other inputs as `Math.log`). */
export function correctlyRoundedLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x);
  // x = m·2^k with m in [√½, √2): ln x = k·ln 2 + 2·atanh((m − 1)/(m + 1)).
  let k = Math.floor(Math.log2(x));
  let m = x / 2 ** k;
  if (!Number.isFinite(m) || m === 0) {
    // subnormal x: scale first
    k = Math.floor(Math.log2(x * 2 ** 64)) - 64;
    m = (x * 2 ** 64) / 2 ** (k + 64);
  }
  if (m >= Math.SQRT2) {
    m /= 2;
    k += 1;
  }
  const s = divide([m - 1, 0], twoSum(m, 1)); // m − 1 is exact for m in [½, 2]
  const s2 = multiply(s, s);
  // atanh(s) = s·(1 + s²/3 + s⁴/5 + ...); |s| ≤ 0.1716, so 22 terms reach 2^-110.
  let sum: DoubleDouble = [0, 0];
  for (let n = 21; n >= 0; n--) sum = add(divide([1, 0], [2 * n + 1, 0]), multiply(sum, s2));
  const atanh = multiply(s, sum);
  const result = add(multiply(LN2, [k, 0]), add(atanh, atanh));
  return result[0] + result[1];
}
