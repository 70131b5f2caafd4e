// Checkpoints in torch's state_dict layout: a checkpoint written by torch 2.13 (fixtures/torch-2.13-adam.json:
// Adam over two groups, one parameter never given a gradient, saved after 3 steps, with torch's values
// after 2 more) loads and continues within the golden tolerance; the converse layout is torch's again.
import { readFileSync } from "node:fs";
import { beforeAll, expect, test } from "vitest";
import {
  Adam,
  createOptimizer,
  fromTorchStateDict,
  LBFGS,
  loadRuntime,
  type Parameter,
  type Runtime,
  SGDScheduleFree,
  TOLERANCE,
  toTorchSafetensors,
  toTorchStateDict,
  type TorchStateDict,
  WeightAverage,
} from "../dist/index.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-2.13-adam.json", import.meta.url), "utf8")) as {
  torch: string;
  params: string[];
  shapes: number[][];
  values: number[][];
  state_dict: TorchStateDict;
  grads: number[][][];
  expected: number[][];
};

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime({ threads: 1 });
});

/** The fixture's parameters and an Adam over them as torch's (options from the checkpoint). */
function setUp(): { params: Parameter[]; opt: Adam } {
  const params = fixture.params.map((name, i) =>
    runtime.parameter(fixture.values[i], { name, shape: fixture.shapes[i] }),
  );
  const [w, frozen, b] = params;
  const opt = new Adam([{ params: [w, frozen] }, { params: [b] }]);
  return { params, opt };
}

/** The largest error scaled as the golden vectors' (|a − e| / max(1, |e|)). */
function largestError(actual: ArrayLike<number>, expected: readonly number[]): number {
  return expected.reduce((most, e, i) => Math.max(most, Math.abs(actual[i] - e) / Math.max(1, Math.abs(e))), 0);
}

test("a torch 2.13 checkpoint loads and continues within the golden tolerance", () => {
  expect(fixture.torch).toMatch(/^2\.13\./);
  const { params, opt } = setUp();
  const [w, frozen, b] = params;
  opt.loadStateDict(fromTorchStateDict(opt, fixture.state_dict));
  expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.01]);
  expect(opt.paramGroups[0].weightDecay).toBe(0.01);
  expect(opt.state(w).step).toBe(3);
  expect(opt.state(frozen)).toEqual({ step: 0 });
  for (const [gw, gb] of fixture.grads) {
    opt.zeroGrad({ setToNone: true });
    w.setGrad(gw);
    b.setGrad(gb);
    opt.step();
  }
  [w, frozen, b].forEach((param, i) => {
    expect(largestError(param.data, fixture.expected[i]), fixture.params[i]).toBeLessThanOrEqual(TOLERANCE.float32);
  });
  expect(Array.from(frozen.data)).toEqual(fixture.values[1].map(Math.fround));
  expect(opt.state(w).step).toBe(5);
  opt.dispose();
  for (const p of params) p.dispose();
});

test("toTorchStateDict gives torch's layout back: the same state, the same options by torch's names", () => {
  const { params, opt } = setUp();
  opt.loadStateDict(fromTorchStateDict(opt, fixture.state_dict));
  const back = toTorchStateDict(opt);
  expect(JSON.parse(JSON.stringify(back.state))).toEqual(fixture.state_dict.state);
  back.param_groups.forEach((group, g) => {
    for (const [name, value] of Object.entries(group)) {
      expect(fixture.state_dict.param_groups[g][name], name).toEqual(value);
    }
  });
  // And it converts back to the same checkpoint.
  const again = setUp();
  again.opt.loadStateDict(fromTorchStateDict(again.opt, back));
  expect(JSON.stringify(again.opt.stateDict())).toBe(JSON.stringify(opt.stateDict()));
  for (const o of [opt, again.opt]) o.dispose();
  for (const p of [...params, ...again.params]) p.dispose();
});

