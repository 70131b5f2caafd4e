// Muon (torch.optim.Muon): the frontier golden cases, reference ≡ scalar ≡ SIMD (the Newton–Schulz
// products sum in one order everywhere), threads, refusals that change nothing, checkpoints, and
// splitForMuon.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  AdamW,
  loadRuntime,
  Muon,
  runOptimizerCase,
  splitForMuon,
  type Dtype,
  type MuonOptions,
  type OptimizerCase,
  type Runtime,
} from "../dist/index.js";
import { fromTorchOptions } from "../dist/conformance/golden.js";
import { matmul } from "../dist/reference/matmul.js";
import { Tensor } from "./torch/index.js";
import { TorchMuon, type MuonOptions as TorchMuonOptions } from "./torch/muon.js";
import { decodedState, firstDifference, gradientsFor, randomArray, sharedGoldenFolder } from "./helpers.js";

let runtimes: Runtime[];
beforeAll(async () => {
  runtimes = await Promise.all(
    (["reference", "scalar", "simd"] as const).map((binary) => loadRuntime({ binary, threads: 1 })),
  );
});

const frontier = sharedGoldenFolder("frontier", "Muon golden cases");
const file = frontier
  ? (JSON.parse(readFileSync(join(frontier, "optimizers.json"), "utf8")) as { source: string; cases: OptimizerCase[] })
  : undefined;
const muonCases = (file?.cases ?? []).filter((c) => c.optimizer === "muon");

describe.runIf(frontier !== undefined)("frontier Muon cases", () => {
  test("the file holds 14 Muon cases, each with its own tolerance", () => {
    expect(muonCases.length).toBe(14);
    for (const c of muonCases) expect(c.tolerance).toBeGreaterThan(0);
  });
  test.each(muonCases.map((c) => ({ c, label: c.name })))("$label", ({ c }) => {
    for (const runtime of runtimes) {
      const result = runOptimizerCase(runtime, c, file?.source);
      expect(result.error, runtime.binary).toBeUndefined();
      expect(result.tolerance).toBe(c.tolerance);
      expect(result.maxError, `${runtime.binary}: ${c.name}`).toBeLessThanOrEqual(result.tolerance);
    }
  });
});

/** Shapes that take every path of the matrix multiply: tails of rows (4) and of columns (8, 4), tall and wide. */
const SHAPES: [number, number][] = [
  [1, 6],
  [3, 5],
  [17, 4],
  [9, 9],
  [8, 8],
  [13, 30],
  [70, 37],
];

const FAMILIES: MuonOptions[] = [
  { lr: 0.02 },
  { lr: 0.02, nesterov: false, weightDecay: 0, momentum: 0.9 },
  { lr: 0.05, adjustLrFn: "match_rms_adamw", weightDecay: 0.05, nsSteps: 3 },
  { lr: 0.01, nsCoefficients: [1.5, -0.5, 0], eps: 0.5, momentum: 0 },
];

/**
 * Four steps of Muon over every shape of `shapes` in one group (the last two with `later`'s
 * options, when given): each parameter's values and momentum buffer.
 */
function run(
  runtime: Runtime,
  dtype: Dtype,
  options: MuonOptions,
  shapes: readonly [number, number][] = SHAPES,
  later?: MuonOptions,
): number[][] {
  const params = shapes.map(([rows, cols], k) =>
    runtime.parameter(randomArray(rows * cols, 10 + k), { dtype, shape: [rows, cols] }),
  );
  const opt = new Muon(params, options);
  for (let t = 0; t < 4; t++) {
    if (t === 2 && later !== undefined) opt.setGroupOptions(later);
    params.forEach((p, k) => p.setGrad(gradientsFor(p.length, t, k + 1)));
    opt.step();
  }
  const state = decodedState(opt.stateDict());
  const out = params.flatMap((p, k) => [Array.from(p.data), Array.from(state[k].momentumBuffer as ArrayLike<number>)]);
  opt.dispose();
  for (const p of params) p.dispose();
  return out as number[][];
}

