// Checkpoints of low-bit optimizer state: bfloat16 moments under torch's slots, 8-bit, 4-bit and
// FP8 ones under bitsandbytes' (state1/2 codes, absmax1/2, qmap1/2), small tensors under torch's float32 slots;
// a round trip through JSON or safetensors continues bit for bit; a checkpoint of one storage
// loads into another converted, with the documented error; damaged input is refused by name and
// changes nothing.
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  Adam4bit,
  Adam8bit,
  AdamW,
  AdamW8bit,
  AdamWFp8,
  BnbAdam8bit,
  BnbAdamW8bit,
  loadRuntime,
  loadSafetensors,
  saveSafetensors,
  toTorchStateDict,
  type Parameter,
  type Runtime,
} from "../dist/index.js";
import { STATE_MAPS } from "../dist/generated/maps.js";
import { fromBfloat16, toBfloat16 } from "../dist/reference/bfloat16.js";
import { codeAt, codeOf, E4M3FN_VALUES } from "../dist/reference/quantize.js";
import { firstDifference, gradientsFor, randomArray } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

type Optimizer = Adam | BnbAdam8bit;
type Json = any;

const SIGNED = STATE_MAPS.dynamic8_signed;
const UNSIGNED = STATE_MAPS.dynamic8_unsigned;
/** Parameter names: `__proto__` keys a checkpoint like any other name. */
const NAMES = ["encoder.weight", "__proto__"];
/** The small tensor's name. */
const SMALL = NAMES[1];

interface Flavour {
  label: string;
  make(params: Parameter[]): Optimizer;
  /** Elements of the two parameters: one 8-bit (or bfloat16), one small (float32 under 8-bit storage). */
  lengths: [number, number];
  /** The slots of each parameter's entry after a step. */
  slots: [string[], string[]];
  /** Elements per block of 8-bit state. */
  blockSize?: number;
  /** The maps of state1 and state2, where not bitsandbytes' 8-bit ones, and the bytes of n codes. */
  maps?: [ArrayLike<number>, ArrayLike<number>];
  codeBytes?: (n: number) => number;
}

const Q8 = ["absmax1", "absmax2", "qmap1", "qmap2", "state1", "state2", "step"];
const F32 = ["exp_avg", "exp_avg_sq", "step"];
const FLAVOURS: Flavour[] = [
  {
    label: "Adam, bfloat16",
    make: (p) => new Adam(p, { lr: 0.01, state: "bfloat16" }),
    lengths: [1000, 37],
    slots: [F32, F32],
  },
  {
    label: "AdamW, bfloat16, amsgrad",
    make: (p) => new AdamW(p, { lr: 0.01, state: "bfloat16", amsgrad: true }),
    lengths: [1000, 37],
    slots: [
      ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"],
      ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"],
    ],
  },
  { label: "Adam8bit (torchao)", make: (p) => new Adam8bit(p, { lr: 0.01 }), lengths: [4096, 300], slots: [Q8, F32] },
  {
    label: "AdamW8bit, blockSize 512",
    make: (p) => new AdamW8bit(p, { lr: 0.01, blockSize: 512 }),
    lengths: [8192, 300],
    slots: [Q8, F32],
    blockSize: 512,
  },
  {
    label: "BnbAdam8bit (a partial last block)",
    make: (p) => new BnbAdam8bit(p, { lr: 0.01 }),
    lengths: [4100, 300],
    slots: [Q8, F32],
  },
  {
    label: "BnbAdamW8bit, min8bitSize 100",
    make: (p) => new BnbAdamW8bit(p, { lr: 0.01, min8bitSize: 100 }),
    lengths: [4100, 300],
    slots: [Q8, Q8],
  },
  {
    label: "Adam4bit (torchao)",
    make: (p) => new Adam4bit(p, { lr: 0.01 }),
    lengths: [4096, 300],
    slots: [Q8, F32],
    blockSize: 128,
    maps: [STATE_MAPS.dynamic4_signed, STATE_MAPS.linear4_unsigned],
    codeBytes: (n) => n / 2,
  },
  {
    label: "AdamWFp8 (torchao)",
    make: (p) => new AdamWFp8(p, { lr: 0.01 }),
    lengths: [4096, 300],
    slots: [Q8, F32],
    maps: [E4M3FN_VALUES, E4M3FN_VALUES],
  },
];

