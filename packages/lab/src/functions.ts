/**
 * The 2-D test functions the lab draws: simdopt's `TEST_FUNCTIONS` (the classic comparisons' set)
 * plus Rosenbrock's valley and Beale's function, each with the plot window, the start point and the
 * minimum used by default.
 */
import { TEST_FUNCTIONS, type TestFunction, type TestFunctionName } from "simdopt";

/** A test function with what it takes to draw it. */
export interface LabFunction extends TestFunction {
  /** The name used on the command line and in file names. */
  readonly name: string;
  /** f(x, y) as text, for titles. */
  readonly formula: string;
  /** The plot window: [xMin, xMax] and [yMin, yMax]. */
  readonly domain: { readonly x: readonly [number, number]; readonly y: readonly [number, number] };
  /** Where paths start unless told otherwise (the golden files' start where they have one). */
  readonly start: readonly [number, number];
  /** The global minimum when it is known in closed form (otherwise `findMinimum` searches the window). */
  readonly minimum?: readonly [number, number];
  /** Level sets spaced in log(f − fmin) rather than in f: for functions that span many decades. */
  readonly logLevels?: boolean;
  /** Learning rate of plain gradient descent on this function (the other defaults scale from it). */
  readonly sgdLr: number;
  /** Learning rate of the adaptive methods (Adam's and its family's step size) on this function. */
  readonly adaptiveLr: number;
  /** Steps drawn by default. */
  readonly steps: number;
}

/** (1 − x)² + 100(y − x²)²: a curved valley, minimum 0 at (1, 1). */
export const rosenbrock: TestFunction = {
  value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
};

/** (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: flat arms and sharp ridges, minimum 0 at (3, 0.5). */
export const beale: TestFunction = {
  value: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
  gradient(x, y) {
    const a = 1.5 - x + x * y;
    const b = 2.25 - x + x * y * y;
    const c = 2.625 - x + x * y ** 3;
    return [
      2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
      2 * a * x + 4 * b * x * y + 6 * c * x * y * y,
    ];
  },
};

type Drawing = Omit<LabFunction, "value" | "gradient" | "name">;

const CLASSIC: Record<TestFunctionName, Drawing> = {
  quadratic_a: {
    formula: "0.1x² + 2y²",
    domain: { x: [-5, 5], y: [-7, 7] },
    start: [-4, -6],
    minimum: [0, 0],
    sgdLr: 0.4,
    adaptiveLr: 0.25,
    steps: 60,
  },
  quadratic_b: {
    formula: "x²/20 + y²",
    domain: { x: [-8, 8], y: [-4, 4] },
    start: [-7.2, 2],
    minimum: [0, 0],
    sgdLr: 0.9,
    adaptiveLr: 0.25,
    steps: 60,
  },
  wobbly: {
    formula: "(x²+y²)/3 + |x|·√(|x|+0.1) + 3·sin(x+y) + 3 + 8·exp(−2((x+1)²+(y+2)²))",
    domain: { x: [-4, 4], y: [-4, 4] },
    start: [-2.8, -2.5],
    sgdLr: 0.05,
    adaptiveLr: 0.1,
    steps: 100,
  },
  basins_and_walls: {
    formula: "(x²+y²)/2 + sin²(4x)",
    domain: { x: [-4, 4], y: [-4, 4] },
    start: [-2.8, -2.5],
    minimum: [0, 0],
    sgdLr: 0.05,
    adaptiveLr: 0.1,
    steps: 100,
  },
  ripple: {
    formula: "(x²+y²)/3 + (sin²(20x) + sin²(20y))/15",
    domain: { x: [-4, 4], y: [-4, 4] },
    start: [-2.8, -2.5],
    minimum: [0, 0],
    sgdLr: 0.05,
    adaptiveLr: 0.1,
    steps: 100,
  },
  giant_plateau: {
    formula: "4·(1 − exp(−(x²+y²)))",
    domain: { x: [-4, 4], y: [-4, 4] },
    start: [-2.8, -2.5],
    minimum: [0, 0],
    sgdLr: 0.5,
    adaptiveLr: 0.1,
    steps: 100,
  },
  hills_and_canyon: {
    formula: "(x²+y²)/3 + Gaussian hills + 4·(1−exp(−(x+y)²))",
    domain: { x: [-4, 4], y: [-4, 4] },
    start: [-2.8, -2.5],
    sgdLr: 0.05,
    adaptiveLr: 0.1,
    steps: 100,
  },
  two_minimums: {
    formula: "4 − 0.5·exp(−((x+2.5)²+(y+2.5)²)) − 3·exp(−(x²+y²))",
    domain: { x: [-4, 4], y: [-4, 4] },
    // Near the ridge between the two wells, where the optimizers part ways.
    start: [-1.1, -1.8],
    minimum: [0, 0],
    sgdLr: 0.5,
    adaptiveLr: 0.1,
    steps: 100,
  },
};