describe("every binary computes the reference's bits", () => {
  test.each(
    (["float32", "float64"] as const).flatMap((dtype) =>
      FAMILIES.map((options) => ({ dtype, options, label: `${dtype} ${JSON.stringify(options)}` })),
    ),
  )("$label", ({ dtype, options }) => {
    const [reference, ...binaries] = runtimes.map((runtime) => run(runtime, dtype, options));
    for (const [b, result] of binaries.entries()) {
      result.forEach((values, k) => {
        const at = firstDifference(values, reference[k]);
        expect(at, `${runtimes[b + 1].binary}: array ${k} differs at ${at}`).toBe(-1);
      });
    }
  });
});

test("the reference multiply sums each element in float32, k in order", () => {
  const a = Float32Array.from([1, 2 ** -24, -1]);
  const b = Float32Array.from([1, 1, 1]);
  // (1 + 2⁻²⁴) rounds to 1 in float32, then − 1: 0; summed exactly it would be 2⁻²⁴.
  expect(Array.from(matmul(a, b, 1, 3, 1))).toEqual([0]);
  expect(Array.from(matmul(Float32Array.from([1, 2, 3, 4]), Float32Array.from([5, 6, 7, 8]), 2, 2, 2))).toEqual([
    19, 22, 43, 50,
  ]);
});

test("threads share out a group's matrices and compute one thread's bits", async () => {
  const threaded = await loadRuntime({ threads: 2, threadMinElements: 0 });
  const single = runtimes[2];
  try {
    const results = [single, threaded].map((runtime) => run(runtime, "float32", { lr: 0.02 }));
    results[1].forEach((values, k) => expect(firstDifference(values, results[0][k]), `array ${k}`).toBe(-1));
  } finally {
    threaded.close();
  }
});

/**
 * Matrices of 16384 elements or more (the declaration's parts.minElements): threads cut each in
 * parts, runs of X's rows (X is the matrix, transposed when it is tall), for every phase of the
 * step. Square, wide and tall; row counts of X that are not multiples of 8 nor of the parts;
 * a single row; and a small matrix beside them, which runs whole on one thread.
 */
const PART_SHAPES: [number, number][] = [
  [128, 128],
  [130, 131],
  [67, 300],
  [257, 70],
  [1, 16400],
  [16400, 1],
  [9, 9],
];

describe("threads cut each matrix in parts and compute one thread's bits", () => {
  interface Pool {
    splitCalls: number;
    chunksRun(): number[];
  }
  const poolOf = (runtime: Runtime) => (runtime as unknown as { threadPool: Pool }).threadPool;
  let threaded: Runtime[];
  beforeAll(async () => {
    // threadMinElements 0: the group is split however small (its matrices are cut as they would be in a larger one).
    threaded = await Promise.all([2, 3].map((threads) => loadRuntime({ threads, threadMinElements: 0 })));
    for (const runtime of threaded) await runtime.startThreads();
  });
  afterAll(() => {
    for (const runtime of threaded) {
      // Every worker computed parts, in every split call.
      for (const runs of poolOf(runtime).chunksRun()) expect(runs).toBeGreaterThan(0);
      runtime.close();
    }
  });
  const families: { options: MuonOptions; later?: MuonOptions }[] = [
    { options: { lr: 0.02 } },
    ...FAMILIES.slice(1).map((options) => ({ options })),
    { options: { lr: 0.02, nsSteps: 0 } },
    { options: { lr: 0.02, nsSteps: 1, nesterov: false } },
    // The number of phases follows nsSteps from one step to the next.
    { options: { lr: 0.02, nsSteps: 2 }, later: { nsSteps: 5, adjustLrFn: "match_rms_adamw" } },
  ];
  test.each(
    (["float32", "float64"] as const).flatMap((dtype) =>
      families.map((family) => ({ dtype, ...family, label: `${dtype} ${JSON.stringify(family)}` })),
    ),
  )("$label", ({ dtype, options, later }) => {
    const one = run(runtimes[2], dtype, options, PART_SHAPES, later);
    for (const runtime of threaded) {
      const before = poolOf(runtime).splitCalls;
      const result = run(runtime, dtype, options, PART_SHAPES, later);
      expect(poolOf(runtime).splitCalls - before, "steps split between threads").toBe(4);
      result.forEach((values, k) => {
        const at = firstDifference(values, one[k]);
        expect(
          at,
          `${runtime.threads} threads: array ${k} (${k % 2 === 0 ? "values" : "momentum"} of ${PART_SHAPES[k >> 1]}) differs at ${at}`,
        ).toBe(-1);
      });
    }
  });
});

