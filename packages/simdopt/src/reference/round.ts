import type { FloatArray } from "../runtime/kernels.js";

/**
 * Rounds a double to the element type: `Math.fround` for float32 (so that every operation of a
 * reference rule rounds exactly as one float32 operation of the Wasm kernels does), identity for
 * float64. Sums, products, quotients and square roots rounded this way are bit-exact with IEEE
 * float32 arithmetic.
 */
export type Round = (x: number) => number;

export const roundFloat32: Round = Math.fround;
export const roundFloat64: Round = (x) => x;

export function roundFor(array: FloatArray): Round {
  return array instanceof Float32Array ? roundFloat32 : roundFloat64;
}

/** torch's sign-like selections, lane by lane as the kernels do: NaN falls through. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}
