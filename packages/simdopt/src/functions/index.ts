/**
 * The 2-D test functions of the classic optimizer comparisons, each with its exact gradient, so that
 * optimizer trajectories can be run and compared (see `runTrajectory`). The derivative of |x| at 0
 * is taken as 0, as autograd takes it.
 */
import { deepFreeze } from "../runtime/freeze.js";
/** A 2-D test function f(x, y) with its exact gradient. */
export interface TestFunction {
  /** f(x, y) */
  value(x: number, y: number): number;
  /** [∂f/∂x, ∂f/∂y] */
  gradient(x: number, y: number): [number, number];
}

const { exp, sin, cos, sqrt, abs, sign } = Math;

/** a·exp(−(p(x − cx)² + q(y − cy)²)) and its gradient: the bumps several functions are made of. */
function gaussian(a: number, cx: number, cy: number, p: number, q: number) {
  return {
    value: (x: number, y: number) => a * exp(-(p * (x - cx) ** 2 + q * (y - cy) ** 2)),
    gradient(x: number, y: number): [number, number] {
      const e = a * exp(-(p * (x - cx) ** 2 + q * (y - cy) ** 2));
      return [-2 * p * (x - cx) * e, -2 * q * (y - cy) * e];
    },
  };
}

/** Sums of terms, and c·(x² + y²) bowls. */
function sum(...terms: TestFunction[]): TestFunction {
  return {
    value: (x, y) => terms.reduce((total, term) => total + term.value(x, y), 0),
    gradient(x, y) {
      let gx = 0;
      let gy = 0;
      for (const term of terms) {
        const [tx, ty] = term.gradient(x, y);
        gx += tx;
        gy += ty;
      }
      return [gx, gy];
    },
  };
}

function bowl(cx: number, cy: number): TestFunction {
  return { value: (x, y) => cx * x * x + cy * y * y, gradient: (x, y) => [2 * cx * x, 2 * cy * y] };
}

const constant = (c: number): TestFunction => ({ value: () => c, gradient: () => [0, 0] });

/** Every test function by name, as the golden trajectory cases name them; each entry's comment gives its formula. */
export const TEST_FUNCTIONS = deepFreeze({
  /** 0.1x² + 2y² */
  quadratic_a: bowl(0.1, 2),
  /** x²/20 + y² */
  quadratic_b: bowl(1 / 20, 1),
  /** (x²+y²)/3 + |x|·√(|x|+0.1) + 3·sin(x+y) + 3 + 8·exp(−2((x+1)²+(y+2)²)) */
  wobbly: sum(
    bowl(1 / 3, 1 / 3),
    {
      value: (x) => abs(x) * sqrt(abs(x) + 0.1),
      gradient: (x) => {
        const root = sqrt(abs(x) + 0.1);
        return [sign(x) * root + (abs(x) * sign(x)) / (2 * root), 0];
      },
    },
    { value: (x, y) => 3 * sin(x + y) + 3, gradient: (x, y) => [3 * cos(x + y), 3 * cos(x + y)] },
    gaussian(8, -1, -2, 2, 2),
  ),
  /** (x²+y²)/2 + sin²(4x) */
  basins_and_walls: sum(bowl(1 / 2, 1 / 2), {
    value: (x) => sin(4 * x) ** 2,
    gradient: (x) => [8 * sin(4 * x) * cos(4 * x), 0],
  }),
  /** (x²+y²)/3 + (sin²(20x) + sin²(20y))/15 */
  ripple: sum(bowl(1 / 3, 1 / 3), {
    value: (x, y) => (sin(20 * x) ** 2 + sin(20 * y) ** 2) / 15,
    gradient: (x, y) => [(40 * sin(20 * x) * cos(20 * x)) / 15, (40 * sin(20 * y) * cos(20 * y)) / 15],
  }),
  /** 4·(1 − exp(−(x²+y²))) */
  giant_plateau: sum(constant(4), gaussian(-4, 0, 0, 1, 1)),
  /** (x²+y²)/3 + 3·exp(−((x+1)²+(y+2)²)) + exp(−1.5(2(x+2)²+(y−0.5)²)) + 3·exp(−1.5((x−1)²+2(y+1.5)²))
   *  + 1.5·exp(−((x+1.5)²+3(y+0.5)²)) + 4·(1−exp(−(x+y)²)) */
  hills_and_canyon: sum(
    bowl(1 / 3, 1 / 3),
    gaussian(3, -1, -2, 1, 1),
    gaussian(1, -2, 0.5, 3, 1.5),
    gaussian(3, 1, -1.5, 1.5, 3),
    gaussian(1.5, -1.5, -0.5, 1, 3),
    {
      value: (x, y) => 4 * (1 - exp(-((x + y) ** 2))),
      gradient(x, y) {
        const d = 8 * (x + y) * exp(-((x + y) ** 2));
        return [d, d];
      },
    },
  ),
  /** 4 − 0.5·exp(−((x+2.5)²+(y+2.5)²)) − 3·exp(−(x²+y²)) */
  two_minimums: sum(constant(4), gaussian(-0.5, -2.5, -2.5, 1, 1), gaussian(-3, 0, 0, 1, 1)),
} satisfies Record<string, TestFunction>);

/** The name of a function in `TEST_FUNCTIONS`. */
export type TestFunctionName = keyof typeof TEST_FUNCTIONS;
