// C = A·B for row-major float32 matrices (A: m×p, B: p×n, C: m×n), each element of C summed in
// float32 over k = 0, 1, …, p−1 in order, every product and every sum rounded on its own (no fused
// multiply-add in any build). The order of a sum is the same in every binary and in the reference
// (src/reference/matmul.ts), so all of them agree bit for bit; only the speed differs. It does not
// depend on which rows a call computes either: threads may compute C's rows in any split.
//
// Blocked for the caches: the sum over k is cut in runs of K_BLOCK (C holds the partial sums
// between runs, which keeps the order), and within a run the SIMD build computes C four rows by
// eight columns at a time (eight f32x4 accumulators), then four rows by four columns, then single
// rows; the last n mod 4 columns are summed one element at a time. The four-by-eight tiles read B
// from `packed`, B's first 8·⌊n/8⌋ columns copied beforehand (packRows, packTransposedRows) as
// panels of eight columns, each run's K_BLOCK × 8 values contiguous: read in place, a tile's k-th
// row would lie n floats after the (k−1)-th, and with n a multiple of 1024 every one of them falls
// in the same set of the L1 cache. B is packed once for all the rows of C, by rows of B, so that
// the threads that compute C's rows can pack it together first. `packed` holds p·8·⌊n/8⌋ floats
// (at most p·n); the scalar build neither writes nor reads it.

/** Terms of a sum taken per pass over C: a K_BLOCK×n panel of B stays in the cache for every row of A. */
const K_BLOCK: usize = 64;

@inline function at(base: usize, index: usize): usize {
  return base + (index << 2);
}

/** Float index in `packed` of row k of panel q of B (p rows, `panels` panels of eight columns). */
@inline function panelRow(p: usize, panels: usize, k: usize, q: usize): usize {
  const k0 = k - k % K_BLOCK;
  const run = min<usize>(K_BLOCK, p - k0);
  return k0 * (panels << 3) + q * (run << 3) + ((k - k0) << 3);
}

/**
 * Rows [rowFrom, rowTo) of B (p×n, row-major float32) into `packed`, as matmulRows reads them;
 * calls over rows that together cover [0, p) pack all of B. Nothing in the scalar build.
 */
export function packRows(b: usize, p: usize, n: usize, rowFrom: usize, rowTo: usize, packed: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  const panels = n >> 3;
  for (let k = rowFrom; k < rowTo; k++) {
    const from = at(b, k * n);
    for (let q: usize = 0; q < panels; q++) {
      const to = at(packed, panelRow(p, panels, k, q));
      v128.store(to, v128.load(from + (q << 5)));
      v128.store(to, v128.load(from + (q << 5), 16), 16);
    }
  }
}

/**
 * The panels of B = Xᵀ (X: rows×cols, so B: cols×rows) that rows [rowFrom, rowTo) of X make, X's
 * rows being B's columns: the panels of eight whole rows among them, so that calls over rows cut
 * at multiples of 8 that together cover [0, rows) pack all of B. Nothing in the scalar build.
 */
export function packTransposedRows(
  x: usize, rows: usize, cols: usize, rowFrom: usize, rowTo: usize, packed: usize,
): void {
  if (!ASC_FEATURE_SIMD) return;
  const panels = rows >> 3;
  const stride = cols << 2;
  for (let q = (rowFrom + 7) >> 3; (q << 3) + 8 <= rowTo; q++) {
    const row = at(x, (q << 3) * cols);
    for (let k: usize = 0; k < cols; k++) {
      const to = at(packed, panelRow(cols, panels, k, q));
      const from = row + (k << 2);
      for (let l: usize = 0; l < 8; l++) store<f32>(to + (l << 2), load<f32>(from + l * stride));
    }
  }
}

/**
 * Rows [rowFrom, rowTo) of C = A·B (A: m×p, B: p×n, C: m×n, row-major float32; C may not overlap
 * A or B), with `packed` all of B's panels (packRows, packTransposedRows), read by the SIMD build.
 */
export function matmulRows(
  a: usize, b: usize, c: usize, p: usize, n: usize, rowFrom: usize, rowTo: usize, packed: usize,
): void {
  if (p == 0) {
    for (let i = rowFrom; i < rowTo; i++) memory.fill(at(c, i * n), 0, n << 2);
    return;
  }
  for (let k0: usize = 0; k0 < p; k0 += K_BLOCK) {
    const k1 = min<usize>(p, k0 + K_BLOCK);
    const first = k0 == 0;
    let i = rowFrom;
    if (ASC_FEATURE_SIMD) {
      const run = at(packed, k0 * ((n >> 3) << 3)); // this run's panels
      for (; i + 4 <= rowTo; i += 4) {
        let j: usize = 0;
        for (; j + 8 <= n; j += 8) fourByEight(a, run + ((j * (k1 - k0)) << 2), c, p, n, i, j, k0, k1, first);
        for (; j + 4 <= n; j += 4) fourByFour(a, b, c, p, n, i, j, k0, k1, first);
        for (; j < n; j++) {
          for (let r: usize = 0; r < 4; r++) oneElement(a, b, c, p, n, i + r, j, k0, k1, first);
        }
      }
      for (; i < rowTo; i++) {
        let j: usize = 0;
        for (; j + 4 <= n; j += 4) oneByFour(a, b, c, p, n, i, j, k0, k1, first);
        for (; j < n; j++) oneElement(a, b, c, p, n, i, j, k0, k1, first);
      }
    } else {
      for (; i < rowTo; i++) {
        for (let j: usize = 0; j < n; j++) oneElement(a, b, c, p, n, i, j, k0, k1, first);
      }
    }
  }
}

