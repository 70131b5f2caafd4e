/**
 * The kernel ABI, typed from the kernels' declarations (assembly/optimizers/<name>.json). Every
 * kernel is `<name>_<f32|f64>(table, count, scalars)`: `table` is the byte address of `count`
 * entries of u32 words [n, param, grad, ...state buffers] (element count, then byte addresses; 0
 * for a state buffer the options do not use), `scalars` the address of the declared scalars as
 * float64 in order, then the flags as one u32 bit mask (flag k is bit k). One call steps every
 * tensor of a table, so a parameter group of any size is one call.
 */
import { KERNEL_LAYOUTS } from "../generated/kernels.js";

export type KernelName = keyof typeof KERNEL_LAYOUTS;
export const KERNEL_NAMES = Object.keys(KERNEL_LAYOUTS) as KernelName[];

type Layout<K extends KernelName> = (typeof KERNEL_LAYOUTS)[K];
/** The names of kernel K's state buffers (beside `param` and `grad`). */
export type StateBufferOf<K extends KernelName> = Layout<K>["state"][number];
/** Kernel K's per-step scalars, by name. */
export type ScalarsOf<K extends KernelName> = { [S in Layout<K>["scalars"][number]]: number };
/** Kernel K's flags, by name. */
export type FlagsOf<K extends KernelName> = { [F in Layout<K>["flags"][number]]: boolean };

/** What one step passes to kernel K. */
export interface KernelCall<K extends KernelName> {
  scalars: ScalarsOf<K>;
  flags: FlagsOf<K>;
}

/** The kernels that also step only some rows of 2-D tables (their declaration's `rows`, generate.js's ROW_WORDS). */
export type RowsKernelName = { [K in KernelName]: Layout<K>["rows"] extends null ? never : K }[KernelName];
export const ROWS_KERNEL_NAMES = KERNEL_NAMES.filter((name) => KERNEL_LAYOUTS[name].rows !== null) as RowsKernelName[];

export type Kernel = (table: number, count: number, scalars: number) => void;
export type KernelTable = Record<`${KernelName}_${"f32" | "f64"}`, Kernel> &
  Record<`${RowsKernelName}_rows_${"f32" | "f64"}`, Kernel>;

export type Dtype = "float32" | "float64";
export const DTYPES: readonly Dtype[] = Object.freeze(["float32", "float64"]);

export function kernelKey(name: KernelName, dtype: Dtype): keyof KernelTable {
  return `${name}_${dtype === "float32" ? "f32" : "f64"}`;
}

/** The key of kernel `name`'s rows kernel for `dtype`. */
export function rowsKernelKey(name: RowsKernelName, dtype: Dtype): keyof KernelTable {
  return `${name}_rows_${dtype === "float32" ? "f32" : "f64"}`;
}

export type TypedArrayOf<D extends Dtype> = D extends "float32" ? Float32Array : Float64Array;
export type FloatArray = Float32Array | Float64Array;

export function bytesPerElement(dtype: Dtype): number {
  return dtype === "float32" ? 4 : 8;
}

/** Bytes of kernel K's scalar block (the scalars, then the flags word). */
export function scalarBytes(name: KernelName): number {
  return KERNEL_LAYOUTS[name].scalarsBytes;
}

/** Writes a step's scalars and flags into the block at `address` (8-byte aligned). */
export function writeScalars<K extends KernelName>(
  memory: WebAssembly.Memory,
  address: number,
  name: K,
  call: KernelCall<K>,
): void {
  const layout = KERNEL_LAYOUTS[name];
  const values = new Float64Array(memory.buffer, address, layout.scalars.length);
  const scalars = call.scalars as Record<string, number>;
  layout.scalars.forEach((scalar, k) => (values[k] = scalars[scalar]));
  const flags = call.flags as Record<string, boolean>;
  checkFlags(name, flags);
  let mask = 0;
  layout.flags.forEach((flag, k) => {
    if (flags[flag]) mask |= 1 << k;
  });
  new Uint32Array(memory.buffer, address + layout.flagsOffset, 1)[0] = mask;
}

/** A kernel has no loops for a combination its declaration rules out (`exclusive`, `requires`). */
function checkFlags(name: KernelName, flags: Record<string, boolean>): void {
  const layout = KERNEL_LAYOUTS[name] as {
    exclusive: readonly (readonly string[])[];
    requires: Readonly<Record<string, string>>;
  };
  for (const group of layout.exclusive) {
    if (group.filter((flag) => flags[flag]).length > 1)
      throw new Error(`simdopt: kernel ${name}: flags ${group.join(", ")} exclude each other`);
  }
  for (const [flag, needed] of Object.entries(layout.requires)) {
    if (flags[flag] && !flags[needed]) throw new Error(`simdopt: kernel ${name}: flag ${flag} needs ${needed}`);
  }
}

/** Reads back what `writeScalars` wrote: the reference kernels decode their arguments with it. */
export function readScalars<K extends KernelName>(memory: WebAssembly.Memory, address: number, name: K): KernelCall<K> {
  const layout = KERNEL_LAYOUTS[name];
  const values = new Float64Array(memory.buffer, address, layout.scalars.length);
  const mask = new Uint32Array(memory.buffer, address + layout.flagsOffset, 1)[0];
  return {
    scalars: Object.fromEntries(layout.scalars.map((scalar, k) => [scalar, values[k]])) as ScalarsOf<K>,
    flags: Object.fromEntries(layout.flags.map((flag, k) => [flag, (mask & (1 << k)) !== 0])) as FlagsOf<K>,
  };
}

/** The buffer names of a table entry, in order: param, grad, then kernel K's state buffers. */
export function tableBuffers(name: KernelName): readonly string[] {
  return ["param", "grad", ...KERNEL_LAYOUTS[name].state];
}
