// Bad options and bad parameters throw errors that name the option and the value, before anything
// is allocated or changed.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  AdamW,
  createOptimizer,
  loadRuntime,
  OPTIMIZER_NAMES,
  OPTIMIZERS,
  Rprop,
  SGD,
  type Parameter,
  type Runtime,
} from "../dist/index.js";
import { memoryUse } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

/**
 * Expects `make(params)` to throw `Kind` matching `message`, with no memory allocated and the
 * parameters' values and gradients untouched.
 */
function expectRejected(make: (params: Parameter[]) => unknown, Kind: typeof Error, message: RegExp) {
  const params = [runtime.parameter([1, 2, 3]).setGrad([4, 5, 6]), runtime.parameter([-1, 0.5, 2])];
  const before = params.map((p) => [...p.data, ...p.grad]);
  const { liveBytes, highWater } = memoryUse(runtime);
  expect(() => make(params)).toThrow(Kind);
  expect(() => make(params)).toThrow(message);
  expect(memoryUse(runtime).liveBytes).toBe(liveBytes);
  expect(memoryUse(runtime).highWater).toBe(highWater);
  expect(params.map((p) => [...p.data, ...p.grad])).toEqual(before);
  params.forEach((p) => p.dispose());
}

describe("options", () => {
  const cases: [string, string, object, typeof Error, RegExp][] = [
    ["adam", "negative lr", { lr: -1 }, RangeError, /Adam: invalid lr: -1/],
    ["adam", "beta 0 out of range", { betas: [1.0, 0.999] }, RangeError, /Adam: invalid beta parameter at index 0: 1/],
    ["adam", "beta 1 out of range", { betas: [0.9, -0.1] }, RangeError, /invalid beta parameter at index 1: -0.1/],
    ["adam", "betas not a pair", { betas: [0.9] }, TypeError, /option 'betas' must be a pair/],
    ["adam", "eps not a number", { eps: "1e-8" }, TypeError, /option 'eps' must be a finite number, got "1e-8"/],
    ["adam", "NaN lr", { lr: NaN }, TypeError, /option 'lr' must be a finite number, got NaN/],
    ["adam", "amsgrad not boolean", { amsgrad: 1 }, TypeError, /option 'amsgrad' must be true or false, got 1/],
    ["adam", "snake_case name", { weight_decay: 0.1 }, TypeError, /Adam: unknown option 'weight_decay'/],
    ["adamw", "negative weight decay", { weightDecay: -0.1 }, RangeError, /AdamW: invalid weightDecay: -0.1/],
    [
      "adamw",
      "coupled weight decay",
      { decoupledWeightDecay: false },
      RangeError,
      /AdamW: option 'decoupledWeightDecay' cannot be false/,
    ],
    [
      "nadam",
      "torch113 not boolean",
      { torch113: "yes" },
      TypeError,
      /NAdam: option 'torch113' must be true or false, got "yes"/,
    ],
    [
      "radam",
      "decoupledWeightDecay not boolean",
      { decoupledWeightDecay: 1 },
      TypeError,
      /RAdam: option 'decoupledWeightDecay' must be true or false/,
    ],
    ["sgd", "negative momentum", { lr: 0.1, momentum: -0.5 }, RangeError, /invalid momentum: -0.5/],
    [
      "sgd",
      "nesterov without momentum",
      { lr: 0.1, nesterov: true },
      RangeError,
      /Nesterov momentum requires a momentum and zero dampening/,
    ],
    [
      "sgd",
      "nesterov with dampening",
      { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true },
      RangeError,
      /dampening 0.1/,
    ],
    ["adadelta", "rho above 1", { rho: 1.5 }, RangeError, /Adadelta: invalid rho: 1.5/],
    ["adagrad", "negative lrDecay", { lrDecay: -1 }, RangeError, /Adagrad: invalid lrDecay: -1/],
    [
      "adagrad",
      "negative initial accumulator",
      { initialAccumulatorValue: -1 },
      RangeError,
      /invalid initialAccumulatorValue: -1/,
    ],
    ["rmsprop", "negative alpha", { alpha: -0.1 }, RangeError, /RMSprop: invalid alpha: -0.1/],
    ["rprop", "etas in the wrong order", { etas: [1.2, 0.5] }, RangeError, /Rprop: invalid eta values: 1.2, 0.5/],
    ["nadam", "negative momentumDecay", { momentumDecay: -1 }, RangeError, /NAdam: invalid momentumDecay: -1/],
    ["optax:adam", "negative epsRoot", { epsRoot: -1e-8 }, RangeError, /optax:adam: invalid epsRoot: -1e-8/],
    [
      "optax:adagrad",
      "negative initial accumulator",
      { initialAccumulatorValue: -0.1 },
      RangeError,
      /optax:adagrad: invalid initialAccumulatorValue: -0.1/,
    ],
    ["optax:rprop", "etaMinus of 1", { etaMinus: 1 }, RangeError, /optax:rprop: invalid etaMinus: 1/],
    ["optax:rprop", "etaPlus below 1", { etaPlus: 0.9 }, RangeError, /optax:rprop: invalid etaPlus: 0.9/],
    [
      "optax:rprop",
      "maxStepSize below minStepSize",
      { minStepSize: 0.1, maxStepSize: 0.01 },
      RangeError,
      /optax:rprop: invalid maxStepSize: 0.01/,
    ],
  ];
  test.each(cases)("%s: %s", (name, _label, options, Kind, message) => {
    expectRejected((params) => createOptimizer(name as "adam", params, options), Kind, message);
  });

  test("a bad override in a later group fails the whole construction", () => {
    expectRejected(([a, b]) => new Adam([{ params: [a] }, { params: [b], lr: -3 }]), RangeError, /invalid lr: -3/);
  });

  test("options are copied: changing the caller's arrays changes nothing; the groups' arrays are frozen", () => {
    const betas: [number, number] = [0.9, 0.999];
    const opt = new Adam([runtime.parameter(2)], { betas });
    betas[0] = 5;
    const groups = opt.paramGroups;
    expect(() => ((groups[0].options.betas as number[])[1] = 7)).toThrow(TypeError);
    expect(opt.paramGroups[0].options.betas).toEqual([0.9, 0.999]);
  });

  test("setGroupOptions validates and leaves the options alone on error", () => {
    const p = runtime.parameter(4);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    expect(() => opt.setGroupOptions({ lr: -1 })).toThrow(/invalid lr: -1/);
    expect(opt.paramGroups[0].options.lr).toBe(0.1);
    opt.setGroupOptions({ lr: 0.01 });
    expect(opt.paramGroups[0].options.lr).toBe(0.01);
    expect(() => opt.setGroupOptions({ momentum: 0 })).toThrow(/state layout/);
    expect(() => opt.setGroupOptions({ lr: 1 }, 3)).toThrow(/no parameter group 3/);
  });
});

