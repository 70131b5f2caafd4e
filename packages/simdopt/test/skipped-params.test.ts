// Parameters without a gradient are skipped as torch 2 skips them: their values and state stay as
// they are and their step count does not advance, so that each parameter computes exactly what it
// would in an optimizer that did not hold it on the steps it skipped. Optimizers of frameworks whose
// step count is the optimizer's (Keras, optax, TF.js; Ftrl) advance it for every parameter instead.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  createOptimizer,
  loadRuntime,
  loadSafetensors,
  NAdam,
  OPTIMIZER_NAMES,
  OPTIMIZERS,
  type Dtype,
  type OptimizerName,
  type Parameter,
  type Runtime,
  saveSafetensors,
} from "../dist/index.js";
import { OPTION_FAMILIES } from "./families.js";
import { firstDifference, gradientsFor, randomArray } from "./helpers.js";

const STEPS = 7;
/** The steps (0-based) on which the second tensor has no gradient. */
const SKIPPED = new Set([1, 2, 5]);
const LENGTHS = [17, 5];

let runtime: Runtime;
let threaded: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime({ threads: 1 });
  // threadMinElements 0: every kernel call is split over the threads, a subset's too.
  threaded = await loadRuntime({ threads: 2, threadMinElements: 0 });
});

/** Optimizers that count steps per parameter (torch's), and those whose count is the optimizer's. */
const PER_PARAMETER = OPTIMIZER_NAMES.filter((name) => OPTIMIZERS[name].definition.steps !== "shared");
const SHARED = OPTIMIZER_NAMES.filter((name) => OPTIMIZERS[name].definition.steps === "shared");

function makeParams(rt: Runtime, dtype: Dtype): Parameter[] {
  return LENGTHS.map((length, k) => rt.parameter(randomArray(length, 11 + k), { dtype }));
}

function bits(values: ArrayLike<number>): number[] {
  return Array.from(values);
}

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const at = firstDifference(bits(actual), bits(expected));
  expect(at, `${what} differs at ${at}: ${actual[at]} ≠ ${expected[at]}`).toBe(-1);
}

/** The state dict entry of each parameter, as JSON (exact: JSON-safe numbers). */
function entries(state: Record<string, unknown>): string[] {
  return Object.values(state).map((entry) => JSON.stringify(entry));
}

describe.each(PER_PARAMETER)("%s: a tensor without a gradient is as if absent on that step", (name: OptimizerName) => {
  const cases = OPTION_FAMILIES[name].flatMap((options) =>
    (["float32", "float64"] as const).map((dtype) => ({ options, dtype, label: JSON.stringify(options) })),
  );
  test.each(cases)("$dtype $label", ({ options, dtype }) => {
    for (const rt of [runtime, threaded]) {
      // Together: the second tensor skips some steps (no gradient, then frozen).
      const both = makeParams(rt, dtype);
      const together = createOptimizer(name, both, options);
      // Apart: each tensor in an optimizer of its own, which steps the second only when it has a gradient.
      const alone = makeParams(rt, dtype);
      const [first, second] = alone.map((param) => createOptimizer(name, [param], options));
      for (let step = 0; step < STEPS; step++) {
        const grads = LENGTHS.map((length, k) => gradientsFor(length, step, 5 + k));
        both[0].setGrad(grads[0]);
        alone[0].setGrad(grads[0]);
        if (SKIPPED.has(step)) {
          // Two ways to say it: no gradient this step, or a frozen parameter (its gradient, stale, stays).
          if (step === 5) {
            both[1].setGrad(grads[1]);
            both[1].requiresGrad = false;
          } else both[1].grad = null;
        } else {
          both[1].requiresGrad = true;
          both[1].setGrad(grads[1]);
          alone[1].setGrad(grads[1]);
          second.step();
        }
        together.step();
        first.step();
      }
      both.forEach((param, k) => expectSame(param.data, alone[k].data, `${rt.threads} threads: tensor ${k}`));
      const [a, b] = [together.stateDict().state, [first, second].map((o) => o.stateDict().state)];
      expect(entries(a)).toEqual([...entries(b[0]), ...entries(b[1])]);
      expect(together.state(both[1]).step).toBe(STEPS - SKIPPED.size);
      expect(together.stepCount()).toBe(STEPS);
      for (const o of [together, first, second]) o.dispose();
      for (const p of [...both, ...alone]) p.dispose();
    }
  });
});

describe.each(SHARED)("%s: a tensor without a gradient keeps its values; the step count is shared", (name) => {
  test("float32", () => {
    const [options] = OPTION_FAMILIES[name as OptimizerName];
    const params = makeParams(runtime, "float32");
    const opt = createOptimizer(name as OptimizerName, params, options);
    params.forEach((param, k) => param.setGrad(gradientsFor(param.length, 0, 5 + k)));
    opt.step();
    const before = params[1].toArray();
    const stateBefore = JSON.stringify(opt.stateDict().state["1"]);
    params[1].clearGrad();
    params[0].setGrad(gradientsFor(params[0].length, 1, 5));
    opt.step();
    expectSame(params[1].data, before, "the skipped tensor");
    const after = opt.stateDict().state["1"] as Record<string, unknown>;
    // Only the count (and the scalar state that follows it: NAdam's μ product, schedule-free's
    // weights) moved, as the framework's own counter does; the state tensors stayed.
    expect(after.step).toBe(2);
    const tensors = (entry: Record<string, unknown>) =>
      JSON.stringify(Object.entries(entry).filter(([, value]) => typeof value === "object"));
    expect(tensors(after)).toBe(tensors(JSON.parse(stateBefore)));
    opt.dispose();
    for (const p of params) p.dispose();
  });
});

