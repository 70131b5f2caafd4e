// Clipping (standalone and fused into the step), non-finite gradients and the step report.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  clipGradNorm,
  clipGradValue,
  createOptimizer,
  gradNorm,
  gradientsAreFinite,
  loadRuntime,
  OPTIMIZER_NAMES,
  SGD,
  type Parameter,
  type Runtime,
} from "../dist/index.js";
import { OPTION_FAMILIES } from "./families.js";
import { firstDifference, gradientsFor, randomArray } from "./helpers.js";

const BINARIES = ["simd", "scalar", "reference"] as const;
let runtimes: Record<(typeof BINARIES)[number], Runtime>;
beforeAll(async () => {
  runtimes = Object.fromEntries(
    await Promise.all(BINARIES.map(async (binary) => [binary, await loadRuntime({ binary })])),
  ) as typeof runtimes;
});

/** Tensors of lengths that cover an empty tensor, tails of every size and a long body, in both dtypes. */
function tensors(runtime: Runtime, seed: number): Parameter[] {
  return [0, 1, 3, 4, 5, 17, 1023].flatMap((length, i) => [
    runtime.parameter(length).setGrad(randomArray(length, seed + i).map((g) => g * 3)),
    runtime.parameter(new Float64Array(length)).setGrad(randomArray(length, seed + 50 + i)),
  ]);
}

describe("gradient norms and clipping in Wasm ≡ the plain-JS reference", () => {
  test.each([2, 1, "inf", 3.5, 0.5] as const)(
    "norm type %s: the same bits on SIMD, scalar and reference",
    (normType) => {
      const results = BINARIES.map((binary) => {
        const params = tensors(runtimes[binary], 7);
        const norm = gradNorm(params, normType);
        const clipped = clipGradNorm(params, 0.25, { normType });
        const grads = params.map((p) => Array.from(p.grad));
        params.forEach((p) => p.dispose());
        return { norm, clipped, grads };
      });
      for (const { norm, clipped, grads } of results.slice(1)) {
        if (normType === 3.5 || normType === 0.5) {
          // |g|^p is Wasm's pow against Math.pow: the same order, within an ulp or two each.
          expect(Math.abs(norm - results[0].norm) / results[0].norm).toBeLessThan(1e-14);
        } else {
          expect(norm).toBe(results[0].norm);
          expect(clipped).toBe(results[0].clipped);
          grads.forEach((g, i) => expect(firstDifference(g, results[0].grads[i])).toBe(-1));
        }
      }
    },
  );

  test("clipGradNorm returns the norm before clipping and scales by maxNorm / (norm + 1e-6)", () => {
    const rt = runtimes.simd;
    const w = rt.parameter(new Float64Array(2)).setGrad([3, 4]);
    expect(clipGradNorm([w], 1)).toBe(5);
    expect(Array.from(w.grad)).toEqual([3, 4].map((g) => g * ((1 / (5 + 1e-6)) * 1)));
    const small = rt.parameter(new Float64Array(2)).setGrad([0.3, 0.4]);
    expect(clipGradNorm(small, 1)).toBeCloseTo(0.5, 15);
    expect(Array.from(small.grad)).toEqual([0.3, 0.4]); // below maxNorm: unchanged
  });

  test("clipGradValue clamps to [-v, v] and keeps NaN, as torch's clamp_", () => {
    const w = runtimes.simd.parameter(6).setGrad([-3, -0.5, 0.2, 7, NaN, Infinity]);
    clipGradValue([w], 0.5);
    expect(Array.from(w.grad)).toEqual([-0.5, -0.5, Math.fround(0.2), 0.5, NaN, 0.5]);
  });

  test("a NaN gradient gives a NaN norm; errorIfNonfinite throws and changes nothing", () => {
    const w = runtimes.simd.parameter(5).setGrad([1, 2, NaN, 4, 5]);
    expect(gradNorm(w)).toBeNaN();
    expect(gradNorm(w, "inf")).toBeNaN();
    expect(gradientsAreFinite(w)).toBe(false);
    expect(() => clipGradNorm(w, 1, { errorIfNonfinite: true })).toThrow(
      /clipGradNorm: the total norm of order 2 of the gradients is NaN/,
    );
    expect(Array.from(w.grad)).toEqual([1, 2, NaN, 4, 5]);
  });

  test.each([
    [
      "maxNorm 0",
      () => clipGradNorm(runtimes.simd.parameter(1), 0),
      /clipGradNorm: option 'maxNorm' must be a positive finite number, got 0/,
    ],
    [
      "normType -1",
      () => gradNorm(runtimes.simd.parameter(1), -1),
      /gradNorm: option 'normType' must be a positive number or "inf", got -1/,
    ],
    [
      "clipValue NaN",
      () => clipGradValue(runtimes.simd.parameter(1), NaN),
      /clipValue' must be a positive finite number, got NaN/,
    ],
    ["no parameters", () => gradNorm([]), /gradNorm: params must be a parameter or a non-empty array/],
    ["not a parameter", () => gradNorm([{} as Parameter]), /gradNorm: params\[0\] is not a simdopt Parameter/],
    [
      "an unknown option",
      () => clipGradNorm(runtimes.simd.parameter(1), 1, { norm_type: 2 } as never),
      /clipGradNorm: unknown option 'norm_type'/,
    ],
  ])("bad input: %s", (_label, call, message) => {
    expect(call).toThrow(message);
  });
});