const EXTRA: Record<"rosenbrock" | "beale", Drawing & { fn: TestFunction }> = {
  rosenbrock: {
    fn: rosenbrock,
    formula: "(1 − x)² + 100(y − x²)²",
    domain: { x: [-2, 2], y: [-1, 3] },
    start: [-1.5, 2.5],
    minimum: [1, 1],
    logLevels: true,
    sgdLr: 1e-3,
    adaptiveLr: 0.02,
    steps: 1000,
  },
  beale: {
    fn: beale,
    formula: "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
    domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
    start: [1, 1.5],
    minimum: [3, 0.5],
    logLevels: true,
    sgdLr: 0.01,
    adaptiveLr: 0.1,
    steps: 300,
  },
};

/** Every function the lab knows, by name. */
export const LAB_FUNCTIONS: Readonly<Record<string, LabFunction>> = Object.freeze({
  ...Object.fromEntries(
    (Object.keys(CLASSIC) as TestFunctionName[]).map((name) => [
      name,
      { ...TEST_FUNCTIONS[name], ...CLASSIC[name], name },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(EXTRA).map(([name, { fn, ...drawing }]) => [
      name,
      { value: fn.value, gradient: fn.gradient, ...drawing, name },
    ]),
  ),
});

/** Names of every function the lab knows. */
export const LAB_FUNCTION_NAMES: readonly string[] = Object.keys(LAB_FUNCTIONS);

/** The function named `name`, or a TypeError that lists the known names. */
export function labFunction(name: string): LabFunction {
  const found = Object.hasOwn(LAB_FUNCTIONS, name) ? LAB_FUNCTIONS[name] : undefined;
  if (found === undefined) {
    throw new TypeError(`simdopt-lab: unknown function '${name}' (known: ${LAB_FUNCTION_NAMES.join(", ")})`);
  }
  return found;
}

/**
 * The lowest point of `fn` in its window: its closed-form minimum when known, otherwise the lowest
 * of a 200 × 200 grid refined by a pattern search (halving steps around the best point).
 */
export function findMinimum(fn: LabFunction): [number, number] {
  if (fn.minimum) return [fn.minimum[0], fn.minimum[1]];
  const {
    x: [x0, x1],
    y: [y0, y1],
  } = fn.domain;
  const n = 200;
  let best: [number, number] = [x0, y0];
  let bestValue = Infinity;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      const x = x0 + ((x1 - x0) * i) / n;
      const y = y0 + ((y1 - y0) * j) / n;
      const v = fn.value(x, y);
      if (v < bestValue) [best, bestValue] = [[x, y], v];
    }
  }
  for (let h = (x1 - x0) / n; h > 1e-9; h /= 2) {
    for (let moved = true; moved; ) {
      moved = false;
      for (const [dx, dy] of [
        [h, 0],
        [-h, 0],
        [0, h],
        [0, -h],
      ]) {
        const v = fn.value(best[0] + dx, best[1] + dy);
        if (v < bestValue) [best, bestValue, moved] = [[best[0] + dx, best[1] + dy], v, true];
      }
    }
  }
  return best;
}
