// Parameters without a gradient beside row-sparse gradients and low-bit state: the step leaves the
// skipped tensor out of the tables it runs over (its values and every byte of its state stay) and
// the others compute exactly what an optimizer without it computes, on one thread and on several.
// Per-parameter state of low-bit storage goes by its checkpoint slots, as the kernel stores it.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Adagrad,
  Adam,
  loadRuntime,
  SGD,
  SparseAdam,
  type Optimizer,
  type Parameter,
  type Runtime,
} from "../dist/index.js";
import { firstDifference, randomArray } from "./helpers.js";

type StateView = Float32Array | Float64Array | Uint16Array | Uint8Array;
type Internal = { rawStateView(param: unknown, name: string): StateView | undefined };

let single: Runtime;
let threaded: Runtime;
beforeAll(async () => {
  single = await loadRuntime({ threads: 1 });
  // threadMinElements 0: every kernel call is split over the threads, a subset's and the rows' too.
  threaded = await loadRuntime({ threads: 3, threadMinElements: 0 });
  await threaded.startThreads();
});
afterAll(() => threaded.close());

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const at = firstDifference(Array.from(actual), Array.from(expected));
  expect(at, `${what} differs at ${at}: ${actual[at]} ≠ ${expected[at]}`).toBe(-1);
}

/** A copy of every state buffer of `param`, as the kernel stores it. */
function rawState(opt: Optimizer<object>, param: Parameter, names: readonly string[]): number[][] {
  return names.flatMap((name) => {
    const view = (opt as unknown as Internal).rawStateView(param, name);
    return view === undefined ? [] : [Array.from(view)];
  });
}

const ROWS = 40;
const DIM = 6;

describe("a parameter without a gradient in a group with row-sparse gradients", () => {
  const cases: { name: string; make: (params: Parameter[]) => Optimizer<object>; state: string[] }[] = [
    { name: "SparseAdam (rows)", make: (p) => new SparseAdam(p, { lr: 0.05 }), state: ["expAvg", "expAvgSq"] },
    { name: "Adagrad (rows)", make: (p) => new Adagrad(p, { lr: 0.1 }), state: ["sum"] },
    {
      name: "SGD with momentum (sparse written dense)",
      make: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
      state: ["momentumBuffer"],
    },
  ];
  for (const { name, make, state } of cases) {
    test(`${name}: the skipped tables keep every value; the others step as without them`, () => {
      for (const rt of [single, threaded]) {
        const run = (withFrozen: boolean) => {
          const table = rt.parameter(randomArray(ROWS * DIM, 1), { shape: [ROWS, DIM] });
          const other = rt.parameter(randomArray(ROWS * DIM, 2), { shape: [ROWS, DIM] });
          const frozen = rt.parameter(randomArray(ROWS * DIM, 3), { shape: [ROWS, DIM] });
          const params = withFrozen ? [table, frozen, other] : [table, other];
          const opt = make(params);
          let frozenBefore: number[] = [];
          let frozenState: number[][] = [];
          for (let s = 0; s < 5; s++) {
            table.setSparseGrad([3, 17, 3, 39], randomArray(4 * DIM, 10 + s));
            other.setSparseGrad(s === 2 ? [] : [0, 21], s === 2 ? [] : randomArray(2 * DIM, 20 + s));
            // The frozen table had a sparse gradient on the first step only, then none at all.
            if (s === 0) frozen.setSparseGrad([5], randomArray(DIM, 30));
            if (s === 1) {
              frozen.clearGrad();
              frozenBefore = Array.from(frozen.data);
              frozenState = rawState(opt, frozen, state);
            }
            opt.step();
          }
          if (withFrozen) {
            expectSame(frozen.data, frozenBefore, `${name}: the frozen table`);
            expect(rawState(opt, frozen, state)).toEqual(frozenState);
            expect(opt.state(frozen).step).toBe(1);
            expect(opt.state(table).step).toBe(5);
          }
          return [table.toArray(), other.toArray(), ...rawState(opt, table, state), ...rawState(opt, other, state)];
        };
        const alone = run(false);
        const beside = run(true);
        alone.forEach((values, k) => expectSame(beside[k], values, `${name}: array ${k}`));
      }
    });
  }

  test("SparseAdam refuses a dense gradient, but not a parameter that has none", () => {
    const table = single.parameter(randomArray(ROWS * DIM, 1), { shape: [ROWS, DIM] });
    const frozen = single.parameter(randomArray(ROWS * DIM, 2), { shape: [ROWS, DIM] });
    const opt = new SparseAdam([table, frozen], { lr: 0.05 });
    table.setSparseGrad([1], randomArray(DIM, 3));
    frozen.setGrad(randomArray(ROWS * DIM, 4));
    expect(() => opt.step()).toThrow(/parameter 1 of group 0.*has a dense gradient/);
    frozen.requiresGrad = false;
    const before = frozen.toArray();
    opt.step();
    expectSame(frozen.data, before, "the frozen table");
    expect(opt.state(frozen)).toEqual({ step: 0 });
  });
});

