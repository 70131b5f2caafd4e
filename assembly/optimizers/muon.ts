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
// ‖X‖² is summed in double in index order.
//
// A step is a sequence of phases (the declaration's `parts`), each over a part of X's rows: the k
// rows are cut in `parts` runs of whole 8-row panels, and every phase computes the rows of its
// results that belong to its part, so that threads can run the parts of a phase together, joined
// before the next phase. Each element is computed by the same operations whichever part computes
// it, so the result does not depend on the cut. The phases, 3 + 5·nsSteps of them:
//   1       the momentum, and X₁ = bf16(u) (X's rows of the part)
//   2       ν from all of X₁ (part 0 alone: a sum in index order), kept in M's first value
//   then for NS step s, with X the current X, Y the other buffer:
//   3 + 5s  (s = 0: X = bf16(X₁/ν)), T = Xᵀ, and Xᵀ's panels (B of the next product) into P
//   4 + 5s  M = bf16(X·Xᵀ)
//   5 + 5s  M's panels into T's place, X's panels into P
//   6 + 5s  N = bf16(b·M + c·(M·M))
//   7 + 5s  Y = bf16(a·X + N·X), Y the next X
//   last    (nsSteps = 0: X = bf16(X₁/ν)), the parameter's move from X's rows of the part
// X of NS step s is X₀ for even s, X₁ for odd s (X₁ holds bf16(u) until step 0 has read it). The
// matrix multiply's panels of B (lib/matmul.ts) are packed once per product, by the parts of the
// phase before it, each from its own rows. An entry's phase word 0 runs every phase in turn over
// the whole tensor (one thread). The tensor's workspace (the declaration's workspace, 6 float32
// per element) holds X₀, X₁, T and P (k·K each), then M and N (k² each).
import { matmulRows, packRows, packTransposedRows } from "../lib/matmul";
import { lerp } from "../lib/rules";
import { fma, loadAt, storeAt } from "../lib/lanes";
import { MUON_PHASES_AFTER, MUON_PHASES_BEFORE, MUON_PHASES_REPEATED } from "../generated/parts";

// [n, param, grad, momentumBuffer, rows, cols, workspace, phase, part, parts] (generate.js: buffers,
// shape words, workspace, PART_WORDS)
const STRIDE: usize = 40;

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

/** The first of part `part`'s rows of X (k rows in whole 8-row panels; part `parts` starts at k). */
@inline function partStart(k: usize, part: usize, parts: usize): usize {
  return min<usize>(k, ((((k + 7) >> 3) * part) / parts) << 3);
}

/** X's element (r, c) is the tensor's element `tensorIndex(…)`: transposed when the tensor is tall. */
@inline function tensorIndex(tall: bool, cols: usize, r: usize, c: usize): usize {
  return tall ? c * cols + r : r * cols + c;
}

/** Rows [from, to) of X = bf16(X₁ / ν) into X₀ (X: K columns), ν kept in M's first value. */
@inline function normalizeRows(x0: usize, x1: usize, m: usize, K: usize, from: usize, to: usize): void {
  const norm = f32At(m, 0);
  for (let i = from * K; i < to * K; i++) setF32(x0, i, bf16(f32At(x1, i) / norm));
}

