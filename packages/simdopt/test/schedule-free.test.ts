// Schedule-free AdamW and SGD: the frontier golden cases (facebookresearch/schedule_free), the
// train/eval switch, and checkpoints that record the mode.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  AdamWScheduleFree,
  loadRuntime,
  runOptimizerCase,
  SGDScheduleFree,
  type OptimizerCase,
  type Runtime,
} from "../dist/index.js";
import { sharedGoldenFolder } from "./helpers.js";

let runtimes: Runtime[];
beforeAll(async () => {
  runtimes = await Promise.all((["reference", "scalar", "simd"] as const).map((binary) => loadRuntime({ binary })));
});

const frontier = sharedGoldenFolder("frontier", "schedule-free golden cases");
const cases = frontier
  ? (JSON.parse(readFileSync(join(frontier, "optimizers.json"), "utf8")) as { source: string; cases: OptimizerCase[] })
  : undefined;
const scheduleFree = (cases?.cases ?? []).filter(
  (c) => c.optimizer.startsWith("schedulefree:") || c.optimizer === "optax:contrib.schedule_free_adamw",
);

describe.runIf(frontier !== undefined)("frontier schedule-free cases", () => {
  test("the file holds the 18 torch and 6 optax cases, each with expected_eval", () => {
    expect(scheduleFree.length).toBe(24);
    for (const c of scheduleFree) expect(c.params.every((p) => p.expected_eval !== undefined)).toBe(true);
  });
  test.each(scheduleFree.map((c) => ({ c, label: c.name })))("$label", ({ c }) => {
    for (const runtime of runtimes) {
      const result = runOptimizerCase(runtime, c, cases?.source);
      expect(result.error, runtime.binary).toBeUndefined();
      expect(result.maxError, `${runtime.binary}: ${c.name}`).toBeLessThanOrEqual(result.tolerance);
    }
  });
});

describe("the train/eval switch", () => {
  const grads = [
    [0.5, -1, 0.25],
    [-0.3, 0.2, 1],
    [0.1, 0.4, -0.6],
  ];
  test("eval() puts x = y + (1 − 1/β)(z − y) in the parameters and train() brings y back", () => {
    const [runtime] = runtimes;
    const p = runtime.parameter([1, 2, 3], { dtype: "float64" });
    const opt = new SGDScheduleFree([p], { lr: 0.1, momentum: 0.5 });
    // By hand, the paper's form: z ← z − lr·g; x ← (1 − c)x + c·z with c = 1/(k+1); y = βx + (1 − β)z.
    let x = [1, 2, 3];
    let z = [1, 2, 3];
    grads.forEach((g, k) => {
      p.setGrad(g);
      opt.step();
      z = z.map((zi, i) => zi - 0.1 * g[i]);
      x = x.map((xi, i) => (1 - 1 / (k + 1)) * xi + (1 / (k + 1)) * z[i]);
      const y = x.map((xi, i) => 0.5 * xi + 0.5 * z[i]);
      Array.from(p.data).forEach((v, i) => expect(v).toBeCloseTo(y[i], 14));
    });
    const y = Array.from(p.data);
    expect(opt.isTraining).toBe(true);
    opt.eval();
    expect(opt.isTraining).toBe(false);
    Array.from(p.data).forEach((v, i) => expect(v).toBeCloseTo(x[i], 14));
    opt.eval(); // already in eval mode: nothing moves
    Array.from(p.data).forEach((v, i) => expect(v).toBeCloseTo(x[i], 14));
    p.setGrad(grads[0]);
    expect(() => opt.step()).toThrow(/SGDScheduleFree: step\(\) in eval mode: call train\(\) first/);
    Array.from(p.data).forEach((v, i) => expect(v).toBeCloseTo(x[i], 14));
    expect(opt.stepCount()).toBe(3);
    opt.train();
    Array.from(p.data).forEach((v, i) => expect(v).toBeCloseTo(y[i], 14));
    opt.dispose();
    p.dispose();
  });

  test("before the first step the switch moves nothing", () => {
    const [runtime] = runtimes;
    const p = runtime.parameter([1, -2], { dtype: "float32" });
    const opt = new AdamWScheduleFree([p]);
    opt.eval();
    expect(Array.from(p.data)).toEqual([1, -2]);
    opt.train();
    expect(Array.from(p.data)).toEqual([1, -2]);
    opt.dispose();
    p.dispose();
  });

  test("a checkpoint records the mode, and loading it restores it", () => {
    const [runtime] = runtimes;
    const p = runtime.parameter([1, 2, 3], { dtype: "float32" });
    const opt = new AdamWScheduleFree([p], { lr: 0.01, weightDecay: 0.1 });
    for (const g of grads) {
      p.setGrad(g);
      opt.step();
    }
    opt.eval();
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    const x = Array.from(p.data);
    expect(Object.values(saved.state)[0]).toMatchObject({ step: 3, train_mode: 0 });

    // Continue in a new optimizer from the checkpoint: same parameters (x), same mode.
    const q = runtime.parameter(x, { dtype: "float32" });
    const restored = new AdamWScheduleFree([q], { lr: 0.01, weightDecay: 0.1 });
    restored.loadStateDict(saved);
    expect(restored.isTraining).toBe(false);
    opt.train();
    restored.train();
    expect(Array.from(q.data)).toEqual(Array.from(p.data));
    for (const target of [p, q]) target.setGrad([0.2, -0.1, 0.3]);
    opt.step();
    restored.step();
    expect(Array.from(q.data)).toEqual(Array.from(p.data));
    for (const o of [opt, restored]) o.dispose();
    for (const t of [p, q]) t.dispose();
  });
});

describe("options", () => {
  test("bad options are refused by name", () => {
    const [runtime] = runtimes;
    const p = runtime.parameter([1]);
    expect(() => new SGDScheduleFree([p], { momentum: 0 })).toThrow(/SGDScheduleFree: invalid momentum: 0/);
    expect(() => new AdamWScheduleFree([p], { betas: [0, 0.9] })).toThrow(/beta parameter at index 0/);
    expect(() => new AdamWScheduleFree([p], { warmupSteps: 1.5 })).toThrow(/warmupSteps: 1.5/);
    expect(() => new AdamWScheduleFree([p], { innerMomentum: 1 })).toThrow(/innerMomentum/);
    p.dispose();
  });
});
