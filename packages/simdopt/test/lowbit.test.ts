// Low-bit optimizer state (the `state` option of Adam and AdamW): the reference, the scalar binary
// and the SIMD binary agree bit for bit on parameters and stored state, the stored state is what
// its format says (bfloat16 rounded to nearest even; 8-bit and 4-bit codes nearest to s/absmax,
// FP8 codes nearest e4m3fn values of s/scale, blocks and float32 fallback as torchao's), and what
// is not supported is refused, changing nothing.
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { Adam, AdamW, BnbAdam8bit, BnbAdamW8bit, loadRuntime, type Rounding, type Runtime } from "../dist/index.js";
import { KERNEL_LAYOUTS } from "../dist/generated/kernels.js";
import { STATE_MAPS } from "../dist/generated/maps.js";
import { TensorTable } from "../dist/runtime/tensor-table.js";
import { SliceTables } from "../dist/threads/slices.js";
import { fromBfloat16, toBfloat16 } from "../dist/reference/bfloat16.js";
import { codeAt, codeOf, e4m3Code, E4M3FN_VALUES } from "../dist/reference/quantize.js";
import {
  firstDifference,
  gradientsFor,
  randomArray,
  stepsSeen,
  expectSameAsFirst,
  runtimesByRounding,
} from "./helpers.js";

type StateView = Float32Array | Uint16Array | Uint8Array;
type Internal = { rawStateView(param: unknown, name: string): StateView | undefined };

let runtimes: Record<Rounding, Runtime[]>;
beforeAll(async () => {
  runtimes = await runtimesByRounding();
});

const BF16_BUFFERS = ["expAvg", "expAvgSq", "maxExpAvgSq"];
const Q8_BUFFERS = ["expAvg", "expAvgSq", "expAvgCodes", "expAvgSqCodes", "expAvgAbsmax", "expAvgSqAbsmax"];

/** The class a family runs: Adam or AdamW (`decoupled`), or bitsandbytes' (`bnb`). */
function create(params: never[], decoupled: boolean, options: object, bnb = false) {
  if (bnb) return decoupled ? new BnbAdamW8bit(params, options) : new BnbAdam8bit(params, options);
  return decoupled ? new AdamW(params, options) : new Adam(params, options);
}

/** Steps tensors of `lengths` and returns every parameter and state buffer after each step. */
function run(
  runtime: Runtime,
  decoupled: boolean,
  options: object,
  lengths: readonly number[],
  steps: number,
  buffers: readonly string[],
  bnb = false,
): number[][] {
  return stepsSeen(runtime, (params) => create(params as never[], decoupled, options, bnb), lengths, steps, buffers);
}

function expectSame(
  rounding: Rounding,
  decoupled: boolean,
  options: object,
  lengths: number[],
  steps: number,
  buffers: string[],
  bnb = false,
) {
  const runs = runtimes[rounding].map((runtime) => run(runtime, decoupled, options, lengths, steps, buffers, bnb));
  expectSameAsFirst(
    runs,
    runtimes[rounding].map((runtime) => runtime.binary),
  );
  return runs[0];
}

describe("bfloat16 state: reference ≡ scalar ≡ SIMD", () => {
  const families = [
    { decoupled: false, options: { lr: 0.01, state: "bfloat16" } },
    { decoupled: false, options: { lr: 0.01, weightDecay: 0.1, amsgrad: true, state: "bfloat16" } },
    { decoupled: true, options: { lr: 0.01, betas: [0.8, 0.99], maximize: true, state: "bfloat16" } },
  ];
  test.each(families.flatMap((f) => (["separate", "fused"] as const).map((rounding) => ({ ...f, rounding }))))(
    "$rounding $options",
    ({ decoupled, options, rounding }) => {
      const seen = expectSame(rounding, decoupled, options, [0, 1, 3, 4, 5, 17, 1025], 6, BF16_BUFFERS);
      // The stored moments are bfloat16 words, and they moved.
      expect(seen.some((values) => values.some((x) => x !== 0))).toBe(true);
    },
  );
});

