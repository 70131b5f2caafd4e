// Learning-rate schedulers: every case of the golden schedules (torch.optim.lr_scheduler), formulas
// checked by hand for every scheduler and mode, options refused before anything changes, and
// snapshots that continue bit for bit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adagrad,
  Adam,
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  createScheduler,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  loadRuntime,
  MultiplicativeLR,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  runScheduleCase,
  SCHEDULER_NAMES,
  SequentialLR,
  SGD,
  StepLR,
  type Optimizer,
  type Runtime,
  type SchedulerName,
  type SchedulerStateDict,
  type SteppedScheduler,
} from "../dist/index.js";
import { GOLDEN_DIR } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

/** SGD with one parameter group per learning rate (momentum 0.9 unless given). */
function sgd(lrs: number[], momentum = 0.9): SGD {
  return new SGD(
    lrs.map((lr) => ({ params: [runtime.parameter([0.5, -1])], lr })),
    { lr: lrs[0], momentum },
  );
}

function adam(lrs: number[]): Adam {
  return new Adam(lrs.map((lr) => ({ params: [runtime.parameter([0.5, -1])], lr })));
}

const lrsOf = (opt: Optimizer<object>) => opt.paramGroups.map((group) => (group.options as { lr: number }).lr);
const momentaOf = (opt: Optimizer<object>) =>
  opt.paramGroups.map((group) => {
    const options = group.options as { momentum?: number; betas?: [number, number] };
    return options.betas ? options.betas[0] : options.momentum;
  });

/** The learning rates of `steps` steps (read before each `scheduler.step()`), one row per step. */
function record(opt: Optimizer<object>, scheduler: { step(): void }, steps: number): number[][] {
  return Array.from({ length: steps }, () => {
    const lrs = lrsOf(opt);
    scheduler.step();
    return lrs;
  });
}

/** Every value within `tolerance`·max(1, |expected|) of its counterpart. */
function expectClose(actual: number[][], expected: number[][], tolerance = 1e-12) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, t) =>
    row.forEach((value, i) => {
      const scaled = Math.abs(value - expected[t][i]) / Math.max(1, Math.abs(expected[t][i]));
      if (!(scaled <= tolerance)) expect.fail(`step ${t}, group ${i}: ${value}, expected ${expected[t][i]}`);
    }),
  );
}

/** Rows of `steps` steps, each group's value from `f(t, base)`. */
const table = (steps: number, bases: number[], f: (t: number, base: number, group: number) => number) =>
  Array.from({ length: steps }, (_, t) => bases.map((base, i) => f(t, base, i)));

describe("golden vectors", () => {
  const files = ["schedules.json", "torch2/schedules.json"];
  const cases = files.flatMap((file) =>
    (JSON.parse(readFileSync(join(GOLDEN_DIR, file), "utf8")).cases as Record<string, unknown>[]).map((c) => ({
      file,
      name: c.name,
      c,
    })),
  );

  test("both files hold a case of every scheduler they name", () => {
    for (const file of files) {
      const names = cases.filter((entry) => entry.file === file).map(({ c }) => c.scheduler);
      expect(new Set(names)).toEqual(
        new Set([
          "step",
          "multistep",
          "exponential",
          "cosine",
          "linear",
          "constant",
          "polynomial",
          "onecycle",
          "cosine_warm_restarts",
          "cyclic",
          "warmup_cosine",
          "plateau",
        ]),
      );
    }
  });

  test.each(cases)("$file: $name", ({ c }) => {
    const result = runScheduleCase(c);
    expect(result.message).toBeUndefined();
    expect(result.maxError).toBeLessThanOrEqual(1e-9);
    expect(result.passed).toBe(true);
  });
});

describe("malformed golden cases fail with a message naming the field", () => {
  const good = {
    name: "step",
    scheduler: "step",
    options: { step_size: 2, gamma: 0.5 },
    base_lr: 0.1,
    steps: 4,
    expected_lr: [0.1, 0.1, 0.05, 0.05],
  };
  test("the well-formed case passes, also with torch's arguments that change nothing", () => {
    expect(runScheduleCase(good)).toEqual({ name: "step", passed: true, maxError: 0, tolerance: 1e-9 });
    expect(
      runScheduleCase({ ...good, options: { ...good.options, last_epoch: -1, verbose: "deprecated" } }).passed,
    ).toBe(true);
  });
  const cases: [string, unknown, RegExp][] = [
    ["not an object", 5, /a case must be an object, got 5/],
    ["null", null, /a case must be an object, got null/],
    ["no name", { ...good, name: undefined }, /field 'name' must be a string/],
    ["unknown scheduler", { ...good, scheduler: "stepped" }, /field 'scheduler' must be one of .*got "stepped"/],
    ["options not an object", { ...good, options: [2] }, /field 'options' must be an object/],
    ["negative base_lr", { ...good, base_lr: -0.1 }, /field 'base_lr' must be a finite number >= 0, got -0.1/],
    ["fractional steps", { ...good, steps: 2.5 }, /field 'steps' must be a whole number >= 1 .*, got 2.5/],
    [
      "expected_lr too short",
      { ...good, expected_lr: [0.1, 0.1] },
      /field 'expected_lr' must be an array of 4 finite numbers/,
    ],
    ["expected_lr with a string", { ...good, expected_lr: [0.1, "0.1", 0.05, 0.05] }, /field 'expected_lr'/],
    ["metrics on a step case", { ...good, metrics: [1, 1, 1, 1] }, /field 'metrics' is only for plateau cases/],
    [
      "plateau without metrics",
      { ...good, scheduler: "plateau", options: {} },
      /field 'metrics' must be an array of 4 finite numbers/,
    ],
    ["unknown field", { ...good, dtype: "float64" }, /unknown field 'dtype'/],
    ["bad option", { ...good, options: { step_size: 0 } }, /StepLR: invalid stepSize: 0/],
    ["unknown option", { ...good, options: { step_size: 2, gama: 0.5 } }, /StepLR: unknown option 'gama'/],
    [
      "a last_epoch to resume from",
      { ...good, options: { step_size: 2, last_epoch: 3 } },
      /StepLR: unknown option 'lastEpoch'/,
    ],
    [
      "wrong values",
      { ...good, expected_lr: [0.1, 0.1, 0.1, 0.05] },
      /largest error 5\.000e-2 > tolerance 1e-9 \(first at step 2\)/,
    ],
  ];
  test.each(cases)("%s", (_, c, message) => {
    const result = runScheduleCase(c);
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(message);
  });
});

