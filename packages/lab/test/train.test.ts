// The digit MLP: its gradient against finite differences, and a small training budget that reaches
// a sensible held-out accuracy with simdopt's Adam.
import { loadRuntime, type Runtime } from "simdopt";
import { beforeAll, expect, test } from "vitest";
import { HELD_OUT_SAMPLES, loadDigits, TRAINING_SAMPLES } from "../dist/train/digits.js";
import { Mlp } from "../dist/train/mlp.js";
import { train } from "../dist/train/train.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

test("the split: 8495 training and 1505 held-out digits, disjoint, all ten classes", () => {
  const { train: tr, test: te } = loadDigits();
  expect([tr.count, te.count]).toEqual([8495, 1505]);
  expect([tr.count, te.count]).toEqual([TRAINING_SAMPLES, HELD_OUT_SAMPLES]); // the counts the command checks flags against
  expect(new Set(tr.labels).size).toBe(10);
  expect(new Set(te.labels).size).toBe(10);
  const small = loadDigits({ train: 100, test: 50 });
  expect([small.train.count, small.test.count]).toEqual([100, 50]);
  expect(() => loadDigits({ train: 9000 })).toThrow(/training set takes 1 to 8495 samples, got 9000/);
});

test("backpropagation matches finite differences of the loss", () => {
  const data = loadDigits({ train: 20, test: 1 }).train;
  const model = new Mlp(runtime, 8, 3);
  try {
    // float32 weights: differences in float64 over a float32-representable step
    const batch = [0, 1, 2, 3, 4];
    model.lossAndGradient(data, batch);
    const grads = model.parameters.map((p) => Float64Array.from(p.grad));
    const h = 2 ** -10;
    for (const [k, param] of model.parameters.entries()) {
      for (const i of [0, 1, Math.floor(param.length / 2), param.length - 1]) {
        const saved = param.data[i];
        param.data[i] = saved + h;
        const up = model.lossAndGradient(data, batch);
        param.data[i] = saved - h;
        const down = model.lossAndGradient(data, batch);
        param.data[i] = saved;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(numeric - grads[k][i]), `${param.name}[${i}]`).toBeLessThan(
          2e-3 * Math.max(1, Math.abs(numeric)),
        );
      }
    }
  } finally {
    model.dispose();
  }
});

test("Adam trains the 784-128-10 MLP above 85% held-out on 3000 digits in one epoch", () => {
  const data = loadDigits({ train: 3000, test: 600 });
  const result = train(runtime, data, "adam", { lr: 0.001 }, { epochs: 1 });
  expect(result.testAccuracy[0]).toBeLessThan(0.3); // untrained
  expect(result.testAccuracy.at(-1)).toBeGreaterThan(0.85);
  expect(result.trainLoss.at(-1)).toBeLessThan(result.trainLoss[0]);
  expect(result.msPerEpoch).toHaveLength(1);
  expect(result.msPerEpoch[0]).toBeGreaterThan(0);
  expect(result.stepMsPerEpoch[0]).toBeGreaterThan(0);
  expect(result.stepMsPerEpoch[0]).toBeLessThan(result.msPerEpoch[0]);
});

test("every parameter is freed after training, and bad budgets are refused", async () => {
  const data = loadDigits({ train: 64, test: 10 });
  // Disposed blocks normally wait in a quarantine before reuse (simdopt's memory rules); without it
  // a freed block is reused at once, so the first address after training shows what was freed.
  const immediate = await loadRuntime();
  (immediate as unknown as { quarantineBytes: number }).quarantineBytes = 0;
  const runtime = immediate;
  const before = runtime.parameter(1);
  const address = before.dataPtr;
  before.dispose();
  train(runtime, data, "sgd", { lr: 0.1 }, { epochs: 1, hiddenSize: 4 });
  const after = runtime.parameter(1);
  expect(after.dataPtr).toBe(address);
  after.dispose();
  expect(() => train(runtime, data, "sgd", { lr: 0.1 }, { epochs: 0 })).toThrow(/epochs must be a number > 0, got 0/);
  expect(() => train(runtime, data, "sgd", { lr: 0.1 }, { batchSize: 1.5 })).toThrow(
    /batch size must be a whole number ≥ 1, got 1.5/,
  );
});
