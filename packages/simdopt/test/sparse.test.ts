// Row-sparse gradients (param.setSparseGrad): SparseAdam, and SGD and Adagrad stepping only the rows
// a gradient lists. The rows kernels against the dense kernels (bit for bit where the arithmetic is
// the same), against the reference and across binaries, duplicates, empty steps, refusals, mixed
// groups, checkpoints and the non-finite check; then torch's own vectors (../shared/golden/frontier).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  Adagrad,
  Adam,
  Ftrl,
  LazyAdam,
  loadRuntime,
  SGD,
  SparseAdam,
  type Dtype,
  type Optimizer,
  type Parameter,
  type Runtime,
} from "../dist/index.js";
import { runOptimizerCase, type OptimizerCase } from "../dist/conformance/golden.js";
import { firstDifference, randomArray, sharedGoldenFolder } from "./helpers.js";

const BINARIES = ["simd", "scalar", "reference"] as const;
const DTYPES: Dtype[] = ["float32", "float64"];
// dim 7: a SIMD body and a tail in both dtypes (4 or 2 lanes).
const ROWS = 23;
const DIM = 7;

/** Each step's rows (unsorted, each once; one step empty) and their values. */
function sparseSteps(seed: number): { indices: number[]; values: number[] }[] {
  const lists = [[5, 0, 17], [22, 3], [], [17, 9, 11, 1], [0]];
  return lists.map((indices, s) => ({ indices, values: randomArray(indices.length * DIM, seed + s) }));
}

/** The dense gradient of a sparse one: its rows summed into a table of zeros. */
function densify(indices: readonly number[], values: readonly number[]): number[] {
  const grad = new Array(ROWS * DIM).fill(0);
  indices.forEach((row, j) => {
    for (let i = 0; i < DIM; i++) grad[row * DIM + i] += values[j * DIM + i];
  });
  return grad;
}

function table(rt: Runtime, dtype: Dtype, seed = 1): Parameter {
  return rt.parameter(randomArray(ROWS * DIM, seed), { dtype, shape: [ROWS, DIM] });
}

type Make = (params: Parameter[]) => Optimizer<object>;
const SAME_ARITHMETIC: [string, Make][] = [
  ["SGD", (p) => new SGD(p, { lr: 0.1 })],
  ["SGD with momentum", (p) => new SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.1 })],
  ["SGD with Nesterov, maximize", (p) => new SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true })],
  ["Adagrad", (p) => new Adagrad(p, { lr: 0.1 })],
  [
    "Adagrad with lrDecay, eps, maximize",
    (p) => new Adagrad(p, { lr: 0.3, lrDecay: 0.05, initialAccumulatorValue: 0.1, eps: 1e-3, maximize: true }),
  ],
];

describe("a sparse step equals the dense step of the same gradient, bit for bit (rows listed once)", () => {
  for (const binary of BINARIES) {
    for (const dtype of DTYPES) {
      for (const [name, make] of SAME_ARITHMETIC) {
        test(`${name}, ${dtype}, ${binary}`, async () => {
          const rt = await loadRuntime({ binary, threads: 1 });
          const sparse = table(rt, dtype);
          const dense = table(rt, dtype);
          const sparseOpt = make([sparse]);
          const denseOpt = make([dense]);
          for (const { indices, values } of sparseSteps(7)) {
            sparse.setSparseGrad(indices, values);
            dense.setGrad(densify(indices, values));
            sparseOpt.step();
            denseOpt.step();
            expect(firstDifference(sparse.data, dense.data)).toBe(-1);
          }
          expect(JSON.stringify(sparseOpt.stateDict())).toBe(JSON.stringify(denseOpt.stateDict()));
        });
      }
    }
  }
});

test("SparseAdam's rows kernels are bit-identical in the SIMD, scalar and reference binaries", async () => {
  for (const dtype of DTYPES) {
    const results = await Promise.all(
      BINARIES.map(async (binary) => {
        const rt = await loadRuntime({ binary, threads: 1 });
        const p = table(rt, dtype);
        const opt = new SparseAdam([p], { lr: 0.05, betas: [0.8, 0.99], maximize: true });
        for (const { indices, values } of sparseSteps(3)) {
          p.setSparseGrad(indices, values);
          opt.step();
        }
        return p.toArray();
      }),
    );
    expect(firstDifference(results[0], results[2])).toBe(-1);
    expect(firstDifference(results[1], results[2])).toBe(-1);
  }
});

