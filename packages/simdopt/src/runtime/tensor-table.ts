/**
 * The tensors of one parameter group that share a dtype, laid out for one kernel call: a table in
 * Wasm memory of [n, param, grad, ...state buffers] per tensor (see kernels.ts; kernels that
 * declare `shapeWords` add the tensor's shape as they view it, shape-words.ts), and one arena
 * holding every tensor's state buffers, each 64-byte aligned. The parameters stay where they are:
 * a view a user took of them keeps working. A buffer takes the length its optimizer gives it for
 * the tensor (most take the tensor's length; Adafactor's factors fewer); one of no length is not
 * allocated and its address is 0. A kernel that declares `blocks` also gets a scratch
 * block for its per-block sums (internal: not state, never saved, freed with the table), and each
 * entry the words that say where a tensor's slots are (generate.js's BLOCK_WORDS). A kernel that
 * declares a `workspace` gets a scratch area per tensor (float32, internal like the slots), its
 * address in the entry after the shape words; one declared per block element gets one area of a
 * block's size, shared by the tensors with blocks (the kernel steps them one after another; threads
 * get an area each, slices.ts); one in `parts` the words of a whole tensor (phase 0, part 0 of 1:
 * threads/tensor-parts.ts).
 */
import { ALIGNMENT } from "./allocator.js";
import type { Dtype, FloatArray, KernelName } from "./kernels.js";
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import type { Parameter } from "./parameter.js";
import type { Runtime } from "./runtime.js";
import { shapeWords } from "./shape-words.js";
import { stateArrayType, stateElementBytes, type StateArray, type StateElement } from "./state-elements.js";
import { tensorBlocks, type TensorBlocks } from "./tensor-blocks.js";
import type { SliceTables } from "../threads/slices.js";
import type { GradTable } from "./grad-kernels.js";
import { TableSubset } from "./table-subset.js";
import type { RowTable } from "./row-table.js";

/** What a kernel call runs over: a table of entries in the kernel's layout (a group's, or some of its tensors'). */
export interface StepTable extends GradTable {
  /** Elements of all tensors together. */
  readonly elements: number;
  /** A blocked kernel's blocks of each tensor; empty for other kernels. */
  readonly blocks: readonly TensorBlocks[];
  /** `lengths[t][k]`: the elements of state buffer k of tensor t, null where it has none. */
  readonly lengths: readonly (readonly (number | null)[])[];
  /** Each state buffer's element type (state-elements.ts): most are the parameter's dtype. */
  readonly stateElements: readonly StateElement[];
  /** Low-bit state's block of codes of each tensor (see TensorTable's constructor); undefined for other kernels. */
  readonly stateBlocks?: readonly (number | null)[];
  /** @internal The table cut into slices for threads, built when first needed; freed with the table. */
  slices: SliceTables | undefined;
}

/** What a table needs of its kernel's declaration. */
export type TableLayout = Pick<
  (typeof KERNEL_LAYOUTS)[KernelName],
  "elementwise" | "blocks" | "shapeWords" | "tableStride" | "stateElements" | "workspace" | "parts"
>;

export class TensorTable implements StepTable {
  /** Byte address of the table. */
  readonly address: number;
  readonly count: number;
  /** Bytes of one table entry (the gradient kernels read any kernel's table with it). */
  readonly stride: number;
  /** Elements of all tensors together. */
  readonly elements: number;
  /** @internal The table cut into slices for threads (threads/slices.ts), built when first needed; freed with the table. */
  slices: SliceTables | undefined;
  /** @internal The tables of a step with row-sparse gradients (row-table.ts), built when first needed; freed with the table. */
  rowTable: RowTable | undefined;
  /** A blocked kernel's blocks of each tensor (tensor-blocks.ts); empty for other kernels. */
  readonly blocks: readonly TensorBlocks[];
  /** Byte address of each tensor's state buffers, [tensor][buffer] in declaration order; 0 where unused. */
  readonly stateAddresses: readonly (readonly number[])[];
  private readonly arena: number;
  /** Byte address of the blocked kernel's scratch slots, or 0. */
  private readonly scratch: number;
  private positions: Map<Parameter, number> | undefined;
  /** The subsets asked for lately, by their indices, least recently used first. */
  private readonly subsets = new Map<string, TableSubset>();
  /** Each state buffer's element type (state-elements.ts): most are the parameter's dtype. */
  readonly stateElements: readonly StateElement[];

