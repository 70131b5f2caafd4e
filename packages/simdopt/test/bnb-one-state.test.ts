// bitsandbytes' 8-bit optimizers of one state (Lion8bit, SGD8bit, RMSprop8bit, Adagrad8bit): the
// reference, the scalar binary and the SIMD binary agree bit for bit on parameters and stored
// state, on one thread and two; a tensor below min8bitSize steps as torch's own optimizer does;
// checkpoints keep bitsandbytes' slots and continue bit for bit; what bitsandbytes ignores or
// refuses is refused, by name.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adagrad,
  BnbAdagrad8bit,
  BnbLion8bit,
  BnbRMSprop8bit,
  BnbSGD8bit,
  loadRuntime,
  loadSafetensors,
  RMSprop,
  SGD,
  saveSafetensors,
  type Parameter,
  type Rounding,
  type Runtime,
} from "../dist/index.js";
import { STATE_MAPS } from "../dist/generated/maps.js";
import {
  firstDifference,
  gradientsFor,
  randomArray,
  stepsSeen,
  expectSameAsFirst,
  runtimesByRounding,
} from "./helpers.js";

type Optimizer = BnbLion8bit | BnbSGD8bit | BnbRMSprop8bit | BnbAdagrad8bit;
type Internal = { rawStateView(param: unknown, name: string): ArrayLike<number> | undefined };
type Json = any;

const BUFFERS = ["state1", "state1Codes", "state1Absmax"];

/** Each class with options that exercise its rule, weight decay on and off. */
const FAMILIES: { label: string; make(params: Parameter[], options: object): Optimizer; options: object[] }[] = [
  {
    label: "BnbLion8bit",
    make: (p, o) => new BnbLion8bit(p, o),
    options: [{}, { lr: 0.01, betas: [0.95, 0.98], weightDecay: 0.1 }],
  },
  {
    label: "BnbSGD8bit",
    make: (p, o) => new BnbSGD8bit(p, { lr: 0.01, momentum: 0.9, ...o }),
    options: [{}, { lr: 0.05, momentum: 0.5, weightDecay: 0.01 }],
  },
  {
    label: "BnbRMSprop8bit",
    make: (p, o) => new BnbRMSprop8bit(p, o),
    options: [{ lr: 0.001 }, { alpha: 0.9, eps: 1e-6, weightDecay: 0.01 }],
  },
  {
    label: "BnbAdagrad8bit",
    make: (p, o) => new BnbAdagrad8bit(p, o),
    options: [{}, { lr: 0.1, eps: 1e-8, weightDecay: 0.01 }],
  },
];

let runtimes: Record<Rounding, Runtime[]>;
let runtime: Runtime;
beforeAll(async () => {
  runtimes = await runtimesByRounding();
  runtime = await loadRuntime();
});

/** Steps tensors of `lengths` and returns every parameter and state buffer after each step. */
function run(runtime: Runtime, make: (p: Parameter[]) => Optimizer, lengths: readonly number[], steps: number) {
  return stepsSeen(runtime, make, lengths, steps, BUFFERS);
}

describe.each(FAMILIES)("$label: reference ≡ scalar ≡ SIMD", ({ make, options }) => {
  test.each(options.flatMap((o) => (["separate", "fused"] as const).map((rounding) => ({ o, rounding }))))(
    "$rounding $o",
    ({ o, rounding }) => {
      // min8bitSize 1: partial last blocks of 1, 2, 4 and 37 elements, whole blocks; 300: float32 state below it.
      for (const min8bitSize of [1, 300]) {
        const lengths = [37, 256, 257, 258, 260, 5, 4100, 0];
        const runs = runtimes[rounding].map((r) => run(r, (p) => make(p, { ...o, min8bitSize }), lengths, 5));
        expect(runs[0].some((values) => values.some((x) => x !== 0))).toBe(true);
        expectSameAsFirst(
          runs,
          runtimes[rounding].map((r) => r.binary),
        );
      }
    },
  );
});

