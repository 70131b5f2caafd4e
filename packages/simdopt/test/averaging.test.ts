// Weight averaging (SWA and EMA, torch.optim.swa_utils.AveragedModel) and the SWALR scheduler:
// the frontier golden cases, reference ≡ scalar ≡ SIMD, and checkpoints.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  createScheduler,
  loadRuntime,
  runAveragingCase,
  runScheduleCase,
  SGD,
  SWALR,
  WeightAverage,
  type AveragingCase,
  type Dtype,
  type Rounding,
  type Runtime,
} from "../dist/index.js";
import { firstDifference, randomArray, sharedGoldenFolder, runtimesByRounding } from "./helpers.js";

let runtimes: Record<Rounding, Runtime[]>;
beforeAll(async () => {
  runtimes = await runtimesByRounding();
});

const frontier = sharedGoldenFolder("frontier", "weight-averaging and SWALR golden cases");
const read = (file: string) =>
  frontier
    ? (JSON.parse(readFileSync(join(frontier, file), "utf8")) as { cases: Record<string, unknown>[] })
    : undefined;
const averagingCases = (read("averaging.json")?.cases ?? []) as unknown as AveragingCase[];
const swalrCases = (read("schedules.json")?.cases ?? []).filter((c) => c.scheduler === "swalr");

describe.runIf(frontier !== undefined)("frontier averaging.json and SWALR cases", () => {
  test("the files hold 2 swa, 7 ema and 7 swalr cases", () => {
    expect(averagingCases.filter((c) => c.kind === "swa").length).toBe(2);
    expect(averagingCases.filter((c) => c.kind === "ema").length).toBe(7);
    expect(swalrCases.length).toBe(7);
  });
  test.each(averagingCases.map((c) => ({ c, label: c.name })))("$label", ({ c }) => {
    for (const runtime of runtimes.fused) {
      const result = runAveragingCase(runtime, c);
      expect(result.error, runtime.binary).toBeUndefined();
      expect(result.maxError, runtime.binary).toBeLessThanOrEqual(result.tolerance);
    }
  });
  test.each(swalrCases.map((c) => ({ c, label: String(c.name) })))("$label", ({ c }) => {
    const result = runScheduleCase(c);
    expect(result.message).toBeUndefined();
    expect(result.passed).toBe(true);
  });
});

describe("the average kernel: reference ≡ scalar ≡ SIMD", () => {
  const strategies = [{ strategy: "swa" }, { strategy: "ema", decay: 0.9 }, { strategy: "ema", decay: 0.3 }] as const;
  const run = (runtime: Runtime, options: (typeof strategies)[number], dtype: Dtype, n: number): number[][] => {
    const params = [n, 3].map((length, k) => runtime.parameter(randomArray(length, 3 + k), { dtype }));
    const average = new WeightAverage(params, options);
    for (let t = 0; t < 6; t++) {
      params.forEach((p, k) => p.data.set(randomArray(p.length, 100 * t + k)));
      average.update();
    }
    const values = params.map((p) => Array.from(average.averaged(p)));
    average.dispose();
    for (const p of params) p.dispose();
    return values;
  };
  test.each(
    strategies.flatMap((options) =>
      (["float32", "float64"] as const).flatMap((dtype) =>
        (["separate", "fused"] as const).map((rounding) => ({
          options,
          dtype,
          rounding,
          label: JSON.stringify(options),
        })),
      ),
    ),
  )("$dtype $rounding $label", ({ options, dtype, rounding }) => {
    for (const n of [0, 1, 3, 4, 5, 15, 16, 17, 1025]) {
      const [reference, ...others] = runtimes[rounding].map((runtime) => run(runtime, options, dtype, n));
      others.forEach((values) =>
        values.forEach((tensor, k) => expect(firstDifference(tensor, reference[k]), `length ${n}`).toBe(-1)),
      );
    }
  });
});

test("the average on two threads ≡ on one", async () => {
  const threaded = await loadRuntime({ threads: 2, threadMinElements: 0 });
  await threaded.startThreads();
  const [single] = runtimes.fused;
  const averages = [single, threaded].map((runtime) => {
    const p = runtime.parameter(randomArray(1027, 5));
    const average = new WeightAverage([p], { strategy: "ema", decay: 0.8 });
    for (let t = 0; t < 4; t++) {
      p.data.set(randomArray(1027, 50 + t));
      average.update();
    }
    const values = Array.from(average.averaged(p));
    average.dispose();
    p.dispose();
    return values;
  });
  threaded.close();
  expect(firstDifference(averages[1], averages[0])).toBe(-1);
});

