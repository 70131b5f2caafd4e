/**
 * The listed rows of the tensors of a tensor table that have row-sparse gradients (sparse-grad.ts),
 * in a table for the rows kernel, rewritten at each step that has such gradients: an entry per
 * sparse tensor (generate.js's ROW_WORDS: [rows·dim, param, values, ...state buffers, indices,
 * dim]). It keeps a tensor table's first words [n, param, grad], so the gradient kernels
 * (clipping, the finiteness check) read it too. The table's other tensors step through a subset of
 * the tensor table (table-subset.ts), as a step leaves out the tensors without a gradient.
 * For threads, the rows are cut into contiguous runs of about equal numbers of rows (`slices`):
 * each listed row is stepped alone, so any cut computes what one call computes, bit for bit.
 */
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import type { GradTable } from "./grad-kernels.js";
import type { Dtype, KernelName } from "./kernels.js";
import type { Runtime } from "./runtime.js";
import type { SparseGrad } from "./sparse-grad.js";
import type { TensorTable } from "./tensor-table.js";
import type { SlicePhase } from "../threads/slices.js";

export class RowTable {
  private readonly rowsAddress: number;
  private readonly rowStride: number;
  /** The rows table's entries and rows, as the last `prepare` wrote them. */
  private prepared = { count: 0, rows: 0, elements: 0 };
  /** The block of the slices' tables and directory, and the parts it is cut for; 0 before threads. */
  private slicesBlock = 0;
  private slicesParts = 0;

  constructor(
    private readonly runtime: Runtime,
    kernel: KernelName,
    private readonly table: TensorTable,
  ) {
    const rows = KERNEL_LAYOUTS[kernel].rows;
    if (rows === null) throw new Error(`simdopt: kernel ${kernel} has no rows kernel`);
    this.rowStride = rows.tableStride;
    this.rowsAddress = runtime.alloc(table.count * this.rowStride);
  }

  /**
   * Writes the rows table for this step: an entry per tensor `t` of `sparse` (ascending), with its
   * sparse gradient. Returns it as the gradient kernels read it.
   */
  prepare(sparse: readonly { t: number; gradient: SparseGrad }[]): GradTable {
    const { table } = this;
    const rows = new Uint32Array(this.runtime.memory.buffer, this.rowsAddress, table.count * (this.rowStride / 4));
    let rowCount = 0;
    let elements = 0;
    sparse.forEach(({ t, gradient }, entry) => {
      rows.set(
        [
          gradient.rows * gradient.dim,
          table.params[t].dataPtr,
          gradient.valuesPtr,
          ...table.stateAddresses[t],
          gradient.indicesPtr,
          gradient.dim,
        ],
        entry * (this.rowStride / 4),
      );
      rowCount += gradient.rows;
      elements += gradient.rows * gradient.dim;
    });
    this.prepared = { count: sparse.length, rows: rowCount, elements };
    return { address: this.rowsAddress, count: sparse.length, stride: this.rowStride, dtype: table.dtype };
  }

  get dtype(): Dtype {
    return this.table.dtype;
  }

  /** The rows table as the last `prepare` wrote it: its address, entries, and elements over all tensors. */
  get rows(): { address: number; count: number; elements: number } {
    return { address: this.rowsAddress, count: this.prepared.count, elements: this.prepared.elements };
  }

  /**
   * The prepared rows cut into `parts` slices for threads, each a table in the rows kernel's
   * layout whose entries hold a run of one tensor's listed rows (their values and indices moved to
   * the run's first row; the table and state addresses stay, the indices being the table's rows).
   */
  slices(parts: number): SlicePhase {
    const words = this.rowStride / 4;
    const { count } = this.prepared;
    if (this.slicesParts !== parts) {
      if (this.slicesBlock !== 0) this.runtime.free(this.slicesBlock);
      this.slicesBlock = 0;
      // At most one entry per tensor and part boundary: count + parts − 1 entries.
      this.slicesBlock = this.runtime.alloc(4 * ((this.table.count + parts) * words + 2 * parts));
      this.slicesParts = parts;
    }
    const { memory } = this.runtime;
    const source = new Uint32Array(memory.buffer, this.rowsAddress, count * words).slice();
    const bytes = this.table.dtype === "float32" ? 4 : 8;
    const tableWords = (this.table.count + parts) * words;
    const out = new Uint32Array(memory.buffer, this.slicesBlock, tableWords + 2 * parts);
    const perPart = Math.max(1, Math.ceil(this.prepared.rows / parts));
    const phase: SlicePhase = { addresses: [], counts: [], directory: this.slicesBlock + 4 * tableWords };
    let next = 0;
    let first = 0; // the tensor's first row in the count over all tensors
    let t = 0;
    for (let part = 0; part < parts; part++) {
      phase.addresses.push(this.slicesBlock + 4 * next * words);
      const start = next;
      // Entries of the tensors whose rows overlap [part·perPart, (part + 1)·perPart).
      while (t < count) {
        const entry = source.subarray(t * words, (t + 1) * words);
        const dim = entry[words - 1];
        const rows = dim === 0 ? 0 : entry[0] / dim;
        const from = Math.max(part * perPart, first) - first;
        const to = Math.min((part + 1) * perPart, first + rows) - first;
        if (to > from) {
          const slice = Array.from(entry);
          slice[0] = (to - from) * dim;
          slice[2] = entry[2] + from * dim * bytes;
          slice[words - 2] = entry[words - 2] + 4 * from;
          out.set(slice, next * words);
          next++;
        }
        if (first + rows > (part + 1) * perPart) break; // the tensor goes on in the next part
        first += rows;
        t++;
      }
      phase.counts.push(next - start);
      out.set([phase.addresses[part], next - start], tableWords + 2 * part);
    }
    return phase;
  }

  dispose(): void {
    this.runtime.free(this.rowsAddress);
    if (this.slicesBlock !== 0) this.runtime.free(this.slicesBlock);
  }
}