/** C[i][j] += Σ_{k0 ≤ k < k1} A[i][k]·B[k][j], from 0 when `first`. */
@inline function oneElement(
  a: usize, b: usize, c: usize, p: usize, n: usize, i: usize, j: usize, k0: usize, k1: usize, first: bool,
): void {
  let s: f32 = first ? 0 : load<f32>(at(c, i * n + j));
  for (let k = k0; k < k1; k++) s = s + load<f32>(at(a, i * p + k)) * load<f32>(at(b, k * n + j));
  store<f32>(at(c, i * n + j), s);
}

/** C[i][j..j+4) as `oneElement`, four columns a vector. */
@inline function oneByFour(
  a: usize, b: usize, c: usize, p: usize, n: usize, i: usize, j: usize, k0: usize, k1: usize, first: bool,
): void {
  let s = first ? f32x4.splat(0) : v128.load(at(c, i * n + j));
  for (let k = k0; k < k1; k++) {
    s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(at(a, i * p + k))), v128.load(at(b, k * n + j))));
  }
  v128.store(at(c, i * n + j), s);
}

/** C[i..i+4)[j..j+4) as `oneElement`. */
@inline function fourByFour(
  a: usize, b: usize, c: usize, p: usize, n: usize, i: usize, j: usize, k0: usize, k1: usize, first: bool,
): void {
  const c0 = at(c, i * n + j), c1 = c0 + (n << 2), c2 = c1 + (n << 2), c3 = c2 + (n << 2);
  const zero = f32x4.splat(0);
  let s0 = first ? zero : v128.load(c0), s1 = first ? zero : v128.load(c1);
  let s2 = first ? zero : v128.load(c2), s3 = first ? zero : v128.load(c3);
  const a0 = at(a, i * p), a1 = a0 + (p << 2), a2 = a1 + (p << 2), a3 = a2 + (p << 2);
  for (let k = k0; k < k1; k++) {
    const row = v128.load(at(b, k * n + j));
    const off = k << 2;
    s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a0 + off)), row));
    s1 = f32x4.add(s1, f32x4.mul(f32x4.splat(load<f32>(a1 + off)), row));
    s2 = f32x4.add(s2, f32x4.mul(f32x4.splat(load<f32>(a2 + off)), row));
    s3 = f32x4.add(s3, f32x4.mul(f32x4.splat(load<f32>(a3 + off)), row));
  }
  v128.store(c0, s0);
  v128.store(c1, s1);
  v128.store(c2, s2);
  v128.store(c3, s3);
}

/**
 * C[i..i+4)[j..j+8) as `oneElement`: eight accumulators, two vectors of B and four values of A per
 * k; `panel` is B's rows k0..k1 of these eight columns, packed (8 values a row).
 */
@inline function fourByEight(
  a: usize, panel: usize, c: usize, p: usize, n: usize, i: usize, j: usize, k0: usize, k1: usize, first: bool,
): void {
  const c0 = at(c, i * n + j), c1 = c0 + (n << 2), c2 = c1 + (n << 2), c3 = c2 + (n << 2);
  const zero = f32x4.splat(0);
  let s0 = first ? zero : v128.load(c0), t0 = first ? zero : v128.load(c0, 16);
  let s1 = first ? zero : v128.load(c1), t1 = first ? zero : v128.load(c1, 16);
  let s2 = first ? zero : v128.load(c2), t2 = first ? zero : v128.load(c2, 16);
  let s3 = first ? zero : v128.load(c3), t3 = first ? zero : v128.load(c3, 16);
  const a0 = at(a, i * p), a1 = a0 + (p << 2), a2 = a1 + (p << 2), a3 = a2 + (p << 2);
  let row = panel;
  for (let k = k0; k < k1; k++) {
    const left = v128.load(row), right = v128.load(row, 16);
    const off = k << 2;
    const x0 = f32x4.splat(load<f32>(a0 + off)), x1 = f32x4.splat(load<f32>(a1 + off));
    const x2 = f32x4.splat(load<f32>(a2 + off)), x3 = f32x4.splat(load<f32>(a3 + off));
    s0 = f32x4.add(s0, f32x4.mul(x0, left));
    t0 = f32x4.add(t0, f32x4.mul(x0, right));
    s1 = f32x4.add(s1, f32x4.mul(x1, left));
    t1 = f32x4.add(t1, f32x4.mul(x1, right));
    s2 = f32x4.add(s2, f32x4.mul(x2, left));
    t2 = f32x4.add(t2, f32x4.mul(x2, right));
    s3 = f32x4.add(s3, f32x4.mul(x3, left));
    t3 = f32x4.add(t3, f32x4.mul(x3, right));
    row += 32;
  }
  v128.store(c0, s0);
  v128.store(c0, t0, 16);
  v128.store(c1, s1);
  v128.store(c1, t1, 16);
  v128.store(c2, s2);
  v128.store(c2, t2, 16);
  v128.store(c3, s3);
  v128.store(c3, t3, 16);
}
