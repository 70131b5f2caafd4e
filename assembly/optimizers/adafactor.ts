// Adafactor (Shazeer & Stern, 2018; torch.optim.Adafactor, torch 2.5), hand-written: it needs the
// norms of p and of the update, and for a tensor of 2 or more dims the row and column means of g²
// over its last two dims (leading dims are batches), with a factored second moment: rowVar holds
// batch·rows values, colVar batch·cols (buffers of exactly those lengths; variance's address is
// then 0), variance n values for a 1-D tensor (rowVar's and colVar's addresses then 0). Per tensor, with w = t^β2decay, ρ = min(lr, 1/√t):
//   α = max(ε2, ‖p‖/√n)·ρ          (before the weight decay)
//   factored:  R ← lerp(R, rowmean(g²), w);  C ← lerp(C, colmean(g²), w)
//              v̂ = R·C / max(mean(R), ε1)
//   1-D:       V ← lerp(V, g², w);  v̂ = V
//   u = g / √max(v̂, ε1²);   p ← p·(1 − lr·λ) − α/max(1, ‖u‖/(√n·d)) · u
// Sums are taken in double, in an order that depends on the tensor alone, so that the SIMD body,
// the scalar build, the reference and any cut of the tensor between threads agree bit for bit.
// A tensor is summed in blocks (the declaration's blocks, wholeRows): a 1-D tensor in blocks of
// ADAFACTOR_BLOCK_ELEMENTS, a factored one in blocks of whole batches (⌊ADAFACTOR_BLOCK_ELEMENTS/
// (rows·cols)⌋ of them) or, where a batch is larger than a block, of max(1, ⌊ADAFACTOR_BLOCK_ELEMENTS/
// cols⌋) whole rows of one batch. Runs of contiguous values (a 1-D block, a row) are summed in the
// order of lib/sums.ts (partial sums by position mod lanes); a block's sums add its runs in order,
// and the tensor's the blocks' in block order. mean(R) adds a batch's rows in order within each
// block, then its blocks' sums in order; a column's sum of g² adds the batch's rows in order. A step runs in four phases, each over whole blocks (the pool joins each phase
// before the next; phase word 0 runs all four in turn):
//   1  Σp² per block; factored: R per row (and ΣR per block of a split batch); 1-D: V and Σu²
//   2  factored: C, of each whole batch, or a share of a split batch's columns over all its rows
//   3  factored: Σu² per block, with mean(R)
//   4  ‖p‖ and ‖u‖ from all the tensor's blocks, then p moves
import { lanesOf, loadAt, storeAt, splat, add, sub, mul, div, sqrt, max as maximum, fma } from "../lib/lanes";
import { addSquaresLow, addSquaresHigh, quotientsOf, partialsTotal } from "../lib/sums";
import { ADAFACTOR_BLOCK_ELEMENTS } from "../generated/blocks";

// [n, param, grad, rowVar, colVar, variance, rows, cols, phase, first, scratch, tensorLength]
// (generate.js's BLOCK_WORDS after the shape words)
const STRIDE: usize = 48;
// A block's scratch slot (the declaration's blocks.scratchBytes): [Σp², Σu², ΣR, unused] as f64.
const SLOT: usize = 32;
const SUM_P: usize = 0;
const SUM_U: usize = 8;
const SUM_R: usize = 16;

// What a run of a tensor yields, value k of it (see `valueAt`).
const SCALED_VALUES: i32 = 0; // values[k]·scale
const FACTORED_UPDATE: i32 = 1; // the update of a factored row: scaled(rowVar·colVar[k]/mean, grad[k]·gradScale)
const FULL_UPDATE: i32 = 2; // variance[k] ← lerp(variance[k], g², w), then scaled(variance[k], g)

/** torch's lerp: self + w·(end − self) for w < ½, end − (end − self)·(1 − w) otherwise. */
@inline function lerp<T, V>(start: V, end: V, weight: T): V {
  if (weight < <T>0.5) return add<T, V>(start, mul<T, V>(splat<T, V>(weight), sub<T, V>(end, start)));
  return sub<T, V>(end, mul<T, V>(sub<T, V>(end, start), splat<T, V>(<T>1 - weight)));
}

