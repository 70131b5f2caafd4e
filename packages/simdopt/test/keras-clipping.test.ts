// Keras's clipnorm, globalClipnorm and clipvalue, run by the Wasm gradient kernels before a Keras
// step: the clipped gradients (left in param.grad) against Keras's formulas, written out here in
// float64, and the same bits from the SIMD, scalar and reference binaries.
import { beforeAll, describe, expect, test } from "vitest";
import { createOptimizer, loadRuntime, type Parameter, type Runtime } from "../dist/index.js";
import { firstDifference, randomArray } from "./helpers.js";

const BINARIES = ["simd", "scalar", "reference"] as const;
let runtimes: Record<(typeof BINARIES)[number], Runtime>;
beforeAll(async () => {
  runtimes = Object.fromEntries(
    await Promise.all(BINARIES.map(async (binary) => [binary, await loadRuntime({ binary })])),
  ) as typeof runtimes;
});

/** Gradients of several lengths and norms: one zero tensor, small ones, large ones. */
const GRADIENTS = [0, 1, 3, 4, 5, 17, 1023]
  .map((length, i) => randomArray(length, 90 + i).map((g) => g * (i % 2 === 0 ? 0.05 : 4)))
  .concat([[0, 0, 0, 0, 0]]);

/** The gradients after one step of keras:sgd with learningRate 0 (nothing moves but the gradients). */
function clipped(runtime: Runtime, dtype: "float32" | "float64", clip: object, gradients = GRADIENTS): number[][] {
  const params: Parameter[] = gradients.map((g) => runtime.parameter(g.length, { dtype }).setGrad(g));
  const optimizer = createOptimizer("keras:sgd", params, { learningRate: 0, ...clip });
  optimizer.step();
  const grads = params.map((p) => Array.from(p.grad));
  optimizer.dispose();
  params.forEach((p) => p.dispose());
  return grads;
}

const norm = (g: readonly number[]) => Math.sqrt(g.reduce((sum, x) => sum + x * x, 0));

function expectClose(actual: number[][], expected: number[][], tolerance: number): void {
  actual.forEach((tensor, k) =>
    tensor.forEach((x, i) => {
      const e = expected[k][i];
      expect(Math.abs(x - e), `tensor ${k}, index ${i}`).toBeLessThanOrEqual(tolerance * Math.max(1e-30, Math.abs(e)));
    }),
  );
}

describe("Keras's clipping in Wasm", () => {
  test("clipnorm: each tensor g·c / max(‖g‖, c), on its own norm", () => {
    const c = 0.3;
    const expected = GRADIENTS.map((g) => g.map((x) => (x * c) / Math.max(norm(g), c)));
    expectClose(clipped(runtimes.simd, "float64", { clipnorm: c }), expected, 1e-15);
    expectClose(clipped(runtimes.simd, "float32", { clipnorm: c }), expected, 1e-6);
  });

  test("globalClipnorm: every tensor g·c·min(1/N, 1/c), N the norm of all of them", () => {
    const c = 0.3;
    const total = Math.sqrt(GRADIENTS.reduce((sum, g) => sum + norm(g) ** 2, 0));
    const expected = GRADIENTS.map((g) => g.map((x) => x * c * Math.min(1 / total, 1 / c)));
    expectClose(clipped(runtimes.simd, "float64", { globalClipnorm: c }), expected, 1e-15);
    expectClose(clipped(runtimes.simd, "float32", { globalClipnorm: c }), expected, 1e-6);
    // Below the limit, the factor is c·(1/c): 1 but for its rounding, as in Keras.
    expectClose(clipped(runtimes.simd, "float64", { globalClipnorm: 10 * total }), GRADIENTS, 1e-15);
  });

  test("clipvalue: clip(g, −v, v)", () => {
    const v = 0.02;
    const expected = GRADIENTS.map((g) => g.map((x) => Math.min(Math.max(x, -v), v)));
    expectClose(clipped(runtimes.simd, "float64", { clipvalue: v }), expected, 0);
  });

  test("an infinite gradient: clipnorm divides its own tensor by ∞, globalClipnorm makes every tensor NaN", () => {
    const gradients = [
      [1, Infinity, 2],
      [3, 4],
    ];
    // Keras: g·c / max(∞, c) is 0, except ∞·c/∞, NaN; the other tensor is clipped on its own norm.
    const byNorm = clipped(runtimes.simd, "float64", { clipnorm: 1 }, gradients);
    expect(byNorm[0]).toEqual([0, NaN, 0]);
    expect(byNorm[1]).toEqual([0.6, 0.8]);
    // Keras's scale c·min(1/N, 1/c) + (N − N) is NaN for N = ∞.
    const byGlobalNorm = clipped(runtimes.simd, "float64", { globalClipnorm: 1 }, gradients);
    expect(byGlobalNorm.flat().every(Number.isNaN)).toBe(true);
  });

  test.each([{ clipnorm: 0.3 }, { globalClipnorm: 0.3 }, { clipvalue: 0.02 }])(
    "%j: the same bits on SIMD, scalar and reference, float32 and float64",
    (clip) => {
      for (const dtype of ["float32", "float64"] as const) {
        const [reference, ...others] = (["reference", "scalar", "simd"] as const).map((binary) =>
          clipped(runtimes[binary], dtype, clip),
        );
        others.forEach((grads) => grads.forEach((g, k) => expect(firstDifference(g, reference[k])).toBe(-1)));
      }
    },
  );

  test("a step skipped for a non-finite gradient leaves the gradients unclipped", () => {
    const rt = runtimes.simd;
    const params = [rt.parameter(new Float64Array(3)).setGrad([3, NaN, 4]), rt.parameter(2).setGrad([30, 40])];
    const optimizer = createOptimizer("keras:adam", params, { clipnorm: 1, nonFinite: "skip" });
    expect(optimizer.step().applied).toBe(false);
    expect(Array.from(params[0].grad)).toEqual([3, NaN, 4]);
    expect(Array.from(params[1].grad)).toEqual([30, 40]);
  });
});