describe("the stored state", () => {
  test.each(FAMILIES)("$label: codes into the signed dynamic map, one maximum per block of 256", ({ make }) => {
    const param = runtime.parameter(randomArray(600, 7));
    const optimizer = make([param], { lr: 0.01, min8bitSize: 1 });
    param.setGrad(gradientsFor(600, 0, 1));
    optimizer.step();
    const internal = optimizer as unknown as Internal;
    const codes = internal.rawStateView(param, "state1Codes") as Uint8Array;
    const absmax = internal.rawStateView(param, "state1Absmax") as Float32Array;
    expect(codes).toHaveLength(600);
    expect(absmax).toHaveLength(3); // 256 + 256 + a partial block of 88
    expect(internal.rawStateView(param, "state1")?.length ?? 0).toBe(0);
    // Each block's largest element takes the map's end: 1, or −0.99296874 (the signed map has no −1).
    for (let b = 0; b < 3; b++) {
      const block = Array.from(codes.subarray(256 * b, 256 * (b + 1)), (c) => STATE_MAPS.dynamic8_signed[c]);
      expect(Math.max(...block.map(Math.abs))).toBeGreaterThanOrEqual(-STATE_MAPS.dynamic8_signed[0]);
      expect(absmax[b]).toBeGreaterThan(0);
    }
    optimizer.dispose();
    param.dispose();
  });
});

describe("threads", () => {
  test.each(FAMILIES)("$label: two threads ≡ one", async ({ make }) => {
    const threaded = await loadRuntime({ threads: 2, threadMinElements: 0 });
    expect(await threaded.startThreads()).toBe(2);
    const single = await loadRuntime({ binary: "simd", threads: 1 });
    const lengths = [4096, 37, 65536, 4100, 300, 5];
    const [one, two] = [single, threaded].map((r) =>
      run(r, (p) => make(p, { lr: 0.01, min8bitSize: 300 }), lengths, 4),
    );
    const pool = (threaded as unknown as { threadPool: { splitCalls: number } }).threadPool;
    expect(pool.splitCalls).toBeGreaterThan(0);
    two.forEach((values, k) => expect(firstDifference(values, one[k]), `array ${k}`).toBe(-1));
    threaded.close();
  });
});

describe("below min8bitSize, torch's own rule", () => {
  // bitsandbytes' float32 formulas are torch's SGD with momentum, RMSprop and Adagrad.
  test.each([
    [
      "BnbSGD8bit",
      (p: Parameter[]) => new BnbSGD8bit(p, { lr: 0.05, momentum: 0.5, weightDecay: 0.01 }),
      (p: Parameter[]) => new SGD(p, { lr: 0.05, momentum: 0.5, weightDecay: 0.01 }),
    ],
    [
      "BnbRMSprop8bit",
      (p: Parameter[]) => new BnbRMSprop8bit(p, { alpha: 0.9, weightDecay: 0.01 }),
      (p: Parameter[]) => new RMSprop(p, { lr: 0.01, alpha: 0.9, eps: 1e-8, weightDecay: 0.01 }),
    ],
    [
      "BnbAdagrad8bit",
      (p: Parameter[]) => new BnbAdagrad8bit(p, { lr: 0.1 }),
      (p: Parameter[]) => new Adagrad(p, { lr: 0.1, eps: 1e-10 }),
    ],
  ] as const)("%s steps a small tensor as torch does, bit for bit", (label, bnb, torch) => {
    // The parameters after every step (the state buffers are named differently).
    const runs = [bnb, torch].map((make) => stepsSeen(runtime, make, [1000, 37], 6, []));
    expectSameAsFirst(runs, [label, "torch's"]);
  });
});

