// Muon (Jordan et al., 2024; torch.optim.Muon, torch 2.9+), hand-written: a step of a 2-D tensor
// [A, B] orthogonalizes its momentum with matrix products. Per tensor (buf starts at 0):
//   buf ← lerp(buf, g, 1 − μ);   u = lerp(g, buf, μ) with nesterov, else buf     (in T)
//   O = NS(u), in bfloat16 (below);   p ← p·(1 − lr·λ);   p ← p − lr_adj·O
//   lr_adj = lr·√max(1, A/B), or lr·0.2·√max(A, B) (matchRmsAdamw), in double
// NS, as torch computes it in bfloat16 (bf16(x): x rounded to float32, then to nearest-even bfloat16):
//   X = bf16(u), transposed when A > B (so X is k×K, k = min(A, B));  ν = bf16(‖X‖_F)
//   X = bf16(X / max(ν, bf16(ε)));  nsSteps times:
//     M = bf16(X·Xᵀ);  N = bf16(b·M + c·(M·M));  X = bf16(a·X + N·X)
// The products are lib/matmul.ts's (float32 sums in a fixed order, the same in every binary);
// ‖X‖² is summed in double in index order. The tensor's workspace (the declaration's workspace,
// 5 float32 per element) holds X and Y (k·K each: Xᵀ, then the next X), M and N (k² each) and the
// multiply's packed panels (at most k·K).
import { matmulRows } from "../lib/matmul";
import { lerp } from "../lib/rules";
import { fma, loadAt, storeAt } from "../lib/lanes";

// [n, param, grad, momentumBuffer, rows, cols, workspace] (generate.js: buffers, shape words, workspace)
const STRIDE: usize = 28;

/** x rounded to nearest-even bfloat16, as a float32 (every NaN becomes torch's 0x7FC0). */
@inline function bf16(x: f32): f32 {
  const bits = reinterpret<u32>(x);
  const rounded = ((bits + (((bits >> 16) & 1) + 0x7fff)) >> 16) << 16;
  return reinterpret<f32>(select<u32>(0x7fc00000, rounded, x != x));
}

@inline function f32At(base: usize, i: usize): f32 {
  return load<f32>(base + (i << 2));
}

@inline function setF32(base: usize, i: usize, x: f32): void {
  store<f32>(base + (i << 2), x);
}

/** dst (cols×rows) = srcᵀ (src: rows×cols), row-major float32. */
@inline function transpose(src: usize, dst: usize, rows: usize, cols: usize): void {
  for (let r: usize = 0; r < rows; r++) {
    for (let c: usize = 0; c < cols; c++) setF32(dst, c * rows + r, f32At(src, r * cols + c));
  }
}

/**
 * One tensor: the momentum and X = bf16(u) (transposed when rows > cols), NS into the workspace,
 * then the parameter's move. Returns nothing; every buffer is the entry's.
 */
