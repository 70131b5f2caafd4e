/**
 * Keras's gradient clipping, done on the host before a step: by value, by each tensor's norm, or
 * by the norm of all tensors together. It writes the clipped gradient into `param.grad`, as
 * torch's clip_grad_norm_ does.
 */
import type { Parameter } from "../runtime/parameter.js";

/** Keras's clipping options: at most one is set (null or undefined: off). */
export interface ClipOptions {
  clipnorm?: number | null;
  globalClipnorm?: number | null;
  clipvalue?: number | null;
}

/** Σg² of a gradient, in double. */
function sumOfSquares(param: Parameter): number {
  let sum = 0;
  for (const g of param.grad) sum += g * g;
  return sum;
}

/** g ← clip(g, −v, v). */
export function clipByValue(params: readonly Parameter[], value: number): void {
  for (const param of params) {
    const grad = param.grad;
    for (let i = 0; i < grad.length; i++) grad[i] = Math.min(Math.max(grad[i], -value), value);
  }
}

/** g ← g·c / max(‖g‖₂, c), each tensor on its own (Keras's clipnorm). */
export function clipByNorm(params: readonly Parameter[], clipNorm: number): void {
  for (const param of params) {
    const norm = Math.sqrt(sumOfSquares(param));
    const grad = param.grad;
    const denominator = Math.max(norm, clipNorm);
    for (let i = 0; i < grad.length; i++) grad[i] = (grad[i] * clipNorm) / denominator;
  }
}

/** g ← g·c·min(1/N, 1/c) with N the norm of all the gradients together (Keras's global_clipnorm). */
export function clipByGlobalNorm(params: readonly Parameter[], clipNorm: number): void {
  const norm = Math.sqrt(params.reduce((sum, param) => sum + sumOfSquares(param), 0));
  const scale = clipNorm * Math.min(1 / norm, 1 / clipNorm);
  for (const param of params) {
    const grad = param.grad;
    for (let i = 0; i < grad.length; i++) grad[i] = grad[i] * scale;
  }
}