describe("8-bit state: reference ≡ scalar ≡ SIMD", () => {
  const families = [
    { decoupled: false, options: { lr: 0.01, state: "8bit" } },
    { decoupled: false, options: { lr: 0.01, weightDecay: 0.1, state: "8bit" } },
    { decoupled: true, options: { lr: 0.05, betas: [0.5, 0.6], blockSize: 512, state: "8bit" } },
    { decoupled: true, options: { lr: 0.01, maximize: true, blockSize: 4, state: "8bit" } },
  ];
  test.each(families.flatMap((f) => (["separate", "fused"] as const).map((rounding) => ({ ...f, rounding }))))(
    "$rounding $options",
    ({ decoupled, options, rounding }) => {
      // 4096 and 5120: whole blocks, 8-bit; 4100 and 37: float32 moments, as torchao keeps them.
      expectSame(rounding, decoupled, options, [4096, 4100, 37, 5120], 5, Q8_BUFFERS);
    },
  );
});

describe("4-bit and FP8 state (and any block size): reference ≡ scalar ≡ SIMD", () => {
  const families = [
    { decoupled: false, options: { lr: 0.01, state: "4bit" } },
    { decoupled: true, options: { lr: 0.05, betas: [0.5, 0.6], weightDecay: 0.5, blockSize: 256, state: "4bit" } },
    { decoupled: false, options: { lr: 0.01, weightDecay: 0.1, maximize: true, blockSize: 4, state: "4bit" } },
    { decoupled: false, options: { lr: 0.01, state: "fp8" } },
    { decoupled: true, options: { lr: 0.05, betas: [0.5, 0.6], weightDecay: 0.5, blockSize: 512, state: "fp8" } },
    { decoupled: false, options: { lr: 0.01, weightDecay: 0.1, maximize: true, blockSize: 4, state: "fp8" } },
    // Blocks that are not whole SIMD vectors step element by element: 4098 is 683 blocks of 6, 4100 410 of 10.
    { decoupled: true, options: { lr: 0.01, blockSize: 6, state: "4bit" } },
    { decoupled: false, options: { lr: 0.01, blockSize: 10, state: "fp8" } },
    { decoupled: false, options: { lr: 0.01, blockSize: 6, state: "8bit" } },
  ];
  test.each(families.flatMap((f) => (["separate", "fused"] as const).map((rounding) => ({ ...f, rounding }))))(
    "$rounding $options",
    ({ decoupled, options, rounding }) => {
      // 4096, 4224 (33 blocks of 128) and 5120: whole blocks where the block size divides them; 4100 and 37 float32.
      const seen = expectSame(rounding, decoupled, options, [4096, 4224, 4100, 37, 5120, 4098], 5, Q8_BUFFERS);
      expect(seen.some((values) => values.length === 2049)).toBe(options.state === "4bit" && options.blockSize === 6); // 4098 codes in bytes
    },
  );
});

describe("bitsandbytes' 8-bit Adam: reference ≡ scalar ≡ SIMD", () => {
  const families = [
    { decoupled: false, options: { lr: 0.01, min8bitSize: 1 } },
    { decoupled: true, options: { lr: 0.05, weightDecay: 0.5, betas: [0.5, 0.9], min8bitSize: 300 } },
  ];
  test.each(families.flatMap((f) => (["separate", "fused"] as const).map((rounding) => ({ ...f, rounding }))))(
    "$rounding $options",
    ({ decoupled, options, rounding }) => {
      // Partial last blocks of 1, 2, 4 and 37 elements, whole blocks, and (above min8bitSize 300) float32 tensors.
      const seen = expectSame(rounding, decoupled, options, [37, 256, 257, 258, 260, 5, 4100, 0], 5, Q8_BUFFERS, true);
      expect(seen.length).toBeGreaterThan(0);
    },
  );

  test("a block of zero gradients and zero state stores a maximum of 0 and the codes of 0", async () => {
    const runtime = await loadRuntime({ binary: "simd" });
    const param = runtime.parameter(new Float32Array(512).fill(1));
    const adam = new BnbAdam8bit([param], { min8bitSize: 1 });
    param.grad.fill(0.5, 0, 256); // block 0 moves, block 1 sees zeros
    adam.step();
    const view = (name: string) => (adam as unknown as Internal).rawStateView(param, name) as StateView;
    expect(Array.from(view("expAvgAbsmax"))).toEqual([Math.fround(Math.fround(1 - 0.9) * 0.5), 0]);
    expect(
      view("expAvgCodes")
        .subarray(256)
        .every((code) => code === 127),
    ).toBe(true); // signed map's 0
    expect(
      view("expAvgSqCodes")
        .subarray(256)
        .every((code) => code === 0),
    ).toBe(true); // unsigned map's 0
    adam.dispose();
    param.dispose();
  });
});