/** The update's element(s) from the second-moment estimate and the gradient: g / √max(v̂, ε1²). */
@inline function scaled<T, V>(estimate: V, g: V, eps1Squared: V): V {
  return mul<T, V>(div<T, V>(splat<T, V>(<T>1), sqrt<T, V>(maximum<T, V>(estimate, eps1Squared))), g);
}

/** Value(s) k of a run: `values` is the run's values, colVar or variance; `grad` its gradient. */
@inline function valueAt<T, V>(
  kind: i32, k: usize, values: usize, grad: usize, scale: V, rowFactor: V, mean: V, weight: T, eps1Squared: V,
): V {
  if (kind == SCALED_VALUES) return mul<T, V>(loadAt<T, V>(values, k), scale);
  const g = mul<T, V>(loadAt<T, V>(grad, k), scale);
  if (kind == FACTORED_UPDATE) {
    return scaled<T, V>(div<T, V>(mul<T, V>(rowFactor, loadAt<T, V>(values, k)), mean), g, eps1Squared);
  }
  const v = lerp<T, V>(loadAt<T, V>(values, k), mul<T, V>(g, g), weight);
  storeAt<T, V>(values, k, v);
  return scaled<T, V>(v, g, eps1Squared);
}

@inline function square<T>(x: T): f64 {
  return <f64>x * <f64>x;
}

/**
 * Σ x² over the `n` values of a run (`valueAt`), in double, in the order of lib/sums.ts: value k
 * to partial sum k mod lanes, the SIMD body a vector at a time, the scalar build `lanes` at a time.
 */
@inline function runSumOfSquares<T>(
  kind: i32, n: usize, values: usize, grad: usize, scale: T, rowFactor: T, mean: T, weight: T, eps1Squared: T,
): f64 {
  const lanes = lanesOf<T>();
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const scaleV = splat<T, v128>(scale), rowFactorV = splat<T, v128>(rowFactor);
    const meanV = splat<T, v128>(mean), eps1SquaredV = splat<T, v128>(eps1Squared);
    let low = f64x2.splat(0), high = f64x2.splat(0);
    for (; k + lanes <= n; k += lanes) {
      const x = valueAt<T, v128>(kind, k, values, grad, scaleV, rowFactorV, meanV, weight, eps1SquaredV);
      low = addSquaresLow<T>(low, x);
      high = addSquaresHigh<T>(high, x);
    }
    s0 = f64x2.extract_lane(low, 0);
    s1 = f64x2.extract_lane(low, 1);
    s2 = f64x2.extract_lane(high, 0);
    s3 = f64x2.extract_lane(high, 1);
  } else {
    for (; k + lanes <= n; k += lanes) {
      s0 += square<T>(valueAt<T, T>(kind, k, values, grad, scale, rowFactor, mean, weight, eps1Squared));
      s1 += square<T>(valueAt<T, T>(kind, k + 1, values, grad, scale, rowFactor, mean, weight, eps1Squared));
      if (lanes == 4) {
        s2 += square<T>(valueAt<T, T>(kind, k + 2, values, grad, scale, rowFactor, mean, weight, eps1Squared));
        s3 += square<T>(valueAt<T, T>(kind, k + 3, values, grad, scale, rowFactor, mean, weight, eps1Squared));
      }
    }
  }
  // The tail, fewer than `lanes` values: value k + j goes to partial j.
  if (k < n) s0 += square<T>(valueAt<T, T>(kind, k, values, grad, scale, rowFactor, mean, weight, eps1Squared));
  if (k + 1 < n) s1 += square<T>(valueAt<T, T>(kind, k + 1, values, grad, scale, rowFactor, mean, weight, eps1Squared));
  if (k + 2 < n) s2 += square<T>(valueAt<T, T>(kind, k + 2, values, grad, scale, rowFactor, mean, weight, eps1Squared));
  return partialsTotal(s0, s1, s2, s3);
}

/**
 * colVar ← lerp(colVar, colmean(g²), w) for columns [from, to) of one batch: each column's Σg² in
 * double over the rows in order, columns a vector at a time.
 */
