// Multiply-adds where rounding once and rounding twice differ, shared by the Node and Deno tests.
// SGD with `maximize` and no momentum computes p ← (−lr)·(−g) + p, one fused multiply-add per
// element, so a parameter holding c with gradient a and lr a gives exactly fma(a, a, c).
import { fma32 } from "../dist/reference/fma.js";
import { SGD, type Runtime } from "../dist/index.js";

const f32 = Math.fround;

/** [a, addends]: products a·a near a float32 midpoint with tiny addends, and sums below float32's normal range. */
export const FMA_CASES: [number, number[]][] = [
  ...[1, 3, 5, 77, 1001, 4095].map((k): [number, number[]] => [
    f32(1 + k * 2 ** -12),
    [2 ** -60, -(2 ** -60), 2 ** -30, -(2 ** -30), 0, 3 * 2 ** -50, -(5 * 2 ** -49)].map(f32),
  ]),
  [f32(1.5e-19), [f32(-2.25e-38), f32(-2.2499e-38), f32(1e-45), f32(-3e-39), 0, f32(1.1e-38), f32(-1e-40)]],
  [f32(0.1), [f32(-0.01), f32(-0.0100000007), f32(1e-9), f32(-1e-9), f32(3), f32(-7e-3), 0]],
];

/** fma(a, a, c) for each addend c, computed by `runtime`'s kernels (7 elements: SIMD body and tail). */
export function fusedOnRuntime(runtime: Runtime, a: number, addends: number[]): number[] {
  const p = runtime.parameter(addends);
  p.setGrad(addends.map(() => a));
  const opt = new SGD([p], { lr: a, maximize: true });
  opt.step();
  const values = Array.from(p.data);
  opt.dispose();
  p.dispose();
  return values;
}

/** The correctly rounded results. */
export function fusedExpected(a: number, addends: number[]): number[] {
  return addends.map((c) => fma32(a, a, c));
}
