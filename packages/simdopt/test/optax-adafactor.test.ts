// optax:adafactor over shaped parameters (the equivalence test's parameters are 1-D): every binary
// agrees with the reference bit for bit, tensors are factored over their two largest dims wherever
// those sit, and the options are checked as optax spells them.
import { beforeAll, expect, test } from "vitest";
import { createOptimizer, loadRuntime, OptaxAdafactor, type Dtype, type Runtime } from "../dist/index.js";
import { OPTION_FAMILIES } from "./families.js";
import { decodedState, firstDifference, gradientsFor, randomArray } from "./helpers.js";

/** Factored and not, with the largest dim first, last and in the middle, and dims around and between. */
const SHAPES = [[13, 9], [3, 2, 5], [2, 6, 7], [4, 7, 3, 6], [1, 4], [5, 33], [37], [7, 1, 3]];

let binaries: Runtime[];
beforeAll(async () => {
  binaries = await Promise.all(
    (["reference", "scalar", "simd"] as const).flatMap((binary) =>
      (["separate", "fused"] as const).map((rounding) => loadRuntime({ binary, rounding })),
    ),
  );
});

function run(rt: Runtime, options: object, dtype: Dtype, steps = 8) {
  const params = SHAPES.map((shape, k) =>
    rt.parameter(
      randomArray(
        shape.reduce((a, b) => a * b),
        20 + k,
      ),
      { dtype, shape },
    ),
  );
  const opt = createOptimizer("optax:adafactor", params, options);
  for (let t = 0; t < steps; t++) {
    params.forEach((p, k) => p.setGrad(gradientsFor(p.length, t, 30 + k).map((g) => (k === 1 ? g * 1e-3 : g))));
    opt.step();
  }
  const state = decodedState(opt.stateDict());
  const values = params.map((p) => Array.from(p.data));
  opt.dispose();
  for (const p of params) p.dispose();
  return { values, state };
}

test.each(OPTION_FAMILIES["optax:adafactor"].map((options) => ({ options, label: JSON.stringify(options) })))(
  "reference ≡ scalar ≡ SIMD bit for bit, values and state: $label",
  ({ options }) => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const rounding of [0, 1]) {
        const [reference, ...others] = [0, 1, 2].map((b) => run(binaries[b * 2 + rounding], options, dtype));
        for (const other of others) {
          other.values.forEach((values, k) =>
            expect(firstDifference(values, reference.values[k]), `${dtype} tensor ${k}`).toBe(-1),
          );
          other.state.forEach((entry, k) => {
            for (const name of ["vRow", "vCol", "v", "ema"]) {
              const [a, b] = [entry[name], reference.state[k][name]] as Float64Array[];
              expect(a === undefined ? -1 : firstDifference(a, b), `${dtype} tensor ${k} ${name}`).toBe(-1);
            }
          });
        }
        reference.values.forEach((values, k) => expect(values.every(Number.isFinite), `tensor ${k}`).toBe(true));
      }
    }
  },
);

test("a tensor is factored over its two largest dims: the means keep the others, row-major", async () => {
  const rt = binaries[4];
  // [3, 2, 5] with minDimSizeToFactor 2: d0 = dim 2 (5), d1 = dim 0 (3). vRow = mean over d0: [3, 2];
  // vCol = mean over d1: [2, 5]; v = vRow's means over d1: [2]. [1, 4] is not factored (1 < 2).
  const w = rt.parameter(randomArray(30, 1), { dtype: "float64", shape: [3, 2, 5] });
  const flat = rt.parameter(randomArray(4, 2), { dtype: "float64", shape: [1, 4] });
  const g = gradientsFor(30, 0, 3).map((x, i) => x + (i === 0 ? 1 : 0));
  w.setGrad(g);
  flat.setGrad([1, 2, 3, 4]);
  const opt = new OptaxAdafactor([w, flat], { minDimSizeToFactor: 2, decayOffset: -1, eps: 0 });
  opt.step();
  const [state, flatState] = decodedState(opt.stateDict());
  const oneMinusDecay = Math.fround(1 - Math.fround(1 - Math.fround(2 ** Math.fround(-0.8))));
  const at = (a: number, b: number, c: number) => (a * 2 + b) * 5 + c;
  const sq = (i: number) => g[i] * g[i];
  const mean = (values: number[]) => values.reduce((s, x) => s + x, 0) / values.length;
  const expectedRow = [0, 1, 2].flatMap((a) =>
    [0, 1].map((b) => oneMinusDecay * mean([0, 1, 2, 3, 4].map((c) => sq(at(a, b, c))))),
  );
  const expectedCol = [0, 1].flatMap((b) =>
    [0, 1, 2, 3, 4].map((c) => oneMinusDecay * mean([0, 1, 2].map((a) => sq(at(a, b, c))))),
  );
  const vRow = Array.from(state.vRow as Float64Array);
  const vCol = Array.from(state.vCol as Float64Array);
  expect([vRow.length, vCol.length]).toEqual([6, 10]);
  vRow.forEach((x, k) => expect(x).toBeCloseTo(expectedRow[k], 14));
  vCol.forEach((x, k) => expect(x).toBeCloseTo(expectedCol[k], 14));
  const v = Array.from(state.v as Float64Array);
  expect(v).toHaveLength(2);
  [0, 1].forEach((b) => expect(v[b]).toBeCloseTo(mean([0, 1, 2].map((a) => vRow[a * 2 + b])), 14));
  expect(Array.from(flatState.v as Float64Array)).toEqual([1, 4, 9, 16].map((x) => oneMinusDecay * x));
  // Not factored: no vRow or vCol at all.
  expect([flatState.vRow, flatState.vCol]).toEqual([undefined, undefined]);
  opt.dispose();
});

test("options: optax's defaults, null for off, errors name the option and change nothing", () => {
  const rt = binaries[4];
  const w = rt.parameter(randomArray(6, 1), { shape: [2, 3] });
  const opt = new OptaxAdafactor([w]);
  expect(opt.paramGroups[0].options).toEqual({
    learningRate: null,
    minDimSizeToFactor: 128,
    decayRate: 0.8,
    decayOffset: 0,
    multiplyByParameterScale: true,
    clippingThreshold: 1,
    momentum: null,
    weightDecayRate: null,
    eps: 1e-30,
    factored: true,
  });
  expect(() => new OptaxAdafactor([w], { minDimSizeToFactor: 1.5 })).toThrow(
    /optax:adafactor: invalid minDimSizeToFactor: 1.5/,
  );
  expect(() => new OptaxAdafactor([w], { momentum: 2 })).toThrow(/optax:adafactor: invalid momentum: 2/);
  expect(() => new OptaxAdafactor([w], { clippingThreshold: -1 })).toThrow(/invalid clippingThreshold: -1/);
  expect(() => new OptaxAdafactor([w], { factored: 1 as unknown as boolean })).toThrow(/option 'factored'/);
  expect(() => opt.setGroupOptions({ learningRate: 0.1, eps: -1 })).toThrow(/invalid eps: -1/);
  expect(opt.paramGroups[0].learningRate).toBeNull();
  // The momentum's average is state: it cannot appear or vanish after construction.
  expect(() => opt.setGroupOptions({ momentum: 0.9 })).toThrow(/state layout/);
  opt.setGroupOptions({ learningRate: 0.1, clippingThreshold: null });
  expect(opt.paramGroups[0].clippingThreshold).toBeNull();
  opt.dispose();
});
