/**
 * The element type of each state buffer, as its kernel declares it (assembly/state-elements.js):
 * `param` (the parameter's dtype, every float32/float64 optimizer's state), or the low-bit types
 * `bfloat16` (u16 words, the high half of a float32), `uint8` (codes into a map) and `float32` (a
 * block's absolute maximum). The tensor table sizes and views each buffer by it.
 */
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import { bytesPerElement, type Dtype, type KernelName } from "./kernels.js";

export type StateElement = "param" | "bfloat16" | "uint8" | "float32";
/** A state buffer as its kernel stores it: floats of the parameter's dtype, bfloat16 words (u16), 8-bit, 4-bit (two per byte) or FP8 codes, float32 block maxima. */
export type StateArray = Float32Array | Float64Array | Uint16Array | Uint8Array;

/** Kernel `name`'s element type of each state buffer, in declaration order. */
export function stateElementsOf(name: KernelName): readonly StateElement[] {
  return KERNEL_LAYOUTS[name].stateElements as readonly StateElement[];
}

/** True when every state buffer of kernel `name` holds the parameter's dtype. */
export function hasParamState(name: KernelName): boolean {
  return stateElementsOf(name).every((element) => element === "param");
}

/** The typed-array constructor of a buffer of `element` beside parameters of `dtype`. */
export function stateArrayType(
  element: StateElement,
  dtype: Dtype,
): Float32ArrayConstructor | Float64ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor {
  switch (element) {
    case "param":
      return dtype === "float32" ? Float32Array : Float64Array;
    case "bfloat16":
      return Uint16Array;
    case "uint8":
      return Uint8Array;
    case "float32":
      return Float32Array;
  }
}

/** Bytes of one element of a buffer of `element` beside parameters of `dtype`. */
export function stateElementBytes(element: StateElement, dtype: Dtype): number {
  return element === "param" ? bytesPerElement(dtype) : stateArrayType(element, dtype).BYTES_PER_ELEMENT;
}
