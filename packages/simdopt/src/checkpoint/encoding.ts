/**
 * Numbers and tensors of a checkpoint in a form that survives JSON.stringify / JSON.parse exactly:
 * a tensor is `{ dtype, data }` with `data` an array of numbers, where the values JSON cannot hold
 * are strings ("NaN", "Infinity", "-Infinity", and "-0", whose sign JSON would drop).
 */
import type { Dtype, FloatArray } from "../runtime/kernels.js";
import { show } from "../runtime/validate.js";

/** A number as JSON keeps it: itself, or one of the four strings for what JSON cannot hold. */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity" | "-0";

/** A tensor of a JSON-safe state dict. */
export interface JsonTensor {
  dtype: Dtype;
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
  return { dtype: values instanceof Float32Array ? "float32" : "float64", data: Array.from(values, encodeNumber) };
}

/**
 * A tensor of `length` elements of `dtype` from a checkpoint: `{ dtype, data }` (data an array of
 * JSON numbers or a typed array of the dtype) or a typed array of the dtype. Throws a TypeError
 * that says `where` and what is wrong; non-finite values only with `allowNonFinite`.
 */
export function decodeTensor(
  where: string,
  value: unknown,
  dtype: Dtype,
  length: number,
  allowNonFinite: boolean,
): FloatArray {
  const View = dtype === "float32" ? Float32Array : Float64Array;
  let data: unknown = value;
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    const tensor = value as { dtype?: unknown; data?: unknown };
    if (tensor.dtype !== dtype) throw new TypeError(`${where} has dtype ${show(tensor.dtype)}, expected '${dtype}'`);
    data = tensor.data;
  }
  if (ArrayBuffer.isView(data) && !(data instanceof View)) {
    throw new TypeError(`${where} is a ${data.constructor.name}, expected a ${View.name} (dtype '${dtype}')`);
  }
  if (!(data instanceof View) && !Array.isArray(data)) {
    throw new TypeError(`${where} must be { dtype: '${dtype}', data: [...] } or a ${View.name}, got ${describe(data)}`);
  }
  const source = data as ArrayLike<unknown>;
  if (source.length !== length) throw new TypeError(`${where} has ${source.length} values, expected ${length}`);
  const out = new View(length);
  for (let i = 0; i < length; i++) {
    const x = decodeNumber(source[i]);
    if (x === undefined) throw new TypeError(`${where}[${i}] is ${describe(source[i])}, not a number`);
    if (!allowNonFinite && !Number.isFinite(x)) {
      throw new RangeError(`${where}[${i}] is ${x} (load with { allowNonFinite: true } to accept non-finite state)`);
    }
    if (dtype === "float32" && Number.isFinite(x) && Math.fround(x) !== x) {
      throw new TypeError(`${where}[${i}] is ${x}, which is not a float32 value`);
    }
    out[i] = x;
  }
  return out;
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