describe("the stored formats", () => {
  test("bfloat16 rounds to nearest, ties to even, every NaN to 0x7FC0", () => {
    expect(toBfloat16(1)).toBe(0x3f80);
    expect(toBfloat16(Math.fround(1 + 2 ** -8))).toBe(0x3f80); // a tie: down to the even 0x3F80
    expect(toBfloat16(Math.fround(1 + 3 * 2 ** -8))).toBe(0x3f82); // a tie: up to the even 0x3F82
    expect(toBfloat16(Math.fround(1 + 2 ** -8 + 2 ** -20))).toBe(0x3f81);
    expect(toBfloat16(Number.NaN)).toBe(0x7fc0);
    expect(toBfloat16(-0)).toBe(0x8000);
    expect(fromBfloat16(0xc040)).toBe(-3);
    expect(toBfloat16(3.4e38)).toBe(0x7f80); // above the largest bfloat16: +Inf
  });

  test("8-bit codes: the nearest map value, ties up, below the map's first value code 0", () => {
    const signed = Float32Array.from(STATE_MAPS.dynamic8_signed);
    const f = Math.fround;
    const words = new Float32Array(1);
    const bits = new Int32Array(words.buffer);
    /** The float32 next to x (x ≠ 0) toward −∞, and toward +∞. */
    const down = (x: number) => {
      words[0] = x;
      bits[0] += x > 0 ? -1 : 1;
      return words[0];
    };
    const up = (x: number) => {
      words[0] = x;
      bits[0] += x > 0 ? 1 : -1;
      return words[0];
    };
    for (let k = 0; k < 255; k++) {
      expect(codeOf(signed[k], signed)).toBe(k);
      const half = f(f(signed[k + 1] - signed[k]) * 0.5);
      // The lowest x the rule sends up (ties up), then the float32 just below it.
      let x = f(signed[k] + half);
      while (f(down(x) - signed[k]) >= half) x = down(x);
      while (f(x - signed[k]) < half) x = up(x);
      expect(codeOf(x, signed)).toBe(k + 1);
      expect(codeOf(down(x), signed)).toBe(k);
    }
    // bitsandbytes' rule: ties down, x clamped to [−1, 1].
    for (let k = 0; k < 255; k++) {
      const middle = Math.fround(Math.fround(signed[k] + signed[k + 1]) * 0.5);
      expect(codeOf(middle, signed, true)).toBe(k);
      expect(codeOf(up(middle), signed, true)).toBe(k + 1);
    }
    expect(codeOf(-1.5, signed, true)).toBe(0);
    expect(codeOf(1, signed)).toBe(255);
    expect(codeOf(-1, signed)).toBe(0);
    expect(signed[127]).toBe(0);
  });

  test("an 8-bit tensor's stored moments are its codes times its block maxima, the maxima those of |m| and |v|", async () => {
    const runtime = await loadRuntime({ binary: "simd" });
    const param = runtime.parameter(randomArray(4096, 5));
    const adam = new Adam([param], { lr: 0.01, state: "8bit" });
    const gradient = gradientsFor(4096, 0, 9);
    param.setGrad(gradient);
    adam.step();
    const view = (name: string) => (adam as unknown as Internal).rawStateView(param, name) as StateView;
    const codes = view("expAvgCodes");
    const absmax = view("expAvgAbsmax");
    expect(absmax.length).toBe(16);
    expect((adam as unknown as Internal).rawStateView(param, "expAvg")).toBeUndefined();
    // After one step from zero state m = (1 − β1)·g: each block's maximum is its largest |m|, and
    // each code the nearest to m / absmax.
    const signed = Float32Array.from(STATE_MAPS.dynamic8_signed);
    for (let b = 0; b < 16; b++) {
      const m = gradient.slice(256 * b, 256 * (b + 1)).map((g) => Math.fround(Math.fround(1 - 0.9) * Math.fround(g)));
      const largest = Math.max(...m.map(Math.abs));
      expect(absmax[b]).toBe(Math.fround(largest));
      m.forEach((value, i) => {
        const code = codes[256 * b + i];
        expect(Math.abs(code - codeOf(Math.fround(value / absmax[b]), signed))).toBeLessThanOrEqual(1);
      });
    }
    adam.dispose();
    param.dispose();
  });
});

