import type { ReferenceRule } from "./kernels.js";
import { fma } from "./rules.js";
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import { tensorBlocks } from "../runtime/tensor-blocks.js";

/**
 * Σ x² over a run of values in double, in the kernels' order (assembly/lib/sums.ts): value k to
 * partial sum k mod lanes (4 for float32, 2 for float64, the SIMD lanes), the partials added as
 * ((s0 + s1) + s2) + s3.
 */
function runSumOfSquares(values: readonly number[], lanes: number): number {
  const partials = [0, 0, 0, 0];
  values.forEach((x, k) => (partials[k % lanes] += x * x));
  return partials[0] + partials[1] + partials[2] + partials[3];
}

/**
 * Adafactor, the specification of `adafactor_f32` and `adafactor_f64` (see src/optimizers/adafactor.ts
 * for the math). Sums follow the kernel's blocks (runtime/tensor-blocks.ts) and its four phases
 * (assembly/optimizers/adafactor.ts): run sums per block, block sums in block order.
 */
export const adafactorReference: ReferenceRule<"adafactor"> = (
  r,
  { param, grad, rowVar, colVar, variance },
  { gradScale, paramScale, weight, rho, eps1, eps1Squared, eps2, d },
  flags,
  shape,
) => {
  const float32 = r(0.1) !== 0.1;
  const lanes = float32 ? 4 : 2;
  if (Number.isNaN(eps1)) {
    // ε1 = the element type's machine epsilon
    eps1 = float32 ? 2 ** -23 : 2 ** -52;
    eps1Squared = r(eps1 * eps1);
  }
  const lerp = (start: number, end: number) =>
    weight < 0.5 ? r(start + r(weight * r(end - start))) : r(end - r(r(end - start) * r(1 - weight)));
  const scaled = (estimate: number, g: number) => r(r(1 / r(Math.sqrt(Math.max(estimate, eps1Squared)))) * g);
  const g = (i: number) => r(grad[i] * gradScale);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
  const n = param.length;
  if (n === 0) return;
  const [rows, cols] = shape;
  const blocks = tensorBlocks(KERNEL_LAYOUTS.adafactor.blocks, n, shape); // read here: generated/kernels.js imports this module
  const block = range(0, blocks.count).map((b) => ({ start: blocks.start(b), stop: blocks.start(b + 1) }));
  /** Each block's sums: Σp² and Σu². */
  const sums = block.map(() => ({ p: 0, u: 0 }));
  const runs = (start: number, stop: number) => range(0, (stop - start) / cols).map((k) => start + k * cols);
  const batchOf = (at: number) => Math.floor(at / (rows * cols));

  // Phase 1: Σp² per block; factored R; 1-D V and Σu².
  block.forEach(({ start, stop }, b) => {
    if (rows === 0) {
      sums[b].p = runSumOfSquares(Array.from(param.subarray(start, stop)), lanes);
      for (let i = start; i < stop; i++) variance[i] = lerp(variance[i], r(g(i) * g(i)));
      sums[b].u = runSumOfSquares(
        range(start, stop).map((i) => scaled(variance[i], g(i))),
        lanes,
      );
      return;
    }
    for (const at of runs(start, stop)) {
      sums[b].p += runSumOfSquares(Array.from(param.subarray(at, at + cols)), lanes);
      const row = at / cols;
      rowVar[row] = lerp(rowVar[row], r(runSumOfSquares(range(at, at + cols).map(g), lanes) / cols));
    }
  });
  // mean(R) of each batch: its rows added in order within each block, then the blocks' sums in order.
  const rowSums = new Float64Array(rows > 0 ? n / (rows * cols) : 0);
  for (const { start, stop } of rows > 0 ? block : []) {
    let batch = -1;
    let part = 0;
    for (const at of runs(start, stop)) {
      if (batchOf(at) !== batch) {
        if (batch >= 0) rowSums[batch] += part;
        batch = batchOf(at);
        part = 0;
      }
      part += rowVar[at / cols];
    }
    if (batch >= 0) rowSums[batch] += part;
  }
  const meanOf = (batch: number) => Math.max(r(rowSums[batch] / rows), eps1);
  /** v̂ for element c of the row at element `at`. */
  const estimate = (at: number, c: number) =>
    r(r(rowVar[at / cols] * colVar[batchOf(at) * cols + c]) / meanOf(batchOf(at)));
  if (rows > 0) {
    // Phase 2: C, each column's Σg² over its batch's rows in order.
    for (let batch = 0; batch < n / (rows * cols); batch++) {
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let k = 0; k < rows; k++) s += g((batch * rows + k) * cols + c) * g((batch * rows + k) * cols + c);
        colVar[batch * cols + c] = lerp(colVar[batch * cols + c], r(s / rows));
      }
    }
    // Phase 3: Σu² per block.
    block.forEach(({ start, stop }, b) => {
      for (const at of runs(start, stop)) {
        const u = range(0, cols).map((c) => scaled(estimate(at, c), g(at + c)));
        sums[b].u += runSumOfSquares(u, lanes);
      }
    });
  }
  // Phase 4: the norms from every block in order, then p moves.
  const sumP = sums.reduce((s, { p }) => s + p, 0);
  const sumU = sums.reduce((s, { u }) => s + u, 0);
  const alpha = Math.max(eps2, Math.sqrt(sumP) / Math.sqrt(n)) * rho;
  const denom = Math.max(1, Math.sqrt(sumU) / (Math.sqrt(n) * d));
  const coef = r(-alpha / denom);
  const apply = (i: number, u: number) => {
    const p = flags.decoupled ? r(param[i] * paramScale) : param[i];
    param[i] = fma(r, coef, u, p);
  };
  for (const { start, stop } of block) {
    if (rows === 0) {
      for (let i = start; i < stop; i++) apply(i, scaled(variance[i], g(i)));
      continue;
    }
    for (const at of runs(start, stop)) {
      for (let c = 0; c < cols; c++) apply(at + c, scaled(estimate(at, c), g(at + c)));
    }
  }
};