test("what is not torch's layout is refused by name, and what it holds is checked by loadStateDict", () => {
  const { params, opt } = setUp();
  const before = JSON.stringify(opt.stateDict());
  expect(() => fromTorchStateDict(opt, [])).toThrow(/fromTorchStateDict: expected \{ state, param_groups \}/);
  expect(() => fromTorchStateDict(opt, { state: {}, param_groups: {} })).toThrow(/'param_groups' must be an array/);
  expect(() => fromTorchStateDict(opt, { ...fixture.state_dict, state: { 7: {} } })).toThrow(
    /'state' has parameter "7", not a position from 0 to 2/,
  );
  const unknown = structuredClone(fixture.state_dict);
  unknown.param_groups[0].nesterov = true;
  expect(() => opt.loadStateDict(fromTorchStateDict(opt, unknown))).toThrow(/nesterov/);
  const short = structuredClone(fixture.state_dict);
  (short.state["0"].exp_avg as number[]).pop();
  expect(() => opt.loadStateDict(fromTorchStateDict(opt, short))).toThrow(/exp_avg/);
  expect(JSON.stringify(opt.stateDict())).toBe(before);
  opt.dispose();
  for (const p of params) p.dispose();
});

test("toTorchSafetensors: torch's layout as a safetensors file, tensors with their parameters' shapes", () => {
  const { params, opt } = setUp();
  opt.loadStateDict(fromTorchStateDict(opt, fixture.state_dict));
  const bytes = toTorchSafetensors(opt);
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  expect(length % 8).toBe(0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  > & { __metadata__: Record<string, string> };
  const { __metadata__: metadata, ...tensors } = header;
  expect(JSON.parse(metadata.param_groups)).toEqual(toTorchStateDict(opt).param_groups);
  expect(Object.keys(tensors).sort()).toEqual([
    "state.0.exp_avg",
    "state.0.exp_avg_sq",
    "state.0.step",
    "state.2.exp_avg",
    "state.2.exp_avg_sq",
    "state.2.step",
  ]);
  expect(tensors["state.0.exp_avg"].shape).toEqual([2, 3]);
  expect(tensors["state.0.step"]).toMatchObject({ dtype: "F32", shape: [] });
  const data = bytes.subarray(8 + length);
  const read = (name: string) => {
    const [from, to] = tensors[name].data_offsets;
    return Array.from(new Float32Array(data.slice(from, to).buffer));
  };
  expect(read("state.2.exp_avg")).toEqual(fixture.state_dict.state["2"].exp_avg);
  expect(read("state.0.step")).toEqual([3]);
  expect(Math.max(...Object.values(tensors).map((t) => t.data_offsets[1]))).toBe(data.length);
  opt.dispose();
  for (const p of params) p.dispose();
});

test("simdopt's own options stay out of torch's layout, and loading from it keeps the optimizer's", () => {
  const params = fixture.params.map((name, i) =>
    runtime.parameter(fixture.values[i], { name, shape: fixture.shapes[i] }),
  );
  const [w, frozen, b] = params;
  const opt = new Adam([{ params: [w, frozen] }, { params: [b] }], { torch113: true });
  opt.loadStateDict(fromTorchStateDict(opt, fixture.state_dict));
  expect(opt.paramGroups.map((g) => g.torch113)).toEqual([true, true]);
  const back = toTorchStateDict(opt);
  for (const group of back.param_groups) {
    expect(Object.keys(group)).not.toContain("torch113");
    expect(Object.keys(group)).not.toContain("state");
  }
  opt.dispose();
  for (const p of params) p.dispose();
});

test("what has no torch layout is refused by name: L-BFGS, a weight average, other frameworks' presets, schedule-free, low-bit state", () => {
  const w = runtime.parameter(randomValues(4096));
  const torchless: [unknown, RegExp][] = [
    [new LBFGS([w]), /expected one of simdopt's optimizers \(not L-BFGS nor a WeightAverage\)/],
    [new WeightAverage([w]), /expected one of simdopt's optimizers/],
    [createOptimizer("keras:adam", [w]), /keras:adam follows another framework than torch/],
    [new SGDScheduleFree([w]), /sgdschedulefree's reference keeps its step count and averaging weights per group/],
    [
      new Adam([w], { state: "8bit" }),
      /adam's state is bfloat16 or low-bit codes, which torch.optim's layout has no slots for/,
    ],
  ];
  for (const [optimizer, message] of torchless) {
    const opt = optimizer as Adam;
    expect(() => toTorchStateDict(opt)).toThrow(message);
    expect(() => toTorchSafetensors(opt)).toThrow(message);
    expect(() => fromTorchStateDict(opt, fixture.state_dict)).toThrow(message);
    (optimizer as { dispose(): void }).dispose();
  }
  expect(() => toTorchSafetensors(new LBFGS([w]) as unknown as Adam)).toThrow(/^toTorchSafetensors: /);
  w.dispose();
});

function randomValues(length: number): number[] {
  return Array.from({ length }, (_, i) => Math.sin(i + 1));
}
