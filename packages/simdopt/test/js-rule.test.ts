// Optimizers whose rule is plain JS: groups, clipping, skipped parameters, checkpoints, state
// access, hooks and schedulers work as they do over a kernel; every binary and thread count runs
// the same JS and so agrees bit for bit.
import { beforeAll, describe, expect, test } from "vitest";
import {
  type JsOptimizerDefinition,
  loadRuntime,
  Optimizer,
  type ParamsInput,
  type Runtime,
  SGD,
  StepLR,
} from "../dist/index.js";
import { gradientsFor, randomArray } from "./helpers.js";

interface MomentumOptions {
  lr?: number;
  momentum?: number;
}

/** torch's SGD with momentum (no dampening, no decay), written the way its reference is. */
const momentumRule: JsOptimizerDefinition<MomentumOptions> = {
  title: "JsMomentum",
  defaults: { lr: 0.01, momentum: 0.9 },
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.inRange("momentum", o.momentum, 0, 1);
  },
  state: ["momentumBuffer"],
  buffers: () => ({ momentumBuffer: 0 }),
  plan: (o, t) => ({ values: { lr: o.lr, momentum: o.momentum, first: t === 1 ? 1 : 0 } }),
  update({ param, grad, momentumBuffer }, values, scale) {
    // The values come as float64: rounded to the tensor's type once, as a kernel rounds its scalars.
    const r = param instanceof Float32Array ? Math.fround : (x: number) => x;
    const [lr, momentum, gradScale, first] = [r(values.lr), r(values.momentum), r(scale), values.first];
    for (let i = 0; i < param.length; i++) {
      const g = r(grad[i] * gradScale);
      momentumBuffer[i] = first ? g : r(r(momentum * momentumBuffer[i]) + g);
      param[i] = r(param[i] - r(lr * momentumBuffer[i]));
    }
  },
};

class JsMomentum extends Optimizer<MomentumOptions> {
  constructor(params: ParamsInput<MomentumOptions>, options: MomentumOptions = {}) {
    super(params, options, momentumRule);
  }
}

let runtimes: Runtime[];
beforeAll(async () => {
  runtimes = await Promise.all([
    loadRuntime({ binary: "reference", rounding: "separate" }),
    loadRuntime({ binary: "simd", rounding: "separate", threads: 1 }),
    loadRuntime({ binary: "simd", rounding: "separate", threads: 2, threadMinElements: 0 }),
  ]);
});

/** Two groups, a skipped step, clipping and a scheduler; returns the values and the checkpoint. */
function train(runtime: Runtime, make: (params: ParamsInput<MomentumOptions>) => Optimizer<MomentumOptions>) {
  const [a, b] = [runtime.parameter(randomArray(19, 1)), runtime.parameter(randomArray(4, 2))];
  const opt = make([
    { params: [a], lr: 0.1 },
    { params: [b], lr: 0.05, momentum: 0.5 },
  ]);
  opt.setTrainingOptions({ maxGradNorm: 1 });
  const scheduler = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
  for (let step = 0; step < 6; step++) {
    a.setGrad(gradientsFor(a.length, step, 3));
    if (step === 2) b.clearGrad();
    else b.setGrad(gradientsFor(b.length, step, 4));
    opt.step();
    scheduler.step();
  }
  const result = { values: [a.toArray(), b.toArray()].map((x) => Array.from(x)), dict: opt.stateDict() };
  opt.dispose();
  a.dispose();
  b.dispose();
  return result;
}

