// The float32 fused multiply-add of the reference, against exact rational arithmetic.
import { expect, test } from "vitest";
import { fma32 } from "../src/reference/fma.js";
import { randomArray } from "./helpers.js";

/** a·b + c correctly rounded to float32, computed exactly with BigInt (inputs are float32). */
function exactFma32(a: number, b: number, c: number): number {
  const scaled = (x: number) => BigInt(x * 2 ** 149); // float32 values are multiples of 2⁻¹⁴⁹
  const exact = scaled(a) * scaled(b) + scaled(c) * 2n ** 149n; // scaled by 2²⁹⁸
  const approx = Math.fround(Number(exact) / 2 ** 298);
  const bits = new Float32Array(1);
  const word = new Int32Array(bits.buffer);
  let best = approx;
  let bestError: bigint | undefined;
  for (let d = -2; d <= 2; d++) {
    bits[0] = approx;
    word[0] += d;
    const candidate = bits[0];
    const error = scaled(candidate) * 2n ** 149n - exact;
    const size = error < 0n ? -error : error;
    if (bestError === undefined || size < bestError || (size === bestError && (word[0] & 1) === 0)) {
      best = candidate;
      bestError = size;
    }
  }
  return best;
}

test("rounds once where rounding through double would round twice", () => {
  const a = Math.fround(1 + 2 ** -12);
  expect(Math.fround(a * a + 2 ** -60)).toBe(Math.fround(1 + 2 ** -11)); // double rounding
  expect(fma32(a, a, 2 ** -60)).toBe(Math.fround(1 + 2 ** -11 + 2 ** -23));
  expect(fma32(a, a, -(2 ** -60))).toBe(Math.fround(1 + 2 ** -11));
  expect(fma32(-a, a, 2 ** -60)).toBe(Math.fround(-(1 + 2 ** -11)));
});

test("matches exact arithmetic on 20,000 hard and random cases", () => {
  const u = randomArray(60_000, 7);
  let mismatches = 0;
  for (let k = 0; k < 20_000; k++) {
    const [x, y, z] = [u[3 * k], u[3 * k + 1], u[3 * k + 2]];
    let a = Math.fround(x * 2 ** Math.round(y * 8));
    let b = Math.fround(y * 3);
    let c = Math.fround(z * 2 ** Math.round(x * 8));
    if (k % 3 === 0) c = Math.fround(-(a * b) + z * 1e-7); // cancellation
    if (k % 3 === 1) {
      // products near a float32 midpoint, with a tiny addend
      a = b = Math.fround(1 + Math.floor(Math.abs(x) * 4096) * 2 ** -12);
      c = Math.fround(z * 2 ** -40);
    }
    if (!Object.is(fma32(a, b, c), exactFma32(a, b, c))) mismatches++;
  }
  expect(mismatches).toBe(0);
});

test("propagates infinities and NaN", () => {
  expect(fma32(Infinity, 1, 1)).toBe(Infinity);
  expect(fma32(3e38, 3e38, 0)).toBe(Infinity);
  expect(fma32(NaN, 1, 1)).toBeNaN();
  expect(fma32(Infinity, 0, 1)).toBeNaN();
  expect(Object.is(fma32(0, 1, -0), 0)).toBe(true);
});
