/**
 * Gradient norms and clipping over tensor tables, as torch.nn.utils.clip_grad_norm_ and
 * clip_grad_value_ compute them, on the runtime's gradient kernels (one Wasm pass per table).
 * Shared by the standalone functions (clip.ts) and the optimizers' clipping options.
 */
import type { GradTable } from "../runtime/grad-kernels.js";
import type { Runtime } from "../runtime/runtime.js";
import { show } from "../runtime/validate.js";

/** The p of a p-norm: a positive number, or `"inf"` / `Infinity` for the largest |g|. */
export type NormType = number | "inf";

/**
 * The norm type as a number (Infinity for "inf"); throws a RangeError naming `where` and the
 * option as the caller wrote it (`normType`, or an optimizer's `gradNormType`).
 */
export function checkNormType(where: string, value: unknown, name = "normType"): number {
  if (value === "inf" || value === Infinity) return Infinity;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${where}: option '${name}' must be a positive number or "inf", got ${show(value)}`);
  }
  return value;
}

/** A positive finite number (maxNorm, clipValue), or throws naming `where` and `name`. */
export function checkPositive(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${where}: option '${name}' must be a positive finite number, got ${show(value)}`);
  }
  return value;
}

/**
 * The p-norm of every gradient of the tables together, before any clipping: (Σ|g|^p)^(1/p), or
 * max |g| for p = Infinity; NaN or Infinity when a gradient is. Float32 when every table is (as
 * torch returns it), float64 otherwise. The sums run in float64.
 */
export function totalNorm(runtime: Runtime, tables: readonly GradTable[], p: number): number {
  let total = 0;
  for (const table of tables) {
    const kernels = runtime.gradKernels[table.dtype];
    const { address, count, stride } = table;
    if (p === Infinity) total = Math.max(total, kernels.maxAbs(address, count, stride));
    else if (p === 2) total += kernels.sumSquares(address, count, stride);
    else if (p === 1) total += kernels.sumAbs(address, count, stride);
    else total += kernels.sumPow(address, count, stride, p);
  }
  const norm = p === Infinity || p === 1 ? total : p === 2 ? Math.sqrt(total) : total ** (1 / p);
  return allFloat32(tables) ? Math.fround(norm) : norm;
}

/**
 * The factor torch's clip_grad_norm_ multiplies every gradient by: min(1, maxNorm / (norm + 1e-6)),
 * computed as torch computes it (the reciprocal, then the product), in float32 when the norm is.
 */
export function clipCoefficient(norm: number, maxNorm: number, float32: boolean): number {
  const r = float32 ? Math.fround : (x: number) => x;
  const coefficient = r(r(1 / r(norm + r(1e-6))) * r(maxNorm));
  return Math.min(coefficient, 1); // NaN stays NaN, as torch.clamp leaves it
}

/** True when every gradient of the tables is finite. */
export function gradientsFinite(runtime: Runtime, tables: readonly GradTable[]): boolean {
  return tables.every(
    (table) => runtime.gradKernels[table.dtype].allFinite(table.address, table.count, table.stride) !== 0,
  );
}

/** g ← g·factor for every gradient of the tables. */
export function scaleGradients(runtime: Runtime, tables: readonly GradTable[], factor: number): void {
  for (const table of tables) runtime.gradKernels[table.dtype].scale(table.address, table.count, table.stride, factor);
}

/** g ← min(max(g, −limit), limit) for every gradient of the tables (torch's clip_grad_value_). */
export function clampGradients(runtime: Runtime, tables: readonly GradTable[], limit: number): void {
  for (const table of tables) runtime.gradKernels[table.dtype].clamp(table.address, table.count, table.stride, limit);
}

/** True when every table holds float32 tensors (then norms and factors are float32, as torch computes them). */
export function allFloat32(tables: readonly GradTable[]): boolean {
  return tables.length > 0 && tables.every((table) => table.dtype === "float32");
}
