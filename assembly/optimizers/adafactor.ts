// Adafactor (Shazeer & Stern, 2018; torch.optim.Adafactor, torch 2.5), hand-written: it needs the
// norms of p and of the update, and for a tensor of 2 or more dims the row and column means of g²
// over its last two dims (leading dims are batches), with a factored second moment: rowVar holds
// batch·rows values, colVar batch·cols (both live in buffers of the tensor's length), variance n
// values for a 1-D tensor. Per tensor, with w = t^β2decay, ρ = min(lr, 1/√t):
//   α = max(ε2, ‖p‖/√n)·ρ          (before the weight decay)
//   factored:  R ← lerp(R, rowmean(g²), w);  C ← lerp(C, colmean(g²), w)
//              v̂ = R·C / max(mean(R), ε1)
//   1-D:       V ← lerp(V, g², w);  v̂ = V
//   u = g / √max(v̂, ε1²);   p ← p·(1 − lr·λ) − α/max(1, ‖u‖/(√n·d)) · u
// Loops are scalar (no SIMD body) so that every binary and the reference sum in the same order;
// sums are taken in double, element by element in row-major order.
import { fma } from "../lib/lanes";

const STRIDE: usize = 32; // [n, param, grad, rowVar, colVar, variance, rows, cols]

/** torch's lerp: self + w·(end − self) for w < ½, end − (end − self)·(1 − w) otherwise. */
@inline function lerp<T>(start: T, end: T, weight: T): T {
  return weight < <T>0.5 ? start + weight * (end - start) : end - (end - start) * (<T>1 - weight);
}

/** The update's element from the second-moment estimate and the gradient: g / √max(v̂, ε1²). */
@inline function scaled<T>(estimate: T, g: T, eps1Squared: T): T {
  return (<T>1 / <T>Math.sqrt(<f64>max<T>(estimate, eps1Squared))) * g;
}