describe("saying “no gradient”", () => {
  test("a new parameter has a gradient; clearGrad, grad = null and zeroGrad({ setToNone }) drop it; writing gives it back", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p], { lr: 0.1 });
    expect(p.hasGrad).toBe(true);
    p.setGrad([1, 1, 1]).clearGrad();
    expect(p.hasGrad).toBe(false);
    expect(bits(p.toArray())).toEqual([1, 2, 3]);
    opt.step();
    expect(bits(p.data)).toEqual([1, 2, 3]);
    expect(opt.state(p)).toEqual({ step: 0 });
    p.setGrad([1, 1, 1]);
    expect(p.hasGrad).toBe(true);
    p.grad = null;
    expect(p.hasGrad).toBe(false);
    p.grad.set([1, 1, 1]); // taking the view to write it gives a gradient back
    expect(p.hasGrad).toBe(true);
    opt.zeroGrad({ setToNone: true });
    expect(p.hasGrad).toBe(false);
    expect(bits(p.grad)).toEqual([0, 0, 0]);
    opt.zeroGrad();
    expect(p.hasGrad).toBe(true);
    opt.step(); // a zero gradient is a gradient: Adam steps (and decays nothing here)
    expect(opt.state(p).step).toBe(1);
    opt.dispose();
    p.dispose();
  });

  test("bad input is refused by name", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p]);
    expect(() => {
      (p as unknown as { grad: unknown }).grad = [1, 2, 3];
    }).toThrow(/can only be set to null/);
    expect(() => opt.zeroGrad({ setToNone: 1 as unknown as boolean })).toThrow(
      /zeroGrad: option 'setToNone' must be true or false, got 1/,
    );
    expect(() => opt.zeroGrad({ setTonone: true } as object)).toThrow(/unknown option 'setTonone'/);
    expect(p.hasGrad).toBe(true);
    opt.dispose();
    p.dispose();
  });

  test("clipping sees only the gradients a step uses, as clip_grad_norm_ sees those that are not None", () => {
    const [p, q] = [runtime.parameter([1, 2, 3]), runtime.parameter([4, 5])];
    const p2 = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p, q], { lr: 0.1, maxGradNorm: 0.5 });
    const alone = new Adam([p2], { lr: 0.1, maxGradNorm: 0.5 });
    q.requiresGrad = false;
    q.setGrad([1e6, 1e6]); // would dominate the norm if it counted
    for (const param of [p, p2]) param.setGrad([0.3, -0.4, 1.2]);
    opt.step();
    alone.step();
    expectSame(p.data, p2.data, "the clipped tensor");
    expect(opt.lastStep?.gradNorm).toBe(alone.lastStep?.gradNorm);
    expect(bits(q.data)).toEqual([4, 5]);
    for (const o of [opt, alone]) o.dispose();
    for (const x of [p, q, p2]) x.dispose();
  });
});

describe("checkpoints carry each parameter's step count", () => {
  for (const format of ["stateDict", "safetensors"] as const) {
    test(`${format}: saved mid-run with unequal counts, loaded, continued bit for bit`, () => {
      const make = () => {
        const params = makeParams(runtime, "float32");
        return { params, opt: new NAdam(params, { lr: 0.02 }) };
      };
      const a = make();
      for (let step = 0; step < 4; step++) {
        a.params.forEach((param, k) => param.setGrad(gradientsFor(param.length, step, 5 + k)));
        if (step < 2) a.params[1].clearGrad();
        a.opt.step();
      }
      expect([a.opt.state(a.params[0]).step, a.opt.state(a.params[1]).step]).toEqual([4, 2]);
      const b = make();
      b.params.forEach((param, k) => param.set(a.params[k].data));
      if (format === "stateDict") b.opt.loadStateDict(JSON.parse(JSON.stringify(a.opt.stateDict())));
      else loadSafetensors(b.opt, saveSafetensors(a.opt));
      for (let step = 4; step < 7; step++) {
        for (const { params, opt } of [a, b]) {
          params.forEach((param, k) => param.setGrad(gradientsFor(param.length, step, 5 + k)));
          opt.step();
        }
      }
      a.params.forEach((param, k) => expectSame(b.params[k].data, param.data, `tensor ${k}`));
      expect(JSON.stringify(b.opt.stateDict())).toBe(JSON.stringify(a.opt.stateDict()));
      for (const { params, opt } of [a, b]) {
        opt.dispose();
        for (const p of params) p.dispose();
      }
    });
  }

  test("a parameter that never stepped has no state in the checkpoint, and gets its initial state when it first steps", () => {
    const [p, q] = makeParams(runtime, "float64");
    const opt = new Adam([p, q], { lr: 0.1 });
    q.clearGrad();
    p.setGrad(randomArray(p.length, 3));
    opt.step();
    expect(opt.stateDict().state["1"]).toEqual({ step: 0 });
    const copy = makeParams(runtime, "float64");
    copy[0].set(p.data);
    const reloaded = new Adam(copy, { lr: 0.1 });
    reloaded.loadStateDict(opt.stateDict());
    for (const [params, o] of [
      [[p, q], opt],
      [copy, reloaded],
    ] as const) {
      params[1].setGrad(randomArray(q.length, 4));
      params[0].clearGrad();
      o.step();
    }
    expectSame(copy[1].data, q.data, "the late tensor");
    expect(reloaded.state(copy[1]).step).toBe(1);
    for (const o of [opt, reloaded]) o.dispose();
    for (const x of [p, q, ...copy]) x.dispose();
  });
});
