// The lab's functions: every one known by name, Rosenbrock's and Beale's gradients against finite
// differences, minima where the gradient vanishes.
import { TEST_FUNCTIONS } from "simdopt";
import { describe, expect, test } from "vitest";
import { beale, findMinimum, LAB_FUNCTION_NAMES, LAB_FUNCTIONS, labFunction, rosenbrock } from "../dist/index.js";

test("simdopt's functions, Rosenbrock and Beale", () => {
  expect(LAB_FUNCTION_NAMES).toEqual([...Object.keys(TEST_FUNCTIONS), "rosenbrock", "beale"]);
  expect(LAB_FUNCTIONS.wobbly.value(0.3, -0.2)).toBe(TEST_FUNCTIONS.wobbly.value(0.3, -0.2));
  expect(() => labFunction("himmelblau")).toThrow(/unknown function 'himmelblau' \(known: quadratic_a, .*beale\)/);
  expect(() => labFunction("toString")).toThrow(TypeError);
});

describe.each([
  ["rosenbrock", rosenbrock],
  ["beale", beale],
] as const)("%s", (_, fn) => {
  test.each([
    [-1.5, 2.5],
    [0.3, -0.7],
    [1, 1.5],
    [2.2, -1.1],
  ])("gradient at (%d, %d)", (x, y) => {
    const h = 1e-6;
    const dx = (fn.value(x + h, y) - fn.value(x - h, y)) / (2 * h);
    const dy = (fn.value(x, y + h) - fn.value(x, y - h)) / (2 * h);
    const [gx, gy] = fn.gradient(x, y);
    expect(Math.abs(gx - dx)).toBeLessThan(1e-6 * Math.max(1, Math.abs(dx)));
    expect(Math.abs(gy - dy)).toBeLessThan(1e-6 * Math.max(1, Math.abs(dy)));
  });
});

test("the known minima are zeros of value and gradient", () => {
  expect(rosenbrock.value(1, 1)).toBe(0);
  expect(rosenbrock.gradient(1, 1).map(Math.abs)).toEqual([0, 0]);
  expect(beale.value(3, 0.5)).toBe(0);
  expect(beale.gradient(3, 0.5).map(Math.abs)).toEqual([0, 0]);
});

test.each(LAB_FUNCTION_NAMES)("%s: the marked minimum is the lowest point of the window", (name) => {
  const fn = labFunction(name);
  const [mx, my] = findMinimum(fn);
  const lowest = fn.value(mx, my);
  const {
    x: [x0, x1],
    y: [y0, y1],
  } = fn.domain;
  for (let i = 0; i <= 60; i++) {
    for (let j = 0; j <= 60; j++) {
      expect(fn.value(x0 + ((x1 - x0) * i) / 60, y0 + ((y1 - y0) * j) / 60)).toBeGreaterThanOrEqual(lowest - 1e-12);
    }
  }
  const [gx, gy] = fn.gradient(mx, my);
  expect(Math.hypot(gx, gy)).toBeLessThan(1e-4);
});
