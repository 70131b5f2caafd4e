// Options are read once, by one reader, into a copy: what cannot be read plainly is refused by name
// and nothing is silently ignored, for every optimizer, preset, group, scheduler and runtime option.
import { runInNewContext } from "node:vm";
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  clipGradNorm,
  createOptimizer,
  CyclicLR,
  isElementwise,
  LambdaLR,
  loadRuntime,
  loadSafetensors,
  OPTIMIZER_NAMES,
  runTrajectory,
  saveSafetensors,
  SGD,
  StepLR,
  type Runtime,
} from "../dist/index.js";
import { OPTION_FAMILIES } from "./families.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

/** An option object with `key` as a getter that counts its calls. */
function withGetter(base: object, key: string, value: unknown): { options: object; calls: () => number } {
  let calls = 0;
  const options = { ...base };
  Object.defineProperty(options, key, {
    enumerable: true,
    get: () => {
      calls++;
      return value;
    },
  });
  return { options, calls: () => calls };
}

/** Option objects that cannot be read plainly, each with what the refusal must say. */
function unreadable(base: Record<string, unknown>, key: string): [string, () => object, RegExp][] {
  const value = base[key];
  class Options {
    constructor() {
      Object.assign(this, base);
    }
  }
  return [
    ["a getter", () => withGetter(base, key, value).options, new RegExp(`option '${key}' is a getter`)],
    ["a class instance", () => new Options(), /must be a plain object .* an instance of Options/],
    ["an inherited option", () => Object.create({ ...base }), /must be a plain object/],
    [
      "a non-enumerable option",
      () => Object.defineProperty({ ...base }, key, { value, enumerable: false }),
      new RegExp(`option '${key}' is not enumerable`),
    ],
    ["a symbol key", () => ({ ...base, [Symbol("lr")]: 1 }), /must not have symbol keys/],
    [
      "__proto__ from JSON.parse",
      () => ({ ...base, ...JSON.parse('{"__proto__": {"x": 1}}') }),
      /unknown option '__proto__'/,
    ],
  ];
}

describe.each(OPTIMIZER_NAMES)("%s: constructor options", (name) => {
  const base = OPTION_FAMILIES[name][0] as Record<string, unknown>;
  const key = Object.keys(base)[0] ?? "maxGradNorm";
  const given = key in base ? base : { maxGradNorm: 1 };
  test.each(unreadable(given, key))("%s is refused by name", (_, make, message) => {
    const p = runtime.parameter([1, 2, 3]);
    expect(() => createOptimizer(name, [p], make() as never)).toThrow(message);
    p.dispose();
  });

  test("a getter that answers a valid value, then an invalid one, is read at most once", () => {
    const p = runtime.parameter([1, 2, 3]);
    const { options, calls } = withGetter(given, key, given[key]);
    expect(() => createOptimizer(name, [p], options as never)).toThrow(TypeError);
    expect(calls()).toBe(0);
    p.dispose();
  });
});

