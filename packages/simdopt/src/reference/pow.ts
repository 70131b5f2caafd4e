// x^y for x ≥ 0, step for step as assembly/lib/pow.ts computes it (IEEE operations only), so that
// the reference and the kernels agree bit for bit where JS's Math.pow and Wasm's would not.

const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = Math.LOG2E;
const SQRT2 = Math.SQRT2;

const word = new Float64Array(1);
const halves = new Uint32Array(word.buffer); // little-endian: [low, high]

/** 2^k for k in [−1022, 1023]. */
function twoTo(k: number): number {
  halves[0] = 0;
  halves[1] = (k + 1023) << 20;
  return word[0];
}

/** x^y for one double x ≥ 0 (NaN for x < 0 or NaN; 0^y = 0 for y > 0, 1 for y = 0). */
export function powNonNegative(x: number, y: number): number {
  if (!(x > 0)) return x === 0 ? (y > 0 ? 0 : y === 0 ? 1 : Infinity) : NaN;
  if (x === Infinity) return y > 0 ? Infinity : y === 0 ? 1 : 0;
  if (y === 0) return 1;
  let scaled = x;
  let e = 0;
  if (scaled < 2.2250738585072014e-308) {
    scaled = scaled * 18014398509481984.0; // 2^54: a subnormal becomes normal
    e = -54;
  }
  word[0] = scaled;
  e += ((halves[1] >>> 20) & 0x7ff) - 1023;
  halves[1] = (halves[1] & 0x000fffff) | 0x3ff00000;
  let m = word[0];
  if (m > SQRT2) {
    m = m * 0.5;
    e += 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let series = 1.0 / 25.0;
  for (let k = 11; k >= 0; k--) series = series * s2 + 1.0 / (2 * k + 1);
  const ln = e * LN2_HI + (e * LN2_LO + 2 * s * series);
  const t = y * ln;
  if (t > 709.8) return Infinity;
  if (t < -745.2) return 0;
  const k = Math.floor(t * INV_LN2 + 0.5);
  const r = t - k * LN2_HI - k * LN2_LO;
  let poly = 1.0 / 6402373705728000.0;
  let factorial = 6402373705728000.0;
  for (let n = 18; n >= 1; n--) {
    factorial = factorial / n;
    poly = poly * r + 1.0 / factorial;
  }
  if (k > 1023) return poly * twoTo(1023) * twoTo(k - 1023);
  if (k < -1022) return poly * twoTo(k + 600) * twoTo(-600);
  return poly * twoTo(k);
}