test("SparseAdam is lazy: unlisted rows keep their values and moments; t counts empty steps", async () => {
  const rt = await loadRuntime({ binary: "simd" });
  const p = table(rt, "float64");
  const before = p.toArray();
  const opt = new SparseAdam([p], { lr: 0.01 });
  p.setSparseGrad([], []);
  opt.step(); // t = 1, nothing moves
  expect(firstDifference(p.data, before)).toBe(-1);
  p.setSparseGrad([4], new Array(DIM).fill(0.5));
  opt.step(); // t = 2: row 4 alone moves, by lr·√(1 − β2²)/(1 − β1²)·m/(√v + ε)
  for (let row = 0; row < ROWS; row++) {
    const moved = Array.from({ length: DIM }, (_, i) => p.data[row * DIM + i] !== before[row * DIM + i]);
    expect(moved.every((m) => m === (row === 4))).toBe(true);
  }
  const m = 0.1 * 0.5;
  const v = 0.001 * 0.25;
  const step = ((0.01 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2)) * (m / (Math.sqrt(v) + 1e-8));
  expect(p.data[4 * DIM]).toBeCloseTo(before[4 * DIM] - step, 14);
  expect(opt.stepCount()).toBe(2);
});

describe("LazyAdam (TF's) is SparseAdam with Keras's names, and steps dense gradients by the same rule", () => {
  for (const binary of BINARIES) {
    test(binary, async () => {
      const rt = await loadRuntime({ binary, threads: 1 });
      const keras = { learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-3 };
      const torch = { lr: 0.02, betas: [0.8, 0.99] as [number, number], eps: 1e-3 };
      for (const dtype of DTYPES) {
        const [a, b] = [table(rt, dtype), table(rt, dtype)];
        const lazy = new LazyAdam([a], keras);
        const sparse = new SparseAdam([b], torch);
        for (const { indices, values } of sparseSteps(5)) {
          a.setSparseGrad(indices, values);
          b.setSparseGrad(indices, values);
          lazy.step();
          sparse.step();
        }
        expect(firstDifference(a.data, b.data)).toBe(-1);
        // A dense gradient (the dense kernel) against the same gradient listing every row, in reverse (the rows kernel).
        const [e, f] = [table(rt, dtype, 4), table(rt, dtype, 4)];
        const grad = randomArray(ROWS * DIM, 77);
        const everyRow = Array.from({ length: ROWS }, (_, k) => ROWS - 1 - k);
        e.setGrad(grad);
        f.setSparseGrad(
          everyRow,
          everyRow.flatMap((row) => grad.slice(row * DIM, (row + 1) * DIM)),
        );
        const [denseOpt, rowsOpt] = [new LazyAdam([e], keras), new SparseAdam([f], torch)];
        for (let s = 0; s < 3; s++) {
          denseOpt.step();
          rowsOpt.step();
        }
        expect(firstDifference(e.data, f.data)).toBe(-1);
      }
      expect(() => new LazyAdam([table(rt, "float32")], { beta1: 1 })).toThrow(/LazyAdam: invalid beta1: 1/);
    });
  }
});

