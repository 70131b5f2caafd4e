// The counterpart of assembly/lib/matmul.ts: C = A·B of row-major float32 matrices, each element
// summed in float32 over k = 0, 1, …, p−1 in order, every product and sum rounded on its own.
// The kernel's blocking and SIMD lanes keep exactly this order, so the two agree bit for bit.

const f = Math.fround;

/** C = A·B for A: m×p, B: p×n (row-major float32); returns C (m×n). */
export function matmul(a: Float32Array, b: Float32Array, m: number, p: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s = f(s + f(a[i * p + k] * b[k * n + j]));
      c[i * n + j] = s;
    }
  }
  return c;
}