describe("refusals name what is wrong and change nothing", () => {
  test("parameters that are not 2-D", () => {
    const [runtime] = runtimes;
    const matrix = runtime.parameter(6, { shape: [2, 3] });
    const vector = runtime.parameter(3);
    const cube = runtime.parameter(8, { shape: [2, 2, 2] });
    expect(() => new Muon([matrix, vector])).toThrow(
      /Muon: parameter 1 of group 0: Muon only supports 2-D parameters, got shape \[3\]/,
    );
    expect(() => new Muon([{ params: [matrix] }, { params: [cube] }])).toThrow(
      /parameter 0 of group 1: Muon only supports 2-D parameters, got shape \[2, 2, 2\]/,
    );
    const opt = new Muon([matrix]);
    expect(() => opt.addParamGroup({ params: [vector] })).toThrow(/2-D parameters/);
    expect(opt.paramGroups.length).toBe(1);
  });
  test("options", () => {
    const [runtime] = runtimes;
    const m = runtime.parameter(4, { shape: [2, 2] });
    const bad: [MuonOptions, RegExp][] = [
      [{ lr: -1 }, /invalid lr: -1/],
      [{ momentum: 1.5 }, /invalid momentum: 1.5/],
      [{ nsSteps: 2.5 }, /invalid nsSteps: 2.5/],
      [{ nsCoefficients: [1, 2] as unknown as [number, number, number] }, /'nsCoefficients' must be a triple/],
      [{ adjustLrFn: "rms" as "original" }, /'adjustLrFn' must be "original", "match_rms_adamw" or null, got "rms"/],
      [{ eps: Number.NaN }, /'eps' must be a finite number/],
    ];
    for (const [options, message] of bad) expect(() => new Muon([m], options)).toThrow(message);
    const opt = new Muon([m], { lr: 0.1 });
    expect(() => opt.setGroupOptions({ adjustLrFn: "x" as "original" })).toThrow(/adjustLrFn/);
    expect(opt.paramGroups[0].adjustLrFn).toBe(null);
  });
});

test("a checkpoint restores the momentum buffer: the steps after it are those of an uninterrupted run", () => {
  const runtime = runtimes[2];
  const make = () => runtime.parameter(randomArray(40, 3), { shape: [8, 5], dtype: "float64" });
  const [a, b] = [make(), make()];
  const first = new Muon([a], { lr: 0.03 });
  for (let t = 0; t < 6; t++) {
    a.setGrad(gradientsFor(40, t, 4));
    first.step();
    if (t === 2) {
      b.data.set(a.data);
      const second = new Muon([b]);
      second.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
      for (let s = 3; s < 6; s++) {
        b.setGrad(gradientsFor(40, s, 4));
        second.step();
      }
    }
  }
  expect(firstDifference(b.data, a.data)).toBe(-1);
});