function parameters(lengths: readonly number[], values?: readonly ArrayLike<number>[]): Parameter[] {
  return lengths.map((n, k) => runtime.parameter(values?.[k] ?? randomArray(n, 11 + k), { name: NAMES[k] }));
}

function steps(optimizer: Optimizer, params: Parameter[], from: number, to: number): void {
  for (let step = from; step < to; step++) {
    params.forEach((p, k) => p.setGrad(gradientsFor(p.length, step, 5 + k)));
    optimizer.step();
  }
}

function dispose(optimizer: Optimizer, params: Parameter[]): void {
  optimizer.dispose();
  for (const p of params) p.dispose();
}

/** A flavour trained for 6 steps, with a copy of its parameters then. */
function trained(flavour: Flavour) {
  const params = parameters(flavour.lengths);
  const optimizer = flavour.make(params);
  steps(optimizer, params, 0, 6);
  return { params, optimizer, values: params.map((p) => p.toArray()) };
}

describe.each(FLAVOURS)("$label", (flavour) => {
  for (const via of ["JSON", "safetensors"] as const) {
    test(`save through ${via}, load into a fresh optimizer, continue bit for bit`, () => {
      const original = trained(flavour);
      const saved =
        via === "JSON"
          ? JSON.parse(JSON.stringify(original.optimizer.stateDict()))
          : saveSafetensors<object>(original.optimizer);
      steps(original.optimizer, original.params, 6, 12);

      const params = parameters(flavour.lengths, original.values);
      const restored = flavour.make(params);
      if (via === "JSON") restored.loadStateDict(saved);
      else loadSafetensors<object>(restored, saved as Uint8Array);
      expect(restored.stepCount()).toBe(6);
      steps(restored, params, 6, 12);
      params.forEach((p, k) => expect(firstDifference(p.data, original.params[k].data)).toBe(-1));
      // Every stored code, maximum and bfloat16 word as the original's.
      expect(JSON.stringify(restored.stateDict())).toBe(JSON.stringify(original.optimizer.stateDict()));
      dispose(restored, params);
      dispose(original.optimizer, original.params);
    });
  }

  test("the slots are the references': bitsandbytes' for 8-bit tensors, torch's for the rest", () => {
    const { optimizer, params } = trained(flavour);
    const dict = optimizer.stateDict() as Json;
    NAMES.forEach((name, k) => {
      const entry = dict.state[name];
      expect(Object.keys(entry).sort()).toEqual(flavour.slots[k]);
      const n = flavour.lengths[k];
      if (entry.state1 !== undefined) {
        const blockSize = flavour.blockSize ?? 256;
        expect(entry.state1.dtype).toBe("uint8");
        expect(entry.state1.data).toHaveLength(flavour.codeBytes?.(n) ?? n);
        expect(entry.state1.data.every((c: number) => Number.isInteger(c) && c >= 0 && c <= 255)).toBe(true);
        expect(entry.absmax1).toEqual({ dtype: "float32", data: expect.any(Array) });
        expect(entry.absmax2.data).toHaveLength(Math.ceil(n / blockSize));
        // FP8's map has NaN and −0, written as JSON strings.
        const [signed, unsigned] = flavour.maps ?? [SIGNED, UNSIGNED];
        expect(entry.qmap1.data.map(Number)).toEqual(Array.from(signed));
        expect(entry.qmap2.data.map(Number)).toEqual(Array.from(unsigned));
      } else {
        const bf16 = optimizer.paramGroups[0].options as { state?: string };
        const dtype = bf16.state === "bfloat16" ? "bfloat16" : "float32";
        expect(entry.exp_avg.dtype).toBe(dtype);
        expect(entry.exp_avg.data).toHaveLength(n);
        const exact = (x: number) => fromBfloat16(toBfloat16(x)) === x;
        if (dtype === "bfloat16") expect(entry.exp_avg_sq.data.every(exact)).toBe(true);
      }
    });
    // The same tensors in a safetensors file: codes U8, bfloat16 BF16, the rest F32.
    const bytes = saveSafetensors<object>(optimizer);
    const header = headerOf(bytes);
    NAMES.forEach((name, k) => {
      for (const slot of flavour.slots[k].filter((s) => s !== "step")) {
        const tensor = header[`state.${name}.${slot}`];
        const dtype = slot.startsWith("state") ? "U8" : dict.state[name][slot].dtype === "bfloat16" ? "BF16" : "F32";
        expect(tensor.dtype, `${name}.${slot}`).toBe(dtype);
        expect(tensor.shape).toEqual([dict.state[name][slot].data.length]);
      }
    });
    dispose(optimizer, params);
  });
});