describe("checkpoints", () => {
  const NAMES = ["encoder.weight", "bias"];
  const params = (values?: readonly ArrayLike<number>[]) =>
    [4100, 300].map((n, k) => runtime.parameter(values?.[k] ?? randomArray(n, 11 + k), { name: NAMES[k] }));
  const steps = (optimizer: Optimizer, ps: Parameter[], from: number, to: number) => {
    for (let step = from; step < to; step++) {
      ps.forEach((p, k) => p.setGrad(gradientsFor(p.length, step, 5 + k)));
      optimizer.step();
    }
  };

  test.each(FAMILIES.flatMap((f) => (["JSON", "safetensors"] as const).map((via) => ({ ...f, via }))))(
    "$label through $via: bitsandbytes' slots, and a load continues bit for bit",
    ({ make, via }) => {
      const original = params();
      const optimizer = make(original, { lr: 0.01 });
      steps(optimizer, original, 0, 6);
      const values = original.map((p) => p.toArray());
      const dict = optimizer.stateDict() as Json;
      // The 8-bit tensor: codes, maxima and the map; the small one: float32 state, both as `state1`.
      expect(Object.keys(dict.state[NAMES[0]]).sort()).toEqual(["absmax1", "qmap1", "state1", "step"]);
      expect(dict.state[NAMES[0]].state1.dtype).toBe("uint8");
      expect(dict.state[NAMES[0]].qmap1.data).toEqual(STATE_MAPS.dynamic8_signed);
      expect(Object.keys(dict.state[NAMES[1]]).sort()).toEqual(["state1", "step"]);
      expect(dict.state[NAMES[1]].state1.dtype).toBe("float32");
      const saved = via === "JSON" ? JSON.parse(JSON.stringify(dict)) : saveSafetensors<object>(optimizer);
      steps(optimizer, original, 6, 10);

      const restoredParams = params(values);
      const restored = make(restoredParams, { lr: 0.01 });
      if (via === "JSON") restored.loadStateDict(saved);
      else loadSafetensors<object>(restored, saved as Uint8Array);
      steps(restored, restoredParams, 6, 10);
      restoredParams.forEach((p, k) => expect(firstDifference(p.data, original[k].data)).toBe(-1));
      expect(JSON.stringify(restored.stateDict())).toBe(JSON.stringify(optimizer.stateDict()));
      for (const o of [optimizer, restored]) o.dispose();
      for (const p of [...original, ...restoredParams]) p.dispose();
    },
  );
});

describe("refusals", () => {
  test.each([
    [
      "SGD8bit without lr",
      (p: Parameter[]) => new BnbSGD8bit(p, { momentum: 0.9 }),
      /BnbSGD8bit: option 'lr' must be given/,
    ],
    [
      "SGD8bit without momentum",
      (p: Parameter[]) => new BnbSGD8bit(p, { lr: 0.1 }),
      /option 'momentum' must be above 0/,
    ],
    [
      "SGD8bit's dampening",
      (p: Parameter[]) => new BnbSGD8bit(p, { lr: 0.1, momentum: 0.9, dampening: 0.3 } as object),
      /unknown option 'dampening'/,
    ],
    [
      "RMSprop8bit's momentum",
      (p: Parameter[]) => new BnbRMSprop8bit(p, { momentum: 0.9 } as object),
      /unknown option 'momentum'/,
    ],
    ["RMSprop8bit with alpha 0", (p: Parameter[]) => new BnbRMSprop8bit(p, { alpha: 0 }), /invalid alpha: 0/],
    [
      "Lion8bit with a beta of 1",
      (p: Parameter[]) => new BnbLion8bit(p, { betas: [0.9, 1] }),
      /beta parameter at index 1/,
    ],
    [
      "Adagrad8bit's lrDecay",
      (p: Parameter[]) => new BnbAdagrad8bit(p, { lrDecay: 0.1 } as object),
      /unknown option 'lrDecay'/,
    ],
    ["a negative min8bitSize", (p: Parameter[]) => new BnbAdagrad8bit(p, { min8bitSize: -1 }), /invalid min8bitSize/],
  ] as const)("%s", (_label, make, message) => {
    const param = runtime.parameter(4);
    expect(() => make([param])).toThrow(message);
    param.dispose();
  });

  test("float64 parameters", () => {
    const param = runtime.parameter(new Float64Array(10));
    expect(() => new BnbLion8bit([param])).toThrow(/float32/);
    param.dispose();
  });
});
