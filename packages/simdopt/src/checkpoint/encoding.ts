/**
 * Numbers and tensors of a checkpoint in a form that survives JSON.stringify / JSON.parse exactly:
 * a tensor is `{ dtype, data }` with `data` an array of numbers, where the values JSON cannot hold
 * are strings ("NaN", "Infinity", "-Infinity", and "-0", whose sign JSON would drop).
 */
import type { Dtype, FloatArray } from "../runtime/kernels.js";
import { show } from "../runtime/validate.js";
import { own } from "./records.js";

/** A number as JSON keeps it: itself, or one of the four strings for what JSON cannot hold. */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity" | "-0";

/** A tensor of a JSON-safe state dict. */
export interface JsonTensor {
  /** The element type the values were saved from. */
  dtype: Dtype;
  /** The values, each a number or its JSON-safe string (`JsonNumber`). */
  data: JsonNumber[];
}

/** A number in its JSON-safe form (see `JsonNumber`). */
export function encodeNumber(x: number): JsonNumber {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Object.is(x, -0)) return "-0";
  return x;
}

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 };

/** The number `value` encodes, or undefined when it is not a number nor one of the four strings. */
export function decodeNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && Object.hasOwn(SPECIAL, value)) return SPECIAL[value];
  return undefined;
}

/** A copy of a typed array in its JSON-safe form. */
export function encodeTensor(values: FloatArray): JsonTensor {
  // A loop: Array.from with a function costs more than the values of a small tensor.
  const data: JsonNumber[] = [];
  for (let i = 0; i < values.length; i++) data.push(encodeNumber(values[i]));
  return { dtype: values instanceof Float32Array ? "float32" : "float64", data };
}

/** What a state buffer may hold, beyond finite numbers of its dtype. */
export interface TensorRules {
  /** Accept NaN and ±Inf (a state saved after a non-finite step). */
  allowNonFinite: boolean;
  /** Refuse values below zero (a second moment, an accumulator: its declared range). */
  nonNegative: boolean;
}

/**
 * A tensor of `length` elements of `dtype` from a checkpoint: `{ dtype, data }` (data an array of
 * JSON numbers or a typed array of the dtype) or a typed array of the dtype. Refuses through
 * `fail` with a message that says `where` and what is wrong.
 */
export function decodeTensor(
  where: string,
  value: unknown,
  dtype: Dtype,
  length: number,
  rules: TensorRules,
  fail: (message: string) => never,
): FloatArray {
  const out = dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
  decodeTensorInto(() => where, value, dtype, length, rules, fail, out, 0);
  return out;
}

/**
 * As `decodeTensor`, writing the values into `out` from `offset` (an array of the dtype with room
 * for them): a checkpoint of many small tensors then makes one array, not one per tensor. On a
 * refusal, what was written there is to be thrown away. `where` is called only for a message.
 * `place`: the tensor is `place.count` values of the typed array `value` from `place.from` (a
 * tensor in a file's bytes, read without a view of its own), where `value` stands for them.
 */
export function decodeTensorInto(
  where: () => string,
  value: unknown,
  dtype: Dtype,
  length: number,
  rules: TensorRules,
  fail: (message: string) => never,
  out: FloatArray,
  offset: number,
  place?: { readonly from: number; readonly count: number },
): void {
  const View = dtype === "float32" ? Float32Array : Float64Array;
  let data: unknown = value;
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    const tensorDtype = own(value, "dtype");
    if (tensorDtype !== dtype) fail(`${where()} has dtype ${show(tensorDtype)}, expected '${dtype}'`);
    data = own(value, "data");
  }
  if (ArrayBuffer.isView(data) && !(data instanceof View)) {
    fail(`${where()} is a ${data.constructor.name}, expected a ${View.name} (dtype '${dtype}')`);
  }
  if (!(data instanceof View) && !Array.isArray(data)) {
    fail(`${where()} must be { dtype: '${dtype}', data: [...] } or a ${View.name}, got ${describe(data)}`);
  }
  const source = data as ArrayLike<unknown>;
  const from = place?.from ?? 0;
  const count = place?.count ?? source.length;
  if (count !== length) fail(`${where()} has ${count} values, expected ${length}`);
  // Each value is read once, checked and written: nothing can change it in between (a typed array
  // by a loop: `set` costs more than the few values of most tensors).
  const typed = source instanceof View;
  for (let i = 0; i < length; i++) {
    const x = typed ? (source as FloatArray)[from + i] : decodeNumber(source[i]);
    if (x === undefined) fail(`${where()}[${i}] is ${describe(source[i])}, not a number`);
    if (!rules.allowNonFinite && !Number.isFinite(x)) {
      fail(`${where()}[${i}] is ${x} (load with { allowNonFinite: true } to accept non-finite state)`);
    }
    if (rules.nonNegative && x < 0) fail(`${where()}[${i}] is ${x}, but this state is never negative`);
    if (dtype === "float32" && Number.isFinite(x) && Math.fround(x) !== x) {
      fail(`${where()}[${i}] is ${x}, which is not a float32 value`);
    }
    out[offset + i] = x;
  }
}

/** A short description of any value for a message (BigInts, objects and all). */
export function describe(value: unknown): string {
  if (typeof value === "bigint") return `the BigInt ${value}n`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object")
    return ArrayBuffer.isView(value) ? `a ${value.constructor.name}` : Array.isArray(value) ? "an array" : "an object";
  return `${typeof value} ${show(value)}`;
}

/** torch's name for a state slot: `expAvgSq` → `exp_avg_sq`. */
export function torchName(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
