// stateDict() / loadStateDict(): a restored optimizer continues bit for bit where the saved one
// was; a snapshot that does not fit is refused before anything changes.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  createOptimizer,
  loadRuntime,
  OPTIMIZER_NAMES,
  OPTIMIZERS,
  saveSafetensors,
  type Runtime,
} from "../dist/index.js";
import { OPTION_FAMILIES } from "./families.js";
import { firstDifference, gradientsFor, randomArray } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

describe.each(OPTIMIZER_NAMES)("%s", (name) => {
  test.each(OPTION_FAMILIES[name].map((options) => ({ options, label: JSON.stringify(options) })))(
    "save, restore, continue: $label",
    ({ options }) => {
      const make = () => {
        const params = [
          runtime.parameter(randomArray(19, 1)),
          runtime.parameter(randomArray(4, 2), { dtype: "float64" }),
        ];
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
      // Through JSON, as a checkpoint file would go.
      const saved = JSON.parse(JSON.stringify(original.optimizer.stateDict()));
      const savedValues = original.params.map((p) => p.toArray());
      steps(original, 6, 12);

      const restored = make();
      restored.params.forEach((p, k) => p.set(savedValues[k]));
      // Some families keep NaN in their state by design (TF.js's centered RMSprop takes √ of ms − mg² − ε).
      restored.optimizer.loadStateDict(saved, { allowNonFinite: true });
      expect(restored.optimizer.stepCount(1)).toBe(6);
      steps(restored, 6, 12);
      restored.params.forEach((p, k) => expect(firstDifference(p.data, original.params[k].data)).toBe(-1));
      expect(restored.optimizer.paramGroups[1].options).toEqual(original.optimizer.paramGroups[1].options);
    },
  );
});

test("the snapshot is a JSON-safe copy with torch's slot names, the kind and the format", () => {
  const w = runtime.parameter([1, 2, 3]);
  const opt = new Adam([w], { lr: 0.1, amsgrad: true });
  expect(opt.stateDict().state).toEqual({ 0: { step: 0 } }); // torch: no state before the first step
  w.setGrad([1, -1, 0.5]);
  opt.step();
  const dict = opt.stateDict();
  expect(dict.format).toBe("simdopt-state/1");
  expect(dict.kind).toBe("adam");
  expect(dict.paramGroups).toEqual([
    {
      lr: 0.1,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      decoupledWeightDecay: false,
      amsgrad: true,
      maximize: false,
      torch113: false,
      state: "float32",
      blockSize: 256,
      params: ["0"],
    },
  ]);
  expect(Object.keys(dict.state[0]).sort()).toEqual(["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]);
  expect(dict.state[0].step).toBe(1);
  expect(dict.state[0].exp_avg).toEqual({ dtype: "float32", data: [0.1, -0.1, 0.05].map(Math.fround) });
  opt.step();
  expect(dict.state[0].step).toBe(1); // unchanged by later steps
});

test("named parameters key the state by name, and a checkpoint loads into another order of creation", () => {
  const make = (order: string[]) => {
    const byName = Object.fromEntries(
      order.map((name) => [name, runtime.parameter(randomArray(5, name.length), { name })]),
    );
    return { byName, opt: new Adam([byName.weight, byName.bias], { lr: 0.01 }) };
  };
  const a = make(["weight", "bias"]);
  a.byName.weight.setGrad(randomArray(5, 3));
  a.byName.bias.setGrad(randomArray(5, 4));
  a.opt.step();
  const dict = a.opt.stateDict();
  expect(Object.keys(dict.state)).toEqual(["weight", "bias"]);
  expect(dict.paramGroups[0].params).toEqual(["weight", "bias"]);
  const b = make(["bias", "weight"]);
  b.opt.loadStateDict(JSON.parse(JSON.stringify(dict)));
  expect(b.opt.stateDict()).toEqual(dict);
});

test("NaN and ±Inf in the state survive JSON; loading them needs allowNonFinite", () => {
  const w = runtime.parameter([1, 2, 3, 4]);
  const opt = new Adam([w], { lr: 0.1 });
  w.setGrad([NaN, Infinity, -0, 1]);
  opt.step(); // torch's default: the non-finite gradient propagates into the state
  const json = JSON.parse(JSON.stringify(opt.stateDict()));
  expect(json.state[0].exp_avg.data.slice(0, 2)).toEqual(["NaN", "Infinity"]);
  const again = new Adam([runtime.parameter(4)], { lr: 0.1 });
  expect(() => again.loadStateDict(json)).toThrow(/exp_avg\[0\] is NaN \(load with \{ allowNonFinite: true \}/);
  again.loadStateDict(json, { allowNonFinite: true });
  expect(again.stateDict()).toEqual(opt.stateDict());
});

describe("checkpoints that do not fit are refused, naming the fault, and nothing changes", () => {
  const setup = () => {
    const w = runtime.parameter([1, 2, 3]);
    const opt = new Adam([w], { lr: 0.1 });
    w.setGrad([1, -1, 0.5]);
    opt.step();
    return { w, opt, dict: JSON.parse(JSON.stringify(opt.stateDict())) };
  };
  test.each([
    ["not a state dict", () => ({}), /its format is undefined, expected 'simdopt-state\/1'/],
    [
      "typed arrays through JSON ({'0': ...})",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], exp_avg: JSON.parse(JSON.stringify(new Float32Array(3))) } } }),
      /exp_avg has dtype undefined/,
    ],
    [
      "another optimizer's state (AdamW's into Adam)",
      (d: any) => ({ ...d, kind: "adamw" }),
      /it is the state of "adamw", this optimizer is 'adam'/,
    ],
    [
      "another number of groups",
      (d: any) => ({ ...d, paramGroups: [...d.paramGroups, d.paramGroups[0]] }),
      /2 parameter groups/,
    ],
    [
      "a group without lr (not reset to the default)",
      (d: any) => ({ ...d, paramGroups: [{ ...d.paramGroups[0], lr: undefined }] }),
      /paramGroups\[0\] has no option 'lr'/,
    ],
    ["an invalid option", (d: any) => ({ ...d, paramGroups: [{ ...d.paramGroups[0], lr: -1 }] }), /invalid lr: -1/],
    [
      "options that need other buffers",
      (d: any) => ({ ...d, paramGroups: [{ ...d.paramGroups[0], amsgrad: true }] }),
      /other state buffers/,
    ],
    [
      "a slot this optimizer does not keep",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], max_exp_avg_sq: d.state[0].exp_avg } } }),
      /has 'max_exp_avg_sq', which adam with these options does not keep/,
    ],
    [
      "a missing buffer",
      (d: any) => ({ ...d, state: { 0: { step: 3, exp_avg: d.state[0].exp_avg } } }),
      /has no 'exp_avg_sq'/,
    ],
    [
      "a buffer of the wrong length",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], exp_avg: { dtype: "float32", data: [1, 2] } } } }),
      /exp_avg has 2 values, expected 3/,
    ],
    [
      "a buffer of another dtype",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], exp_avg: { dtype: "float64", data: [1, 2, 3] } } } }),
      /has dtype "float64", expected 'float32'/,
    ],
    [
      "a buffer holding a BigInt",
      (d: any) => ({
        ...d,
        paramGroups: [{ ...d.paramGroups[0], lr: 0.5 }],
        state: { 0: { ...d.state[0], exp_avg_sq: { dtype: "float32", data: [1, 2n, 3] } } },
      }),
      /exp_avg_sq\[1\] is the BigInt 2n, not a number/,
    ],
    [
      "a buffer of strings",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], exp_avg: { dtype: "float32", data: ["1", "2", "3"] } } } }),
      /exp_avg\[0\] is string "1", not a number/,
    ],
    [
      "a buffer of NaN",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], exp_avg: { dtype: "float32", data: [NaN, NaN, NaN] } } } }),
      /exp_avg\[0\] is NaN/,
    ],
    [
      "step 0 with non-zero buffers",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], step: 0 } } }),
      /step is 0 but 'exp_avg' is not its initial value 0/,
    ],
    [
      "a bad step",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], step: -1 } } }),
      /step must be a whole number from 0 to 2\^53 - 2 \(so that the next step still counts\), got number -1/,
    ],
    [
      "an unknown parameter",
      (d: any) => ({ ...d, state: { ...d.state, w2: d.state[0] } }),
      /parameter 'w2', which this optimizer does not have/,
    ],
    [
      "a number that is not float32 in a float32 buffer",
      (d: any) => ({ ...d, state: { 0: { ...d.state[0], exp_avg: { dtype: "float32", data: [0.1, 0, 0] } } } }),
      /exp_avg\[0\] is 0.1, which is not a float32 value/,
    ],
  ] as const)("%s", (_label, mutate, message) => {
    const { opt, dict } = setup();
    const before = opt.stateDict();
    expect(() => opt.loadStateDict(mutate(dict as any) as never)).toThrow(message);
    expect(opt.stateDict()).toEqual(before);
  });

  test("duplicate names cannot key a checkpoint", () => {
    const opt = new Adam([runtime.parameter(2, { name: "w" }), runtime.parameter(2, { name: "w" })]);
    const refusal = "Adam: cannot save state: two parameters are named 'w': names must be unique to key a checkpoint";
    expect(() => opt.stateDict()).toThrow(refusal);
    expect(() => saveSafetensors(opt)).toThrow(refusal);
    expect(() =>
      opt.loadStateDict(new Adam([runtime.parameter(2), runtime.parameter(2)]).stateDict() as never),
    ).toThrow("Adam: cannot load state: two parameters are named 'w'");
  });
});