describe("4-bit and FP8 formats", () => {
  test("4-bit codes: two per byte, element 2k in the high nibble; the nearest of torchao's 16 values, ties up", async () => {
    const runtime = await loadRuntime({ binary: "simd" });
    const param = runtime.parameter(randomArray(4096, 5));
    const adam = new Adam([param], { lr: 0.01, state: "4bit" });
    const gradient = gradientsFor(4096, 0, 9);
    param.setGrad(gradient);
    adam.step();
    const view = (name: string) => (adam as unknown as Internal).rawStateView(param, name) as StateView;
    const codes = view("expAvgCodes") as Uint8Array;
    const absmax = view("expAvgAbsmax");
    expect([codes.length, absmax.length]).toEqual([2048, 32]);
    const signed = Float32Array.from(STATE_MAPS.dynamic4_signed);
    for (let b = 0; b < 32; b++) {
      const m = gradient.slice(128 * b, 128 * (b + 1)).map((g) => Math.fround(Math.fround(1 - 0.9) * Math.fround(g)));
      expect(absmax[b]).toBe(Math.fround(Math.max(...m.map(Math.abs))));
      m.forEach((value, i) => {
        const k = 128 * b + i;
        const code = k % 2 === 0 ? codes[k >> 1] >> 4 : codes[k >> 1] & 15;
        expect(code).toBe(codeAt(codes, k, "blockwise4"));
        expect(code).toBe(codeOf(Math.fround(value / absmax[b]), signed));
      });
    }
    // Ties go up, as torchao's: halfway between 0 and 0.0055 is 0.0055's code.
    expect(codeOf(Math.fround(0.0055 / 2), signed)).toBe(8);
    expect(codeOf(-2, signed)).toBe(0);
    expect(codeOf(Math.fround(0.03), Float32Array.from(STATE_MAPS.linear4_unsigned))).toBe(0); // no zero: 1/16
    adam.dispose();
    param.dispose();
  });

  test("FP8 codes are torch's float8_e4m3fn conversion: nearest, ties to even, beyond 464 NaN", () => {
    expect(E4M3FN_VALUES[0x7e]).toBe(448);
    expect(E4M3FN_VALUES[1]).toBe(2 ** -9);
    expect(Number.isNaN(E4M3FN_VALUES[0x7f]) && Number.isNaN(E4M3FN_VALUES[0xff])).toBe(true);
    expect(e4m3Code(448)).toBe(0x7e);
    expect(e4m3Code(464)).toBe(0x7e); // a tie with 480, which e4m3fn lacks: to the even code
    expect(e4m3Code(464.0001)).toBe(0x7f);
    expect(e4m3Code(-0)).toBe(0x80);
    expect(e4m3Code(3 * 2 ** -10)).toBe(2); // a subnormal tie (between codes 1 and 2): even
    expect(e4m3Code(2 ** -10)).toBe(0); // halfway to the least subnormal: even, 0
    expect(e4m3Code(1.0625)).toBe(0x38); // 1 + 1/16 ties between 1 and 1.125: even (1)
    expect(e4m3Code(1.1875)).toBe(0x3a); // 1.1875 ties between 1.125 and 1.25: even (1.25)
    // Every value codes to itself (or its NaN), and the midpoints of neighbours go to the even one.
    for (let code = 0; code < 256; code++) {
      if ((code & 0x7f) === 0x7f) continue;
      expect(e4m3Code(E4M3FN_VALUES[code])).toBe(code);
      const next = code + 1;
      if ((code & 0x7f) < 0x7e) {
        const middle = (E4M3FN_VALUES[code] + E4M3FN_VALUES[next]) / 2;
        expect(e4m3Code(middle)).toBe(code % 2 === 0 ? code : next);
      }
    }
  });

  test("an FP8 tensor's scale is its block's largest |m| over 448, and m its code's value times it", async () => {
    const runtime = await loadRuntime({ binary: "simd" });
    const param = runtime.parameter(randomArray(4096, 5));
    const adam = new Adam([param], { lr: 0.01, state: "fp8" });
    const gradient = gradientsFor(4096, 0, 9);
    param.setGrad(gradient);
    adam.step();
    const view = (name: string) => (adam as unknown as Internal).rawStateView(param, name) as StateView;
    const [codes, scale] = [view("expAvgCodes"), view("expAvgAbsmax")];
    for (let b = 0; b < 16; b++) {
      const m = gradient.slice(256 * b, 256 * (b + 1)).map((g) => Math.fround(Math.fround(1 - 0.9) * Math.fround(g)));
      expect(scale[b]).toBe(Math.fround(Math.fround(Math.max(...m.map(Math.abs))) / 448));
      m.forEach((value, i) => expect(codes[256 * b + i]).toBe(e4m3Code(Math.fround(value / scale[b]))));
    }
    adam.dispose();
    param.dispose();
  });
});

