// optax's Adam, AdamW and NAdam with `muDtype: "bfloat16"` (optax's mu_dtype): the reference, the
// scalar binary and the SIMD binary agree bit for bit, on one thread and two; μ is stored in
// bfloat16 and moves by a bfloat16 product b1·μ; checkpoints continue bit for bit; a group cannot
// change the type, and float64 parameters are refused.
import { beforeAll, describe, expect, test } from "vitest";
import {
  loadRuntime,
  loadSafetensors,
  OptaxAdam,
  OptaxAdamW,
  OptaxNadam,
  saveSafetensors,
  type Parameter,
  type Rounding,
  type Runtime,
} from "../dist/index.js";
import { fromBfloat16, toBfloat16 } from "../dist/reference/bfloat16.js";
import {
  firstDifference,
  gradientsFor,
  randomArray,
  stepsSeen,
  expectSameAsFirst,
  runtimesByRounding,
} from "./helpers.js";

type Optimizer = InstanceType<typeof OptaxAdam>;
type Internal = { rawStateView(param: unknown, name: string): ArrayLike<number> | undefined };
type Json = any;

const FAMILIES = [
  { label: "OptaxAdam", make: (p: Parameter[], o: object) => new OptaxAdam(p, { muDtype: "bfloat16", ...o }) },
  { label: "OptaxAdamW", make: (p: Parameter[], o: object) => new OptaxAdamW(p, { muDtype: "bfloat16", ...o }) },
  { label: "OptaxNadam", make: (p: Parameter[], o: object) => new OptaxNadam(p, { muDtype: "bfloat16", ...o }) },
];
const OPTIONS = [{}, { learningRate: 0.01, b1: 0.95, b2: 0.99, eps: 1e-6, epsRoot: 1e-8 }, { b1: 0.999 }];

let runtimes: Record<Rounding, Runtime[]>;
let runtime: Runtime;
beforeAll(async () => {
  runtimes = await runtimesByRounding();
  runtime = await loadRuntime();
});

/** Steps tensors of `lengths` and returns every parameter and state buffer after each step. */
function run(runtime: Runtime, make: (p: Parameter[]) => Optimizer, lengths: readonly number[], steps: number) {
  return stepsSeen(runtime, make, lengths, steps, ["expAvg", "expAvgSq"]);
}

describe.each(FAMILIES)("$label with a bfloat16 μ: reference ≡ scalar ≡ SIMD", ({ make }) => {
  test.each(OPTIONS.flatMap((o) => (["separate", "fused"] as const).map((rounding) => ({ o, rounding }))))(
    "$rounding $o",
    ({ o, rounding }) => {
      const lengths = [0, 1, 3, 4, 5, 17, 1025];
      const runs = runtimes[rounding].map((r) => run(r, (p) => make(p, o), lengths, 6));
      expectSameAsFirst(
        runs,
        runtimes[rounding].map((r) => r.binary),
      );
    },
  );
});

describe("the stored μ", () => {
  test("is bfloat16: after one step, bf16((1 − b1)·g)", () => {
    const param = runtime.parameter(randomArray(64, 5));
    const adam = new OptaxAdam([param], { muDtype: "bfloat16" });
    const g = gradientsFor(64, 0, 2);
    param.setGrad(g);
    adam.step();
    const mu = (adam as unknown as Internal).rawStateView(param, "expAvg") as Uint16Array;
    expect(mu).toBeInstanceOf(Uint16Array);
    g.forEach((x, i) => expect(mu[i]).toBe(toBfloat16(Math.fround(Math.fround(0.1) * Math.fround(x)))));
    adam.dispose();
    param.dispose();
  });

  // b1·μ is a bfloat16 product with b1 rounded to bfloat16 (0.9 → 0.8984375): under a steady
  // gradient μ settles near (1 − b1)/(1 − bf16(b1)) of it, 0.985 for b1 = 0.9, not at 1.
  // (bfloat16's own rounding of μ moves where it settles, by up to a few of its ulps.)
  test.each([
    [0.9, 0.8984375, 2 ** -7],
    [0.99, 0.98828125, 0.03],
  ])("under a steady gradient, b1 = %d keeps μ near (1 − b1)/(1 − %d)", (b1, rounded, within) => {
    const param = runtime.parameter([0]);
    const adam = new OptaxAdam([param], { muDtype: "bfloat16", b1, learningRate: 0 });
    for (let step = 0; step < 3000; step++) {
      param.setGrad([1]);
      adam.step();
    }
    const mu = fromBfloat16((adam as unknown as Internal).rawStateView(param, "expAvg")?.[0] as number);
    expect(Math.abs(mu - (1 - b1) / (1 - rounded))).toBeLessThan(within);
    expect(Math.abs(mu - 1)).toBeGreaterThan(0.01);
    adam.dispose();
    param.dispose();
  });
});

