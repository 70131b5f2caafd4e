// The 2-D test functions' gradients against central finite differences of their values.
import { describe, expect, test } from "vitest";
import { TEST_FUNCTIONS, type TestFunctionName } from "../dist/index.js";

const points: [number, number][] = [
  [-2.8, -2.5],
  [-4, -6],
  [0.3, -0.7],
  [1.1, 2.2],
  [-0.05, 0.4],
  [-7.2, 2],
];

describe.each(Object.keys(TEST_FUNCTIONS) as TestFunctionName[])("%s", (name) => {
  const fn = TEST_FUNCTIONS[name];
  test.each(points)("gradient at (%d, %d)", (x, y) => {
    const h = 1e-6;
    const dx = (fn.value(x + h, y) - fn.value(x - h, y)) / (2 * h);
    const dy = (fn.value(x, y + h) - fn.value(x, y - h)) / (2 * h);
    const [gx, gy] = fn.gradient(x, y);
    expect(Math.abs(gx - dx)).toBeLessThan(1e-5 * Math.max(1, Math.abs(dx)));
    expect(Math.abs(gy - dy)).toBeLessThan(1e-5 * Math.max(1, Math.abs(dy)));
  });
});

test("values at known points", () => {
  expect(TEST_FUNCTIONS.quadratic_a.value(1, 1)).toBeCloseTo(2.1, 14);
  expect(TEST_FUNCTIONS.giant_plateau.value(0, 0)).toBe(0);
  expect(TEST_FUNCTIONS.two_minimums.value(0, 0)).toBeCloseTo(4 - 0.5 * Math.exp(-12.5) - 3, 14);
  expect(TEST_FUNCTIONS.wobbly.gradient(0, 0)[0]).toBeCloseTo(3 + 8 * Math.exp(-10) * -4, 12); // |x|' = 0 at 0
});