  /**
   * `kernel`: a Wasm kernel's name, or the layout of a rule in plain JS (custom/js-rule.ts);
   * `lengths[t][k]`: the elements of state buffer k of tensor t, null where it has none.
   */
  constructor(
    private readonly runtime: Runtime,
    kernel: KernelName | TableLayout,
    readonly dtype: Dtype,
    readonly params: readonly Parameter[],
    readonly lengths: readonly (readonly (number | null)[])[],
    /**
     * For a kernel of low-bit state whose tensors step in independent pieces (stateBlock of its
     * definition): each tensor's block of codes, or null where the tensor's state is element by
     * element; threads then cut tensors there (slices.ts). Undefined for every other kernel.
     */
    readonly stateBlocks?: readonly (number | null)[],
  ) {
    const layout: TableLayout = typeof kernel === "string" ? KERNEL_LAYOUTS[kernel] : kernel;
    // Element-wise kernels are sliced for threads at the same offset in every buffer (slices.ts).
    if (layout.elementwise && lengths.some((row, t) => row.some((n) => n !== null && n !== params[t].length)))
      throw new Error(`simdopt: kernel ${String(kernel)} is element-wise: its state buffers take the tensor's length`);
    this.stateElements = layout.stateElements as readonly StateElement[];
    const sizes = lengths.map((row) =>
      row.map((n, k) => (n === null ? 0 : alignUp(Math.max(1, n) * stateElementBytes(this.stateElements[k], dtype)))),
    );
    const arenaBytes = sizes.flat().reduce((total, size) => total + size, 0);
    const blocks = layout.blocks;
    const shapes = params.map((param) =>
      layout.shapeWords === null ? [] : shapeWords(layout.shapeWords, param.shape),
    );
    this.blocks = blocks === null ? [] : params.map((param, t) => tensorBlocks(blocks, param.length, shapes[t]));
    // Each tensor's scratch slots: one per block, 64-byte aligned per tensor.
    const scratchSizes = this.blocks.map(({ count }) => alignUp(count * (blocks?.scratchBytes ?? 0)));
    const workspace = layout.workspace;
    const perElement = workspace !== null && "float32PerElement" in workspace ? workspace.float32PerElement : 0;
    const workspaceSizes = params.map((param) => alignUp(param.length * perElement * 4));
    // A workspace per block element: one area for every tensor, after the per-element ones.
    const blockAreaBytes = blockWorkspaceBytes(layout, stateBlocks);
    if (blockAreaBytes > 0) workspaceSizes.push(blockAreaBytes);
    const scratchBytes =
      scratchSizes.reduce((total, size) => total + size, 0) + workspaceSizes.reduce((total, size) => total + size, 0);
    this.arena = arenaBytes === 0 ? 0 : runtime.alloc(arenaBytes);
    try {
      this.scratch = scratchBytes === 0 ? 0 : runtime.alloc(scratchBytes);
    } catch (error) {
      if (this.arena !== 0) runtime.free(this.arena);
      throw error;
    }
    try {
      this.address = runtime.alloc(params.length * layout.tableStride);
    } catch (error) {
      if (this.arena !== 0) runtime.free(this.arena);
      if (this.scratch !== 0) runtime.free(this.scratch);
      throw error;
    }
    let next = this.arena;
    this.stateAddresses = sizes.map((row) =>
      row.map((size) => {
        if (size === 0) return 0;
        const address = next;
        next += size;
        return address;
      }),
    );
    this.count = params.length;
    this.stride = layout.tableStride;
    this.elements = params.reduce((total, param) => total + param.length, 0);
    const words = new Uint32Array(runtime.memory.buffer, this.address, params.length * (layout.tableStride / 4));
    let slots = this.scratch;
    // The shared area of a workspace per block element, after every tensor's own slots.
    const blockArea = blockAreaBytes === 0 ? 0 : this.scratch + scratchBytes - blockAreaBytes;
    params.forEach((param, t) => {
      // Phase 0 (every phase, the whole tensor) from its first element, its slots, its length.
      const blockWords = blocks === null ? [] : [0, 0, slots, param.length];
      if (blocks !== null) slots += scratchSizes[t];
      let workspaceWords: number[] = [];
      if (perElement > 0) workspaceWords = [workspaceSizes[t] === 0 ? 0 : slots];
      else if (workspace !== null) workspaceWords = [stateBlocks?.[t] == null ? 0 : blockArea];
      slots += workspaceSizes[t];
      // A kernel in parts: phase 0 (every phase), part 0 of 1 (the whole tensor).
      const partWords = layout.parts === null ? [] : [0, 0, 1];
      words.set(
        [
          param.length,
          param.dataPtr,
          param.gradPtr,
          ...this.stateAddresses[t],
          ...shapes[t],
          ...workspaceWords,
          ...blockWords,
          ...partWords,
        ],
        t * (layout.tableStride / 4),
      );
    });
  }