/** The header of a safetensors file. */
function headerOf(bytes: Uint8Array): Record<string, any> {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
}

/** A safetensors file with its header changed by `edit` (the data and metadata kept, so the checksum holds). */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, any>) => void): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = headerOf(bytes);
  edit(header);
  let text = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(text.length / 8) * 8).fill(0x20);
  padded.set(text);
  text = padded;
  const file = new Uint8Array(8 + text.length + bytes.length - 8 - length);
  new DataView(file.buffer).setBigUint64(0, BigInt(text.length), true);
  file.set(text, 8);
  file.set(bytes.subarray(8 + length), 8 + text.length);
  return file;
}

test("on a shared memory stepped by threads, a round trip continues bit for bit too", async () => {
  const threaded = await loadRuntime({ threads: 2, threadMinElements: 0 });
  await threaded.startThreads();
  try {
    for (const flavour of [FLAVOURS[2], FLAVOURS[4], FLAVOURS[6]]) {
      const make = (values?: readonly ArrayLike<number>[]) =>
        flavour.lengths.map((n, k) => threaded.parameter(values?.[k] ?? randomArray(n, 11 + k), { name: NAMES[k] }));
      const params = make();
      const original = flavour.make(params);
      steps(original, params, 0, 4);
      const saved = JSON.parse(JSON.stringify(original.stateDict()));
      const restoredParams = make(params.map((p) => p.toArray()));
      steps(original, params, 4, 8);
      const restored = flavour.make(restoredParams);
      restored.loadStateDict(saved);
      steps(restored, restoredParams, 4, 8);
      restoredParams.forEach((p, k) => expect(firstDifference(p.data, params[k].data)).toBe(-1));
      expect(JSON.stringify(restored.stateDict())).toBe(JSON.stringify(original.stateDict()));
      dispose(restored, restoredParams);
      dispose(original, params);
    }
  } finally {
    threaded.close();
  }
});

