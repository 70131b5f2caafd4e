/**
 * Keras's gradient clipping (keras.optimizers.Optimizer's clipnorm, global_clipnorm, clipvalue),
 * on the runtime's gradient kernels over an optimizer's own tensor tables: one Wasm pass each, no
 * host loop over elements. It writes the clipped gradient into `param.grad`, as Keras hands the
 * clipped gradients to its update. Keras computes in the variables' dtype; so do these, with the
 * norms summed in float64 in the kernels' fixed order (Keras's float32 sums agree to rounding).
 */
import { allFloat32, clampGradients, scaleGradients, totalNorm } from "../clipping/norm.js";
import type { GradTable } from "../runtime/grad-kernels.js";
import type { Runtime } from "../runtime/runtime.js";

/** Keras's clipping options: at most one is set (null or undefined: off; 0 clips nothing, as in Keras). */
export interface ClipOptions {
  /** Clip each gradient tensor's L2 norm to this (Keras's `clipnorm`). Default null. */
  clipnorm?: number | null;
  /** Clip the L2 norm of all the gradients together to this (Keras's `global_clipnorm`). Default null. */
  globalClipnorm?: number | null;
  /** Clamp every gradient element to [−v, v] (Keras's `clipvalue`). Default null. */
  clipvalue?: number | null;
}

/** Clips the gradients of the tables as the options say (at most one of them is set). */
export function clipAsKeras(runtime: Runtime, tables: readonly GradTable[], o: Required<ClipOptions>): void {
  // Keras clips only with a positive limit (`if self.clipnorm and self.clipnorm > 0`).
  if (o.clipnorm !== null && o.clipnorm > 0) clipEachNorm(runtime, tables, o.clipnorm);
  else if (o.globalClipnorm !== null && o.globalClipnorm > 0) clipGlobalNorm(runtime, tables, o.globalClipnorm);
  else if (o.clipvalue !== null && o.clipvalue > 0) clampGradients(runtime, tables, o.clipvalue);
}

/** g ← g·c / max(‖g‖₂, c), each tensor with its own norm (Keras's `_clip_by_norm`). */
function clipEachNorm(runtime: Runtime, tables: readonly GradTable[], clipNorm: number): void {
  for (const table of tables) {
    runtime.gradKernels[table.dtype].clipNorm(table.address, table.count, table.stride, clipNorm);
  }
}

/**
 * g ← g·s with s = c·min(1/N, 1/c) + (N − N), N the norm of all the gradients together (Keras's
 * `clip_by_global_norm`): s in float32 when every gradient is, and NaN when N is not finite, as
 * Keras makes it.
 */
function clipGlobalNorm(runtime: Runtime, tables: readonly GradTable[], clipNorm: number): void {
  const r = allFloat32(tables) ? Math.fround : (x: number) => x;
  const norm = totalNorm(runtime, tables, 2);
  const scale = r(r(r(clipNorm) * Math.min(r(1 / norm), r(1 / clipNorm))) + r(norm - norm));
  scaleGradients(runtime, tables, scale);
}
