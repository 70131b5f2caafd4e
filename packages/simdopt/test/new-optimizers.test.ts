// Behaviour of the optimizers beyond torch.optim's classic ten that the golden vectors do not show
// directly: ASGD's averaged iterate, FTRL's exact zeros, and the portable pow behind FTRL's powers.
import { expect, test } from "vitest";
import { ASGD, Ftrl, loadRuntime } from "../dist/index.js";
import { powNonNegative } from "../dist/reference/pow.js";
import { gradientsFor, randomArray } from "./helpers.js";

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
    expect(opt.averaged(w)).toEqual(opt.stateDict().state[0].ax);
  }
  // μ_t = 1/max(1, t − 1 − t0) (a float32): ax copies p for t ≤ 4, then averages p over steps 4..t.
  expect(Array.from(opt.averaged(w))).toEqual(iterates[3].map((_, i) => {
    let ax = iterates[3][i];
    for (let t = 5; t <= 6; t++) ax += (iterates[t - 1][i] - ax) * Math.fround(1 / (t - 3));
    return ax;
  }));
  expect(() => opt.averaged(rt.parameter(1))).toThrow(/ASGD: averaged\(param\): the parameter is not one of this optimizer's/);
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
      const expected = Math.pow(x, y);
      worst = Math.max(worst, Math.abs(powNonNegative(x, y) - expected) / expected);
    }
  }
  expect(worst).toBeLessThan(1e-14);
  expect(powNonNegative(0, 0.5)).toBe(0);
  expect(powNonNegative(0, 0)).toBe(1);
  expect(powNonNegative(Infinity, 0.5)).toBe(Infinity);
  expect(powNonNegative(-1, 0.5)).toBeNaN();
  expect(powNonNegative(5e-324, 0.5)).toBeCloseTo(Math.pow(5e-324, 0.5), 170);
  expect(powNonNegative(4, 0.5)).toBe(2);
});