describe("schedules checked by hand", () => {
  test("StepLR over two groups with different base learning rates", () => {
    const opt = sgd([0.1, 0.4]);
    expectClose(
      record(opt, new StepLR(opt, { stepSize: 3, gamma: 0.5 }), 10),
      table(10, [0.1, 0.4], (t, b) => b * 0.5 ** Math.floor(t / 3)),
    );
  });

  test("MultiStepLR counts a repeated milestone twice", () => {
    const opt = sgd([0.1]);
    const gammaPower = (t: number) => (t < 2 ? 0 : t < 5 ? 2 : 3);
    expectClose(
      record(opt, new MultiStepLR(opt, { milestones: [5, 2, 2], gamma: 0.1 }), 8),
      table(8, [0.1], (t, b) => b * 0.1 ** gammaPower(t)),
    );
  });

  test("ExponentialLR", () => {
    const opt = sgd([0.1, 0.03]);
    expectClose(
      record(opt, new ExponentialLR(opt, { gamma: 0.8 }), 12),
      table(12, [0.1, 0.03], (t, b) => b * 0.8 ** t),
    );
  });

  test("CosineAnnealingLR follows the cosine, past tMax too", () => {
    const opt = sgd([0.1, 0.5]);
    const cosine = (t: number, b: number) => 0.01 + ((b - 0.01) * (1 + Math.cos((Math.PI * t) / 6))) / 2;
    expectClose(record(opt, new CosineAnnealingLR(opt, { tMax: 6, etaMin: 0.01 }), 40), table(40, [0.1, 0.5], cosine));
  });

  test("LinearLR scales at construction, then moves linearly", () => {
    const opt = sgd([0.2]);
    const scheduler = new LinearLR(opt, { startFactor: 0.25, endFactor: 0.75, totalIters: 4 });
    expect(lrsOf(opt)).toEqual([0.05]);
    expectClose(
      record(opt, scheduler, 8),
      table(8, [0.2], (t, b) => b * (0.25 + (0.5 * Math.min(t, 4)) / 4)),
    );
  });

  test("LinearLR decaying to 0 ends at 0, where torch's rounding gives -1.85e-18", () => {
    const opt = sgd([0.1]);
    const scheduler = new LinearLR(opt, { startFactor: 1 / 3, endFactor: 0, totalIters: 4 });
    expectClose(
      record(opt, scheduler, 6),
      table(6, [0.1], (t, b) => b * (1 / 3) * (1 - Math.min(t, 4) / 4)),
    );
    expect(lrsOf(opt)).toEqual([0]);
  });

  test("ConstantLR scales at construction, until totalIters", () => {
    const opt = sgd([0.2, 0.1]);
    expectClose(
      record(opt, new ConstantLR(opt, { factor: 0.5, totalIters: 3 }), 6),
      table(6, [0.2, 0.1], (t, b) => (t < 3 ? b * 0.5 : b)),
    );
  });

  test("PolynomialLR", () => {
    const opt = sgd([0.2]);
    expectClose(
      record(opt, new PolynomialLR(opt, { totalIters: 5, power: 1.5 }), 8),
      table(8, [0.2], (t, b) => b * (1 - Math.min(t, 5) / 5) ** 1.5),
    );
  });

  test("LambdaLR: a function per group", () => {
    const opt = sgd([0.1, 0.2]);
    const scheduler = new LambdaLR(opt, { lrLambda: [(e) => 1 / (e + 1), (e) => 0.5 ** e] });
    expectClose(
      record(opt, scheduler, 6),
      table(6, [0.1, 0.2], (t, b, i) => b * (i === 0 ? 1 / (t + 1) : 0.5 ** t)),
    );
  });

  test("MultiplicativeLR leaves the first epoch alone", () => {
    const opt = sgd([0.1]);
    const scheduler = new MultiplicativeLR(opt, { lrLambda: (e) => 1 - 0.1 * e });
    const factor = (t: number) => Array.from({ length: t }, (_, k) => 1 - 0.1 * (k + 1)).reduce((a, b) => a * b, 1);
    expectClose(
      record(opt, scheduler, 6),
      table(6, [0.1], (t, b) => b * factor(t)),
    );
  });

  describe("OneCycleLR", () => {
    const two = { maxLr: [0.4, 0.2], totalSteps: 20, pctStart: 0.25, divFactor: 8, finalDivFactor: 50 };

    test("cos: initial, peak and final rates, momentum the other way", () => {
      const opt = sgd([0.1, 0.1]);
      const rows = [] as number[][];
      const momenta = [] as number[][];
      const scheduler = new OneCycleLR(opt, two);
      for (let t = 0; t < 20; t++) {
        rows.push(lrsOf(opt));
        momenta.push(momentaOf(opt) as number[]);
        scheduler.step();
      }
      expectClose(
        [rows[0], rows[2], rows[4], rows[19]],
        [
          [0.05, 0.025],
          [0.225, 0.1125],
          [0.4, 0.2],
          [0.05 / 50, 0.025 / 50],
        ],
      );
      expectClose(
        [momenta[0], momenta[2], momenta[4], momenta[19]],
        [
          [0.95, 0.95],
          [0.9, 0.9],
          [0.85, 0.85],
          [0.95, 0.95],
        ],
      );
      // Phase two, a third of the way from step 4 to step 19, on a cosine.
      const third = (start: number, end: number) => end + ((start - end) / 2) * (1 + Math.cos(Math.PI / 3));
      expectClose([rows[9]], [[third(0.4, 0.001), third(0.2, 0.0005)]]);
    });

    test("linear annealing", () => {
      const opt = sgd([0.1, 0.1]);
      const scheduler = new OneCycleLR(opt, { ...two, annealStrategy: "linear" });
      const rows = record(opt, scheduler, 20);
      expectClose(
        [rows[1], rows[9], rows[14], rows[19]],
        [
          [0.05 + 0.35 / 4, 0.025 + 0.175 / 4],
          [0.4 - 0.399 / 3, 0.2 - 0.1995 / 3],
          [0.4 - (0.399 * 2) / 3, 0.2 - (0.1995 * 2) / 3],
          [0.001, 0.0005],
        ],
      );
      // After the last step torch extrapolates the line below zero; simdopt holds the final rates.
      expectClose([lrsOf(opt)], [[0.001, 0.0005]]);
    });

    test("three phases: up, back to the initial rate, then down to the final one", () => {
      const opt = sgd([0.1]);
      const rows = [] as number[][];
      const momenta = [] as number[][];
      const scheduler = new OneCycleLR(opt, {
        maxLr: 0.4,
        totalSteps: 20,
        pctStart: 0.25,
        divFactor: 8,
        finalDivFactor: 50,
        threePhase: true,
      });
      for (let t = 0; t < 20; t++) {
        rows.push(lrsOf(opt));
        momenta.push(momentaOf(opt) as number[]);
        scheduler.step();
      }
      expectClose([rows[0], rows[4], rows[6], rows[8], rows[19]], [[0.05], [0.4], [0.225], [0.05], [0.001]]);
      expectClose(
        [momenta[0], momenta[4], momenta[8], momenta[14], momenta[19]],
        [[0.95], [0.85], [0.95], [0.95], [0.95]],
      );
    });

    test("cycles Adam's β1 and keeps β2", () => {
      const opt = adam([0.001]);
      const scheduler = new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 10, baseMomentum: 0.8, maxMomentum: 0.9 });
      expectClose([(opt.paramGroups[0].options as { betas: number[] }).betas], [[0.9, 0.999]]);
      for (let t = 0; t < 2; t++) scheduler.step();
      expect((opt.paramGroups[0].options as { betas: number[] }).betas).toEqual([0.8, 0.999]);
    });

    test("epochs × stepsPerEpoch, and stepping past the end throws and changes nothing", () => {
      const opt = sgd([0.1]);
      const scheduler = new OneCycleLR(opt, { maxLr: 0.1, epochs: 2, stepsPerEpoch: 3 });
      for (let t = 0; t < 6; t++) scheduler.step();
      const state = scheduler.stateDict();
      const options = opt.paramGroups[0].options;
      expect(() => scheduler.step()).toThrow(/OneCycleLR: tried to step 7 times, but option 'totalSteps' is 6/);
      expect(scheduler.stateDict()).toEqual(state);
      expect(opt.paramGroups[0].options).toEqual(options);
    });

    test("an optimizer without momentum needs cycleMomentum: false", () => {
      const opt = new Adagrad([runtime.parameter([1])], { lr: 0.1 });
      expect(() => new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 5 })).toThrow(
        /neither 'momentum' nor 'betas' \(pass cycleMomentum: false\)/,
      );
      const scheduler = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 5, cycleMomentum: false });
      expectClose([scheduler.getLastLr()], [[0.004]]);
    });
  });

  describe("CyclicLR", () => {
    const base = { baseLr: [0.01, 0.02], maxLr: [0.05, 0.1], stepSizeUp: 2, stepSizeDown: 4 };
    /** The triangle of cycles of 6 iterations (2 up, 4 down), from 0 to 1. */
    const triangle = (t: number) => {
      const x = t % 6;
      return x <= 2 ? x / 2 : (6 - x) / 4;
    };

    test("triangular, with momentum opposite", () => {
      const opt = sgd([0.3, 0.3]);
      const scheduler = new CyclicLR(opt, base);
      expect(lrsOf(opt)).toEqual([0.01, 0.02]);
      const momenta = [] as number[][];
      const rows = Array.from({ length: 14 }, () => {
        const lrs = lrsOf(opt);
        momenta.push(momentaOf(opt) as number[]);
        scheduler.step();
        return lrs;
      });
      expectClose(
        rows,
        table(14, [0.01, 0.02], (t, b, i) => b + [0.04, 0.08][i] * triangle(t)),
      );
      expectClose(
        momenta,
        table(14, [0.9, 0.9], (t, max) => max - 0.1 * triangle(t)),
      );
    });

    test("triangular2 halves the amplitude every cycle", () => {
      const opt = sgd([0.3, 0.3]);
      const rows = record(opt, new CyclicLR(opt, { ...base, mode: "triangular2" }), 20);
      expectClose(
        rows,
        table(20, [0.01, 0.02], (t, b, i) => b + ([0.04, 0.08][i] * triangle(t)) / 2 ** Math.floor(t / 6)),
      );
    });

    test("exp_range scales by γ^iteration", () => {
      const opt = sgd([0.3, 0.3]);
      const rows = record(opt, new CyclicLR(opt, { ...base, mode: "exp_range", gamma: 0.9 }), 20);
      expectClose(
        rows,
        table(20, [0.01, 0.02], (t, b, i) => b + [0.04, 0.08][i] * triangle(t) * 0.9 ** t),
      );
    });

    test("scaleFn with scaleMode iterations and cycle", () => {
      const byIteration = sgd([0.3, 0.3]);
      const rows = record(
        byIteration,
        new CyclicLR(byIteration, { ...base, scaleFn: (x) => 1 / (1 + x), scaleMode: "iterations" }),
        12,
      );
      expectClose(
        rows,
        table(12, [0.01, 0.02], (t, b, i) => b + ([0.04, 0.08][i] * triangle(t)) / (1 + t)),
      );
      const byCycle = sgd([0.3, 0.3]);
      const cycles = record(byCycle, new CyclicLR(byCycle, { ...base, scaleFn: (x) => 1 / x }), 12);
      expectClose(
        cycles,
        table(12, [0.01, 0.02], (t, b, i) => b + ([0.04, 0.08][i] * triangle(t)) / (1 + Math.floor(t / 6))),
      );
    });

    test("cycles Adam's β1", () => {
      const opt = adam([0.001]);
      const scheduler = new CyclicLR(opt, { baseLr: 0.001, maxLr: 0.01, stepSizeUp: 2 });
      scheduler.step();
      expectClose([(opt.paramGroups[0].options as { betas: number[] }).betas], [[0.85, 0.999]]);
    });
  });

  describe("CosineAnnealingWarmRestarts", () => {
    test("periods growing by tMult, over two groups", () => {
      const opt = sgd([0.1, 0.2]);
      const rows = record(opt, new CosineAnnealingWarmRestarts(opt, { t0: 3, tMult: 2, etaMin: 0.01 }), 25);
      const position = (t: number): [number, number] =>
        t < 3 ? [t, 3] : t < 9 ? [t - 3, 6] : t < 21 ? [t - 9, 12] : [t - 21, 24];
      expectClose(
        rows,
        table(25, [0.1, 0.2], (t, b) => {
          const [cur, period] = position(t);
          return 0.01 + ((b - 0.01) * (1 + Math.cos((Math.PI * cur) / period))) / 2;
        }),
      );
    });

    test("fractional epochs", () => {
      const opt = sgd([0.1]);
      const scheduler = new CosineAnnealingWarmRestarts(opt, { t0: 3, tMult: 2, etaMin: 0.01 });
      const at = (cur: number, period: number) => 0.01 + ((0.1 - 0.01) * (1 + Math.cos((Math.PI * cur) / period))) / 2;
      scheduler.step(4.5);
      expectClose([lrsOf(opt)], [[at(1.5, 6)]]);
      scheduler.step(1.25);
      expectClose([lrsOf(opt)], [[at(1.25, 3)]]);
      scheduler.step(); // one epoch on from epoch 1.25: T_cur 2.25
      expectClose([lrsOf(opt)], [[at(2.25, 3)]]);
      scheduler.step(); // 3.25 passes the end of the first period
      expectClose([lrsOf(opt)], [[at(0.25, 6)]]);
      expect(() => scheduler.step(-1)).toThrow(
        /CosineAnnealingWarmRestarts: step\(epoch\) needs a finite epoch >= 0, got -1/,
      );
    });

    test("step(epoch) finds the period as torch does, from correctly rounded logarithms", () => {
      const opt = sgd([0.1]);
      const scheduler = new CosineAnnealingWarmRestarts(opt, { t0: 10, tMult: 3 });
      scheduler.step(400); // 400 = 10·(3⁴ − 1)/2: a restart
      expect(lrsOf(opt)).toEqual([0.1]);
      // At 1210 = 10·(3⁵ − 1)/2 torch computes log(243)/log(3) = 4.999999999999999, so the epoch
      // ends the period of 810 instead of starting the next (Math.log would give 5 here).
      scheduler.step(1210);
      expect(lrsOf(opt)).toEqual([0]);
    });
  });

  test("SequentialLR: warm-up, decay, steps, each from its own epoch 0", () => {
    const opt = sgd([0.1, 0.3]);
    const scheduler = new SequentialLR(opt, {
      schedulers: [
        new ConstantLR(opt, { factor: 0.5, totalIters: 2 }),
        new ExponentialLR(opt, { gamma: 0.9 }),
        new StepLR(opt, { stepSize: 2, gamma: 0.5 }),
      ],
      milestones: [3, 7],
    });
    const factors = [0.5, 0.5, 1, 1, 0.9, 0.81, 0.729, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125];
    expectClose(
      record(opt, scheduler, 14),
      table(14, [0.1, 0.3], (t, b) => b * factors[t]),
    );
  });

  test("warmup_cosine: a linear warm-up, then cosine annealing from the initial rate", () => {
    const opt = sgd([0.1, 0.2]);
    const scheduler = createScheduler("warmup_cosine", opt, {
      warmup: { startFactor: 0.1, totalIters: 4 },
      then: { tMax: 6, etaMin: 0.001 },
    });
    expectClose(
      record(opt, scheduler, 12),
      table(12, [0.1, 0.2], (t, b) =>
        t < 4 ? b * (0.1 + (0.9 * t) / 4) : 0.001 + ((b - 0.001) * (1 + Math.cos((Math.PI * (t - 4)) / 6))) / 2,
      ),
    );
  });

  test("ChainedScheduler composes the chainable forms", () => {
    const opt = sgd([1, 0.5]);
    const scheduler = new ChainedScheduler(opt, {
      schedulers: [new ConstantLR(opt, { factor: 0.1, totalIters: 2 }), new ExponentialLR(opt, { gamma: 0.9 })],
    });
    expectClose(
      record(opt, scheduler, 5),
      table(5, [1, 0.5], (t, b) => b * [0.1, 0.09, 0.81, 0.729, 0.6561][t]),
    );
    expect(scheduler.getLastLr()).toEqual(lrsOf(opt));
  });

  describe("ReduceLROnPlateau", () => {
    const run = (scheduler: ReduceLROnPlateau, opt: Optimizer<object>, metrics: number[]) =>
      metrics.map((metric) => {
        const lrs = lrsOf(opt);
        scheduler.step(metric);
        return lrs;
      });

    test("min, rel: patience, cooldown and a minimum per group", () => {
      const opt = sgd([0.1, 0.01]);
      const scheduler = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 1, cooldown: 2, minLr: [0.02, 0.004] });
      expect(lrsOf(opt)).toEqual([0.1, 0.01]); // the constructor changes nothing
      // 1 is best; 1 and 0.99995 do not improve on it by 1e-4 (rel): two bad epochs, a reduction after
      // step 2; steps 3 and 4 are cooldown; steps 5 and 6 are bad again: a reduction after step 6
      // (group 1 down to its minimum); 0.5 is best, steps 9 and 10 bad: group 0 to its minimum.
      const rows = run(scheduler, opt, [1, 1, 0.99995, 2, 2, 2, 2, 0.5, 0.6, 0.7, 0.8]);
      expectClose(rows, [
        [0.1, 0.01],
        [0.1, 0.01],
        [0.1, 0.01],
        [0.05, 0.005],
        [0.05, 0.005],
        [0.05, 0.005],
        [0.05, 0.005],
        [0.025, 0.004],
        [0.025, 0.004],
        [0.025, 0.004],
        [0.025, 0.004],
      ]);
      scheduler.step(0.9);
      expect(scheduler.getLastLr()).toEqual([0.02, 0.004]);
    });

    test("max, abs: improvements must exceed the threshold", () => {
      const opt = sgd([0.1]);
      const scheduler = new ReduceLROnPlateau(opt, {
        mode: "max",
        thresholdMode: "abs",
        threshold: 0.1,
        patience: 0,
        factor: 0.1,
      });
      const rows = run(scheduler, opt, [1, 1.2, 1.25, 1.4, 1.45]);
      expectClose(rows, [[0.1], [0.1], [0.1], [0.01], [0.01]]);
      expectClose([scheduler.getLastLr()], [[0.001]]);
    });

    test("min, abs and max, rel", () => {
      const minAbs = sgd([0.1]);
      const a = new ReduceLROnPlateau(minAbs, {
        mode: "min",
        thresholdMode: "abs",
        threshold: 0.5,
        patience: 0,
        factor: 0.5,
      });
      expectClose(run(a, minAbs, [10, 9.6, 9, 8.9]), [[0.1], [0.1], [0.05], [0.05]]);
      const maxRel = sgd([0.1]);
      const b = new ReduceLROnPlateau(maxRel, { mode: "max", threshold: 0.1, patience: 0, factor: 0.5 });
      expectClose(run(b, maxRel, [10, 10.5, 12, 12.1]), [[0.1], [0.1], [0.05], [0.05]]);
    });

    test("reductions smaller than eps are skipped", () => {
      const opt = sgd([1e-8]);
      const scheduler = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5, eps: 1e-8 });
      run(scheduler, opt, [1, 1, 1]);
      expect(lrsOf(opt)).toEqual([1e-8]);
    });
  });

  test("a scheduler drives a real optimizer: the steps use the scheduled learning rates", () => {
    const gradient = [0.3, -0.7, 1.1];
    const make = () => {
      const w = runtime.parameter([0.5, -1, 2]);
      return { w, opt: new Adam([w], { lr: 0.01 }) };
    };
    const scheduled = make();
    const scheduler = new OneCycleLR(scheduled.opt, { maxLr: 0.05, totalSteps: 8 });
    const manual = make();
    for (let t = 0; t < 8; t++) {
      const options = scheduled.opt.paramGroups[0].options;
      manual.opt.setGroupOptions({ lr: options.lr, betas: options.betas });
      for (const run of [scheduled, manual]) {
        run.w.setGrad(gradient);
        run.opt.step();
      }
      scheduler.step();
    }
    expect(scheduled.w.toArray()).toEqual(manual.w.toArray());
    expect(scheduled.w.toArray()).not.toEqual([0.5, -1, 2]);
  });
});