describe("WeightAverage", () => {
  test("SWA is the running mean, EMA the lerp, and the first update copies", () => {
    const [runtime] = runtimes.separate;
    const p = runtime.parameter([0, 0], { dtype: "float64" });
    const swa = new WeightAverage([p]);
    const ema = new WeightAverage([p], { strategy: "ema", decay: 0.75 });
    expect(() => swa.averaged(p)).toThrow(/no update yet/);
    const values = [
      [1, 2],
      [3, -2],
      [5, 6],
    ];
    let e = values[0];
    values.forEach((v, t) => {
      p.data.set(v);
      swa.update();
      ema.update();
      if (t > 0) e = e.map((a, i) => a + 0.25 * (v[i] - a));
    });
    expect(swa.count).toBe(3);
    expect(Array.from(swa.averaged(p))).toEqual([3, 2]);
    Array.from(ema.averaged(p)).forEach((a, i) => expect(a).toBeCloseTo(e[i], 15));
    swa.dispose();
    ema.dispose();
    p.dispose();
  });

  test("a checkpoint restores the averages and n; a wrong strategy or bad option is refused", () => {
    const [runtime] = runtimes.fused;
    const p = runtime.parameter([1, 2, 3], { dtype: "float32" });
    const average = new WeightAverage([p]);
    for (const v of [
      [1, 1, 1],
      [2, 4, 8],
    ]) {
      p.data.set(v);
      average.update();
    }
    const saved = JSON.parse(JSON.stringify(average.stateDict()));
    const restored = new WeightAverage([p]);
    restored.loadStateDict(saved);
    expect(restored.count).toBe(2);
    p.data.set([3, 7, 0]);
    average.update();
    restored.update();
    expect(Array.from(restored.averaged(p))).toEqual(Array.from(average.averaged(p)));
    expect(Array.from(average.averaged(p))).toEqual([2, 4, 3]);
    const ema = new WeightAverage([p], { strategy: "ema" });
    expect(ema.decay).toBe(0.999);
    expect(() => ema.loadStateDict(saved)).toThrow(/strategy "swa"/);
    expect(ema.count).toBe(0);
    expect(() => new WeightAverage([p], { strategy: "ema", decay: 1.5 })).toThrow(/decay/);
    expect(() => new WeightAverage([p], { decay: 0.9 })).toThrow(/option 'decay' is for strategy "ema"/);
    expect(() => new WeightAverage([p], { strategy: "mean" as never })).toThrow(/strategy/);
    for (const a of [average, restored, ema]) a.dispose();
    p.dispose();
  });
});

describe("SWALR", () => {
  test("anneals to swaLr with torch's formula, per group, and checks its options", () => {
    const [runtime] = runtimes.separate;
    const p = runtime.parameter([1]);
    const q = runtime.parameter([1]);
    const opt = new SGD([{ params: [p] }, { params: [q], lr: 0.2 }], { lr: 0.5 });
    const scheduler = new SWALR(opt, { swaLr: [0.05, 0.1], annealEpochs: 4, annealStrategy: "linear" });
    const lrs: number[][] = [];
    for (let t = 0; t < 6; t++) {
      lrs.push(opt.paramGroups.map((g) => g.lr));
      scheduler.step();
    }
    const expected = (start: number, swa: number) =>
      [0, 1, 2, 3, 4, 5].map((j) => swa * Math.min(1, j / 4) + start * (1 - Math.min(1, j / 4)));
    lrs.forEach(([a, b], j) => {
      expect(a).toBeCloseTo(expected(0.5, 0.05)[j], 15);
      expect(b).toBeCloseTo(expected(0.2, 0.1)[j], 15);
    });
    expect(() => new SWALR(opt, { swaLr: 0.1, annealEpochs: -1 })).toThrow(/annealEpochs/);
    expect(() => new SWALR(opt, { swaLr: 0.1, annealStrategy: "exp" as never })).toThrow(/annealStrategy/);
    expect(() => createScheduler("swalr", opt, {} as never)).toThrow(/swaLr/);
    opt.dispose();
    p.dispose();
    q.dispose();
  });
});