test("splitForMuon gives the matrices to Muon and the rest, and the excluded matrices, to AdamW", () => {
  const [runtime] = runtimes;
  const w1 = runtime.parameter(12, { shape: [3, 4] });
  const bias = runtime.parameter(3);
  const head = runtime.parameter(8, { shape: [2, 4] });
  const conv = runtime.parameter(8, { shape: [2, 2, 2] });
  const { muon, adamw } = splitForMuon([w1, bias, head, conv], [head]);
  expect(muon).toEqual([w1]);
  expect(adamw).toEqual([bias, head, conv]);
  expect(() => new AdamW(adamw)).not.toThrow();
  expect(() => splitForMuon(w1 as unknown as [])).toThrow(/splitForMuon: params must be an array/);
});

/** The golden files' rule for Muon: one bfloat16 ulp of the update (2⁻⁷·lr_adj) per step. */
function muonTolerance(dtype: Dtype, steps: number, lr: number, shapes: readonly (readonly number[])[]): number {
  const adjusted = Math.max(...shapes.map(([rows, cols]) => lr * Math.sqrt(Math.max(1, rows / cols))));
  return Math.max(dtype === "float32" ? 1e-5 : 1e-10, 2 ** -7 * steps * adjusted);
}

describe("the engine against test/torch/muon.ts, a port of torch's muon.py with exact dot products", () => {
  test.runIf(frontier !== undefined)("the port passes the frontier Muon cases (it is torch's)", () => {
    for (const c of muonCases) {
      const arithmetic = { dtype: c.dtype, fused: c.dtype === "float32" };
      const tensors = c.params.map((p) => Tensor.from(p.init, arithmetic, p.shape));
      const groups = (c.groups ?? [{}]).map((overrides, g) => ({
        params: tensors.filter((_, i) => (c.params[i].group ?? 0) === g),
        ...(fromTorchOptions(overrides) as TorchMuonOptions),
      }));
      const port = new TorchMuon(groups, fromTorchOptions(c.options) as TorchMuonOptions);
      let worst = 0;
      for (let t = 0; t < c.steps; t++) {
        c.params.forEach((p, i) => (tensors[i].grad = Tensor.from(p.grads[t], arithmetic)));
        port.step();
        c.params.forEach((p, i) =>
          p.expected[t].forEach((e, k) => {
            worst = Math.max(worst, Math.abs(tensors[i].data[k] - e) / Math.max(1, Math.abs(e)));
          }),
        );
      }
      expect(worst, c.name).toBeLessThanOrEqual(c.tolerance as number);
    }
  });
  test.each(
    (["float32", "float64"] as const).flatMap((dtype) =>
      FAMILIES.map((options) => ({ dtype, options, label: `${dtype} ${JSON.stringify(options)}` })),
    ),
  )("$label", ({ dtype, options }) => {
    const shapes = SHAPES.filter(([rows, cols]) => rows * cols <= 900);
    const arithmetic = { dtype, fused: dtype === "float32" };
    const runtime = runtimes[2];
    const params = shapes.map(([rows, cols], k) =>
      runtime.parameter(randomArray(rows * cols, 10 + k), { dtype, shape: [rows, cols] }),
    );
    const tensors = shapes.map(([rows, cols], k) =>
      Tensor.from(randomArray(rows * cols, 10 + k), arithmetic, [rows, cols]),
    );
    const engine = new Muon(params, options);
    const port = new TorchMuon(tensors, options);
    const steps = 6;
    for (let t = 0; t < steps; t++) {
      params.forEach((p, k) => p.setGrad(gradientsFor(p.length, t, k + 1)));
      tensors.forEach((x, k) => (x.grad = Tensor.from(gradientsFor(x.length, t, k + 1), arithmetic)));
      engine.step();
      port.step();
    }
    const tolerance = muonTolerance(dtype, steps, options.lr ?? 1e-3, shapes);
    params.forEach((p, k) => {
      const worst = Math.max(
        ...Array.from(p.data, (v, i) => Math.abs(v - tensors[k].data[i]) / Math.max(1, Math.abs(v))),
      );
      expect(worst, `shape ${shapes[k]}`).toBeLessThanOrEqual(tolerance);
    });
    engine.dispose();
    for (const p of params) p.dispose();
  });
});