describe("options are checked before anything changes", () => {
  const cases: [SchedulerName, object, typeof Error, RegExp][] = [
    ["step", { stepSize: 0 }, RangeError, /StepLR: invalid stepSize: 0 \(must be an integer >= 1\)/],
    ["step", { stepSize: 1.5 }, TypeError, /StepLR: option 'stepSize' must be an integer, got 1\.5/],
    ["step", { stepSize: 2, gama: 0.1 }, TypeError, /StepLR: unknown option 'gama'/],
    ["step", { stepSize: 2, gamma: -0.1 }, RangeError, /StepLR: invalid gamma: -0\.1/],
    ["multistep", { milestones: [1, -2] }, RangeError, /MultiStepLR: invalid milestones\[1\]: -2/],
    ["multistep", { milestones: 3 }, TypeError, /MultiStepLR: option 'milestones' must be an array of integers, got 3/],
    ["exponential", {}, TypeError, /ExponentialLR: option 'gamma' must be a finite number, got undefined/],
    ["cosine", { tMax: 0 }, RangeError, /CosineAnnealingLR: invalid tMax: 0/],
    ["cosine", { tMax: 5, etaMin: -1 }, RangeError, /CosineAnnealingLR: invalid etaMin: -1/],
    ["linear", { startFactor: 0 }, RangeError, /LinearLR: invalid startFactor: 0 \(must be in \(0, 1\]\)/],
    ["linear", { endFactor: 1.5 }, RangeError, /LinearLR: invalid endFactor: 1\.5/],
    ["constant", { factor: 0 }, RangeError, /ConstantLR: invalid factor: 0/],
    ["constant", { totalIters: "3" }, TypeError, /ConstantLR: option 'totalIters' must be an integer, got "3"/],
    ["polynomial", { power: -1 }, RangeError, /PolynomialLR: invalid power: -1/],
    [
      "onecycle",
      { maxLr: 0.1 },
      TypeError,
      /OneCycleLR: give option 'totalSteps', or both 'epochs' and 'stepsPerEpoch'/,
    ],
    [
      "onecycle",
      { maxLr: [0.1, 0.2, 0.3], totalSteps: 10 },
      TypeError,
      /OneCycleLR: option 'maxLr' must have one value per parameter group \(2\), got 3/,
    ],
    [
      "onecycle",
      { maxLr: 0.1, totalSteps: 20, pctStart: 0.05 },
      RangeError,
      /OneCycleLR: invalid pctStart: 0\.05 with totalSteps 20 \(phase 1/,
    ],
    [
      "onecycle",
      { maxLr: 0.1, totalSteps: 20, pctStart: 1 },
      RangeError,
      /OneCycleLR: invalid pctStart: 1 with totalSteps 20 \(phase 2/,
    ],
    [
      "onecycle",
      { maxLr: 0.1, totalSteps: 20, annealStrategy: "cosine" },
      TypeError,
      /OneCycleLR: option 'annealStrategy' must be one of "cos", "linear", got "cosine"/,
    ],
    [
      "onecycle",
      { maxLr: 0.1, totalSteps: 20, divFactor: 0 },
      RangeError,
      /OneCycleLR: invalid divFactor: 0 \(must be > 0\)/,
    ],
    [
      "cyclic",
      { baseLr: 0.01, maxLr: 0.1, mode: "triangle" },
      TypeError,
      /CyclicLR: option 'mode' must be one of .*got "triangle"/,
    ],
    ["cyclic", { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 0 }, RangeError, /CyclicLR: invalid stepSizeUp: 0/],
    [
      "cyclic",
      { baseLr: 0.01, maxLr: 0.1, scaleFn: "x" },
      TypeError,
      /CyclicLR: option 'scaleFn' must be a function, got "x"/,
    ],
    ["cyclic", { baseLr: [0.01, -0.01], maxLr: 0.1 }, RangeError, /CyclicLR: invalid baseLr\[1\]: -0\.01/],
    ["cosine_warm_restarts", { t0: 0 }, RangeError, /CosineAnnealingWarmRestarts: invalid t0: 0/],
    [
      "cosine_warm_restarts",
      { t0: 2, tMult: 1.5 },
      TypeError,
      /CosineAnnealingWarmRestarts: option 'tMult' must be an integer, got 1\.5/,
    ],
    [
      "plateau",
      { mode: "minimum" },
      TypeError,
      /ReduceLROnPlateau: option 'mode' must be one of "min", "max", got "minimum"/,
    ],
    ["plateau", { factor: 1 }, RangeError, /ReduceLROnPlateau: invalid factor: 1 \(must be in \[0, 1\)\)/],
    ["plateau", { patience: -1 }, RangeError, /ReduceLROnPlateau: invalid patience: -1/],
    ["plateau", { thresholdMode: "relative" }, TypeError, /ReduceLROnPlateau: option 'thresholdMode'/],
    [
      "plateau",
      { minLr: [0.1] },
      TypeError,
      /ReduceLROnPlateau: option 'minLr' must have one value per parameter group \(2\), got 1/,
    ],
    ["lambda", { lrLambda: 0.5 }, TypeError, /LambdaLR: option 'lrLambda' must be a function, got 0\.5/],
    [
      "multiplicative",
      { lrLambda: [() => 1] },
      TypeError,
      /MultiplicativeLR: option 'lrLambda' must have one function per parameter group \(2\), got 1/,
    ],
    [
      "sequential",
      { schedulers: [{ scheduler: "linear" }, { scheduler: "cosine", tMax: 4 }], milestones: [] },
      TypeError,
      /SequentialLR: expected 1 milestones \(one fewer than schedulers\), got 0/,
    ],
    [
      "sequential",
      { schedulers: [{ scheduler: "linear" }, { scheduler: "cosine" }], milestones: [3] },
      TypeError,
      /CosineAnnealingLR: option 'tMax' must be an integer, got undefined/,
    ],
    [
      "sequential",
      { schedulers: [{ scheduler: "plateau" }], milestones: [] },
      TypeError,
      /SequentialLR: schedulers\[0\] cannot be ReduceLROnPlateau/,
    ],
    ["chained", { schedulers: [] }, TypeError, /ChainedScheduler: option 'schedulers' must be a non-empty array/],
    [
      "warmup_cosine",
      { warmup: { startFactor: 0.1 }, then: { scheduler: "step", tMax: 3 } },
      TypeError,
      /warmup_cosine: the annealing is CosineAnnealingLR/,
    ],
  ];
  test.each(cases)("%s %j", (name, options, Kind, message) => {
    const opt = sgd([0.1, 0.2]);
    const before = opt.paramGroups.map((group) => group.options);
    const make = () => createScheduler(name, opt, options as never);
    expect(make).toThrow(Kind);
    expect(make).toThrow(message);
    expect(opt.paramGroups.map((group) => group.options)).toEqual(before);
  });

  test("an unknown name, or something that is not an optimizer", () => {
    expect(() => createScheduler("cosine_annealing" as SchedulerName, sgd([0.1]), {} as never)).toThrow(
      /simdopt: unknown scheduler "cosine_annealing" \(known: lambda, /,
    );
    expect(() => new StepLR({} as never, { stepSize: 1 })).toThrow(
      /StepLR: expected an optimizer \(with paramGroups and setGroupOptions\)/,
    );
    expect(SCHEDULER_NAMES).toContain("warmup_cosine");
  });

  test("schedulers of another optimizer, or that need a metric, cannot be combined", () => {
    const opt = sgd([0.1]);
    const other = sgd([0.1]);
    expect(
      () =>
        new SequentialLR(opt, {
          schedulers: [new ExponentialLR(opt, { gamma: 0.9 }), new ExponentialLR(other, { gamma: 0.9 })],
          milestones: [2],
        }),
    ).toThrow(/SequentialLR: schedulers\[1\] \(ExponentialLR\) drives another optimizer/);
    expect(() => new ChainedScheduler(opt, { schedulers: [new ReduceLROnPlateau(opt) as never] })).toThrow(
      /ChainedScheduler: schedulers\[0\] is a ReduceLROnPlateau, which needs a metric/,
    );
    const exponential = new ExponentialLR(opt, { gamma: 0.9 });
    expect(
      () =>
        new SequentialLR(opt, {
          schedulers: [new ChainedScheduler(opt, { schedulers: [exponential] }) as never],
          milestones: [],
        }),
    ).toThrow(/SequentialLR: schedulers\[0\] is a ChainedScheduler; SequentialLR takes single schedulers/);
  });

  test("cycling the momentum of an SGD built without it is refused, and the groups stay as they were", () => {
    const opt = sgd([0.1, 0.2], 0);
    const before = opt.paramGroups.map((group) => group.options);
    expect(() => new OneCycleLR(opt, { maxLr: 0.5, totalSteps: 10 })).toThrow(
      /OneCycleLR: cannot set momentum 0\.9\d* on parameter group 0: .*state layout/,
    );
    expect(() => new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1 })).toThrow(TypeError);
    expect(opt.paramGroups.map((group) => group.options)).toEqual(before);
    new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false });
    expect(lrsOf(opt)).toEqual([0.01, 0.01]);
  });

  test("β1 must stay below 1 where the momentum becomes β1", () => {
    expect(() => new OneCycleLR(adam([0.1]), { maxLr: 0.1, totalSteps: 10, maxMomentum: 1 })).toThrow(
      /OneCycleLR: invalid maxMomentum: 1 \(it becomes β1/,
    );
  });

  test("a step the optimizer refuses changes nothing", () => {
    const opt = sgd([0.1, 0.2]);
    const scheduler = new LambdaLR(opt, { lrLambda: [(e) => 1 - e / 2, () => 1] });
    scheduler.step();
    scheduler.step();
    const state = scheduler.stateDict();
    const before = opt.paramGroups.map((group) => group.options);
    expect(() => scheduler.step()).toThrow(
      /LambdaLR: cannot set lr -0\.05 on parameter group 0: SGD: invalid lr: -0\.05/,
    );
    expect(scheduler.stateDict()).toEqual(state);
    expect(opt.paramGroups.map((group) => group.options)).toEqual(before);
  });
});

