import type { ReferenceRule } from "./kernels.js";
import { fma, lerp } from "./rules.js";
import { fromBfloat16, toBfloat16 } from "./bfloat16.js";
import { matmul } from "./matmul.js";

const f = Math.fround;

/** x rounded to float32, then to nearest-even bfloat16 (every NaN becomes torch's NaN). */
function bf16(x: number): number {
  return fromBfloat16(toBfloat16(f(x)));
}

/** Xᵀ of a rows×cols row-major matrix. */
function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
  return t;
}

/**
 * Muon, the specification of `muon_f32` and `muon_f64` (see assembly/optimizers/muon.ts and
 * src/optimizers/muon.ts for the math): the momentum in the parameter's type, Newton–Schulz in
 * bfloat16 with float32 products (matmul.ts), the move in the parameter's type.
 */
export const muonReference: ReferenceRule<"muon"> = (
  r,
  { param, grad, momentumBuffer },
  { paramScale, oneMinusMomentum, momentum, lr, nsA, nsB, nsC, eps, nsSteps },
  flags,
  shape,
) => {
  const [rows, cols] = shape;
  const n = rows * cols;
  const tall = rows > cols;
  const [k, K] = tall ? [cols, rows] : [rows, cols];
  const [a, b, c] = [f(nsA), f(nsB), f(nsC)];
  let x: Float32Array = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const next = lerp(r, momentumBuffer[i], g, oneMinusMomentum);
    momentumBuffer[i] = next;
    x[i] = bf16(flags.nesterov ? lerp(r, g, next, momentum) : next);
  }
  if (tall) x = transpose(x, rows, cols);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += x[i] * x[i];
  const norm = Math.max(bf16(Math.sqrt(squares)), bf16(eps));
  for (let i = 0; i < n; i++) x[i] = bf16(x[i] / norm);
  for (let s = 0; s < nsSteps; s++) {
    const m = matmul(x, transpose(x, k, K), k, K, k).map(bf16);
    const mm = matmul(m, m, k, k, k);
    const update = m.map((v, i) => bf16(f(b * v) + f(c * mm[i])));
    const nx = matmul(update, x, k, k, K);
    x = x.map((v, i) => bf16(f(a * v) + nx[i]));
  }
  if (tall) x = transpose(x, k, K);
  const adjusted = flags.matchRmsAdamw
    ? lr * (0.2 * Math.sqrt(Math.max(rows, cols)))
    : lr * Math.sqrt(Math.max(1, rows / cols));
  const negLrAdj = r(-adjusted);
  for (let i = 0; i < n; i++) param[i] = fma(r, negLrAdj, x[i], r(param[i] * paramScale));
};
