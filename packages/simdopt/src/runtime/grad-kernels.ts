/**
 * The gradient kernels' ABI (assembly/clipping.ts): reductions and rescaling of the gradients of a
 * tensor table, `<op>_<f32|f64>(table, count, stride, ...)`, where `stride` is the bytes of one
 * table entry (u32 words [n, param, grad, ...state]), so that they run over any optimizer's table.
 */
import type { Dtype } from "./kernels.js";

type Reduction = (table: number, count: number, stride: number) => number;
type Power = (table: number, count: number, stride: number, p: number) => number;
type Rescale = (table: number, count: number, stride: number, value: number) => void;

/** The gradient kernels of one element type. */
export interface GradKernels {
  /** Σ g² in the fixed order (see assembly/clipping.ts), as float64. */
  sumSquares: Reduction;
  /** Σ |g|. */
  sumAbs: Reduction;
  /** Σ |g|^p. */
  sumPow: Power;
  /** max |g| (NaN when any g is NaN). */
  maxAbs: Reduction;
  /** 1 when every g is finite, 0 otherwise. */
  allFinite: Reduction;
  /** g ← g·factor (the factor rounded to the element type first). */
  scale: Rescale;
  /** g ← min(max(g, −limit), limit). */
  clamp: Rescale;
  /** g ← g·c / max(‖g‖₂, c), each tensor with its own norm (Keras's clipnorm). */
  clipNorm: Rescale;
}

const EXPORTS: Record<keyof GradKernels, string> = {
  sumSquares: "grad_sum_squares",
  sumAbs: "grad_sum_abs",
  sumPow: "grad_sum_pow",
  maxAbs: "grad_max_abs",
  allFinite: "grad_all_finite",
  scale: "grad_scale",
  clamp: "grad_clamp",
  clipNorm: "grad_clip_norm",
};

/** The gradient kernels of both element types from a binary's exports; throws if one is missing. */
export function gradKernelsOf(exports: Record<string, unknown>, binary: string): Record<Dtype, GradKernels> {
  const of = (suffix: string) =>
    Object.fromEntries(
      Object.entries(EXPORTS).map(([key, name]) => {
        const exported = exports[`${name}_${suffix}`];
        if (typeof exported !== "function")
          throw new Error(`simdopt: binary '${binary}' lacks the gradient kernel ${name}_${suffix}`);
        return [key, exported];
      }),
    ) as unknown as GradKernels;
  return { float32: of("f32"), float64: of("f64") };
}

/** Where the gradients of some tensors of one dtype are: a table address, its entry count and stride. */
export interface GradTable {
  readonly address: number;
  readonly count: number;
  readonly stride: number;
  readonly dtype: Dtype;
}