describe("stateDict and loadStateDict", () => {
  type Setup = {
    label: string;
    optimizer: () => Optimizer<object>;
    make: (opt: Optimizer<object>) => SteppedScheduler | ReduceLROnPlateau;
  };
  const metric = (t: number) => 1 + Math.sin(t) / 4;
  const setups: Setup[] = [
    ...(
      [
        ["step", { stepSize: 3, gamma: 0.5 }],
        ["multistep", { milestones: [2, 6, 9], gamma: 0.5 }],
        ["exponential", { gamma: 0.9 }],
        ["cosine", { tMax: 5, etaMin: 0.001 }],
        ["linear", { startFactor: 0.2, totalIters: 6 }],
        ["constant", { factor: 0.5, totalIters: 7 }],
        ["polynomial", { totalIters: 8, power: 2 }],
        ["onecycle", { maxLr: [0.3, 0.1], totalSteps: 12, threePhase: true }],
        ["cyclic", { baseLr: 0.01, maxLr: [0.1, 0.2], stepSizeUp: 2, mode: "exp_range", gamma: 0.95 }],
        ["cosine_warm_restarts", { t0: 2, tMult: 2, etaMin: 0.001 }],
        ["warmup_cosine", { warmup: { startFactor: 0.1, totalIters: 5 }, then: { tMax: 8 } }],
        [
          "sequential",
          {
            schedulers: [
              { scheduler: "constant", factor: 0.5, totalIters: 2 },
              { scheduler: "cyclic", baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2 },
            ],
            milestones: [4],
          },
        ],
        [
          "chained",
          {
            schedulers: [
              { scheduler: "exponential", gamma: 0.9 },
              { scheduler: "cosine_warm_restarts", t0: 3 },
            ],
          },
        ],
        ["plateau", { patience: 1, cooldown: 1, factor: 0.5, minLr: [0.01, 0.02] }],
      ] as [SchedulerName, object][]
    ).map(
      ([name, options]): Setup => ({
        label: name,
        optimizer: () => sgd([0.1, 0.2]),
        make: (opt) => createScheduler(name, opt, options as never),
      }),
    ),
    {
      label: "onecycle over Adam",
      optimizer: () => adam([0.1, 0.2]),
      make: (opt) => new OneCycleLR(opt, { maxLr: 0.2, totalSteps: 12 }),
    },
    {
      label: "lambda",
      optimizer: () => sgd([0.1, 0.2]),
      make: (opt) => new LambdaLR(opt, { lrLambda: (e) => 1 / (1 + e) }),
    },
    {
      label: "multiplicative",
      optimizer: () => sgd([0.1, 0.2]),
      make: (opt) => new MultiplicativeLR(opt, { lrLambda: (e) => 0.9 + 0.01 * e }),
    },
  ];
  const advance = (scheduler: SteppedScheduler | ReduceLROnPlateau, t: number) =>
    scheduler instanceof ReduceLROnPlateau ? scheduler.step(metric(t)) : scheduler.step();
  const trace = (opt: Optimizer<object>, scheduler: SteppedScheduler | ReduceLROnPlateau, from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => {
      advance(scheduler, from + k);
      return [...lrsOf(opt), ...momentaOf(opt).map((m) => m ?? 0), ...scheduler.getLastLr()];
    });

  test.each(setups)("$label: save as JSON mid-run, restore, continue bit for bit", ({ optimizer, make }) => {
    const opt = optimizer();
    const scheduler = make(opt);
    trace(opt, scheduler, 0, 5);
    const optimizerState = opt.stateDict();
    const saved = JSON.stringify(scheduler.stateDict());
    const expected = trace(opt, scheduler, 5, 12);

    const schedulerState = JSON.parse(saved) as SchedulerStateDict;
    expect(JSON.parse(JSON.stringify(schedulerState))).toEqual(schedulerState);
    const again = optimizer();
    const restored = make(again);
    again.loadStateDict(optimizerState);
    restored.loadStateDict(schedulerState);
    expect(restored.stateDict()).toEqual(schedulerState);
    expect(trace(again, restored, 5, 12)).toStrictEqual(expected);
  });

  test("a fractional epoch of CosineAnnealingWarmRestarts survives the round trip", () => {
    const opt = sgd([0.1]);
    const scheduler = new CosineAnnealingWarmRestarts(opt, { t0: 3, tMult: 2 });
    scheduler.step(7.3);
    const saved = JSON.parse(JSON.stringify(scheduler.stateDict())) as SchedulerStateDict;
    expect(saved.tCur).toBeCloseTo(4.3, 12);
    const restored = new CosineAnnealingWarmRestarts(sgd([0.1]), { t0: 3, tMult: 2 });
    restored.loadStateDict(saved);
    scheduler.step();
    restored.step();
    expect(restored.getLastLr()).toStrictEqual(scheduler.getLastLr());
  });

  test("the state holds the kind and no functions, as torch's", () => {
    const opt = sgd([0.1]);
    const dict = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, scaleFn: (x) => 1 / x }).stateDict();
    expect(dict.kind).toBe("CyclicLR");
    expect(Object.keys(dict.options as object)).not.toContain("scaleFn");
    const plateau = new ReduceLROnPlateau(sgd([0.1])).stateDict();
    expect(plateau.best).toBe("Infinity");
  });

  describe("snapshots that do not fit are refused, and nothing changes", () => {
    const setup = () => {
      const opt = sgd([0.1, 0.2]);
      const scheduler = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
      scheduler.step();
      return { opt, scheduler, dict: scheduler.stateDict() };
    };
    const cases: [string, (dict: SchedulerStateDict) => unknown, RegExp][] = [
      [
        "not an object",
        () => "state",
        /StepLR: cannot load state: expected an object as stateDict\(\) returns, got "state"/,
      ],
      ["another kind", (d) => ({ ...d, kind: "MultiStepLR" }), /it is the state of "MultiStepLR", not of StepLR/],
      ["a missing field", ({ lastEpoch: _, ...rest }) => rest, /field 'lastEpoch' is missing/],
      [
        "a fractional epoch",
        (d) => ({ ...d, lastEpoch: 1.5 }),
        /field 'lastEpoch' must be an integer >= -1 and below 2\^53 - 1, got 1\.5/,
      ],
      [
        "too few groups",
        (d) => ({ ...d, baseLrs: [0.1] }),
        /field 'baseLrs' must be an array of 2 finite numbers, got \[0\.1\]/,
      ],
      [
        "a bad option",
        (d) => ({ ...d, options: { stepSize: 2, gamma: -1 } }),
        /field 'options': StepLR: invalid gamma: -1/,
      ],
      [
        "an unknown option",
        (d) => ({ ...d, options: { stepSize: 2, gamma: 0.5, verbose: true } }),
        /unknown option 'verbose'/,
      ],
      ["an unknown field", (d) => ({ ...d, extra: 1 }), /unknown field 'extra'/],
    ];
    test.each(cases)("%s", (_, change, message) => {
      const { opt, scheduler, dict } = setup();
      const before = opt.paramGroups.map((group) => group.options);
      expect(() => scheduler.loadStateDict(change(dict) as SchedulerStateDict)).toThrow(TypeError);
      expect(() => scheduler.loadStateDict(change(dict) as SchedulerStateDict)).toThrow(message);
      expect(scheduler.stateDict()).toEqual(dict);
      expect(opt.paramGroups.map((group) => group.options)).toEqual(before);
    });

    test("a composite checks every scheduler before any changes", () => {
      const opt = sgd([0.1]);
      const scheduler = createScheduler("chained", opt, {
        schedulers: [
          { scheduler: "exponential", gamma: 0.9 },
          { scheduler: "step", stepSize: 2 },
        ],
      });
      scheduler.step();
      const dict = scheduler.stateDict();
      const children = dict.schedulers as SchedulerStateDict[];
      const broken = {
        ...dict,
        schedulers: [
          { ...children[0], lastEpoch: 7 },
          { ...children[1], kind: "ExponentialLR" },
        ],
      };
      expect(() => scheduler.loadStateDict(broken)).toThrow(
        /ChainedScheduler: cannot load state: schedulers\[1\]: StepLR: cannot load state: it is the state of "ExponentialLR"/,
      );
      expect(scheduler.stateDict()).toEqual(dict);
    });
  });
});