@inline function columnMeans<T>(
  grad: usize, colVar: usize, rows: usize, cols: usize, from: usize, to: usize, gradScale: T, weight: T,
): void {
  let c = from;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale);
    for (; c + lanes <= to; c += lanes) {
      let low = f64x2.splat(0), high = f64x2.splat(0);
      for (let r: usize = 0; r < rows; r++) {
        const g = mul<T, v128>(loadAt<T, v128>(grad, r * cols + c), gradScaleV);
        low = addSquaresLow<T>(low, g);
        high = addSquaresHigh<T>(high, g);
      }
      storeAt<T, v128>(colVar, c, lerp<T, v128>(loadAt<T, v128>(colVar, c), quotientsOf<T>(low, high, <f64>rows), weight));
    }
  }
  for (; c < to; c++) {
    let s: f64 = 0;
    for (let r: usize = 0; r < rows; r++) s += square<T>(loadAt<T, T>(grad, r * cols + c) * gradScale);
    storeAt<T, T>(colVar, c, lerp<T, T>(loadAt<T, T>(colVar, c), <T>(s / <f64>rows), weight));
  }
}

/** p ← p·(1 − lr·λ) + coef·u for element(s) k of a run (`kind`: FACTORED_UPDATE or FULL_UPDATE, already stored). */
@inline function applyAt<T, V>(
  kind: i32, k: usize, param: usize, values: usize, grad: usize, gradScale: V, rowFactor: V, mean: V,
  eps1Squared: V, paramScale: V, coef: V, decoupled: bool,
): void {
  const g = mul<T, V>(loadAt<T, V>(grad, k), gradScale);
  const estimate = kind == FACTORED_UPDATE
    ? div<T, V>(mul<T, V>(rowFactor, loadAt<T, V>(values, k)), mean)
    : loadAt<T, V>(values, k);
  const u = scaled<T, V>(estimate, g, eps1Squared);
  let p = loadAt<T, V>(param, k);
  if (decoupled) p = mul<T, V>(p, paramScale);
  storeAt<T, V>(param, k, fma<T, V>(coef, u, p));
}

@inline function applyRun<T>(
  kind: i32, n: usize, param: usize, values: usize, grad: usize, gradScale: T, rowFactor: T, mean: T,
  eps1Squared: T, paramScale: T, coef: T, decoupled: bool,
): void {
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
    const gradScaleV = splat<T, v128>(gradScale), rowFactorV = splat<T, v128>(rowFactor), meanV = splat<T, v128>(mean);
    const eps1SquaredV = splat<T, v128>(eps1Squared), paramScaleV = splat<T, v128>(paramScale), coefV = splat<T, v128>(coef);
    for (; k + lanes <= n; k += lanes) {
      applyAt<T, v128>(kind, k, param, values, grad, gradScaleV, rowFactorV, meanV, eps1SquaredV, paramScaleV, coefV, decoupled);
    }
  }
  for (; k < n; k++) {
    applyAt<T, T>(kind, k, param, values, grad, gradScale, rowFactor, mean, eps1Squared, paramScale, coef, decoupled);
  }
}

/**
 * One phase of a tensor's step over its elements [first, first + n), whole blocks (the entry's
 * words give the rest). Nothing is allocated: threads share the memory and the stub runtime's heap.
 */