describe("a rule in plain JS", () => {
  test("computes what the SGD kernel computes (torch's SGD with momentum), on every binary and thread count", () => {
    const kernel = train(runtimes[0], (params) => new SGD(params, { lr: 0.1, momentum: 0.9 }));
    for (const runtime of runtimes) {
      const js = train(runtime, (params) => new JsMomentum(params));
      expect(js.values).toEqual(kernel.values);
      expect(JSON.stringify(js.dict.state)).toBe(JSON.stringify(kernel.dict.state));
      expect(js.dict.kind).toBe("jsmomentum");
    }
  });

  test("a checkpoint loads back and training continues bit for bit; state() and setState() work", () => {
    const runtime = runtimes[1];
    const run = (resume: boolean) => {
      const p = runtime.parameter(randomArray(9, 5));
      let opt = new JsMomentum([p], { lr: 0.1 });
      for (let step = 0; step < 6; step++) {
        if (resume && step === 3) {
          const saved = JSON.parse(JSON.stringify(opt.stateDict()));
          opt.dispose();
          opt = new JsMomentum([p], { lr: 0.1 });
          opt.loadStateDict(saved);
        }
        p.setGrad(gradientsFor(p.length, step, 6));
        opt.step();
      }
      const state = opt.state(p);
      expect(state.step).toBe(6);
      opt.setState(p, { momentumBuffer: new Float32Array(9) });
      expect(Array.from(opt.state(p).momentumBuffer as Float32Array)).toEqual(new Array(9).fill(0));
      const values = Array.from(p.data);
      opt.dispose();
      p.dispose();
      return values;
    };
    expect(run(true)).toEqual(run(false));
  });

  test("options are validated by the rule's own checks, and a definition with neither kernel nor update is refused", () => {
    const p = runtimes[1].parameter([1, 2]);
    expect(() => new JsMomentum([p], { lr: -1 })).toThrow(/JsMomentum: .*lr/);
    const broken = {
      ...momentumRule,
      update: undefined,
      kernel: "nokernel",
    } as unknown as JsOptimizerDefinition<MomentumOptions>;
    expect(() => new Optimizer([p], {}, broken)).toThrow(
      /JsMomentum: the definition names no kernel of this package \("nokernel"\) and has no update\(\)/,
    );
    p.dispose();
  });
});

test("a rule that disposes a parameter is stopped before the next tensor is read", () => {
  const runtime = runtimes[1];
  const [a, b] = [runtime.parameter([1, 2]), runtime.parameter([3, 4])];
  const rule: JsOptimizerDefinition<MomentumOptions> = {
    ...momentumRule,
    update: () => b.dispose(),
  };
  const opt = new Optimizer([a, b], {}, rule);
  expect(() => opt.step()).toThrow(/JsMomentum: a parameter of this optimizer was disposed/);
  opt.dispose();
  a.dispose();
});

test("a rule that steps or disposes its own optimizer is refused, as a closure is, and the optimizer stays usable", () => {
  const runtime = runtimes[1];
  const p = runtime.parameter([1, 2]);
  let inner: () => void = () => {};
  const opt = new Optimizer([p], {}, { ...momentumRule, update: () => inner() });
  inner = () => opt.step();
  expect(() => opt.step()).toThrow(/JsMomentum: .*step\(\)/);
  inner = () => opt.dispose();
  expect(() => opt.step()).toThrow(/JsMomentum: .*dispose/);
  inner = () => {};
  expect(opt.step().applied).toBe(true);
  opt.dispose();
  p.dispose();
});

test("a rule in plain JS refuses a row-sparse gradient by name, before anything changes", () => {
  const runtime = runtimes[1];
  const table = runtime.parameter(randomArray(12, 1), { shape: [4, 3] });
  const opt = new Optimizer([table], {}, momentumRule);
  table.setSparseGrad([1], [1, 2, 3]);
  const before = table.toArray();
  expect(() => opt.step()).toThrow(
    /JsMomentum: parameter 0 of group 0, .* has a sparse gradient: JsMomentum does not support sparse gradients/,
  );
  expect(Array.from(table.data)).toEqual(Array.from(before));
  expect(opt.state(table)).toEqual({ step: 0 });
  table.clearGrad(); // no gradient at all: skipped
  opt.step();
  expect(opt.state(table)).toEqual({ step: 0 });
  opt.dispose();
  table.dispose();
});