describe("refusals", () => {
  test("an unknown storage, a group's own storage, float64 parameters, amsgrad with 8-bit, a bad block size", async () => {
    const runtime = await loadRuntime({ binary: "simd" });
    const param = runtime.parameter(randomArray(8, 1));
    const wide = runtime.parameter(new Float64Array(8));
    expect(() => new Adam([param], { state: "int4" as never })).toThrow(/option 'state' must be one of/);
    expect(() => new Adam([{ params: [param], state: "bfloat16" }], { state: "8bit" })).toThrow(
      /option 'state' is "8bit" for the whole optimizer/,
    );
    expect(() => new Adam([wide], { state: "bfloat16" })).toThrow(/float32 parameters only/);
    expect(() => new AdamW([param], { state: "8bit", amsgrad: true })).toThrow(/amsgrad/);
    expect(() => new Adam([param], { state: "4bit", amsgrad: true })).toThrow(
      /'amsgrad' is not supported with state "4bit"/,
    );
    expect(() => new Adam([param], { state: "4bit", blockSize: 129 })).toThrow(/blockSize: 129 \(4-bit codes/);
    expect(() => new Adam([param], { state: "8bit", blockSize: 0 })).toThrow(/blockSize/);
    expect(() => new Adam([param], { state: "fp8", blockSize: 2.5 })).toThrow(/blockSize/);
    const adam = new Adam([param], { state: "bfloat16" });
    expect(() => adam.setGroupOptions({ state: "float32" })).toThrow(/state/);
    expect(adam.paramGroups[0].state).toBe("bfloat16");
    // The checkpoint says how its tensors are stored (test/lowbit-checkpoint.test.ts).
    expect(adam.stateDict().paramGroups[0].state).toBe("bfloat16");
    adam.dispose();
    param.dispose();
    wide.dispose();
  });

  test("float32 state stays the default, on Adam's own kernel", async () => {
    const runtime = await loadRuntime({ binary: "simd" });
    const values = randomArray(33, 2);
    const [a, b] = [runtime.parameter(values), runtime.parameter(values)];
    const plain = new Adam([a], { lr: 0.01 });
    const explicit = new Adam([b], { lr: 0.01, state: "float32" });
    for (let step = 0; step < 3; step++) {
      a.setGrad(gradientsFor(33, step, 1));
      b.setGrad(gradientsFor(33, step, 1));
      plain.step();
      explicit.step();
    }
    expect(firstDifference(a.data, b.data)).toBe(-1);
    const dict = plain.stateDict();
    expect(dict.paramGroups[0].state).toBe("float32");
    // A checkpoint written before the storage options existed loads, as float32 state.
    const { state: _state, blockSize: _blockSize, ...older } = dict.paramGroups[0];
    explicit.loadStateDict({ ...dict, paramGroups: [older as (typeof dict.paramGroups)[0]] });
    expect(explicit.paramGroups[0].state).toBe("float32");
  });
});

/** What `compareWithFloat32` varies: bitsandbytes' test varies shapes; these add betas, decay and gradient scales. */
interface Comparison {
  rows: number;
  cols: number;
  steps: number;
  betas?: [number, number];
  weightDecay?: number;
  /** Gradients are N(0, 1)·gradScale. */
  gradScale?: number;
  seed?: number;
}

/**
 * bitsandbytes' `test_optim8bit_blockwise`: each step both optimizers start from the same
 * parameters and the same state (float32 Adam's re-synced to the 8-bit one's, dequantized), so
 * that one step's error is measured; after each step, fewer than 20 elements of each moment
 * differ from float32 Adam's beyond atol 3e-3 / rtol 1e-3, and the mean parameter error is under 6e-5.
 */
async function compareWithFloat32({
  rows,
  cols,
  steps,
  betas = [0.9, 0.999],
  weightDecay = 0,
  gradScale = 0.1,
  seed = 0,
}: Comparison): Promise<void> {
  const runtime = await loadRuntime({ binary: "simd" });
  const n = rows * cols;
  const init = randomArray(n, rows + cols + seed).map((x) => 0.1 * x);
  const [p32, p8] = [runtime.parameter(init), runtime.parameter(init)];
  const options = { lr: 1e-3, betas, weightDecay };
  const float32 = new AdamW([p32], options);
  const eightBit = new AdamW([p8], { ...options, state: "8bit" });
  const view = (optimizer: unknown, param: unknown, name: string) =>
    (optimizer as Internal).rawStateView(param, name) as StateView;
  const signed = Float32Array.from(STATE_MAPS.dynamic8_signed);
  const unsigned = Float32Array.from(STATE_MAPS.dynamic8_unsigned);
  const dequantized = (codes: StateView, absmax: StateView, map: Float32Array) =>
    Float32Array.from(codes, (code, i) => Math.fround(map[code] * absmax[Math.floor(i / 256)]));
  const close = (a: number, b: number) => Math.abs(a - b) <= 3e-3 + 1e-3 * Math.abs(b);
  try {
    for (let step = 0; step < steps; step++) {
      const gradient = randomArray(n, 1000 + step + seed).map((x) => gradScale * x);
      p32.setGrad(gradient);
      p8.setGrad(gradient);
      float32.step();
      eightBit.step();
      const m = dequantized(view(eightBit, p8, "expAvgCodes"), view(eightBit, p8, "expAvgAbsmax"), signed);
      const v = dequantized(view(eightBit, p8, "expAvgSqCodes"), view(eightBit, p8, "expAvgSqAbsmax"), unsigned);
      const [m32, v32] = [view(float32, p32, "expAvg"), view(float32, p32, "expAvgSq")];
      expect(m.filter((x, i) => !close(x, m32[i])).length).toBeLessThan(20);
      expect(v.filter((x, i) => !close(x, v32[i])).length).toBeLessThan(20);
      let error = 0;
      for (let i = 0; i < n; i++) error += Math.abs(p8.data[i] - p32.data[i]);
      expect(error / n).toBeLessThan(6e-5);
      // Re-sync: float32 Adam continues from the 8-bit one's parameters and state.
      p32.data.set(p8.data);
      m32.set(m);
      v32.set(v);
    }
  } finally {
    float32.dispose();
    eightBit.dispose();
    p32.dispose();
    p8.dispose();
  }
}

describe("8-bit Adam against float32 Adam, as bitsandbytes' test_optim8bit_blockwise checks it", () => {
  // Shapes of one to several blocks and 50 random gradients each.
  test.each([
    [32, 128],
    [64, 512],
    [4096, 3],
  ])(
    "[%d, %d]: fewer than 20 state mismatches per tensor at atol 3e-3, rtol 1e-3; mean parameter error under 6e-5",
    async (rows, cols) => {
      await compareWithFloat32({ rows, cols, steps: 50 });
    },
  );

  test("the same over random shapes, betas, weight decay, gradient scales and step counts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rows: fc.integer({ min: 1, max: 64 }),
          blocks: fc.integer({ min: 16, max: 40 }),
          steps: fc.integer({ min: 1, max: 12 }),
          beta1: fc.constantFrom(0.5, 0.8, 0.9, 0.95),
          beta2: fc.constantFrom(0.95, 0.99, 0.999, 0.9999),
          weightDecay: fc.constantFrom(0, 1e-2, 0.1),
          // bitsandbytes' scales (its tolerance is absolute: larger moments have larger code steps).
          gradScale: fc.constantFrom(1e-4, 1e-3, 1e-2, 0.1),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        // A shape of rows × cols with rows·cols whole 8-bit blocks, at least 4096 elements.
        async ({ rows, blocks, beta1, beta2, ...rest }) => {
          const n = 256 * blocks;
          const r = n % rows === 0 ? rows : 1;
          await compareWithFloat32({ ...rest, rows: r, cols: n / r, betas: [beta1, beta2] });
        },
      ),
      { numRuns: 12, seed: 8 },
    );
  });
});