describe("threads", () => {
  test("two threads ≡ one", async () => {
    const threaded = await loadRuntime({ threads: 2, threadMinElements: 0 });
    expect(await threaded.startThreads()).toBe(2);
    const single = await loadRuntime({ binary: "simd", threads: 1 });
    const make = (p: Parameter[]) => new OptaxAdamW(p, { muDtype: "bfloat16", learningRate: 0.01 });
    const [one, two] = [single, threaded].map((r) => run(r, make, [65536, 37, 4100], 4));
    two.forEach((values, k) => expect(firstDifference(values, one[k]), `array ${k}`).toBe(-1));
    threaded.close();
  });
});

describe("checkpoints", () => {
  test.each(["JSON", "safetensors"] as const)("through %s: μ as bfloat16, a load continues bit for bit", (via) => {
    const names = ["w", "b"];
    const params = (values?: readonly ArrayLike<number>[]) =>
      [1000, 37].map((n, k) => runtime.parameter(values?.[k] ?? randomArray(n, 11 + k), { name: names[k] }));
    const steps = (optimizer: Optimizer, ps: Parameter[], from: number, to: number) => {
      for (let step = from; step < to; step++) {
        ps.forEach((p, k) => p.setGrad(gradientsFor(p.length, step, 5 + k)));
        optimizer.step();
      }
    };
    const original = params();
    const optimizer = new OptaxAdamW(original, { muDtype: "bfloat16" });
    steps(optimizer, original, 0, 6);
    const values = original.map((p) => p.toArray());
    const dict = optimizer.stateDict() as Json;
    expect(dict.state.w.exp_avg.dtype).toBe("bfloat16");
    expect(dict.state.w.exp_avg_sq.dtype).toBe("float32");
    const saved = via === "JSON" ? JSON.parse(JSON.stringify(dict)) : saveSafetensors<object>(optimizer);
    steps(optimizer, original, 6, 10);
    const restoredParams = params(values);
    const restored = new OptaxAdamW(restoredParams, { muDtype: "bfloat16" });
    if (via === "JSON") restored.loadStateDict(saved);
    else loadSafetensors<object>(restored, saved as Uint8Array);
    steps(restored, restoredParams, 6, 10);
    restoredParams.forEach((p, k) => expect(firstDifference(p.data, original[k].data)).toBe(-1));
    for (const o of [optimizer, restored]) o.dispose();
    for (const p of [...original, ...restoredParams]) p.dispose();
  });
});

describe("refusals", () => {
  test("an unknown type, a group's own type, float64 parameters; nothing is built", () => {
    const a = runtime.parameter(4);
    const b = runtime.parameter(4);
    expect(() => new OptaxAdam([a], { muDtype: "int8" as "bfloat16" })).toThrow(
      /option 'muDtype' must be "float32" or "bfloat16", got "int8"/,
    );
    expect(() => new OptaxAdam([{ params: [a] }, { params: [b], muDtype: "bfloat16" }])).toThrow(
      /muDtype' is "float32" for the whole optimizer/,
    );
    const wide = runtime.parameter(new Float64Array(4));
    expect(() => new OptaxAdam([wide], { muDtype: "bfloat16" })).toThrow(/float32 parameters only/);
    for (const p of [a, b, wide]) p.dispose();
  });
});