describe.each(OPTIMIZER_NAMES)("%s: clipping fused into the step ≡ clipping, then stepping", (name) => {
  test.each([
    { maxGradNorm: 0.5 },
    { maxGradNorm: 2, gradNormType: "inf" as const },
    { maxGradNorm: 1, gradNormType: 1 },
    { clipGradValue: 0.3 },
  ])("%j", (training) => {
    const rt = runtimes.simd;
    const run = (fused: boolean) => {
      const params = [rt.parameter(randomArray(37, 1)), rt.parameter(Float64Array.from(randomArray(5, 2)))];
      const options = OPTION_FAMILIES[name][0];
      const opt = createOptimizer(name, params, (fused ? { ...options, ...training } : options) as never);
      const norms: number[] = [];
      for (let step = 0; step < 8; step++) {
        params.forEach((p, k) => p.setGrad(gradientsFor(p.length, step, k)));
        if (fused) {
          const report = opt.step();
          expect(report.applied).toBe(true);
          if ("maxGradNorm" in training) norms.push(report.gradNorm as number);
        } else {
          if ("maxGradNorm" in training)
            norms.push(clipGradNorm(params, training.maxGradNorm as number, { normType: training.gradNormType ?? 2 }));
          else clipGradValue(params, training.clipGradValue as number);
          opt.step();
        }
      }
      return { values: params.map((p) => Array.from(p.data)), norms };
    };
    const fused = run(true);
    const separate = run(false);
    fused.values.forEach((v, k) => expect(firstDifference(v, separate.values[k])).toBe(-1));
    expect(fused.norms).toEqual(separate.norms);
  });

  test.each(BINARIES)("maxGradNorm leaves param.grad as it was (%s)", (binary) => {
    const rt = runtimes[binary];
    const params = [rt.parameter(randomArray(37, 1)), rt.parameter(Float64Array.from(randomArray(5, 2)))];
    const opt = createOptimizer(name, params, { ...OPTION_FAMILIES[name][0], maxGradNorm: 0.01 } as never);
    for (let step = 0; step < 3; step++) {
      params.forEach((p, k) => p.setGrad(gradientsFor(p.length, step, k)));
      const before = params.map((p) => p.grad.slice());
      const report = opt.step();
      expect(report.gradNorm).toBeGreaterThan(0.01); // the step did clip
      params.forEach((p, k) => expect(firstDifference(p.grad, before[k]), `tensor ${k}, step ${step}`).toBe(-1));
    }
    opt.dispose();
    for (const p of params) p.dispose();
  });
});