describe("parameters", () => {
  test("an empty list", () => {
    expectRejected(() => new Adam([]), TypeError, /params must be a non-empty array/);
  });
  test("something that is not a Parameter", () => {
    expectRejected(
      () => new Adam([new Float32Array(3) as never]),
      TypeError,
      /params\[0\] must be a parameter group|not a simdopt Parameter/,
    );
  });
  test("a parameter in two groups", () => {
    expectRejected(([p]) => new AdamW([{ params: [p] }, { params: [p] }]), TypeError, /more than once/);
  });
  test("parameters of two runtimes", async () => {
    const other = (await loadRuntime({ binary: "scalar" })).parameter(3);
    expectRejected(([p]) => new Rprop([p, other]), TypeError, /same runtime/);
  });
  test("a gradient of the wrong length", () => {
    const p = runtime.parameter(3);
    expect(() => p.setGrad([1, 2])).toThrow(/has length 2, expected 3/);
    expect(Array.from(p.grad)).toEqual([0, 0, 0]);
  });
  test("a disposed parameter", () => {
    const p = runtime.parameter(3);
    const opt = new Adam([p]);
    p.dispose();
    expect(() => opt.step()).toThrow(/disposed/);
    expect(() => p.data).toThrow(/disposed/);
  });
  test("an unknown optimizer name", () => {
    expect(() => createOptimizer("adamx" as never, [runtime.parameter(1)])).toThrow(/unknown optimizer 'adamx'/);
  });
  test("runtime options", async () => {
    await expect(loadRuntime({ binary: "gpu" as never })).rejects.toThrow(/option 'binary' must be one of/);
    await expect(loadRuntime({ initialMemory: -1 })).rejects.toThrow(/initialMemory/);
    await expect(loadRuntime({ sharedMemory: "yes" as never })).rejects.toThrow(
      /option 'sharedMemory' must be true or false/,
    );
    await expect(loadRuntime({ rounding: "exact" as never })).rejects.toThrow(
      /option 'rounding' must be one of fused, separate, got "exact"/,
    );
    await expect(loadRuntime({ binery: "simd" } as never)).rejects.toThrow(
      /unknown option 'binery' in runtime options/,
    );
    expect(() => runtime.parameter(3, { dtype: "float16" as never })).toThrow(/option 'dtype'/);
    expect(() => runtime.parameter(-1)).toThrow(/needs a length/);
  });
});

/** Options that take null ("off", optax's None) though their default is a number. */
const NULLABLE: Partial<Record<string, string[]>> = { "optax:adafactor": ["clippingThreshold"] };

describe("every option of every optimizer refuses a value of the wrong type, naming the optimizer and the option", () => {
  const cases = OPTIMIZER_NAMES.flatMap((name) => {
    const { definition } = OPTIMIZERS[name];
    // null is a valid value where it is the default (Keras's and optax's None: "off").
    const defaults = definition.defaults as Record<string, unknown>;
    const nullable = (option: string) => defaults[option] === null || (NULLABLE[name] ?? []).includes(option);
    return Object.keys(defaults).flatMap((option) =>
      ["x", null, 2n, [1, "2"], {}]
        .filter((value) => !(value === null && nullable(option)))
        .map((value) => [name, definition.title, option, value] as const),
    );
  });
  test.each(cases)("%s: %s %s = %s", (name, title, option, value) => {
    const base = name === "sgd" && option !== "lr" ? { lr: 0.1 } : {};
    expectRejected(
      (params) => createOptimizer(name, params, { ...base, [option]: value } as never),
      TypeError,
      new RegExp(`^${title}: option '${option}(\\[\\d\\])?' must be`),
    );
  });
});