describe("conversion on load", () => {
  /** Float32 Adam trained for 6 steps over an 8-bit-sized tensor and a small one. */
  function float32Adam(options: object = {}) {
    const params = parameters([4096, 300]);
    const optimizer = new Adam(params, { lr: 0.01, ...options });
    steps(optimizer, params, 0, 6);
    return { params, optimizer, values: params.map((p) => p.toArray()) };
  }

  test("float32 into 8-bit: each block's maximum as a step computes it, each code the nearest (ties up)", () => {
    const source = float32Adam();
    const dict = source.optimizer.stateDict() as Json;
    const params = parameters([4096, 300], source.values);
    const target = new Adam8bit(params, { lr: 0.01 });
    target.loadStateDict(dict);
    const loaded = target.stateDict() as Json;
    for (const [slot, codes, absmax, map] of [
      ["exp_avg", "state1", "absmax1", SIGNED],
      ["exp_avg_sq", "state2", "absmax2", UNSIGNED],
    ] as const) {
      const moment: number[] = dict.state["encoder.weight"][slot].data;
      const entry = loaded.state["encoder.weight"];
      for (let b = 0; b < 16; b++) {
        const block = moment.slice(256 * b, 256 * (b + 1));
        const largest = Math.max(Math.fround(1e-12), ...block.map(Math.abs));
        expect(entry[absmax].data[b]).toBe(largest);
        block.forEach((m, j) => {
          const code = entry[codes].data[256 * b + j];
          expect(code).toBe(codeOf(Math.fround(m / largest), map));
          // The documented error: at most half the gap to the neighbouring map value, times the block's maximum.
          const gap = Math.max(map[Math.min(code + 1, 255)] - map[code], map[code] - map[Math.max(code - 1, 0)]);
          expect(Math.abs(Math.fround(map[code] * largest) - m)).toBeLessThanOrEqual((gap / 2) * largest * (1 + 1e-4));
        });
      }
    }
    // The small tensor keeps float32 moments, copied as they are.
    expect(loaded.state[SMALL].exp_avg).toEqual(dict.state[SMALL].exp_avg);
    expect(target.paramGroups[0].state).toBe("8bit");
    expect(target.stepCount()).toBe(6);
    // And it trains on from there.
    steps(target, params, 6, 8);
    expect(target.stepCount()).toBe(8);
    dispose(target, params);
    dispose(source.optimizer, source.params);
  });

  test("float32 into 8-bit and back, any moments: blocks of zeros, of tiny and of large values (property)", () => {
    const params = parameters([4096, 300]);
    const eight = new Adam8bit(params, { lr: 0.01 });
    const dense = new Adam(params, { lr: 0.01 });
    steps(dense, params, 0, 1);
    const template = dense.stateDict() as Json;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 1e-30, 1e-8, 1e-3, 1, 1e3), { minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 1000 }),
        (scales, seed) => {
          const noise = randomArray(4096, seed);
          const m = noise.map((x, i) => Math.fround(x * scales[Math.floor(i / 256)]));
          const v = m.map((x, i) => Math.fround(Math.abs(x) * (1 + (i % 3))));
          const dict = JSON.parse(JSON.stringify(template));
          dict.state["encoder.weight"].exp_avg.data = m;
          dict.state["encoder.weight"].exp_avg_sq.data = v;
          eight.loadStateDict(dict);
          const entry = (eight.stateDict() as Json).state["encoder.weight"];
          for (const [moment, codes, absmax, map] of [
            [m, entry.state1.data, entry.absmax1.data, SIGNED],
            [v, entry.state2.data, entry.absmax2.data, UNSIGNED],
          ] as [number[], number[], number[], readonly number[]][]) {
            for (let b = 0; b < 16; b++) {
              const block = moment.slice(256 * b, 256 * (b + 1));
              const largest = Math.max(Math.fround(1e-12), ...block.map(Math.abs));
              expect(absmax[b]).toBe(largest);
              const beyond = block.findIndex((x, j) => {
                const c = codes[256 * b + j];
                const gap = Math.max(map[Math.min(c + 1, 255)] - map[c], map[c] - map[Math.max(c - 1, 0)]);
                return Math.abs(Math.fround(map[c] * largest) - x) > (gap / 2) * largest * (1 + 1e-4);
              });
              expect(beyond, `element ${256 * b + beyond} beyond half a map gap`).toBe(-1);
            }
          }
          // And back into float32: exactly the values the codes stand for.
          dense.loadStateDict(eight.stateDict());
          const back = dense.state(params[0]).expAvg as Float32Array;
          const exact = entry.state1.data.map((c: number, i: number) =>
            Math.fround(SIGNED[c] * entry.absmax1.data[i >> 8]),
          );
          expect(firstDifference(back, exact)).toBe(-1);
        },
      ),
      { numRuns: 12 },
    );
    eight.dispose();
    dispose(dense, params);
  });

  test("8-bit into float32: each moment dequantized exactly, map[code]·absmax in float32", () => {
    const source = trained(FLAVOURS[2]);
    const dict = source.optimizer.stateDict() as Json;
    const params = parameters([4096, 300], source.values);
    const target = new Adam(params, { lr: 0.01 });
    target.loadStateDict(JSON.parse(JSON.stringify(dict)));
    const entry = dict.state["encoder.weight"];
    const state = target.state(params[0]);
    const dequantized = (codes: number[], absmax: number[], map: readonly number[]) =>
      codes.map((code, i) => Math.fround(map[code] * absmax[Math.floor(i / 256)]));
    expect(Array.from(state.expAvg as Float32Array)).toEqual(
      dequantized(entry.state1.data, entry.absmax1.data, SIGNED),
    );
    expect(Array.from(state.expAvgSq as Float32Array)).toEqual(
      dequantized(entry.state2.data, entry.absmax2.data, UNSIGNED),
    );
    expect(Array.from(target.state(params[1]).expAvg as Float32Array)).toEqual(dict.state[SMALL].exp_avg.data);
    expect(target.paramGroups[0].state).toBe("float32");
    dispose(target, params);
    dispose(source.optimizer, source.params);
  });

  test("bfloat16 into float32 is exact; float32 into bfloat16 rounds to nearest even (2^-8 relative)", () => {
    const half = trained(FLAVOURS[1]);
    const halfDict = half.optimizer.stateDict() as Json;
    const params = parameters([1000, 37], half.values);
    const wide = new AdamW(params, { lr: 0.01, amsgrad: true });
    wide.loadStateDict(halfDict);
    for (const [slot, name] of [
      ["exp_avg", "expAvg"],
      ["max_exp_avg_sq", "maxExpAvgSq"],
    ]) {
      expect(Array.from(wide.state(params[0])[name] as Float32Array)).toEqual(
        halfDict.state["encoder.weight"][slot].data,
      );
    }
    // Back: the float32 moments (a few steps on) rounded to bfloat16.
    steps(wide, params, 6, 9);
    const wideDict = wide.stateDict() as Json;
    const params2 = parameters(
      [1000, 37],
      params.map((p) => p.toArray()),
    );
    const narrow = new AdamW(params2, { lr: 0.01, amsgrad: true, state: "bfloat16" });
    narrow.loadStateDict(wideDict);
    const m: number[] = wideDict.state["encoder.weight"].exp_avg.data;
    const words = narrow.state(params2[0]).expAvg as Uint16Array;
    expect(words).toBeInstanceOf(Uint16Array);
    m.forEach((x, i) => {
      expect(words[i]).toBe(toBfloat16(x));
      expect(Math.abs(fromBfloat16(words[i]) - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8);
    });
    dispose(narrow, params2);
    dispose(wide, params);
    dispose(half.optimizer, half.params);
  });

  test("8-bit with another block size is requantized with the optimizer's; bfloat16 into 8-bit through float32", () => {
    const source = trained(FLAVOURS[3]); // blockSize 512
    const params = parameters([8192, 300], source.values);
    const target = new AdamW8bit(params, { lr: 0.01 }); // blockSize 256
    target.loadStateDict(source.optimizer.stateDict());
    const entry = (target.stateDict() as Json).state["encoder.weight"];
    expect(entry.absmax1.data).toHaveLength(32);
    expect(target.paramGroups[0].blockSize).toBe(256);
    // Each value within half a map gap (times its block's maximum) of the 512-block value.
    const from = (source.optimizer.stateDict() as Json).state["encoder.weight"];
    entry.state1.data.forEach((code: number, i: number) => {
      const before = Math.fround(SIGNED[from.state1.data[i]] * from.absmax1.data[Math.floor(i / 512)]);
      const after = Math.fround(SIGNED[code] * entry.absmax1.data[Math.floor(i / 256)]);
      expect(Math.abs(after - before)).toBeLessThanOrEqual(0.0071 * entry.absmax1.data[Math.floor(i / 256)]);
    });
    dispose(target, params);

    const half = trained(FLAVOURS[0]);
    const params2 = parameters([1000, 37], half.values);
    // 1000 elements: float32 moments under 8-bit storage, widened exactly from bfloat16.
    const eight = new Adam8bit(params2, { lr: 0.01 });
    eight.loadStateDict(half.optimizer.stateDict());
    const halfEntry = (half.optimizer.stateDict() as Json).state["encoder.weight"];
    expect((eight.stateDict() as Json).state["encoder.weight"].exp_avg).toEqual({
      dtype: "float32",
      data: halfEntry.exp_avg.data,
    });
    dispose(eight, params2);
    dispose(half.optimizer, half.params);
    dispose(source.optimizer, source.params);
  });

  test.each([
    ["4bit", "blockwise4", 128],
    ["fp8", "fp8e4m3fn", 256],
  ] as const)(
    "float32 into %s and back: each moment its block's code times its scale, exactly",
    (state, format, block) => {
      const source = float32Adam();
      const params = parameters([4096, 300], source.values);
      const target = new Adam(params, { lr: 0.01, state });
      target.loadStateDict(source.optimizer.stateDict());
      const entry = (target.stateDict() as Json).state["encoder.weight"];
      expect(entry.absmax1.data).toHaveLength(4096 / block);
      const codes = Uint8Array.from(entry.state1.data);
      const map = format === "fp8e4m3fn" ? E4M3FN_VALUES : STATE_MAPS.dynamic4_signed;
      const stored = Array.from({ length: 4096 }, (_, i) =>
        Math.fround(map[codeAt(codes, i, format)] * entry.absmax1.data[Math.floor(i / block)]),
      );
      // Back into float32: the stored values, widened exactly.
      const backParams = parameters([4096, 300], source.values);
      const back = new Adam(backParams, { lr: 0.01 });
      back.loadStateDict(target.stateDict());
      expect((back.stateDict() as Json).state["encoder.weight"].exp_avg.data).toEqual(stored);
      // Each within its block's coarsest gap of the float32 moment it came from (4-bit: half of 0.225 of the scale, and a rounding).
      const original = (source.optimizer.stateDict() as Json).state["encoder.weight"].exp_avg.data as number[];
      original.forEach((m, i) => {
        const scale = entry.absmax1.data[Math.floor(i / block)];
        expect(Math.abs(stored[i] - m)).toBeLessThanOrEqual(format === "fp8e4m3fn" ? 16 * scale : 0.1126 * scale);
      });
      dispose(back, backParams);
      dispose(target, params);
      dispose(source.optimizer, source.params);
    },
  );

  test("a safetensors file of one storage loads into another", () => {
    const source = trained(FLAVOURS[2]);
    const bytes = saveSafetensors<object>(source.optimizer);
    const viaJson = parameters([4096, 300], source.values);
    const viaFile = parameters([4096, 300], source.values);
    const [a, b] = [new Adam(viaJson, { lr: 0.01 }), new Adam(viaFile, { lr: 0.01 })];
    a.loadStateDict(source.optimizer.stateDict());
    loadSafetensors<object>(b, bytes);
    expect(JSON.stringify(b.stateDict())).toBe(JSON.stringify(a.stateDict()));
    dispose(a, viaJson);
    dispose(b, viaFile);
    dispose(source.optimizer, source.params);
  });
});

