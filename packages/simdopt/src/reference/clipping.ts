/**
 * The plain-JS reference of the gradient kernels (assembly/clipping.ts), with the same ABI over the
 * runtime's memory and the same order of operations: element i of every tensor goes to accumulator
 * a[i % 4] (float64), the result is (a0 + a2) + (a1 + a3). Sums of squares and of |g|, max |g|, the
 * finiteness probe, scaling, clamping and clipping each tensor's norm are bit-identical to the Wasm
 * kernels; Σ|g|^p calls Math.pow where Wasm has its own pow, which may differ in the last place.
 */
import type { GradKernels } from "../runtime/grad-kernels.js";
import type { Dtype } from "../runtime/kernels.js";

/** The gradient kernels of both element types, in plain JS over `memory`. */
export function referenceGradKernels(memory: WebAssembly.Memory): Record<Dtype, GradKernels> {
  return { float32: referenceOf(memory, "float32"), float64: referenceOf(memory, "float64") };
}

function referenceOf(memory: WebAssembly.Memory, dtype: Dtype): GradKernels {
  const View = dtype === "float32" ? Float32Array : Float64Array;
  const round = dtype === "float32" ? Math.fround : (x: number) => x;
  /** Each tensor's gradient, as a view. */
  const gradients = (table: number, count: number, stride: number): (Float32Array | Float64Array)[] => {
    const words = new Uint32Array(memory.buffer, table, (count * stride) / 4);
    return Array.from({ length: count }, (_, t) => {
      const n = words[(t * stride) / 4];
      return new View(memory.buffer, words[(t * stride) / 4 + 2], n);
    });
  };
  const sum =
    (term: (x: number) => number) =>
    (table: number, count: number, stride: number): number => {
      const a = [0, 0, 0, 0];
      for (const g of gradients(table, count, stride)) for (let i = 0; i < g.length; i++) a[i % 4] += term(g[i]);
      return a[0] + a[2] + (a[1] + a[3]);
    };
  const map =
    (f: (x: number, value: number) => number) =>
    (table: number, count: number, stride: number, value: number): void => {
      for (const g of gradients(table, count, stride)) for (let i = 0; i < g.length; i++) g[i] = f(g[i], value);
    };
  return {
    sumSquares: sum((x) => x * x),
    sumAbs: sum(Math.abs),
    sumPow: (table, count, stride, p) => sum((x) => Math.abs(x) ** p)(table, count, stride),
    maxAbs: (table, count, stride) => {
      let best = 0;
      for (const g of gradients(table, count, stride))
        for (let i = 0; i < g.length; i++) best = Math.max(best, Math.abs(g[i]));
      return best;
    },
    allFinite: (table, count, stride) => {
      for (const g of gradients(table, count, stride))
        for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return 0;
      return 1;
    },
    scale: map((x, factor) => round(x * round(factor))),
    clamp: map((x, limit) => Math.min(Math.max(x, -round(limit)), round(limit))),
    clipNorm: (table, count, stride, clipNorm) => {
      const c = round(clipNorm);
      gradients(table, count, stride).forEach((g, t) => {
        const norm = round(Math.sqrt(sum((x) => x * x)(table + t * stride, 1, stride)));
        const divisor = Math.max(norm, c);
        for (let i = 0; i < g.length; i++) g[i] = round(round(g[i] * c) / divisor);
      });
    },
  };
}