@inline function adafactorPhase<T>(
  phase: u32, entry: usize, first: usize, n: usize, gradScale: T, paramScale: T, weight: T,
  rho: f64, eps1: T, eps1Squared: T, eps2: f64, d: f64, decoupled: bool,
): void {
  const size = sizeof<T>();
  const param = <usize>load<u32>(entry, 4);
  const grad = <usize>load<u32>(entry, 8);
  const rowVar = <usize>load<u32>(entry, 12);
  const colVar = <usize>load<u32>(entry, 16);
  const variance = <usize>load<u32>(entry, 20);
  const rows = <usize>load<u32>(entry, 24);
  const cols = <usize>load<u32>(entry, 28);
  const scratch = <usize>load<u32>(entry, 40);
  const tensorLength = <usize>load<u32>(entry, 44);
  // Factored (generate.js's wholeRows): a batch of at most a block's elements goes whole into a
  // block of `batchesPerBlock` batches; a larger one is split in `perBatch` blocks of `rowsPerBlock` rows.
  const batchElements = rows * cols;
  const split = rows > 0 && batchElements > ADAFACTOR_BLOCK_ELEMENTS;
  const batchesPerBlock = rows > 0 && !split ? ADAFACTOR_BLOCK_ELEMENTS / batchElements : 0;
  const rowsPerBlock = split ? max<usize>(1, ADAFACTOR_BLOCK_ELEMENTS / cols) : 0; // fewer than rows
  const perBatch = split ? (rows + rowsPerBlock - 1) / rowsPerBlock : 1;
  const blockElements = rows == 0
    ? ADAFACTOR_BLOCK_ELEMENTS
    : split ? rowsPerBlock * cols : batchesPerBlock * batchElements;
  let coef: T = 0;
  if (phase == 4) {
    // ‖p‖² and ‖u‖²: the block sums of the whole tensor, in order (the same in every slice of it).
    const count = split
      ? (tensorLength / batchElements) * perBatch
      : (tensorLength + blockElements - 1) / blockElements;
    let sumP: f64 = 0, sumU: f64 = 0;
    for (let k: usize = 0; k < count; k++) {
      sumP += load<f64>(scratch + k * SLOT, SUM_P);
      sumU += load<f64>(scratch + k * SLOT, SUM_U);
    }
    const alpha = max<f64>(eps2, Math.sqrt(sumP) / Math.sqrt(<f64>tensorLength)) * rho;
    const denom = max<f64>(1, Math.sqrt(sumU) / (Math.sqrt(<f64>tensorLength) * d));
    coef = <T>(-alpha / denom);
  }
  // mean(R) of the batch `meanBatch` (phases 3 and 4), computed once per batch.
  let meanBatch: usize = usize.MAX_VALUE, mean: T = 0;
  const end = first + n;
  for (let start = first; start < end;) {
    // The block from `start` on: its end `stop` and its slot.
    let stop: usize, index: usize;
    if (split) {
      const batch = start / batchElements;
      const row = (start % batchElements) / cols;
      index = batch * perBatch + row / rowsPerBlock;
      stop = (batch * rows + min<usize>(row + rowsPerBlock, rows)) * cols;
    } else {
      index = start / blockElements;
      stop = min<usize>(start + blockElements, end);
    }
    const slot = scratch + index * SLOT;
    if (rows == 0) {
      if (phase == 1) {
        store<f64>(slot, runSumOfSquares<T>(SCALED_VALUES, stop - start, param + start * size, 0, 1, 0, 0, 0, 0), SUM_P);
        const sumU = runSumOfSquares<T>(
          FULL_UPDATE, stop - start, variance + start * size, grad + start * size, gradScale, 0, 0, weight, eps1Squared,
        );
        store<f64>(slot, sumU, SUM_U);
      } else if (phase == 4) {
        applyRun<T>(
          FULL_UPDATE, stop - start, param + start * size, variance + start * size, grad + start * size,
          gradScale, 0, 0, eps1Squared, paramScale, coef, decoupled,
        );
      }
      start = stop;
      continue;
    }
    // A factored block: its part of one batch (split), or its whole batches, one after another.
    let sumP: f64 = 0, sumU: f64 = 0;
    for (let part = start; part < stop;) {
      const batch = part / batchElements;
      const partEnd = min<usize>(stop, (batch + 1) * batchElements);
      const batchColVar = colVar + batch * cols * size;
      if ((phase == 3 || phase == 4) && batch != meanBatch) {
        mean = split
          ? rowMean<T>(scratch + batch * perBatch * SLOT, perBatch, rows, eps1)
          : batchRowMean<T>(rowVar + batch * rows * size, rows, eps1);
        meanBatch = batch;
      }
      if (phase == 1) {
        let sumR: f64 = 0;
        for (let at = part; at < partEnd; at += cols) {
          sumP += runSumOfSquares<T>(SCALED_VALUES, cols, param + at * size, 0, 1, 0, 0, 0, 0);
          const sumG = runSumOfSquares<T>(SCALED_VALUES, cols, grad + at * size, 0, gradScale, 0, 0, 0, 0);
          const r = rowVar + (at / cols) * size;
          const updated = lerp<T, T>(load<T>(r), <T>(sumG / <f64>cols), weight);
          store<T>(r, updated);
          sumR += <f64>updated;
        }
        if (split) store<f64>(slot, sumR, SUM_R);
      } else if (phase == 2) {
        // A whole batch's columns; of a split batch, block j of its `perBatch` takes its columns
        // [⌊j·cols/perBatch⌋, ⌊(j+1)·cols/perBatch⌋) over all the batch's rows.
        const j = split ? (part % batchElements) / cols / rowsPerBlock : 0;
        const from = (j * cols) / perBatch, to = ((j + 1) * cols) / perBatch;
        columnMeans<T>(grad + batch * batchElements * size, batchColVar, rows, cols, from, to, gradScale, weight);
      } else if (phase == 3) {
        for (let at = part; at < partEnd; at += cols) {
          const rv = load<T>(rowVar + (at / cols) * size);
          sumU += runSumOfSquares<T>(
            FACTORED_UPDATE, cols, batchColVar, grad + at * size, gradScale, rv, mean, weight, eps1Squared,
          );
        }
      } else {
        for (let at = part; at < partEnd; at += cols) {
          const rv = load<T>(rowVar + (at / cols) * size);
          applyRun<T>(
            FACTORED_UPDATE, cols, param + at * size, batchColVar, grad + at * size,
            gradScale, rv, mean, eps1Squared, paramScale, coef, decoupled,
          );
        }
      }
      part = partEnd;
    }
    if (phase == 1) store<f64>(slot, sumP, SUM_P);
    if (phase == 3) store<f64>(slot, sumU, SUM_U);
    start = stop;
  }
}