@inline function muonTensor<T>(
  entry: usize, paramScale: T, oneMinusMomentum: T, momentum: T, lr: f64,
  a: f32, b: f32, c: f32, eps: f32, nsSteps: i32, nesterov: bool, matchRmsAdamw: bool,
): void {
  const n = <usize>load<u32>(entry);
  const param = <usize>load<u32>(entry, 4);
  const grad = <usize>load<u32>(entry, 8);
  const buf = <usize>load<u32>(entry, 12);
  const rows = <usize>load<u32>(entry, 16);
  const cols = <usize>load<u32>(entry, 20);
  const workspace = <usize>load<u32>(entry, 24);
  const tall = rows > cols;
  const k = tall ? cols : rows; // X is k×K
  const K = tall ? rows : cols;
  let x = workspace;
  let y = x + ((n << 2));
  const m = y + ((n << 2));
  const nn = m + ((k * k) << 2);
  const packed = nn + ((k * k) << 2);
  // The momentum, element by element, and X = bf16(u) (row r, column c of the tensor at X's (c, r) when tall).
  for (let r: usize = 0; r < rows; r++) {
    for (let col: usize = 0; col < cols; col++) {
      const i = r * cols + col;
      const g = loadAt<T, T>(grad, i);
      const next = lerp<T, T>(loadAt<T, T>(buf, i), g, oneMinusMomentum);
      storeAt<T, T>(buf, i, next);
      const u = nesterov ? lerp<T, T>(g, next, momentum) : next;
      setF32(x, tall ? col * rows + r : i, bf16(<f32>u));
    }
  }
  // X = bf16(X / max(bf16(‖X‖), bf16(ε))).
  let squares: f64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const v = <f64>f32At(x, i);
    squares += v * v;
  }
  const norm = max<f32>(bf16(<f32>Math.sqrt(squares)), bf16(eps));
  for (let i: usize = 0; i < n; i++) setF32(x, i, bf16(f32At(x, i) / norm));
  for (let s: i32 = 0; s < nsSteps; s++) {
    transpose(x, y, k, K);
    matmulRows(x, y, m, K, k, 0, k, packed); // M = X·Xᵀ
    for (let i: usize = 0; i < k * k; i++) setF32(m, i, bf16(f32At(m, i)));
    matmulRows(m, m, nn, k, k, 0, k, packed); // M·M
    for (let i: usize = 0; i < k * k; i++) setF32(nn, i, bf16(b * f32At(m, i) + c * f32At(nn, i)));
    matmulRows(nn, x, y, k, K, 0, k, packed); // N·X
    for (let i: usize = 0; i < n; i++) setF32(y, i, bf16(a * f32At(x, i) + f32At(y, i)));
    const swap = x;
    x = y;
    y = swap;
  }
  // p ← p·(1 − lr·λ) − lr_adj·O.
  const adjusted = matchRmsAdamw
    ? lr * (0.2 * Math.sqrt(<f64>max<usize>(rows, cols)))
    : lr * Math.sqrt(max<f64>(1, <f64>rows / <f64>cols));
  const negLrAdj = <T>-adjusted;
  for (let r: usize = 0; r < rows; r++) {
    for (let col: usize = 0; col < cols; col++) {
      const i = r * cols + col;
      const o = <T>f32At(x, tall ? col * rows + r : i);
      storeAt<T, T>(param, i, fma<T, T>(negLrAdj, o, loadAt<T, T>(param, i) * paramScale));
    }
  }
}

@inline function muonStep<T>(table: usize, count: usize, scalars: usize): void {
  const paramScale = <T>load<f64>(scalars, 0);
  const oneMinusMomentum = <T>load<f64>(scalars, 8);
  const momentum = <T>load<f64>(scalars, 16);
  const lr = load<f64>(scalars, 24); // in double (doubleScalars)
  const a = <f32>load<f64>(scalars, 32); // the Newton–Schulz arithmetic is float32, whatever T
  const b = <f32>load<f64>(scalars, 40);
  const c = <f32>load<f64>(scalars, 48);
  const eps = <f32>load<f64>(scalars, 56);
  const nsSteps = <i32>load<f64>(scalars, 64);
  const flags = load<u32>(scalars, 72);
  const nesterov = (flags & 1) != 0;
  const matchRmsAdamw = (flags & 2) != 0;
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * STRIDE;
    if (load<u32>(entry) == 0) continue;
    muonTensor<T>(entry, paramScale, oneMinusMomentum, momentum, lr, a, b, c, eps, nsSteps, nesterov, matchRmsAdamw);
  }
}

/** Muon: one step of `count` float32 2-D tensors (the ABI of generate.js; declaration optimizers/muon.json). */
export function muon_f32(table: usize, count: usize, scalars: usize): void {
  muonStep<f32>(table, count, scalars);
}

/** Muon: one step of `count` float64 2-D tensors (the Newton–Schulz iteration is bfloat16 all the same). */
export function muon_f64(table: usize, count: usize, scalars: usize): void {
  muonStep<f64>(table, count, scalars);
}