describe("training options with low-bit state", () => {
  test.each(["bfloat16", "8bit", "4bit", "fp8"] as const)(
    "%s: a non-finite gradient skips the step (nothing changes); clipping equals the pre-scaled gradient",
    async (state) => {
      const runtime = await loadRuntime({ binary: "simd" });
      const values = randomArray(4096, 8);
      const [a, b] = [runtime.parameter(values), runtime.parameter(values)];
      const clipped = new Adam([a], { lr: 0.01, state, nonFinite: "skip", maxGradNorm: 1 });
      const scaled = new Adam([b], { lr: 0.01, state });
      const gradient = gradientsFor(4096, 0, 4);
      const norm = Math.hypot(...gradient.map(Math.fround));
      a.setGrad(gradient);
      b.setGrad(gradient.map((g) => Math.fround(g) * (1 / (norm + 1e-6))));
      clipped.step();
      scaled.step();
      // The clipping factor rides on the gradient scale: the same moments as gradients scaled first, within an ulp of them.
      for (let i = 0; i < 4096; i++) expect(Math.abs(a.data[i] - b.data[i])).toBeLessThan(1e-6);
      const view = (name: string) => Array.from((clipped as unknown as Internal).rawStateView(a, name) as StateView);
      const names =
        state === "bfloat16"
          ? ["expAvg", "expAvgSq"]
          : ["expAvgCodes", "expAvgSqCodes", "expAvgAbsmax", "expAvgSqAbsmax"];
      const before = names.map(view);
      const parameters = Array.from(a.data);
      a.grad[7] = Number.NaN;
      expect(clipped.step().applied).toBe(false);
      expect(names.map(view)).toEqual(before);
      expect(Array.from(a.data)).toEqual(parameters);
      for (const o of [clipped, scaled]) o.dispose();
      a.dispose();
      b.dispose();
    },
  );
});

