// stateDict() / loadStateDict(): a restored optimizer continues bit for bit where the saved one
// was; a snapshot that does not fit is refused before anything changes.
import { beforeAll, describe, expect, test } from "vitest";
import { Adam, createOptimizer, loadRuntime, OPTIMIZER_NAMES, OPTIMIZERS, type Runtime } from "../dist/index.js";
import { OPTION_FAMILIES } from "./families.js";
import { firstDifference, gradientsFor, randomArray } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

describe.each(OPTIMIZER_NAMES)("%s", (name) => {
  test.each(OPTION_FAMILIES[name].map((options) => ({ options, label: JSON.stringify(options) })))("save, restore, continue: $label", ({ options }) => {
    const make = () => {
      const params = [runtime.parameter(randomArray(19, 1)), runtime.parameter(randomArray(4, 2), { dtype: "float64" })];
      // Keras's optimizers (Ftrl) call the learning rate learningRate.
      const lrName = "lr" in OPTIMIZERS[name].definition.defaults ? "lr" : "learningRate";
      const groups = [{ params: [params[0]] }, { params: [params[1]], [lrName]: 0.003 }];
      return { params, optimizer: createOptimizer(name, groups, options) };
    };
    const steps = (run: ReturnType<typeof make>, from: number, to: number) => {
      for (let step = from; step < to; step++) {
        run.params.forEach((p, k) => p.setGrad(gradientsFor(p.length, step, k)));
        run.optimizer.step();
      }
    };
    const original = make();
    steps(original, 0, 6);
    const saved = original.optimizer.stateDict();
    const savedValues = original.params.map((p) => p.toArray());
    steps(original, 6, 12);

    const restored = make();
    restored.params.forEach((p, k) => p.set(savedValues[k]));
    restored.optimizer.loadStateDict(saved);
    expect(restored.optimizer.stepCount(1)).toBe(6);
    steps(restored, 6, 12);
    restored.params.forEach((p, k) => expect(firstDifference(p.data, original.params[k].data)).toBe(-1));
    expect(restored.optimizer.paramGroups[1].options).toEqual(original.optimizer.paramGroups[1].options);
  });
});

test("the snapshot is a copy, shaped like torch's state_dict", () => {
  const w = runtime.parameter([1, 2, 3]);
  const opt = new Adam([w], { lr: 0.1, amsgrad: true });
  w.setGrad([1, -1, 0.5]);
  opt.step();
  const dict = opt.stateDict();
  expect(dict.paramGroups).toEqual([{ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, amsgrad: true, maximize: false, params: [0] }]);
  expect(Object.keys(dict.state[0]).sort()).toEqual(["expAvg", "expAvgSq", "maxExpAvgSq", "step"]);
  expect(dict.state[0].step).toBe(1);
  expect(Array.from(dict.state[0].expAvg as Float32Array)).toEqual([0.1, -0.1, 0.05].map(Math.fround));
  opt.step();
  expect(dict.state[0].step).toBe(1); // unchanged by later steps
});

describe("snapshots that do not fit are refused, and nothing changes", () => {
  const setup = () => {
    const w = runtime.parameter([1, 2, 3]);
    const opt = new Adam([w], { lr: 0.1 });
    w.setGrad([1, -1, 0.5]);
    opt.step();
    return { w, opt, dict: opt.stateDict() };
  };
  test.each([
    ["not a snapshot", () => ({}), /expected \{ state/],
    ["another number of groups", (d: any) => ({ ...d, paramGroups: [...d.paramGroups, d.paramGroups[0]] }), /2 parameter groups/],
    ["a missing buffer", (d: any) => ({ ...d, state: [{ step: 3, expAvg: d.state[0].expAvg }] }), /needs 'expAvgSq' with 3 values/],
    ["a buffer of the wrong length", (d: any) => ({ ...d, state: [{ ...d.state[0], expAvg: new Float32Array(2) }] }), /needs 'expAvg' with 3 values/],
    ["a bad step", (d: any) => ({ ...d, state: [{ ...d.state[0], step: -1 }] }), /no valid 'step'/],
    ["an invalid option", (d: any) => ({ ...d, paramGroups: [{ ...d.paramGroups[0], lr: -1 }] }), /invalid lr: -1/],
    ["options that need other buffers", (d: any) => ({ ...d, paramGroups: [{ ...d.paramGroups[0], amsgrad: true }] }), /other state buffers/],
  ] as const)("%s", (_label, mutate, message) => {
    const { opt, dict } = setup();
    const before = opt.stateDict();
    expect(() => opt.loadStateDict(mutate(dict as any) as never)).toThrow(message);
    expect(opt.stateDict()).toEqual(before);
  });
});
