/**
 * A row-sparse gradient of a 2-D parameter (a table of [rows, dim]), as torch's
 * `nn.Embedding(sparse=True)` makes one: some row indices, each with a row of values. It is kept
 * coalesced, as torch's `grad.coalesce()` leaves it: the rows sorted, each listed once, the entries
 * given for one row summed in the order given (in the element type). Its rows kernel reads it from
 * one block of Wasm memory: the values (rows·dim elements), then the u32 row indices.
 */
import { ALIGNMENT } from "./allocator.js";
import { forgetRelease, releaseWhenCollected } from "./finalization.js";
import { bytesPerElement, type Dtype, type FloatArray } from "./kernels.js";
import type { Runtime } from "./runtime.js";
import { show } from "./validate.js";

/** The block a sparse gradient lives in; collected with it. */
interface Block {
  readonly address: number;
  /** Rows it has room for. */
  readonly capacity: number;
}

export class SparseGrad {
  /** Rows listed (after coalescing). */
  rows = 0;
  private block: Block | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly dtype: Dtype,
    /** Rows of the table. */
    readonly tableRows: number,
    /** Elements of a row. */
    readonly dim: number,
  ) {}

  /** Byte address of the values (rows·dim elements). */
  get valuesPtr(): number {
    return this.block?.address ?? 0;
  }

  /** Byte address of the u32 row indices. */
  get indicesPtr(): number {
    return this.block === undefined ? 0 : this.block.address + this.valuesBytes(this.block.capacity);
  }

  /** The coalesced values, a view of Wasm memory. */
  values(): FloatArray {
    const View = this.dtype === "float32" ? Float32Array : Float64Array;
    return new View(this.runtime.memory.buffer, this.valuesPtr, this.rows * this.dim);
  }

  /** The sorted row indices, a view of Wasm memory. */
  indices(): Uint32Array {
    return new Uint32Array(this.runtime.memory.buffer, this.indicesPtr, this.rows);
  }

  /**
   * Checks `indices` (k row indices) and `values` (k·dim numbers, row j at j·dim) and only then
   * stores them coalesced; `label` names the parameter in messages. Throws and changes nothing on
   * bad input.
   */
  set(indices: ArrayLike<number>, values: ArrayLike<number>, label: string): void {
    const what = `sparse gradient for parameter ${label}`;
    if (!isArrayLike(indices)) throw new TypeError(`simdopt: ${what}: indices must be an array of row indices`);
    if (!isArrayLike(values)) throw new TypeError(`simdopt: ${what}: values must be an array of numbers`);
    const count = indices.length;
    for (let j = 0; j < count; j++) {
      const row = indices[j];
      if (!(Number.isInteger(row) && row >= 0 && row < this.tableRows)) {
        throw new RangeError(`simdopt: ${what}: indices[${j}] is ${show(row)}, not a row of 0..${this.tableRows - 1}`);
      }
    }
    if (values.length !== count * this.dim) {
      throw new RangeError(
        `simdopt: ${what}: values has length ${values.length}, expected ${count} rows × ${this.dim} = ${count * this.dim}`,
      );
    }
    if (!ArrayBuffer.isView(values)) {
      for (let i = 0; i < values.length; i++) {
        if (typeof values[i] !== "number")
          throw new TypeError(`simdopt: ${what}: values has ${show(values[i])} at index ${i}, not a number`);
      }
    }
    const order = entriesByRow(indices, count, this.tableRows);
    let unique = 0;
    for (let j = 0; j < count; j++) if (j === 0 || indices[order[j]] !== indices[order[j - 1]]) unique++;
    this.reserve(unique);
    this.rows = unique;
    const out = this.values();
    const rowsOut = this.indices();
    const float32 = this.dtype === "float32";
    const dim = this.dim;
    let k = -1;
    for (let j = 0; j < count; j++) {
      const entry = order[j];
      const from = entry * dim;
      if (j === 0 || indices[entry] !== indices[order[j - 1]]) {
        k++;
        rowsOut[k] = indices[entry];
        for (let i = 0; i < dim; i++) out[k * dim + i] = values[from + i];
      } else {
        // The sum in the element type: a Float32Array rounds what it stores, so float32 rounds the
        // value first and the sum on the store; float64 adds exactly as given.
        const at = k * dim;
        if (float32) for (let i = 0; i < dim; i++) out[at + i] += Math.fround(values[from + i]);
        else for (let i = 0; i < dim; i++) out[at + i] += values[from + i];
      }
    }
  }

  /** Writes the gradient densely into `grad` (the table's length): zeros where no row is listed. */
  scatterInto(grad: FloatArray): void {
    grad.fill(0);
    const values = this.values();
    const indices = this.indices();
    for (let k = 0; k < this.rows; k++) {
      grad.set(values.subarray(k * this.dim, (k + 1) * this.dim), indices[k] * this.dim);
    }
  }

  /** No rows: a zero gradient (as torch's `zero_()` of a sparse gradient). */
  clear(): void {
    this.rows = 0;
  }

  dispose(): void {
    if (this.block === undefined) return;
    forgetRelease(this.block);
    this.runtime.free(this.block.address);
    this.block = undefined;
  }

  /** Makes room for `rows` rows (the old block's contents are not kept). */
  private reserve(rows: number): void {
    if (this.block !== undefined && this.block.capacity >= rows) return;
    const capacity = Math.max(rows, 2 * (this.block?.capacity ?? 0), 1);
    const address = this.runtime.alloc(this.valuesBytes(capacity) + 4 * capacity);
    this.dispose();
    const block = { address, capacity };
    releaseWhenCollected(block, this.runtime.free.bind(this.runtime, address));
    this.block = block;
  }

  /** Bytes of `rows` rows of values, rounded up so that the indices after them are aligned. */
  private valuesBytes(rows: number): number {
    return Math.ceil((rows * this.dim * bytesPerElement(this.dtype)) / ALIGNMENT) * ALIGNMENT;
  }
}

/**
 * The entries' positions ordered by row, those of one row in the order given (a stable sort). The
 * keys row·count + j are whole numbers below 2^53 for any table Wasm memory can hold, so a typed
 * array's native numeric sort orders them exactly; it is many times faster than a comparator
 * sort, which otherwise costs more than the step of the rows.
 */
function entriesByRow(indices: ArrayLike<number>, count: number, tableRows: number): ArrayLike<number> {
  if (tableRows * count > Number.MAX_SAFE_INTEGER)
    return Array.from({ length: count }, (_, j) => j).sort((a, b) => indices[a] - indices[b]);
  const keys = new Float64Array(count);
  for (let j = 0; j < count; j++) keys[j] = indices[j] * count + j;
  keys.sort();
  const order = new Uint32Array(count);
  for (let j = 0; j < count; j++) order[j] = keys[j] % count;
  return order;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as ArrayLike<unknown>).length === "number";
}