describe("FTRL with a sparse gradient steps the listed rows alone (TF's sparse FTRL), each as the dense rule does", () => {
  const families = [
    { learningRate: 0.1, l1RegularizationStrength: 0.01, l2RegularizationStrength: 0.02 },
    { learningRate: 0.05, learningRatePower: -0.3, l2ShrinkageRegularizationStrength: 0.1, beta: 0.5 },
  ];
  for (const binary of BINARIES) {
    test(binary, async () => {
      const rt = await loadRuntime({ binary, threads: 1 });
      for (const dtype of DTYPES) {
        for (const options of families) {
          // Every row listed (in reverse) against the dense gradient: the same bits.
          const [a, b] = [table(rt, dtype), table(rt, dtype)];
          const [sparse, dense] = [new Ftrl([a], options), new Ftrl([b], options)];
          const everyRow = Array.from({ length: ROWS }, (_, k) => ROWS - 1 - k);
          for (let s = 0; s < 3; s++) {
            const grad = randomArray(ROWS * DIM, 60 + s);
            a.setSparseGrad(
              everyRow,
              everyRow.flatMap((row) => grad.slice(row * DIM, (row + 1) * DIM)),
            );
            b.setGrad(grad);
            sparse.step();
            dense.step();
          }
          expect(firstDifference(a.data, b.data)).toBe(-1);
          expect(JSON.stringify(sparse.stateDict())).toBe(JSON.stringify(dense.stateDict()));
          // Rows not listed keep their values (the dense rule would move them: 0 is not a no-op in FTRL).
          const c = table(rt, dtype);
          const before = c.toArray();
          c.setSparseGrad([3], randomArray(DIM, 70));
          new Ftrl([c], options).step();
          for (let i = 0; i < ROWS * DIM; i++) {
            if (Math.floor(i / DIM) !== 3) expect(c.data[i]).toBe(before[i]);
          }
          expect(c.data[3 * DIM]).not.toBe(before[3 * DIM]);
        }
      }
      const p = table(rt, "float32");
      p.setSparseGrad([0], randomArray(DIM, 1));
      expect(() => new Ftrl([p], { clipnorm: 1 }).step()).toThrow(
        /Ftrl: .*has a sparse gradient: clipnorm is not supported with sparse gradients/,
      );
    });
  }
});

test("repeated rows are summed before the step, as torch's coalesce", async () => {
  for (const dtype of DTYPES) {
    const rt = await loadRuntime({ binary: "simd" });
    const a = table(rt, dtype);
    const b = table(rt, dtype);
    const optA = new SparseAdam([a], { lr: 0.02 });
    const optB = new SparseAdam([b], { lr: 0.02 });
    const [x, y, z] = [randomArray(DIM, 1), randomArray(DIM, 2), randomArray(DIM, 3)];
    // Row 6 twice and row 2 once, given out of order, against the rows summed by hand.
    a.setSparseGrad([6, 2, 6], [...x, ...y, ...z]);
    const round = dtype === "float32" ? Math.fround : (v: number) => v;
    b.setSparseGrad([2, 6], [...y, ...x.map((v, i) => round(round(v) + round(z[i])))]);
    expect(Array.from(a.sparseGrad?.indices ?? [])).toEqual([2, 6]);
    expect(firstDifference(a.sparseGrad?.values ?? [], b.sparseGrad?.values ?? [])).toBe(-1);
    optA.step();
    optB.step();
    expect(firstDifference(a.data, b.data)).toBe(-1);
  }
});

test("a group of dense layers and a sparse table steps both in one step(), each as on its own", async () => {
  const rt = await loadRuntime({ binary: "simd" });
  for (const make of [(p: Parameter[]) => new SGD(p, { lr: 0.1 }), (p: Parameter[]) => new Adagrad(p, { lr: 0.1 })]) {
    const [w1, emb1, b1] = [rt.parameter(randomArray(13, 4)), table(rt, "float32"), rt.parameter(randomArray(5, 5))];
    const [w2, emb2, b2] = [rt.parameter(randomArray(13, 4)), table(rt, "float32"), rt.parameter(randomArray(5, 5))];
    const mixed = make([w1, emb1, b1]);
    const denseOnly = make([w2, b2]);
    const sparseOnly = make([emb2]);
    for (const [s, { indices, values }] of sparseSteps(11).entries()) {
      for (const [w, b] of [
        [w1, b1],
        [w2, b2],
      ]) {
        w.setGrad(randomArray(13, 100 + s));
        b.setGrad(randomArray(5, 200 + s));
      }
      emb1.setSparseGrad(indices, values);
      emb2.setSparseGrad(indices, values);
      mixed.step();
      denseOnly.step();
      sparseOnly.step();
    }
    expect(firstDifference(w1.data, w2.data)).toBe(-1);
    expect(firstDifference(b1.data, b2.data)).toBe(-1);
    expect(firstDifference(emb1.data, emb2.data)).toBe(-1);
  }
});