describe("threads with low-bit state", () => {
  // threadMinElements 0: every step is split between the threads, inside tensors at their 8-bit
  // blocks (the 65536-element tensor is cut near its middle) or at 64-byte lines of element-wise
  // state, and computes what one thread computes.
  test.each([
    ["bfloat16", false, "default"],
    ["8bit", false, "default"],
    ["8bit", true, "default"],
    ["4bit", false, "default"],
    ["fp8", false, "default"],
    ["4bit", false, 6],
    ["8bit", false, 6],
  ] as const)("%s (bitsandbytes: %s, blockSize %s): two threads ≡ one", async (state, bnb, size) => {
    const blockSize = typeof size === "number" ? size : undefined;
    const threaded = await loadRuntime({ threads: 2, threadMinElements: 0 });
    expect(await threaded.startThreads()).toBe(2);
    const single = await loadRuntime({ binary: "simd", threads: 1 });
    const options = bnb ? { lr: 0.01, min8bitSize: 300 } : { lr: 0.01, state, ...(blockSize ? { blockSize } : {}) };
    // 65538 and 4098: whole blocks of 6.
    const lengths = blockSize ? [4098, 37, 65538, 4100] : [4096, 37, 65536, 4100, 300, 5];
    const buffers = state === "bfloat16" ? BF16_BUFFERS : Q8_BUFFERS;
    const [one, two] = [single, threaded].map((runtime) => run(runtime, true, options, lengths, 4, buffers, bnb));
    const pool = (threaded as unknown as { threadPool: { splitCalls: number } }).threadPool;
    expect(pool.splitCalls).toBeGreaterThan(0); // the steps were shared out
    two.forEach((values, k) => expect(firstDifference(values, one[k]), `array ${k}`).toBe(-1));
    threaded.close();
  });
});