describe("refusals name what is wrong and change nothing", () => {
  /** Loads each changed copy of a checkpoint of `flavour` and expects `message`; the optimizer's state stays as it was. */
  function refuses(flavour: Flavour, change: (dict: Json) => void, message: string | RegExp, into?: Flavour) {
    const source = trained(flavour);
    const dict = JSON.parse(JSON.stringify(source.optimizer.stateDict()));
    change(dict);
    const target = trained(into ?? flavour);
    const before = JSON.stringify(target.optimizer.stateDict());
    expect(() => target.optimizer.loadStateDict(dict)).toThrow(message);
    expect(JSON.stringify(target.optimizer.stateDict())).toBe(before);
    dispose(target.optimizer, target.params);
    dispose(source.optimizer, source.params);
  }
  const torchao = FLAVOURS[2];
  const bnb = FLAVOURS[4];
  const bf16 = FLAVOURS[0];
  const at = "Adam: cannot load state: state['encoder.weight']";

  test("a map other than the optimizer's", () => {
    refuses(
      torchao,
      (d) => (d.state["encoder.weight"].qmap1.data[5] = 0.5),
      `${at}.qmap1[5] is 0.5, but state1's codes index bitsandbytes' dynamic8_signed map, which has ${SIGNED[5]} there`,
    );
    refuses(
      bnb,
      (d) => (d.state["encoder.weight"].qmap2.data = SIGNED),
      /state\['encoder.weight'\]\.qmap2\[0\] is -0\.99.*dynamic8_unsigned map, which has 0 there/,
    );
    refuses(torchao, (d) => d.state["encoder.weight"].qmap1.data.pop(), `${at}.qmap1 has 255 values, expected 256`);
  });

  test("a wrong count of codes or of maxima, a missing slot", () => {
    refuses(torchao, (d) => d.state["encoder.weight"].state1.data.pop(), `${at}.state1 has 4095 values, expected 4096`);
    refuses(bnb, (d) => d.state["encoder.weight"].absmax2.data.pop(), /absmax2 has 16 values, expected 17/);
    refuses(torchao, (d) => delete d.state["encoder.weight"].absmax1, `${at} has no 'absmax1'`);
  });

  test("non-finite or negative maxima, codes that are not codes", () => {
    refuses(
      torchao,
      (d) => (d.state["encoder.weight"].absmax1.data[3] = "NaN"),
      `${at}.absmax1[3] is NaN (load with { allowNonFinite: true } to accept non-finite state)`,
    );
    refuses(torchao, (d) => (d.state["encoder.weight"].absmax2.data[0] = "Infinity"), `${at}.absmax2[0] is Infinity`);
    refuses(
      torchao,
      (d) => (d.state["encoder.weight"].absmax1.data[1] = -0.5),
      `${at}.absmax1[1] is -0.5, but this state is never negative`,
    );
    refuses(
      torchao,
      (d) => (d.state["encoder.weight"].state2.data[7] = 256),
      `${at}.state2[7] is number 256, not a code (a whole number from 0 to 255)`,
    );
    refuses(
      torchao,
      (d) => (d.state["encoder.weight"].state1.data[0] = 1.5),
      `${at}.state1[0] is number 1.5, not a code`,
    );
  });

  test("dtypes that are not the storage's", () => {
    refuses(
      torchao,
      (d) => (d.state["encoder.weight"].state1.dtype = "float32"),
      `${at}.state1 has dtype "float32", expected 'uint8'`,
    );
    refuses(
      bf16,
      (d) => (d.state["encoder.weight"].exp_avg.dtype = "float32"),
      `${at}.exp_avg has dtype "float32", expected 'bfloat16'`,
    );
    refuses(
      bf16,
      (d) => (d.state["encoder.weight"].exp_avg.data[2] = 0.1),
      `${at}.exp_avg[2] is 0.1, which is not a bfloat16 value`,
    );
    // A checkpoint that says float32 holds float32 values, whatever the optimizer keeps.
    refuses(
      bf16,
      (d) => (d.paramGroups[0].state = "float32"),
      `${at}.exp_avg has dtype "bfloat16", expected 'float32'`,
    );
    refuses(
      torchao,
      (d) => (d.state[SMALL].exp_avg_sq.dtype = "bfloat16"),
      "Adam: cannot load state: state['__proto__'].exp_avg_sq has dtype \"bfloat16\", expected 'float32'",
    );
  });

  test("slots the storage does not keep, state at step 0, an unknown storage, amsgrad with 8-bit", () => {
    refuses(
      torchao,
      (d) => (d.state["encoder.weight"].exp_avg = { dtype: "float32", data: [] }),
      `${at} has 'exp_avg', which adam with state '8bit' does not keep for it (it keeps step, state1, absmax1, qmap1, state2, absmax2, qmap2)`,
    );
    refuses(
      torchao,
      (d) =>
        (d.state["encoder.weight"] = JSON.parse(
          `{"__proto__":{"step":1},${JSON.stringify(d.state["encoder.weight"]).slice(1)}`,
        )),
      `${at} has '__proto__', which adam with state '8bit' does not keep for it`,
    );
    refuses(
      torchao,
      (d) => (d.state["encoder.weight"].step = 0),
      `${at}.step is 0 but it has 'state1': a state before the first step has none`,
    );
    refuses(
      torchao,
      (d) => (d.paramGroups[0].state = "int4"),
      `paramGroups[0]: option 'state' must be one of "float32", "bfloat16", "8bit", "4bit", "fp8", got "int4"`,
    );
    // 1000 elements are too few for 8-bit blocks: an '8bit' checkpoint keeps them in float32.
    refuses(bf16, (d) => (d.paramGroups[0].state = "8bit"), `${at}.exp_avg has dtype "bfloat16", expected 'float32'`);
    refuses(
      FLAVOURS[1],
      (d) => (d.paramGroups[0].state = "8bit"),
      /AdamW: cannot load state: paramGroups\[0\]: .*option 'amsgrad' is not supported with state "8bit"/,
    );
    // The storage options are checked whatever the storage, a float32 checkpoint's blockSize too.
    refuses(
      torchao,
      (d) => (d.paramGroups[0].blockSize = 0),
      /Adam: cannot load state: paramGroups\[0\]: .*invalid blockSize: 0/,
    );
    const plain: Flavour = { ...torchao, make: (p) => new Adam(p, { lr: 0.01 }) };
    refuses(plain, (d) => (d.paramGroups[0].blockSize = 2.5), /paramGroups\[0\]: .*invalid blockSize: 2.5/);
    // A block size that does not divide the tensor: its checkpoint would keep float32 moments.
    refuses(
      torchao,
      (d) => (d.paramGroups[0].blockSize = 6),
      /has 'state1', which adam with state '8bit' does not keep for it/,
    );
    // bitsandbytes' layout follows its options: another min8bitSize is another layout.
    refuses(bnb, (d) => (d.paramGroups[0].min8bitSize = 100), /paramGroups\[0\]'s options need other state buffers/);
  });

  test("in a safetensors file: codes given as another dtype", () => {
    const { optimizer, params } = trained(torchao);
    const bytes = withHeader(saveSafetensors<object>(optimizer), (h) => {
      const codes = h["state.encoder.weight.state1"];
      codes.dtype = "BF16";
      codes.shape = [2048];
    });
    const before = JSON.stringify(optimizer.stateDict());
    expect(() => loadSafetensors<object>(optimizer, bytes)).toThrow(
      `${at}.state1 must be { dtype: 'uint8', data: [...] } or a Uint8Array, got a Uint16Array`,
    );
    const other = withHeader(
      saveSafetensors<object>(optimizer),
      (h) => (h["state.encoder.weight.state1"].dtype = "I8"),
    );
    expect(() => loadSafetensors<object>(optimizer, other)).toThrow(
      `tensor 'state.encoder.weight.state1' has dtype "I8", expected F32, F64, BF16 or U8`,
    );
    expect(JSON.stringify(optimizer.stateDict())).toBe(before);
    dispose(optimizer, params);
  });
});

describe("per-parameter state", () => {
  test("state(p) gives the checkpoint's slots as the kernel keeps them, and setState writes them", () => {
    const { optimizer, params } = trained(FLAVOURS[2]);
    const state = optimizer.state(params[0]);
    expect(Object.keys(state).sort()).toEqual(["absmax1", "absmax2", "qmap1", "qmap2", "state1", "state2", "step"]);
    expect(state.state1).toBeInstanceOf(Uint8Array);
    const codes = (state.state1 as Uint8Array).slice();
    codes[0] = 200;
    optimizer.setState(params[0], { state1: codes });
    expect((optimizer.state(params[0]).state1 as Uint8Array)[0]).toBe(200);
    expect(Array.from(optimizer.state(params[1]).expAvg as Float32Array)).toHaveLength(300);
    expect(() => optimizer.setState(params[0], { expAvgCodes: codes })).toThrow(/unknown state 'expAvgCodes'/);
    dispose(optimizer, params);

    const half = trained(FLAVOURS[0]);
    const words = half.optimizer.state(half.params[0]).expAvg as Uint16Array;
    expect(words).toBeInstanceOf(Uint16Array);
    expect(() => half.optimizer.setState(half.params[0], { expAvg: new Float32Array(1000) })).toThrow(
      "Adam: cannot load state: state['encoder.weight'].exp_avg must be { dtype: 'bfloat16', data: [...] } or a Uint16Array of bfloat16 words, got a Float32Array",
    );
    dispose(half.optimizer, half.params);
  });
});

test("toTorchStateDict refuses low-bit state and says what to use instead", () => {
  const { optimizer, params } = trained(FLAVOURS[2]);
  expect(() => toTorchStateDict(optimizer as Adam)).toThrow(
    /toTorchStateDict: adam's state is bfloat16 or low-bit codes, which torch.optim's layout has no slots for: save it with stateDict\(\) or saveSafetensors\(\).*state 'float32' \(loadStateDict converts it\)/,
  );
  dispose(optimizer, params);
  const bnb = trained(FLAVOURS[4]);
  expect(() => toTorchStateDict(bnb.optimizer as unknown as Adam)).toThrow(
    /bnbadam8bit's state is bfloat16 or low-bit codes.*saveSafetensors\(\) \(bitsandbytes' and torch's slot names\)$/,
  );
  dispose(bnb.optimizer, bnb.params);
});