  /** The position of `param` in this table. */
  indexOf(param: Parameter): number {
    this.positions ??= new Map(this.params.map((p, t) => [p, t]));
    return this.positions.get(param) ?? -1;
  }

  /** A view of state buffer `k` of tensor `t` (valid until the memory next grows, if it is not shared). */
  stateView(t: number, k: number): StateArray {
    const View = stateArrayType(this.stateElements[k], this.dtype);
    return new View(this.runtime.memory.buffer, this.stateAddresses[t][k], this.lengths[t][k] ?? 0);
  }

  /** Sets every element of state buffer `k` of every tensor to `value`. */
  fill(k: number, value: number): void {
    this.params.forEach((_, t) => this.stateView(t, k).fill(value));
  }

  /**
   * Writes every state buffer once, after a load: buffer `k` of tensor `t` (of `buffers`) takes
   * `loaded[starts[t] + k]`: where its values start in `values` (floats of the table's dtype), its
   * values as the kernel stores them, or null for `initial[k]` (nothing where that is null too).
   */
  load(
    loaded: readonly (number | StateArray | null)[],
    starts: readonly number[],
    buffers: number,
    values: FloatArray,
    initial: readonly (number | null)[],
  ): void {
    // Small buffers are copied through one view of the whole memory: a view per buffer costs more than their copy.
    const memory =
      this.dtype === "float32"
        ? new Float32Array(this.runtime.memory.buffer)
        : new Float64Array(this.runtime.memory.buffer);
    for (let t = 0; t < starts.length; t++) {
      for (let k = 0; k < buffers; k++) {
        const length = this.lengths[t][k];
        const source = loaded[starts[t] + k];
        const value = initial[k];
        if (length === null) continue;
        if (typeof source === "number") {
          const at = this.stateAddresses[t][k] / memory.BYTES_PER_ELEMENT;
          if (length < 64) for (let i = 0; i < length; i++) memory[at + i] = values[source + i];
          else memory.set(values.subarray(source, source + length), at);
        } else if (source !== null) this.stateView(t, k).set(source as never);
        else if (value !== null) this.stateView(t, k).fill(value);
      }
    }
  }

  /**
   * The tensors at `indices` (ascending) as a table of their own for one kernel call: this table
   * when they are all of it, otherwise a subset (table-subset.ts), kept for the next steps (a
   * frozen layer asks for the same one every step) until `trimSubsets`.
   */
  subset(indices: readonly number[]): StepTable {
    if (indices.length === this.count) return this;
    const key = indices.join(",");
    const subset = this.subsets.get(key) ?? new TableSubset(this.runtime, this, indices);
    // Most recently used last.
    this.subsets.delete(key);
    this.subsets.set(key, subset);
    return subset;
  }

  /** Frees all but the `keep` most recently used subsets; call it between steps, never while one is in use. */
  trimSubsets(keep: number): void {
    for (const [key, subset] of this.subsets) {
      if (this.subsets.size <= keep) break;
      subset.dispose();
      this.subsets.delete(key);
    }
  }

  dispose(): void {
    for (const subset of this.subsets.values()) subset.dispose();
    this.subsets.clear();
    this.slices?.dispose();
    this.slices = undefined;
    this.rowTable?.dispose();
    this.rowTable = undefined;
    if (this.arena !== 0) this.runtime.free(this.arena);
    if (this.scratch !== 0) this.runtime.free(this.scratch);
    this.runtime.free(this.address);
  }
}

/**
 * Bytes of the area of a workspace declared per block element (`float32PerBlockElement`) for the
 * largest of `stateBlocks` (64-byte aligned): what one thread needs to step any block of the
 * tensors. 0 for any other kernel, or when no tensor has blocks.
 */
export function blockWorkspaceBytes(
  layout: Pick<TableLayout, "workspace">,
  stateBlocks: readonly (number | null)[] | undefined,
): number {
  const workspace = layout.workspace;
  if (workspace === null || !("float32PerBlockElement" in workspace) || stateBlocks === undefined) return 0;
  const largest = stateBlocks.reduce<number>((most, block) => Math.max(most, block ?? 0), 0);
  return alignUp(largest * workspace.float32PerBlockElement * 4);
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
}
