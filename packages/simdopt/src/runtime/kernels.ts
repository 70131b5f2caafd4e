/**
 * The kernel ABI shared by the SIMD binary, the scalar binary and the plain-JS reference: one
 * function per optimizer and element type, `<name>_step_<f32|f64>(param, grad, ...state, n,
 * ...scalars, ...flags)`. Pointers are byte addresses into the runtime's memory (0 for a state
 * buffer the options do not use), `n` counts elements, scalars are per-step values computed by the
 * optimizer in double precision, flags are booleans.
 */
export type KernelArg = number | boolean;
export type Kernel = (...args: KernelArg[]) => void;

export const KERNEL_NAMES = [
  "sgd", "adam", "adamax", "nadam", "radam", "adagrad", "adadelta", "rmsprop", "rprop",
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

export type Dtype = "float32" | "float64";
export const DTYPES: readonly Dtype[] = ["float32", "float64"];

export type KernelTable = Record<`${KernelName}_step_${"f32" | "f64"}`, Kernel>;

export function kernelKey(name: KernelName, dtype: Dtype): keyof KernelTable {
  return `${name}_step_${dtype === "float32" ? "f32" : "f64"}`;
}

export type TypedArrayOf<D extends Dtype> = D extends "float32" ? Float32Array : Float64Array;
export type FloatArray = Float32Array | Float64Array;

export function bytesPerElement(dtype: Dtype): number {
  return dtype === "float32" ? 4 : 8;
}