/** max(mean(R), ε1) of a split batch: the ΣR of its `perBatch` slots from `batchSlots`, in order, over `rows`. */
@inline function rowMean<T>(batchSlots: usize, perBatch: usize, rows: usize, eps1: T): T {
  let sum: f64 = 0;
  for (let k: usize = 0; k < perBatch; k++) sum += load<f64>(batchSlots + k * SLOT, SUM_R);
  return max<T>(<T>(sum / <f64>rows), eps1);
}

/** max(mean(R), ε1) of a batch within one block: its `rows` values at `at` added in order. */
@inline function batchRowMean<T>(at: usize, rows: usize, eps1: T): T {
  let sum: f64 = 0;
  for (let r: usize = 0; r < rows; r++) sum += <f64>load<T>(at + r * sizeof<T>());
  return max<T>(<T>(sum / <f64>rows), eps1);
}

@inline function adafactorTensors<T>(table: usize, count: usize, scalars: usize, decoupled: bool): void {
  const gradScale = <T>load<f64>(scalars, 0);
  const paramScale = <T>load<f64>(scalars, 8);
  const weight = <T>load<f64>(scalars, 16);
  const rho = load<f64>(scalars, 24); // in double (doubleScalars)
  let eps1 = <T>load<f64>(scalars, 32);
  let eps1Squared = <T>load<f64>(scalars, 40);
  const eps2 = load<f64>(scalars, 48); // in double (doubleScalars)
  const d = load<f64>(scalars, 56); // in double (doubleScalars)
  if (isNaN(eps1)) { // ε1 = the element type's machine epsilon
    eps1 = sizeof<T>() == 4 ? <T>1.1920928955078125e-7 : <T>2.220446049250313e-16;
    eps1Squared = eps1 * eps1;
  }
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * STRIDE;
    const n = <usize>load<u32>(entry);
    if (n == 0) continue;
    const phase = load<u32>(entry, 32);
    const first = <usize>load<u32>(entry, 36);
    for (let p: u32 = 1; p <= 4; p++) {
      if (phase == 0 || phase == p) {
        adafactorPhase<T>(p, entry, first, n, gradScale, paramScale, weight, rho, eps1, eps1Squared, eps2, d, decoupled);
      }
    }
  }
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
