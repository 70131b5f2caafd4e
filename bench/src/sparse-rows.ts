/**
 * The sparse case: an embedding table (1M × 64 by default) of which a step's gradient touches 0.1%
 * or 1% of the rows, stepped by the rows kernels (`setSparseGrad`: SparseAdam, SGD, Adagrad) and
 * by the dense step of the same optimizer over the whole table (Adam for SparseAdam), on one thread.
 * Each sparse step is first checked bit for bit against the reference binary on the same rows.
 * Bytes moved count the arrays each step reads and writes: per element of a touched row for the
 * sparse step (plus its u32 index), per element of the table for the dense one. Beside them, the
 * dense and the sparse step on a 1,024-row table that stays in cache: a touched row of the large
 * table costs more than one in cache when it waits on the memory system.
 */
import { Adagrad, Adam, loadRuntime, type Parameter, type Runtime, SGD, SparseAdam } from "simdopt";

import type { TimingSettings } from "./args.js";
import { measure, type Measurement } from "./timing.js";

export interface SparseTable {
  rows: number;
  dim: number;
}

export const SPARSE_TABLE: SparseTable = { rows: 1 << 20, dim: 64 };
export const TOUCHED_FRACTIONS = [0.001, 0.01] as const;

interface Pair {
  sparse: string;
  dense: string;
  make: (params: Parameter[], sparse: boolean) => { step(): unknown; dispose(): void };
  /** Arrays read and written per element (param, grad and state in; param and state out). */
  arrays: number;
}

const PAIRS: readonly Pair[] = [
  {
    sparse: "SparseAdam",
    dense: "Adam",
    make: (p, sparse) => (sparse ? new SparseAdam(p, { lr: 1e-3 }) : new Adam(p, { lr: 1e-3 })),
    arrays: 7,
  },
  { sparse: "Adagrad (sparse)", dense: "Adagrad", make: (p) => new Adagrad(p, { lr: 1e-2 }), arrays: 5 },
  { sparse: "SGD (sparse)", dense: "SGD", make: (p) => new SGD(p, { lr: 1e-2 }), arrays: 3 },
];

export interface SparseRowsResult {
  optimizer: string;
  dense: string;
  rows: number;
  dim: number;
  touchedRows: number;
  sparse: Measurement;
  denseStep: Measurement;
  /** Dense step time over sparse step time. */
  speedup: number;
  sparseBytes: number;
  denseBytes: number;
  sparseGBPerSec: number;
  denseGBPerSec: number;
  /** Nanoseconds per touched row (sparse), per table row (dense), and per row of a dense step in cache (a 1,024-row table). */
  nsPerTouchedRow: number;
  nsPerDenseRow: number;
  nsPerCachedRow: number;
  /** Nanoseconds per touched row of the sparse step in cache: half the rows of the 1,024-row table. */
  nsPerCachedSparseRow: number;
}

const CACHED_ROWS = 1024;

/** `count` distinct rows of `rows`, spread by a fixed multiplicative hash (no repeats). */
function touchedRows(rows: number, count: number): number[] {
  const step = 2654435761 % rows || 1;
  const picked = new Set<number>();
  for (let k = 0; picked.size < count; k++) picked.add((k * step) % rows);
  return [...picked];
}

function values(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** One sparse step on a small table in `rt`, for the check against the reference. */
async function checkedStep(pair: Pair, binary: "auto" | "reference"): Promise<Float32Array> {
  const rt = await loadRuntime({ binary, threads: 1 });
  const rows = 257;
  const dim = 19;
  const p = rt.parameter(values(rows * dim, 3), { shape: [rows, dim] });
  const opt = pair.make([p], true);
  for (let s = 0; s < 3; s++) {
    const indices = touchedRows(rows, 40 + s);
    p.setSparseGrad(indices, values(indices.length * dim, 10 + s));
    opt.step();
  }
  return p.toArray();
}

export async function runSparseRows(
  timing: TimingSettings,
  onPhase: (label: string) => void = () => {},
  table: SparseTable = SPARSE_TABLE,
): Promise<SparseRowsResult[]> {
  const results: SparseRowsResult[] = [];
  const { rows, dim } = table;
  const elements = rows * dim;
  let runtime: Runtime | undefined;
  for (const pair of PAIRS) {
    const [fast, reference] = await Promise.all([checkedStep(pair, "auto"), checkedStep(pair, "reference")]);
    if (fast.some((x, i) => !Object.is(x, reference[i])))
      throw new Error(`sparse case: ${pair.sparse} differs from the reference binary`);
    // One runtime for every table: each needs 4 bytes × elements × (param, grad, up to 2 state buffers).
    runtime ??= await loadRuntime({ threads: 1, initialMemory: Math.min(2 ** 31, 16 * elements + (64 << 20)) });
    const p = runtime.parameter(values(elements, 1), { shape: [rows, dim] });
    p.setGrad(values(elements, 2));
    onPhase(`${pair.dense} over ${rows} x ${dim}: timing`);
    const dense = pair.make([p], false);
    const denseStep = measure(() => dense.step(), timing);
    dense.dispose();
    const small = runtime.parameter(values(CACHED_ROWS * dim, 1), { shape: [CACHED_ROWS, dim] });
    small.setGrad(values(CACHED_ROWS * dim, 2));
    const cachedOpt = pair.make([small], false);
    const cached = measure(() => cachedOpt.step(), timing);
    cachedOpt.dispose();
    // The sparse step on rows in cache: what the rows kernel itself costs, apart from the memory system.
    const cachedIndices = touchedRows(CACHED_ROWS, CACHED_ROWS / 2);
    small.setSparseGrad(cachedIndices, values(cachedIndices.length * dim, 5));
    const cachedSparseOpt = pair.make([small], true);
    const cachedSparse = measure(() => cachedSparseOpt.step(), timing);
    cachedSparseOpt.dispose();
    small.dispose();
    for (const fraction of TOUCHED_FRACTIONS) {
      const touched = Math.max(1, Math.round(rows * fraction));
      onPhase(`${pair.sparse}, ${touched} of ${rows} rows: timing`);
      const indices = touchedRows(rows, touched);
      p.setSparseGrad(indices, values(touched * dim, 5));
      const sparse = pair.make([p], true);
      const sparseStep = measure(() => sparse.step(), timing);
      sparse.dispose();
      const rowBytes = 4 * dim * pair.arrays;
      const sparseBytes = touched * (rowBytes + 4);
      const denseBytes = rows * rowBytes;
      results.push({
        optimizer: pair.sparse,
        dense: pair.dense,
        rows,
        dim,
        touchedRows: touched,
        sparse: sparseStep,
        denseStep,
        speedup: denseStep.medianMs / sparseStep.medianMs,
        sparseBytes,
        denseBytes,
        sparseGBPerSec: sparseBytes / (sparseStep.medianMs * 1e6),
        denseGBPerSec: denseBytes / (denseStep.medianMs * 1e6),
        nsPerTouchedRow: (sparseStep.medianMs * 1e6) / touched,
        nsPerDenseRow: (denseStep.medianMs * 1e6) / rows,
        nsPerCachedRow: (cached.medianMs * 1e6) / CACHED_ROWS,
        nsPerCachedSparseRow: (cachedSparse.medianMs * 1e6) / cachedIndices.length,
      });
    }
    p.dispose();
  }
  return results;
}
