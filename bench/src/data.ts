/**
 * Deterministic benchmark data. The generator is sequential, so the data of a smaller size is a
 * prefix of the data of a larger one. Values are float32-representable in both dtypes (float64
 * runs use the same numbers, widened).
 *
 * params: uniform in [-1, 1); grads: random sign, magnitude in [0.05, 1.05) — bounded away from 0
 * so every optimizer moves every parameter (and TF.js's centered RMSprop stays finite).
 */
import type { Dtype } from "./cases.js";

export type FloatArray = Float32Array | Float64Array;

export interface BenchData {
  dtype: Dtype;
  params: FloatArray;
  grads: FloatArray;
}

/** mulberry32: a small, fast 32-bit PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x51d0_b7;

export function makeData(size: number, dtype: Dtype): BenchData {
  const Arr = dtype === "float64" ? Float64Array : Float32Array;
  const params = new Arr(size);
  const grads = new Arr(size);
  const next = mulberry32(SEED);
  for (let i = 0; i < size; i++) {
    params[i] = Math.fround(next() * 2 - 1);
    const u = next();
    grads[i] = Math.fround((u < 0.5 ? -1 : 1) * (0.05 + next()));
  }
  return { dtype, params, grads };
}

/** Largest prefix and tail checked by the correctness gate (see gate.ts). */
export const GATE_PREFIX = 65536;
export const GATE_TAIL = 4096;

/**
 * The indices the correctness gate compares: a prefix of min(size, 65536) elements and the last
 * 4096 (which include the remainder a SIMD loop handles separately). Updates are element-wise, so
 * the reference run on just these elements gives exactly the expected values at these indices.
 */
export function gateIndices(size: number): { prefix: number; tailStart: number; count: number } {
  const prefix = Math.min(size, GATE_PREFIX);
  const tailStart = Math.max(prefix, size - GATE_TAIL);
  return { prefix, tailStart, count: prefix + (size - tailStart) };
}

/** The elements of `a` at the gate indices, packed. */
export function gatherGate(a: FloatArray, size: number): FloatArray {
  const { prefix, tailStart, count } = gateIndices(size);
  const out = new (a.constructor as typeof Float32Array | typeof Float64Array)(count);
  out.set(a.subarray(0, prefix), 0);
  out.set(a.subarray(tailStart, size), prefix);
  return out;
}

/** Maps a packed gate position back to the index in the full array. */
export function gateIndexAt(position: number, size: number): number {
  const { prefix, tailStart } = gateIndices(size);
  return position < prefix ? position : tailStart + (position - prefix);
}
