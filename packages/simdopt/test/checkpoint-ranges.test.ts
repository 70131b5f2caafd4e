// A checkpoint holds only states that an optimizer can be in: a second moment or an accumulator
// is never negative (the range is declared beside the state buffer, in the kernel's declaration),
// a scalar state stays in its declared range, a step count stays exact after one more step.
// Anything else is refused, with the optimizer's prefix, and changes nothing.
import { beforeAll, describe, expect, test } from "vitest";
import {
  createOptimizer,
  loadRuntime,
  loadSafetensors,
  saveSafetensors,
  type OptimizerName,
  type Runtime,
} from "../dist/index.js";
import { gradientsFor } from "./helpers.js";
import { edited } from "./safetensors-files.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

/** Optimizer `name` over one parameter 'w' of 4 elements, stepped three times. */
function trained(name: OptimizerName, options: object = {}) {
  const w = runtime.parameter(4, { name: "w" }).set([0.5, -0.25, 1, 2]);
  const opt = createOptimizer(name, [w], options as never);
  for (let step = 0; step < 3; step++) {
    w.setGrad(gradientsFor(4, step, 7));
    opt.step();
  }
  return opt;
}

type Tensor = { dtype: string; data: unknown[] };

/** The state dict of `opt` through JSON, with value 1 of `slot` of 'w' set to `value`. */
function withValue(opt: ReturnType<typeof trained>, slot: string, value: unknown) {
  const dict = JSON.parse(JSON.stringify(opt.stateDict()));
  (dict.state.w[slot] as Tensor).data[1] = value;
  return dict;
}

// [optimizer, options, its title, a slot that is never negative]
const NEVER_NEGATIVE: [OptimizerName, object, string, string][] = [
  ["adam", { amsgrad: true }, "Adam", "exp_avg_sq"],
  ["adam", { amsgrad: true }, "Adam", "max_exp_avg_sq"],
  ["adamw", {}, "AdamW", "exp_avg_sq"],
  ["nadam", {}, "NAdam", "exp_avg_sq"],
  ["radam", {}, "RAdam", "exp_avg_sq"],
  ["adamax", {}, "Adamax", "exp_inf"],
  ["adagrad", {}, "Adagrad", "sum"],
  ["adadelta", {}, "Adadelta", "square_avg"],
  ["adadelta", {}, "Adadelta", "acc_delta"],
  ["rmsprop", {}, "RMSprop", "square_avg"],
  ["rprop", {}, "Rprop", "step_size"],
  ["ftrl", {}, "Ftrl", "accumulator"],
  ["lamb", {}, "Lamb", "exp_avg_sq"],
  ["adafactor", {}, "Adafactor", "variance"],
];

describe("a state buffer declared never negative", () => {
  test.each(NEVER_NEGATIVE)(
    "%s %j (%s): a negative %s is refused and nothing changes",
    (name, options, title, slot) => {
      const opt = trained(name, options);
      const before = opt.stateDict();
      expect(() => opt.loadStateDict(withValue(opt, slot, -0.5))).toThrow(
        `${title}: cannot load state: state['w'].${slot}[1] is -0.5, but this state is never negative`,
      );
      expect(() => opt.loadStateDict(withValue(opt, slot, "-Infinity"), { allowNonFinite: true })).toThrow(
        `state['w'].${slot}[1] is -Infinity, but this state is never negative`,
      );
      expect(opt.stateDict()).toEqual(before);
      opt.loadStateDict(withValue(opt, slot, "-0")); // -0 is not below zero
      expect(() => opt.loadStateDict(withValue(opt, slot, "NaN"))).toThrow(
        `state['w'].${slot}[1] is NaN (load with { allowNonFinite: true } to accept non-finite state)`,
      );
      opt.loadStateDict(withValue(opt, slot, "NaN"), { allowNonFinite: true }); // a state after a non-finite step
    },
  );

  test("a negative first moment, which any gradient makes, still loads", () => {
    const opt = trained("adam");
    opt.loadStateDict(withValue(opt, "exp_avg", -3));
    expect((opt.stateDict().state.w.exp_avg as Tensor).data[1]).toBe(-3);
  });

  test("a negative second moment in a safetensors file (checksum recomputed) is refused with the prefix", () => {
    const opt = trained("adam");
    const bytes = edited(saveSafetensors(opt), (header, data) => {
      const [begin] = header["state.w.exp_avg_sq"].data_offsets;
      const copy = data.slice();
      new DataView(copy.buffer).setFloat32(begin + 4, -2, true);
      return copy;
    });
    const before = opt.stateDict();
    expect(() => loadSafetensors(opt, bytes)).toThrow(
      "Adam: cannot load state: state['w'].exp_avg_sq[1] is -2, but this state is never negative",
    );
    expect(opt.stateDict()).toEqual(before);
  });
});

describe("scalar state declared with a range", () => {
  test.each([
    ["nadam", "NAdam", "mu_product", 1.5, "0 to 1"],
    ["nadam", "NAdam", "mu_product", -0.25, "0 to 1"],
    ["keras:nadam", "keras:nadam", "mu_product", 2, "0 to 1"],
    ["asgd", "ASGD", "mu", -1, "0 to 1"],
  ] as [OptimizerName, string, string, number, string][])(
    "%s: %s %s = %d is refused",
    (name, title, slot, value, range) => {
      const opt = trained(name);
      const dict = JSON.parse(JSON.stringify(opt.stateDict()));
      dict.state.w[slot] = value;
      expect(() => opt.loadStateDict(dict)).toThrow(
        `${title}: cannot load state: state['w'].${slot} is ${value}, but this state is always from ${range}`,
      );
    },
  );
});

describe("step counts", () => {
  test.each([
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
    [2 ** 53, "9007199254740992"],
    [-1, "-1"],
    [1.5, "1.5"],
  ])("step %d is refused: one more step must count exactly", (step, shown) => {
    const opt = trained("adam");
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    dict.state.w.step = step;
    expect(() => opt.loadStateDict(dict)).toThrow(
      `Adam: cannot load state: state['w'].step must be a whole number from 0 to 2^53 - 2 (so that the next step still counts), got number ${shown}`,
    );
  });

  test("step 2^53 - 2 loads, and the next step counts 2^53 - 1", () => {
    const opt = trained("adam");
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    dict.state.w.step = Number.MAX_SAFE_INTEGER - 1;
    opt.loadStateDict(dict);
    opt.step();
    expect(opt.stepCount(0)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