@inline function adafactorTensors<T>(table: usize, count: usize, scalars: usize, decoupled: bool): void {
  const gradScale = <T>load<f64>(scalars, 0);
  const paramScale = <T>load<f64>(scalars, 8);
  const weight = <T>load<f64>(scalars, 16);
  const rho = <f64><T>load<f64>(scalars, 24);
  let eps1 = <T>load<f64>(scalars, 32);
  let eps1Squared = <T>load<f64>(scalars, 40);
  const eps2 = <f64><T>load<f64>(scalars, 48);
  const d = <f64><T>load<f64>(scalars, 56);
  if (isNaN(eps1)) { // ε1 = the element type's machine epsilon
    eps1 = sizeof<T>() == 4 ? <T>1.1920928955078125e-7 : <T>2.220446049250313e-16;
    eps1Squared = eps1 * eps1;
  }
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * STRIDE;
    const n = <usize>load<u32>(entry);
    const param = <usize>load<u32>(entry, 4);
    const grad = <usize>load<u32>(entry, 8);
    const rowVar = <usize>load<u32>(entry, 12);
    const colVar = <usize>load<u32>(entry, 16);
    const variance = <usize>load<u32>(entry, 20);
    const rows = <usize>load<u32>(entry, 24);
    const cols = <usize>load<u32>(entry, 28);
    const size = sizeof<T>();
    let sumP: f64 = 0;
    for (let i: usize = 0; i < n; i++) {
      const p = <f64>load<T>(param + i * size);
      sumP += p * p;
    }
    const alpha = max<f64>(eps2, Math.sqrt(sumP) / Math.sqrt(<f64>n)) * rho;
    let sumU: f64 = 0;
    if (rows > 0) {
      const batches = n / (rows * cols);
      for (let b: usize = 0; b < batches; b++) {
        const base = b * rows * cols;
        for (let r: usize = 0; r < rows; r++) {
          let s: f64 = 0;
          for (let c: usize = 0; c < cols; c++) {
            const g = <f64>(load<T>(grad + (base + r * cols + c) * size) * gradScale);
            s += g * g;
          }
          const at = rowVar + (b * rows + r) * size;
          store<T>(at, lerp<T>(load<T>(at), <T>(s / <f64>cols), weight));
        }
        for (let c: usize = 0; c < cols; c++) {
          let s: f64 = 0;
          for (let r: usize = 0; r < rows; r++) {
            const g = <f64>(load<T>(grad + (base + r * cols + c) * size) * gradScale);
            s += g * g;
          }
          const at = colVar + (b * cols + c) * size;
          store<T>(at, lerp<T>(load<T>(at), <T>(s / <f64>rows), weight));
        }
        const mean = rowMean<T>(rowVar + b * rows * size, rows, eps1);
        for (let r: usize = 0; r < rows; r++) {
          const rv = load<T>(rowVar + (b * rows + r) * size);
          for (let c: usize = 0; c < cols; c++) {
            const g = load<T>(grad + (base + r * cols + c) * size) * gradScale;
            const u = <f64>scaled<T>(rv * load<T>(colVar + (b * cols + c) * size) / mean, g, eps1Squared);
            sumU += u * u;
          }
        }
      }
    } else {
      for (let i: usize = 0; i < n; i++) {
        const g = load<T>(grad + i * size) * gradScale;
        const v = lerp<T>(load<T>(variance + i * size), g * g, weight);
        store<T>(variance + i * size, v);
        const u = <f64>scaled<T>(v, g, eps1Squared);
        sumU += u * u;
      }
    }
    const denom = max<f64>(1, Math.sqrt(sumU) / (Math.sqrt(<f64>n) * d));
    const coef = <T>(-alpha / denom);
    if (rows > 0) {
      const batches = n / (rows * cols);
      for (let b: usize = 0; b < batches; b++) {
        const base = b * rows * cols;
        const mean = rowMean<T>(rowVar + b * rows * size, rows, eps1);
        for (let r: usize = 0; r < rows; r++) {
          const rv = load<T>(rowVar + (b * rows + r) * size);
          for (let c: usize = 0; c < cols; c++) {
            const i = base + r * cols + c;
            const g = load<T>(grad + i * size) * gradScale;
            const u = scaled<T>(rv * load<T>(colVar + (b * cols + c) * size) / mean, g, eps1Squared);
            let p = load<T>(param + i * size);
            if (decoupled) p = p * paramScale;
            store<T>(param + i * size, fma<T, T>(coef, u, p));
          }
        }
      }
    } else {
      for (let i: usize = 0; i < n; i++) {
        const g = load<T>(grad + i * size) * gradScale;
        const u = scaled<T>(load<T>(variance + i * size), g, eps1Squared);
        let p = load<T>(param + i * size);
        if (decoupled) p = p * paramScale;
        store<T>(param + i * size, fma<T, T>(coef, u, p));
      }
    }
  }
}

/** max(mean of `rows` values at `at`, ε1), the mean summed in double. */
@inline function rowMean<T>(at: usize, rows: usize, eps1: T): T {
  let s: f64 = 0;
  for (let r: usize = 0; r < rows; r++) s += <f64>load<T>(at + r * sizeof<T>());
  return max<T>(<T>(s / <f64>rows), eps1);
}

@inline function adafactorStep<T>(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, 64);
  if (flags == 0) adafactorTensors<T>(table, count, scalars, false);
  else if (flags == 1) adafactorTensors<T>(table, count, scalars, true);
  else unreachable();
}

/** Adafactor: one step of `count` float32 tensors (the ABI of generate.js; declaration optimizers/adafactor.json). */
export function adafactor_f32(table: usize, count: usize, scalars: usize): void {
  adafactorStep<f32>(table, count, scalars);
}

/** Adafactor: one step of `count` float64 tensors. */
export function adafactor_f64(table: usize, count: usize, scalars: usize): void {
  adafactorStep<f64>(table, count, scalars);
}