describe("8-bit state's workspace", () => {
  test("one area for a table's tensors with blocks, none for the others, one of its own per slice of threads", async () => {
    const runtime = await loadRuntime({ binary: "simd" });
    const lengths = [4096, 37, 65536, 300];
    const blocks = [256, null, 256, null];
    const params = lengths.map((n) => runtime.parameter(n));
    // expAvg, expAvgSq, expAvgCodes, expAvgSqCodes, expAvgAbsmax, expAvgSqAbsmax of each tensor.
    const buffers = lengths.map((n, t) =>
      blocks[t] === null ? [n, n, null, null, null, null] : [null, null, n, n, n / 256, n / 256],
    );
    const table = new TensorTable(runtime as never, "adam8bit", "float32", params as never, buffers, blocks);
    const layout = KERNEL_LAYOUTS.adam8bit;
    const stride = layout.tableStride / 4;
    const areasOf = (address: number, count: number) => {
      const words = new Uint32Array(runtime.memory.buffer, address, count * stride);
      return Array.from({ length: count }, (_, k) => words[k * stride + layout.workspace.word]);
    };
    const [first, none, second, alsoNone] = areasOf(table.address, table.count);
    expect(first).not.toBe(0);
    expect([none, alsoNone]).toEqual([0, 0]);
    expect(second).toBe(first);
    expect(first % 64).toBe(0);
    // Three slices cut the 65536-element tensor: each slice's tensors with blocks share one area, its own.
    const slices = new SliceTables(runtime as never, "adam8bit", table, 3, 1);
    const phase = slices.phases[0];
    const perSlice = phase.addresses.map(
      (address, p) => new Set(areasOf(address, phase.counts[p]).filter((a) => a !== 0)),
    );
    expect(perSlice.map((areas) => areas.size)).toEqual([1, 1, 1]);
    const areas = perSlice.map((areas) => [...areas][0]).sort((a, b) => a - b);
    expect(areas).not.toContain(first);
    // At least m's and v's 256 float32 each apart.
    for (let k = 1; k < areas.length; k++) expect(areas[k] - areas[k - 1]).toBeGreaterThanOrEqual(2 * 256 * 4);
    slices.dispose();
    table.dispose();
    for (const param of params) param.dispose();
  });
});