/** Phase `phase` of one tensor's step (its table entry at `entry`) over X's rows of the entry's part. */
@inline function muonPhase<T>(
  entry: usize, phase: i32, paramScale: T, oneMinusMomentum: T, momentum: T,
  lr: f64, a: f32, b: f32, c: f32, eps: f32, nsSteps: i32, nesterov: bool, matchRmsAdamw: bool,
): void {
  const n = <usize>load<u32>(entry);
  const param = <usize>load<u32>(entry, 4);
  const grad = <usize>load<u32>(entry, 8);
  const buf = <usize>load<u32>(entry, 12);
  const rows = <usize>load<u32>(entry, 16);
  const cols = <usize>load<u32>(entry, 20);
  const x0 = <usize>load<u32>(entry, 24); // the workspace
  const part = <usize>load<u32>(entry, 32);
  const parts = <usize>load<u32>(entry, 36);
  const tall = rows > cols;
  const k = tall ? cols : rows; // X is k×K
  const K = tall ? rows : cols;
  const x1 = x0 + (n << 2);
  const t = x1 + (n << 2);
  const packed = t + (n << 2);
  const m = packed + (n << 2);
  const nn = m + ((k * k) << 2);
  const from = partStart(k, part, parts);
  const to = partStart(k, part + 1, parts);
  if (phase == 1) {
    // The momentum, element by element, and X₁ = bf16(u).
    for (let r = from; r < to; r++) {
      for (let col: usize = 0; col < K; col++) {
        const i = tensorIndex(tall, cols, r, col);
        const g = loadAt<T, T>(grad, i);
        const next = lerp<T, T>(loadAt<T, T>(buf, i), g, oneMinusMomentum);
        storeAt<T, T>(buf, i, next);
        const u = nesterov ? lerp<T, T>(g, next, momentum) : next;
        setF32(x1, r * K + col, bf16(<f32>u));
      }
    }
    return;
  }
  if (phase == 2) {
    // ν = max(bf16(‖X₁‖), bf16(ε)), by the first part alone.
    if (part != 0) return;
    let squares: f64 = 0;
    for (let i: usize = 0; i < n; i++) {
      const v = <f64>f32At(x1, i);
      squares += v * v;
    }
    setF32(m, 0, max<f32>(bf16(<f32>Math.sqrt(squares)), bf16(eps)));
    return;
  }
  if (phase == MUON_PHASES_BEFORE + MUON_PHASES_REPEATED * nsSteps + MUON_PHASES_AFTER) {
    // p ← p·(1 − lr·λ) − lr_adj·O.
    if (nsSteps == 0) normalizeRows(x0, x1, m, K, from, to);
    const o = (nsSteps & 1) == 0 ? x0 : x1;
    const adjusted = matchRmsAdamw
      ? lr * (0.2 * Math.sqrt(<f64>max<usize>(rows, cols)))
      : lr * Math.sqrt(max<f64>(1, <f64>rows / <f64>cols));
    const negLrAdj = <T>-adjusted;
    for (let r = from; r < to; r++) {
      for (let col: usize = 0; col < K; col++) {
        const i = tensorIndex(tall, cols, r, col);
        const update = <T>f32At(o, r * K + col);
        storeAt<T, T>(param, i, fma<T, T>(negLrAdj, update, loadAt<T, T>(param, i) * paramScale));
      }
    }
    return;
  }
  const step = (phase - MUON_PHASES_BEFORE - 1) / MUON_PHASES_REPEATED;
  const x = (step & 1) == 0 ? x0 : x1;
  const y = (step & 1) == 0 ? x1 : x0;
  switch ((phase - MUON_PHASES_BEFORE - 1) % MUON_PHASES_REPEATED) {
    case 0: {
      // T = Xᵀ (X's rows of the part are T's columns) and its panels.
      if (step == 0) normalizeRows(x0, x1, m, K, from, to);
      for (let r = from; r < to; r++) {
        for (let col: usize = 0; col < K; col++) setF32(t, col * k + r, f32At(x, r * K + col));
      }
      packTransposedRows(x, k, K, from, to, packed);
      break;
    }
    case 1: {
      matmulRows(x, t, m, K, k, from, to, packed); // M = X·Xᵀ
      for (let i = from * k; i < to * k; i++) setF32(m, i, bf16(f32At(m, i)));
      break;
    }
    case 2: {
      // Every part has read T and Xᵀ's panels: M's panels take T's place, X's the panels'.
      packRows(m, k, k, from, to, t);
      packRows(x, k, K, from, to, packed);
      break;
    }
    case 3: {
      matmulRows(m, m, nn, k, k, from, to, t); // M·M
      for (let i = from * k; i < to * k; i++) setF32(nn, i, bf16(b * f32At(m, i) + c * f32At(nn, i)));
      break;
    }
    default: {
      matmulRows(nn, x, y, k, K, from, to, packed); // N·X
      for (let i = from * K; i < to * K; i++) setF32(y, i, bf16(a * f32At(x, i) + f32At(y, i)));
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
  const phases = MUON_PHASES_BEFORE + MUON_PHASES_REPEATED * nsSteps + MUON_PHASES_AFTER;
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * STRIDE;
    if (load<u32>(entry) == 0) continue;
    // Phase 0: every phase in turn (the whole tensor: part 0 of 1).
    const phase = <i32>load<u32>(entry, 28);
    for (let p = phase == 0 ? 1 : phase; p <= (phase == 0 ? phases : phase); p++) {
      muonPhase<T>(entry, p, paramScale, oneMinusMomentum, momentum, lr, a, b, c, eps, nsSteps, nesterov, matchRmsAdamw);
    }
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
