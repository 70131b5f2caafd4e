// Adafactor's and optax:adafactor's state takes the lengths (and, in safetensors files, the shapes)
// torch and optax give it, not the tensor's length per buffer: what stateDict() holds, what a
// checkpoint must hold to load, and the memory the optimizer takes.
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adafactor,
  createOptimizer,
  loadRuntime,
  loadSafetensors,
  saveSafetensors,
  type Optimizer,
  type Parameter,
  type Runtime,
} from "../dist/index.js";
import { KERNEL_LAYOUTS } from "../dist/generated/kernels.js";
import { decodedState, firstDifference, gradientsFor, memoryUse, randomArray } from "./helpers.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime();
});

type Slots = Record<string, number[]>;

interface Case {
  name: "adafactor" | "optax:adafactor";
  options: object;
  /** Parameter name → its shape. */
  shapes: Record<string, number[]>;
  /** Parameter name → each slot's shape as torch (optax) keeps it; every slot listed, no other. */
  expected: Record<string, Slots>;
}

const CASES: Case[] = [
  {
    name: "adafactor",
    options: { lr: 0.05, weightDecay: 0.01 },
    shapes: { w3: [3, 5, 7], w2: [6, 4], b: [10] },
    expected: {
      w3: { row_var: [3, 5, 1], col_var: [3, 1, 7] },
      w2: { row_var: [6, 1], col_var: [1, 4] },
      b: { variance: [10] },
    },
  },
  {
    name: "optax:adafactor",
    options: { minDimSizeToFactor: 4, momentum: 0.9, learningRate: 0.01 },
    // [9, 2, 6]: the largest dims are the first and the last; [3, 40]: 3 < 4, not factored.
    shapes: { w3: [3, 5, 7], spread: [9, 2, 6], w2: [6, 4], thin: [3, 40], b: [10] },
    expected: {
      // v_row: without the largest dim; v_col: without the second largest; v: without both.
      w3: { v_row: [3, 5], v_col: [3, 7], v: [3], ema: [3, 5, 7] },
      spread: { v_row: [2, 6], v_col: [9, 2], v: [2], ema: [9, 2, 6] },
      w2: { v_row: [4], v_col: [6], v: [1], ema: [6, 4] },
      thin: { v: [3, 40], ema: [3, 40] },
      b: { v: [10], ema: [10] },
    },
  },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function make({ name, options, shapes }: Case, dtype: "float32" | "float64" = "float32") {
  const params = Object.entries(shapes).map(([key, shape], k) =>
    runtime.parameter(randomArray(size(shape), 3 + k), { dtype, shape, name: key }),
  );
  return { params, optimizer: createOptimizer(name, params, options) as Optimizer<object> };
}

function steps({ params, optimizer }: { params: Parameter[]; optimizer: Optimizer<object> }, from: number, to: number) {
  for (let s = from; s < to; s++) {
    params.forEach((p, k) => p.setGrad(gradientsFor(p.length, s, 40 + k)));
    optimizer.step();
  }
}

/** The shapes of the tensors of a safetensors file, by name. */
function fileShapes(bytes: Uint8Array): Record<string, number[]> {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  delete header.__metadata__;
  return Object.fromEntries(Object.entries(header).map(([key, entry]) => [key, (entry as { shape: number[] }).shape]));
}

describe.each(CASES)("$name", (c) => {
  test.each(["float32", "float64"] as const)("stateDict() has torch's slots, of torch's lengths (%s)", (dtype) => {
    const run = make(c, dtype);
    expect(run.optimizer.stateDict().state.w3).toEqual({ step: 0 });
    steps(run, 0, 3);
    const state = run.optimizer.stateDict().state;
    for (const [key, slots] of Object.entries(c.expected)) {
      const { step, ...buffers } = state[key] as Record<string, { dtype: string; data: unknown[] }>;
      expect(step).toBe(3);
      expect(Object.keys(buffers).sort(), key).toEqual(Object.keys(slots).sort());
      for (const [slot, shape] of Object.entries(slots)) {
        expect(buffers[slot].dtype).toBe(dtype);
        expect(buffers[slot].data, `${key}.${slot}`).toHaveLength(size(shape));
      }
    }
    run.optimizer.dispose();
  });

  test("a JSON round trip continues bit for bit", () => {
    const original = make(c);
    steps(original, 0, 5);
    const saved = JSON.parse(JSON.stringify(original.optimizer.stateDict()));
    const values = original.params.map((p) => p.toArray());
    steps(original, 5, 10);
    const restored = make(c);
    restored.params.forEach((p, k) => p.set(values[k]));
    restored.optimizer.loadStateDict(saved);
    steps(restored, 5, 10);
    restored.params.forEach((p, k) => expect(firstDifference(p.data, original.params[k].data), p.name).toBe(-1));
    expect(decodedState(restored.optimizer.stateDict())).toEqual(decodedState(original.optimizer.stateDict()));
  });

  test("a safetensors file carries the shapes and continues bit for bit", () => {
    const original = make(c);
    steps(original, 0, 4);
    const file = saveSafetensors(original.optimizer);
    const shapes = fileShapes(file);
    const expected = Object.entries(c.expected).flatMap(([key, slots]) =>
      Object.entries(slots).map(([slot, shape]) => [`state.${key}.${slot}`, shape]),
    );
    if (c.name === "adafactor") expect(shapes).toEqual(Object.fromEntries(expected));
    // optax's slots are written 1-D (the JSON has no shapes to follow): only their lengths.
    else expect(shapes).toEqual(Object.fromEntries(expected.map(([name, shape]) => [name, [size(shape as number[])]])));
    const values = original.params.map((p) => p.toArray());
    steps(original, 4, 8);
    const restored = make(c);
    restored.params.forEach((p, k) => p.set(values[k]));
    loadSafetensors(restored.optimizer, file);
    steps(restored, 4, 8);
    restored.params.forEach((p, k) => expect(firstDifference(p.data, original.params[k].data), p.name).toBe(-1));
  });

  test("a slot of the wrong length, or one the tensor does not keep, is refused and changes nothing", () => {
    const run = make(c);
    steps(run, 0, 2);
    const other = make(c);
    steps(other, 0, 3);
    const before = JSON.stringify(run.optimizer.stateDict());
    const values = run.params.map((p) => p.toArray());
    const [slot, shape] = Object.entries(c.expected.w3)[0];
    const wrong = JSON.parse(JSON.stringify(other.optimizer.stateDict()));
    wrong.state.w3[slot].data.push(0);
    expect(() => run.optimizer.loadStateDict(wrong)).toThrow(
      `state['w3'].${slot} has ${size(shape) + 1} values, expected ${size(shape)}`,
    );
    // The full length that every buffer took before is wrong now.
    const full = JSON.parse(JSON.stringify(other.optimizer.stateDict()));
    full.state.w2[slot].data = Array(24).fill(0);
    expect(() => run.optimizer.loadStateDict(full)).toThrow(`state['w2'].${slot} has 24 values, expected`);
    // A full second moment for a factored tensor: not a slot it keeps.
    const extra = JSON.parse(JSON.stringify(other.optimizer.stateDict()));
    const fullSlot = c.name === "adafactor" ? "variance" : "v_row";
    const donor = c.name === "adafactor" ? extra.state.b.variance : extra.state.w2.v_row;
    extra.state[c.name === "adafactor" ? "w2" : "thin"][fullSlot] = donor;
    expect(() => run.optimizer.loadStateDict(extra)).toThrow(`has '${fullSlot}', which ${run.optimizer.kind}`);
    expect(JSON.stringify(run.optimizer.stateDict())).toBe(before);
    run.params.forEach((p, k) => expect(p.toArray()).toEqual(values[k]));
    // And it still steps as if nothing happened.
    steps(run, 2, 3);
    run.params.forEach((p, k) => expect(firstDifference(p.data, other.params[k].data), p.name).toBe(-1));
  });
});

test("optax:adafactor: options that would change which tensors are factored cannot change after construction", () => {
  const c = CASES[1];
  const run = make(c);
  // 5 would unfactor [6, 4] (its second largest dim is 4): its buffers would change length.
  expect(() => run.optimizer.setGroupOptions({ minDimSizeToFactor: 5 })).toThrow(/state layout/);
  // 3 would factor [3, 40].
  expect(() => run.optimizer.setGroupOptions({ minDimSizeToFactor: 3 })).toThrow(/state layout/);
  expect(() => run.optimizer.setGroupOptions({ factored: false })).toThrow(/state layout/);
  expect(run.optimizer.paramGroups[0].options).toMatchObject({ minDimSizeToFactor: 4, factored: true });
  // Options that factor the same tensors can change.
  run.optimizer.setGroupOptions({ minDimSizeToFactor: 4, learningRate: 0.02 });
  steps(run, 0, 1);
  const saved = JSON.parse(JSON.stringify(run.optimizer.stateDict()));
  saved.paramGroups[0].minDimSizeToFactor = 5;
  expect(() => run.optimizer.loadStateDict(saved)).toThrow(/need other state buffers/);
});

test("Adafactor over a [256, 128, 3, 3] convolution: its scratch is a slot per block of many small batches", () => {
  const w = runtime.parameter(new Float32Array(256 * 128 * 9), { shape: [256, 128, 3, 3] });
  const before = memoryUse(runtime).liveBytes;
  const optimizer = new Adafactor([w]);
  const bytes = memoryUse(runtime).liveBytes - before;
  // rowVar and colVar, 3 values per batch each; blocks of ⌊elements/9⌋ whole batches.
  const { elements, scratchBytes } = KERNEL_LAYOUTS.adafactor.blocks;
  const scratch = Math.ceil((256 * 128) / Math.floor(elements / 9)) * scratchBytes;
  expect(bytes).toBeGreaterThanOrEqual(2 * 256 * 128 * 3 * 4 + scratch);
  expect(bytes).toBeLessThan(2 * 256 * 128 * 3 * 4 + scratch + 1024);
  optimizer.dispose();
  w.dispose();
});

test("Adafactor over a [1024, 1024] parameter keeps rows + cols values, not 3n", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const w = runtime.parameter(new Float32Array(1024 * 1024), { dtype, shape: [1024, 1024] });
    const before = memoryUse(runtime).liveBytes;
    const optimizer = new Adafactor([w]);
    const bytes = memoryUse(runtime).liveBytes - before;
    const element = dtype === "float32" ? 4 : 8;
    // rowVar and colVar, 1024 values each, plus the table and the scalar block (a few 64-byte
    // blocks), and a scratch slot per block of whole rows that the norms are summed in.
    const { elements, scratchBytes } = KERNEL_LAYOUTS.adafactor.blocks;
    const scratch = (1024 / (elements / 1024)) * scratchBytes;
    expect(bytes).toBeGreaterThanOrEqual(2048 * element + scratch);
    expect(bytes).toBeLessThan(2048 * element + scratch + 1024);
    optimizer.dispose();
    expect(memoryUse(runtime).liveBytes).toBe(before);
    w.dispose();
  }
});