describe("a parameter without a gradient beside low-bit state", () => {
  // 8-bit state is kept for tensors of 4096 elements or more (smaller ones keep float32 state).
  const LENGTH = 5000;
  for (const storage of ["bfloat16", "8bit"] as const) {
    test(`Adam with ${storage} state: the skipped tensor's codes stay; the others step as without it`, () => {
      for (const rt of [single, threaded]) {
        const run = (withFrozen: boolean) => {
          const a = rt.parameter(randomArray(LENGTH, 1));
          const b = rt.parameter(randomArray(LENGTH + 300, 2));
          const frozen = rt.parameter(randomArray(LENGTH, 3));
          const opt = new Adam(withFrozen ? [a, frozen, b] : [a, b], { lr: 0.01, state: storage });
          const names = ["expAvg", "expAvgSq", "expAvgCodes", "expAvgSqCodes", "expAvgAbsmax", "expAvgSqAbsmax"];
          let codes: number[][] = [];
          let before: number[] = [];
          for (let s = 0; s < 4; s++) {
            a.setGrad(randomArray(LENGTH, 10 + s));
            b.setGrad(randomArray(LENGTH + 300, 20 + s));
            if (s === 0) frozen.setGrad(randomArray(LENGTH, 30));
            if (s === 1) {
              frozen.clearGrad();
              codes = rawState(opt, frozen, names);
              before = Array.from(frozen.data);
            }
            opt.step();
          }
          if (withFrozen) {
            expect(codes.length).toBeGreaterThan(0);
            expect(rawState(opt, frozen, names)).toEqual(codes);
            expectSame(frozen.data, before, "the frozen tensor");
          }
          return [a.toArray(), b.toArray(), ...rawState(opt, a, names), ...rawState(opt, b, names)];
        };
        const alone = run(false);
        const beside = run(true);
        expect(beside.length).toBe(alone.length);
        alone.forEach((values, k) => expectSame(beside[k], values, `${storage}: array ${k}`));
      }
    });

    test(`state(param) and setState read and write ${storage} state as it is stored`, () => {
      const p = single.parameter(randomArray(LENGTH, 1));
      const opt = new Adam([p], { lr: 0.01, state: storage });
      p.setGrad(randomArray(LENGTH, 2));
      opt.step();
      const values = p.toArray();
      const state = opt.state(p);
      // bfloat16 words; 5000 elements are not whole 8-bit blocks, so 8-bit storage keeps float32 moments (torchao's rule).
      expect(state.expAvg).toBeInstanceOf(storage === "bfloat16" ? Uint16Array : Float32Array);
      opt.setState(p, { step: 3 });
      expect(opt.stepCount()).toBe(3);
      expectSame(opt.state(p).expAvgSq as ArrayLike<number>, state.expAvgSq as ArrayLike<number>, "v");
      expect(() => opt.setState(p, { expAvgCodes: new Uint8Array(LENGTH) })).toThrow(/unknown state 'expAvgCodes'/);
      expectSame(p.data, values, "the parameter");
      expect(opt.stepCount()).toBe(3);
    });
  }
});
