/**
 * Some tensors of a tensor table, for a step in which only they are updated (the others have no
 * gradient, or another step count): a table of their entries copied word for word from the
 * group's table, so that they point at the same parameters, gradients, state buffers and scratch
 * slots. The kernel runs over it as over the whole table, in one fused pass and over threads
 * alike; the tensors left out are not read or written at all. It owns only its entries (and its
 * slices for threads), not the state.
 */
import type { SliceTables } from "../threads/slices.js";
import type { Runtime } from "./runtime.js";
import type { TensorBlocks } from "./tensor-blocks.js";
import type { StepTable, TensorTable } from "./tensor-table.js";

export class TableSubset implements StepTable {
  readonly address: number;
  readonly count: number;
  readonly stride: number;
  readonly elements: number;
  readonly blocks: readonly TensorBlocks[];
  readonly dtype: TensorTable["dtype"];
  readonly lengths: TensorTable["lengths"];
  readonly stateElements: TensorTable["stateElements"];
  readonly stateBlocks: TensorTable["stateBlocks"];
  slices: SliceTables | undefined;

  /** The entries of `table` at `indices` (ascending positions in the table, at least one). */
  constructor(
    private readonly runtime: Runtime,
    table: TensorTable,
    readonly indices: readonly number[],
  ) {
    this.dtype = table.dtype;
    this.stride = table.stride;
    this.count = indices.length;
    this.elements = indices.reduce((total, t) => total + table.params[t].length, 0);
    this.blocks = table.blocks.length === 0 ? [] : indices.map((t) => table.blocks[t]);
    this.lengths = indices.map((t) => table.lengths[t]);
    this.stateElements = table.stateElements;
    this.stateBlocks = table.stateBlocks && indices.map((t) => (table.stateBlocks as (number | null)[])[t]);
    const words = this.stride / 4;
    this.address = runtime.alloc(Math.max(1, indices.length) * this.stride);
    const buffer = runtime.memory.buffer;
    const source = new Uint32Array(buffer, table.address, table.count * words);
    const target = new Uint32Array(buffer, this.address, indices.length * words);
    indices.forEach((t, i) => target.set(source.subarray(t * words, (t + 1) * words), i * words));
  }

  dispose(): void {
    this.slices?.dispose();
    this.slices = undefined;
    this.runtime.free(this.address);
  }
}
