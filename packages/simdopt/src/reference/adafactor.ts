import type { ReferenceRule } from "./kernels.js";
import { fma } from "./rules.js";

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

/** Adafactor, the specification of `adafactor_f32` and `adafactor_f64` (see src/optimizers/adafactor.ts for the math). */
export const adafactorReference: ReferenceRule<"adafactor"> = (
  r,
  { param, grad, rowVar, colVar, variance },
  { gradScale, paramScale, weight, rho, eps1, eps1Squared, eps2, d },
  flags,
  [rows, cols],
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
  const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);
  const n = param.length;
  if (n === 0) return;
  // ‖p‖², like ‖u‖²: the sums of the runs along the last dim (one run for a 1-D tensor), in order.
  const run = rows > 0 ? cols : n;
  let sumP = 0;
  for (let at = 0; at < n; at += run) sumP += runSumOfSquares(Array.from(param.subarray(at, at + run)), lanes);
  const alpha = Math.max(eps2, Math.sqrt(sumP) / Math.sqrt(n)) * rho;
  const rowMean = (b: number) => {
    let s = 0;
    for (let k = 0; k < rows; k++) s += rowVar[b * rows + k];
    return Math.max(r(s / rows), eps1);
  };
  const batches = rows > 0 ? n / (rows * cols) : 0;
  /** v̂ for element c of row k of batch b. */
  const estimate = (b: number, k: number, c: number, mean: number) =>
    r(r(rowVar[b * rows + k] * colVar[b * cols + c]) / mean);
  let sumU = 0;
  if (rows > 0) {
    for (let b = 0; b < batches; b++) {
      const base = b * rows * cols;
      for (let k = 0; k < rows; k++) {
        const s = runSumOfSquares(
          range(base + k * cols, cols).map((i) => g(i)),
          lanes,
        );
        rowVar[b * rows + k] = lerp(rowVar[b * rows + k], r(s / cols));
      }
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let k = 0; k < rows; k++) {
          const x = g(base + k * cols + c);
          s += x * x;
        }
        colVar[b * cols + c] = lerp(colVar[b * cols + c], r(s / rows));
      }
      const mean = rowMean(b);
      for (let k = 0; k < rows; k++) {
        const u = range(0, cols).map((c) => scaled(estimate(b, k, c, mean), g(base + k * cols + c)));
        sumU += runSumOfSquares(u, lanes);
      }
    }
  } else {
    for (let i = 0; i < n; i++) variance[i] = lerp(variance[i], r(g(i) * g(i)));
    sumU = runSumOfSquares(
      range(0, n).map((i) => scaled(variance[i], g(i))),
      lanes,
    );
  }
  const denom = Math.max(1, Math.sqrt(sumU) / (Math.sqrt(n) * d));
  const coef = r(-alpha / denom);
  const apply = (i: number, u: number) => {
    const p = flags.decoupled ? r(param[i] * paramScale) : param[i];
    param[i] = fma(r, coef, u, p);
  };
  if (rows > 0) {
    for (let b = 0; b < batches; b++) {
      const mean = rowMean(b);
      for (let k = 0; k < rows; k++) {
        for (let c = 0; c < cols; c++) {
          const i = b * rows * cols + k * cols + c;
          apply(i, scaled(estimate(b, k, c, mean), g(i)));
        }
      }
    }
  } else {
    for (let i = 0; i < n; i++) apply(i, scaled(variance[i], g(i)));
  }
};