describe("refusals name the reason and change nothing", () => {
  test("sparse gradients where torch refuses them", async () => {
    const rt = await loadRuntime({ binary: "simd" });
    const p = table(rt, "float32");
    p.setSparseGrad([1], new Array(DIM).fill(1));
    const before = p.toArray();
    expect(() => new SGD([p], { lr: 0.1, weightDecay: 0.01 }).step()).toThrow(
      /SGD: parameter 0 of group 0, \(161 × float32\), has a sparse gradient: weightDecay 0.01 is not supported with sparse gradients \(torch: add\(sparse, dense\) is not supported\)/,
    );
    expect(() => new Adagrad([p], { weightDecay: 0.1 }).step()).toThrow(
      /Adagrad: .* weightDecay 0.1 is not compatible with sparse gradients/,
    );
    expect(() => new Adam([p]).step()).toThrow(/Adam: .*has a sparse gradient: Adam does not support sparse gradients/);
    const q = rt.parameter(4);
    expect(() => new SparseAdam([p, q]).step()).toThrow(
      /SparseAdam: SparseAdam does not support dense gradients, please consider Adam instead \(parameter 1 of group 0/,
    );
    expect(firstDifference(p.data, before)).toBe(-1);
  });

  test("a bad sparse gradient leaves the one before it", async () => {
    const rt = await loadRuntime({ binary: "simd" });
    const p = rt.parameter(12, { name: "emb", shape: [4, 3] });
    p.setSparseGrad([3, 1], [1, 2, 3, 4, 5, 6]);
    expect(() => p.setSparseGrad([4], [1, 2, 3])).toThrow(
      /sparse gradient for parameter 'emb': indices\[0\] is 4, not a row of 0..3/,
    );
    expect(() => p.setSparseGrad([1.5], [1, 2, 3])).toThrow(/indices\[0\] is 1.5/);
    expect(() => p.setSparseGrad([0, 1], [1, 2, 3])).toThrow(/values has length 3, expected 2 rows × 3 = 6/);
    expect(() => p.setSparseGrad([0], [1, "2", 3] as never)).toThrow(/values has "2" at index 1, not a number/);
    expect(() => rt.parameter(5).setSparseGrad([0], [1])).toThrow(/needs a 2-D parameter .* has shape \[5\]/);
    expect(Array.from(p.sparseGrad?.indices ?? [])).toEqual([1, 3]);
    expect(Array.from(p.sparseGrad?.values ?? [])).toEqual([4, 5, 6, 1, 2, 3]);
  });
});

test("zeroGrad empties a sparse gradient without touching the table; setGrad makes it dense again", async () => {
  const rt = await loadRuntime({ binary: "simd" });
  const p = table(rt, "float32");
  const opt = new SGD([p], { lr: 0.1 });
  p.setSparseGrad([2], new Array(DIM).fill(1));
  opt.zeroGrad();
  expect(p.sparseGrad?.indices.length).toBe(0);
  const before = p.toArray();
  opt.step();
  expect(firstDifference(p.data, before)).toBe(-1);
  p.setGrad(new Array(ROWS * DIM).fill(1));
  expect(p.sparseGrad).toBeUndefined();
  opt.step();
  expect(p.data[0]).toBe(Math.fround(before[0] - Math.fround(0.1)));
});

test("non-finite sparse gradients are caught by nonFinite: 'skip', and nothing changes", async () => {
  const rt = await loadRuntime({ binary: "simd" });
  const p = table(rt, "float32");
  const opt = new SparseAdam([p], { nonFinite: "skip" });
  p.setSparseGrad([3, 8], [...new Array(DIM).fill(1), Number.NaN, ...new Array(DIM - 1).fill(1)]);
  const before = p.toArray();
  expect(opt.step().applied).toBe(false);
  expect(firstDifference(p.data, before)).toBe(-1);
  expect(opt.stepCount()).toBe(0);
});

test("a SparseAdam checkpoint restores and continues exactly", async () => {
  const rt = await loadRuntime({ binary: "simd" });
  const steps = sparseSteps(21);
  const run = (p: Parameter, opt: SparseAdam, from: number, to: number) => {
    for (const { indices, values } of steps.slice(from, to)) {
      p.setSparseGrad(indices, values);
      opt.step();
    }
  };
  const a = table(rt, "float32");
  const optA = new SparseAdam([a], { lr: 0.03 });
  run(a, optA, 0, 5);
  const b = table(rt, "float32");
  const optB = new SparseAdam([b], { lr: 0.03 });
  run(b, optB, 0, 2);
  const saved = JSON.parse(JSON.stringify(optB.stateDict()));
  const c = rt.parameter(b.toArray(), { shape: [ROWS, DIM] });
  const optC = new SparseAdam([c], { lr: 0.03 });
  optC.loadStateDict(saved);
  run(c, optC, 2, 5);
  expect(firstDifference(a.data, c.data)).toBe(-1);
});

test("rows split between threads are bit-identical to one thread (SparseAdam, Adagrad, a mixed SGD group)", async () => {
  const single = await loadRuntime({ threads: 1 });
  const threaded = await loadRuntime({ threads: 3, threadMinElements: 0 });
  await threaded.startThreads();
  const splitCalls = () => (threaded as unknown as { threadPool: { splitCalls: number } }).threadPool.splitCalls;
  const makers: Make[] = [
    (p) => new SparseAdam(p, { lr: 0.05 }),
    (p) => new Adagrad(p, { lr: 0.1 }),
    (p) => new SGD(p, { lr: 0.1 }),
  ];
  for (const make of makers) {
    const run = (rt: Runtime) => {
      // Two tables (so that a cut falls inside one and between them) and, but for SparseAdam, a dense tensor.
      const big = rt.parameter(randomArray(300 * DIM, 1), { shape: [300, DIM] });
      const small = rt.parameter(randomArray(40 * DIM, 2), { shape: [40, DIM] });
      const dense = rt.parameter(randomArray(33, 3));
      const params = make === makers[0] ? [big, small] : [big, dense, small];
      const opt = make(params);
      for (let s = 0; s < 4; s++) {
        const rows = randomArray(90, 10 + s).map((x) => Math.floor(((x + 1) / 2) * 300));
        big.setSparseGrad(rows, randomArray(rows.length * DIM, 20 + s));
        small.setSparseGrad(s === 2 ? [] : [39, 0, 7], s === 2 ? [] : randomArray(3 * DIM, 30 + s));
        dense.setGrad(randomArray(33, 40 + s));
        opt.step();
      }
      return params.map((p) => p.toArray());
    };
    const before = splitCalls();
    const one = run(single);
    const many = run(threaded);
    // The rows at each step, and the dense tensor beside them (a table of the group's dense tensors).
    expect(splitCalls() - before, "calls split between threads").toBe(make === makers[0] ? 4 : 8);
    one.forEach((values, k) => expect(firstDifference(many[k], values)).toBe(-1));
  }
  threaded.close();
});

const frontier = sharedGoldenFolder("frontier", "torch's sparse-gradient golden cases");
describe.skipIf(frontier === undefined)("torch 2.13's sparse-gradient cases (golden/frontier)", () => {
  const file = join(frontier ?? "", "optimizers.json");
  const cases = frontier === undefined ? [] : (JSON.parse(readFileSync(file, "utf8")).cases as OptimizerCase[]);
  const sparse = cases.filter((c) => c.params.some((p) => p.grad_indices !== undefined));
  test("the folder has the 29 sparse cases its README counts", () => {
    expect(sparse.length).toBe(29);
  });
  for (const binary of BINARIES) {
    test(`every sparse case passes, ${binary}`, async () => {
      const rt = await loadRuntime({ binary, threads: 1 });
      const failures = sparse
        .map((c) => runOptimizerCase(rt, c))
        .filter((result) => !result.passed)
        .map((result) => `${result.name}: ${result.error ?? result.maxError}`);
      expect(failures).toEqual([]);
    });
  }
});