describe("each value is read exactly once", () => {
  test("an options Proxy sees one read of each key", () => {
    const p = runtime.parameter([1, 2, 3]);
    const reads = new Map<string, number>();
    const target = { lr: 0.1, betas: [0.9, 0.99] as [number, number], maxGradNorm: 1 };
    const proxy = new Proxy(target, {
      getOwnPropertyDescriptor(t, key) {
        reads.set(String(key), (reads.get(String(key)) ?? 0) + 1);
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
      get(t, key, receiver) {
        reads.set(String(key), (reads.get(String(key)) ?? 0) + 1);
        return Reflect.get(t, key, receiver);
      },
    });
    const opt = new Adam([p], proxy);
    expect(Object.fromEntries(reads)).toEqual({ lr: 1, betas: 1, maxGradNorm: 1 });
    expect(opt.paramGroups[0].lr).toBe(0.1);
    expect(opt.trainingOptions.maxGradNorm).toBe(1);
    opt.dispose();
    p.dispose();
  });

  test("a plain object from another realm (a vm context) is as plain as one from this one", () => {
    const p = runtime.parameter([1, 2, 3]);
    const opt = new Adam([p], runInNewContext("({ lr: 0.25, betas: [0.8, 0.9] })"));
    expect(opt.paramGroups[0].lr).toBe(0.25);
    expect(opt.paramGroups[0].betas).toEqual([0.8, 0.9]);
    expect(() => new Adam([p], runInNewContext("new (class Settings { lr = 1 })()"))).toThrow(
      /an instance of Settings/,
    );
    opt.dispose();
    p.dispose();
  });

  test("param.set reads an accessor once: it cannot pass the check with a number, then write NaN", () => {
    const p = runtime.parameter(2);
    let calls = 0;
    const values = {
      length: 2,
      get 0() {
        calls++;
        return calls === 1 ? 1.5 : Number.NaN;
      },
      1: 2,
    };
    p.set(values);
    expect(Array.from(p.data)).toEqual([1.5, 2]);
    expect(calls).toBe(1);
    p.setGrad(values);
    expect(Array.from(p.grad)).toEqual([Number.NaN, 2]); // the second call answers NaN, read once
    p.dispose();
  });
});

describe("every reader of options", () => {
  /** Checks that `use` refuses every unreadable form of `base`, by name. */
  const refusals = (base: Record<string, unknown>, use: (options: object) => unknown) => {
    for (const [what, make, message] of unreadable(base, "lr")) {
      expect(() => use(make()), what).toThrow(message);
    }
  };

  test("parameter groups, setGroupOptions, addParamGroup and setTrainingOptions", () => {
    const [a, b, c] = [runtime.parameter(2), runtime.parameter(2), runtime.parameter(2)];
    const opt = new SGD([a], { lr: 0.1 });
    refusals({ params: [b], lr: 0.5 }, (group) => new SGD([group] as never, { lr: 0.1 }));
    refusals({ lr: 0.5 }, (o) => opt.setGroupOptions(o as never));
    refusals({ params: [c], lr: 0.5 }, (group) => opt.addParamGroup(group as never));
    for (const [what, make, message] of unreadable({ maxGradNorm: 1 }, "maxGradNorm")) {
      expect(() => opt.setTrainingOptions(make() as never), what).toThrow(message);
    }
    expect(opt.paramGroups).toHaveLength(1);
    expect(opt.paramGroups[0].lr).toBe(0.1);
    expect(opt.trainingOptions.maxGradNorm).toBe(null);
    opt.dispose();
    for (const p of [a, b, c]) p.dispose();
  });

  test("schedulers", () => {
    const p = runtime.parameter(2);
    const opt = new SGD([p], { lr: 0.1 });
    for (const [what, make, message] of unreadable({ stepSize: 2 }, "stepSize")) {
      expect(() => new StepLR(opt, make() as never), what).toThrow(message);
    }
    expect(opt.paramGroups[0].lr).toBe(0.1);
    opt.dispose();
    p.dispose();
  });

  test("rt.parameter, loadRuntime and clipGradNorm", async () => {
    expect(() => runtime.parameter(3, { dtpye: "float64" } as never)).toThrow(
      /unknown option 'dtpye' in parameter options \(known: dtype, name, shape\)/,
    );
    for (const [what, make, message] of unreadable({ dtype: "float64" }, "dtype")) {
      expect(() => runtime.parameter(3, make() as never), what).toThrow(message);
    }
    for (const [what, make, message] of unreadable({ binary: "simd" }, "binary")) {
      await expect(loadRuntime(make() as never), what).rejects.toThrow(message);
    }
    const p = runtime.parameter(2).setGrad([3, 4]);
    for (const [what, make, message] of unreadable({ normType: 2 }, "normType")) {
      expect(() => clipGradNorm(p, 1, make() as never), what).toThrow(message);
    }
    expect(Array.from(p.grad)).toEqual([3, 4]);
    p.dispose();
  });

  test("loadStateDict and loadSafetensors", () => {
    const p = runtime.parameter([1, 2], { name: "w" }).setGrad([0.5, -0.5]);
    const opt = new Adam([p], { lr: 0.1 });
    opt.step();
    const dict = opt.stateDict();
    const file = saveSafetensors(opt);
    opt.step();
    const before = JSON.stringify(opt.stateDict());
    for (const load of [
      (o: object) => opt.loadStateDict(dict, o as never),
      (o: object) => loadSafetensors(opt, file, o as never),
    ]) {
      for (const [what, make, message] of unreadable({ allowNonFinite: true }, "allowNonFinite")) {
        expect(() => load(make()), what).toThrow(message);
      }
      expect(() => load({ allowNonFinte: true })).toThrow(
        /^Adam: cannot load state: unknown option 'allowNonFinte' in load options \(known: allowNonFinite\)$/,
      );
      expect(() => load({ allowNonFinite: 1 })).toThrow(/option 'allowNonFinite' must be true or false, got number 1/);
    }
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    opt.dispose();
    p.dispose();
  });
});

describe("names the user wrote, not derived values", () => {
  test("createOptimizer looks up own names only", () => {
    const p = runtime.parameter(2);
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(() => createOptimizer(name as never, [p]), name).toThrow(`unknown optimizer '${name}'`);
      expect(() => isElementwise(name as never), name).toThrow(`unknown optimizer '${name}'`);
    }
    p.dispose();
  });

  test("runTrajectory refuses an inherited function name, NaN and fractional steps", () => {
    expect(() => runTrajectory(runtime, "constructor" as never, "adam", {}, [1, 1], 3)).toThrow(
      /unknown test function "constructor"/,
    );
    for (const steps of [Number.NaN, 2.5, -1, Infinity]) {
      expect(() => runTrajectory(runtime, "wobbly", "adam", {}, [1, 1], steps), String(steps)).toThrow(
        /steps must be a whole number >= 0/,
      );
    }
  });

  test("stepCount of a group that does not exist throws naming the index", () => {
    const p = runtime.parameter(2);
    const opt = new SGD([p], { lr: 0.1 });
    expect(opt.stepCount(0)).toBe(0);
    expect(() => opt.stepCount(7)).toThrow(/no parameter group 7 \(there are 1\)/);
    expect(() => opt.stepCount(-1)).toThrow(/no parameter group -1/);
    opt.dispose();
    p.dispose();
  });

  test("a BigInt is shown as a BigInt", () => {
    const p = runtime.parameter(2);
    expect(() => new Adam([p], { lr: 1n } as never)).toThrow(/option 'lr' must be a finite number, got 1n/);
    expect(() => runtime.parameter(2, { shape: [2n] } as never)).toThrow(/got \[2n\]/);
    p.dispose();
  });

  test("gradNormType is named as gradNormType", () => {
    const p = runtime.parameter(2);
    expect(() => new Adam([p], { maxGradNorm: 1, gradNormType: -1 })).toThrow(/option 'gradNormType' must be/);
    p.dispose();
  });

  test("a scheduler's function returning NaN is named, not the lr or momentum it would give", () => {
    const p = runtime.parameter(2);
    const cycled = new SGD([p], { lr: 0.1, momentum: 0.9 });
    const cyclic = () => {
      const scheduler = new CyclicLR(cycled, {
        baseLr: 0.01,
        maxLr: 0.1,
        stepSizeUp: 2,
        scaleFn: (x) => (x < 2 ? 1 : Number.NaN),
      });
      for (let epoch = 0; epoch < 5; epoch++) scheduler.step();
    };
    expect(cyclic).toThrow(/CyclicLR: scaleFn returned NaN for 2, expected a finite number/);
    const scaled = new SGD([p], { lr: 0.1 });
    const lambda = new LambdaLR(scaled, { lrLambda: (epoch: number) => (epoch === 0 ? 1 : Number.NaN) });
    expect(() => lambda.step()).toThrow(/lrLambda of group 0 returned NaN at epoch 1, expected a finite number/);
    cycled.dispose();
    scaled.dispose();
    p.dispose();
  });
});
