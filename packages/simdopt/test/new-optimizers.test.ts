// Behaviour of the optimizers beyond torch.optim's classic ten that the golden vectors do not show
// directly: ASGD's averaged iterate, FTRL's exact zeros, the portable pow behind FTRL's powers, and
// Adafactor over shaped parameters (the equivalence test's parameters are 1-D).
import { expect, test } from "vitest";
import { ASGD, createOptimizer, Ftrl, loadRuntime, type Dtype, type Runtime } from "../dist/index.js";
import { KERNEL_LAYOUTS } from "../dist/generated/kernels.js";
import { powNonNegative } from "../dist/reference/pow.js";
import { OPTION_FAMILIES } from "./families.js";
import { decodedState, firstDifference, gradientsFor, randomArray } from "./helpers.js";

test("ASGD.averaged is torch's state['ax']: p until t0, then the running mean of the iterates", async () => {
  const rt = await loadRuntime({ binary: "simd" });
  const w = rt.parameter(randomArray(9, 3), { dtype: "float64" });
  const opt = new ASGD([w], { lr: 0.05, lambd: 0, t0: 2 });
  expect(Array.from(opt.averaged(w))).toEqual(new Array(9).fill(0));
  const iterates: number[][] = [];
  for (let t = 0; t < 6; t++) {
    w.setGrad(gradientsFor(9, t, 1));
    opt.step();
    iterates.push(Array.from(w.data));
    expect(Array.from(opt.averaged(w))).toEqual(Array.from(decodedState(opt.stateDict())[0].ax as Float32Array));
  }
  // μ_t = 1/max(1, t − 1 − t0) (a float32): ax copies p for t ≤ 4, then averages p over steps 4..t.
  expect(Array.from(opt.averaged(w))).toEqual(
    iterates[3].map((_, i) => {
      let ax = iterates[3][i];
      for (let t = 5; t <= 6; t++) ax += (iterates[t - 1][i] - ax) * Math.fround(1 / (t - 3));
      return ax;
    }),
  );
  expect(() => opt.averaged(rt.parameter(1))).toThrow(
    /ASGD: averaged\(param\): the parameter is not one of this optimizer's/,
  );
});

test("FTRL with L1 sets small coordinates exactly to 0 (sparse weights)", async () => {
  const rt = await loadRuntime({ binary: "simd" });
  const w = rt.parameter(randomArray(64, 5));
  const opt = new Ftrl([w], { learningRate: 0.1, l1RegularizationStrength: 0.5 });
  for (let t = 0; t < 10; t++) {
    w.setGrad(gradientsFor(64, t, 2).map((g) => g * 0.1));
    opt.step();
  }
  const zeros = Array.from(w.data).filter((x) => x === 0).length;
  expect(zeros).toBeGreaterThan(8);
  expect(zeros).toBeLessThan(64);
});

test("the portable pow is within 1e-14 of Math.pow for |y·ln x| up to 50, exact at the edges", () => {
  let worst = 0;
  for (let k = 0; k < 20000; k++) {
    const x = 10 ** (((k * 7919) % 20000) / 1000 - 10);
    for (const y of [0.5, 0.7, 0.3, 1.5, 2, 0.25]) {
      const expected = x ** y;
      worst = Math.max(worst, Math.abs(powNonNegative(x, y) - expected) / expected);
    }
  }
  expect(worst).toBeLessThan(1e-14);
  expect(powNonNegative(0, 0.5)).toBe(0);
  expect(powNonNegative(0, 0)).toBe(1);
  expect(powNonNegative(Infinity, 0.5)).toBe(Infinity);
  expect(powNonNegative(-1, 0.5)).toBeNaN();
  expect(powNonNegative(5e-324, 0.5)).toBeCloseTo(5e-324 ** 0.5, 170);
  expect(powNonNegative(4, 0.5)).toBe(2);
});

/** Adafactor over `shapes` for `steps` steps on reference, scalar and SIMD, separate and fused: the same bits. */
async function adafactorAgrees(shapes: number[][], steps: number) {
  const binaries = await Promise.all(
    (["reference", "scalar", "simd"] as const).flatMap((binary) =>
      (["separate", "fused"] as const).map((rounding) => loadRuntime({ binary, rounding })),
    ),
  );
  const run = (rt: Runtime, options: object, dtype: Dtype) => {
    const params = shapes.map((shape, k) =>
      rt.parameter(
        randomArray(
          shape.reduce((a, b) => a * b),
          20 + k,
        ),
        { dtype, shape },
      ),
    );
    const opt = createOptimizer("adafactor", params, options);
    for (let t = 0; t < steps; t++) {
      params.forEach((p, k) => p.setGrad(gradientsFor(p.length, t, 30 + k)));
      opt.step();
    }
    const state = decodedState(opt.stateDict());
    opt.dispose();
    return { values: params.map((p) => Array.from(p.data)), state };
  };
  const results = [];
  for (const options of OPTION_FAMILIES.adafactor) {
    for (const dtype of ["float32", "float64"] as const) {
      for (const rounding of [0, 1]) {
        const [reference, ...others] = [0, 1, 2].map((b) => run(binaries[b * 2 + rounding], options, dtype));
        for (const other of others) {
          other.values.forEach((values, k) =>
            expect(
              firstDifference(values, reference.values[k]),
              `${JSON.stringify(options)} ${dtype} tensor ${k}`,
            ).toBe(-1),
          );
          other.state.forEach((entry, k) => {
            for (const name of ["rowVar", "colVar", "variance"]) {
              const [a, b] = [entry[name], reference.state[k][name]] as Float64Array[];
              expect(a === b ? -1 : firstDifference(a, b), `tensor ${k} ${name}`).toBe(-1);
            }
          });
        }
        results.push(reference);
      }
    }
  }
  return results;
}

test("Adafactor with shaped parameters: reference ≡ scalar ≡ SIMD bit for bit, factored and not", async () => {
  for (const reference of await adafactorAgrees([[6, 5], [2, 3, 4], [7], [1, 4], [3, 17], [4, 11], [2, 5, 34]], 8)) {
    // The factored tensors moved: their row factors hold their batch·rows values, all positive.
    const rowVar = reference.state[0].rowVar as Float64Array;
    expect(rowVar).toHaveLength(6);
    expect(Array.from(rowVar).every((x) => x > 0)).toBe(true);
  }
});

test("Adafactor over several blocks (its sums in block order): reference ≡ scalar ≡ SIMD bit for bit", async () => {
  // A 1-D tensor of two blocks and a part; blocks of whole rows of 1001 columns, two and a part,
  // in one batch and in two; blocks of whole small batches, several and a part.
  const { elements } = KERNEL_LAYOUTS.adafactor.blocks;
  const rowsPerBlock = Math.floor(elements / 1001);
  await adafactorAgrees(
    [[2 * elements + 5], [2 * rowsPerBlock + 1, 1001], [2, rowsPerBlock + 3, 1001], [2500, 3, 3], [6, 40, 101]],
    3,
  );
});

test("a parameter's shape must match its length", async () => {
  const rt = await loadRuntime({ binary: "reference" });
  expect(rt.parameter(6, { shape: [2, 3] }).shape).toEqual([2, 3]);
  expect(rt.parameter(6).shape).toEqual([6]);
  expect(() => rt.parameter(6, { shape: [4, 2] })).toThrow(
    /option 'shape' must be whole numbers whose product is the length 6, got \[4, 2\]/,
  );
});