describe("non-finite gradients", () => {
  const setup = (nonFinite?: "skip" | "throw" | "propagate", extra: object = {}) => {
    const rt = runtimes.simd;
    const w = rt.parameter(randomArray(9, 3));
    const b = rt.parameter(Float64Array.from(randomArray(3, 4)));
    const opt = new Adam([w, b], { lr: 0.01, ...(nonFinite ? { nonFinite } : {}), ...extra });
    w.setGrad(randomArray(9, 5));
    b.setGrad(randomArray(3, 6));
    opt.step();
    return { w, b, opt };
  };

  test.each([NaN, Infinity, -Infinity])(
    "skip: a %s gradient leaves parameters, state and step counts bit-identical",
    (bad) => {
      for (const extra of [{}, { maxGradNorm: 1 }, { clipGradValue: 0.1 }]) {
        const { w, b, opt } = setup("skip", extra);
        const before = { w: w.toArray(), b: b.toArray(), state: JSON.stringify(opt.stateDict()) };
        const grad = randomArray(3, 9);
        grad[2] = bad;
        b.setGrad(grad);
        const report = opt.step();
        expect(report.applied).toBe(false);
        expect(report.reason).toBe("non-finite gradient");
        expect(opt.lastStep).toBe(report);
        expect(firstDifference(w.data, before.w)).toBe(-1);
        expect(firstDifference(b.data, before.b)).toBe(-1);
        expect(JSON.stringify(opt.stateDict())).toBe(before.state);
        expect(opt.stepCount()).toBe(1);
        expect(b.grad[2]).toBe(bad); // the gradients are not clamped either
      }
    },
  );

  test("skip: huge but finite float64 gradients overflow the norm's sum and still step", () => {
    const { b, opt } = setup("skip", { maxGradNorm: 1 });
    b.setGrad([1e300, -1e300, 1e300]);
    const report = opt.step();
    expect(report).toEqual({ applied: true, gradNorm: Infinity });
    expect(opt.stepCount()).toBe(2);
  });

  test("throw: a RangeError naming the optimizer and the option, and nothing changes", () => {
    const { w, opt } = setup("throw");
    const before = JSON.stringify(opt.stateDict());
    w.grad[4] = NaN;
    expect(() => opt.step()).toThrow(
      /Adam: a gradient is NaN or infinite \(option nonFinite: 'throw'\); nothing was changed/,
    );
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  test("propagate (the default, torch's behaviour): the NaN goes into the state", () => {
    const { w, opt } = setup();
    expect(opt.trainingOptions.nonFinite).toBe("propagate");
    w.grad[0] = NaN;
    expect(opt.step()).toEqual({ applied: true });
    expect(w.data[0]).toBeNaN();
    expect(opt.stepCount()).toBe(2);
  });

  test("the report carries the norm when clipping computed it", () => {
    const w = runtimes.simd.parameter(new Float64Array(2)).setGrad([3, 4]);
    const opt = new SGD([w], { lr: 0.1, maxGradNorm: 1 });
    const report = opt.step();
    expect(report).toEqual({ applied: true, gradNorm: 5 });
    expect(Array.from(w.grad)).toEqual([3, 4]); // the fused clipping does not rewrite grad
    expect(Array.from(w.data)).toEqual([-0.1 * 3 * (1 / (5 + 1e-6)), -0.1 * 4 * (1 / (5 + 1e-6))]);
  });

  test.each([
    [
      { nonFinite: "ignore" },
      TypeError,
      /Adam: option 'nonFinite' must be one of propagate, skip, throw, got "ignore"/,
    ],
    [{ maxGradNorm: -1 }, RangeError, /Adam: option 'maxGradNorm' must be a positive finite number, got -1/],
    [{ gradNormType: 0 }, RangeError, /Adam: option 'gradNormType' must be a positive number or "inf", got 0/],
    [
      { clipGradValue: Infinity },
      RangeError,
      /Adam: option 'clipGradValue' must be a positive finite number, got Infinity/,
    ],
    [{ maxGradNorm: 1, clipGradValue: 1 }, TypeError, /cannot both be set/],
  ])("bad training option %j", (options, Kind, message) => {
    const w = runtimes.simd.parameter(2);
    expect(() => new Adam([w], options as never)).toThrow(Kind);
    expect(() => new Adam([w], options as never)).toThrow(message);
    const opt = new Adam([w]);
    expect(() => opt.setTrainingOptions(options as never)).toThrow(message);
    expect(opt.trainingOptions.nonFinite).toBe("propagate");
  });

  test("training options are optimizer-wide: a group cannot set them", () => {
    const w = runtimes.simd.parameter(2);
    expect(() => new Adam([{ params: [w], nonFinite: "skip" } as never])).toThrow(
      /option 'nonFinite' of parameter group 0 is optimizer-wide/,
    );
  });
});
