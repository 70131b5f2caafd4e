/**
 * A tensor table cut into contiguous slices for threads: the table's elements, tensor after
 * tensor, split into `parts` runs of about equal length whose boundaries fall on whole units of
 * every tensor, each run described by a table of its own in the kernel's layout ([n, param, grad,
 * ...state] with the addresses moved to the slice's first element). Update rules are element-wise,
 * so running the kernel over every slice table computes exactly what one call over the whole table
 * computes; the unit is a 64-byte block, which keeps every SIMD vector whole and every buffer's
 * alignment, and only a tensor's own last elements run in the scalar tail, as they do unsliced.
 * A kernel that reduces over tensors in `blocks` (LAMB, Adafactor) is cut at its blocks instead
 * (runtime/tensor-blocks.ts), once per phase: the slices of phase k are the same with the phase
 * word k; each keeps the tensor's addresses and gives its first element in the word `first`
 * (generate.js's BLOCK_WORDS). Other kernels that reduce over a whole tensor (not `elementwise`:
 * optax:adafactor) are cut between tensors only: each tensor runs entire in one slice, so a group
 * of several tensors still spreads over threads. Low-bit state (bfloat16, 8-bit blocks) is cut at
 * its tensors' blocks of codes, or at 64-byte lines where it is element by element, each buffer's
 * address moved by its own element size (one value per block for a block's maximum); a kernel
 * whose workspace is per block element (8-bit Adam) gets an area per slice, which the entries of
 * the slice's tensors with blocks point at, since slices run at the same time.
 */
import { ALIGNMENT } from "../runtime/allocator.js";
import { bytesPerElement, tableBuffers, type KernelName } from "../runtime/kernels.js";
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import { blockWorkspaceBytes, type StepTable } from "../runtime/tensor-table.js";
import { stateElementBytes } from "../runtime/state-elements.js";

/** What slicing needs of a runtime: its memory and its allocator. */
export interface SliceMemory {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(address: number): void;
}

/** One phase's slices: a table per slice, and the directory the workers read. */
export interface SlicePhase {
  /** Byte address of each slice's table. */
  readonly addresses: number[];
  /** Entries in each slice's table (0 for an empty slice). */
  readonly counts: number[];
  /** Byte address of the directory: [table address, entry count] per slice, as u32 pairs. */
  readonly directory: number;
}

export class SliceTables {
  /** The slices of each phase the pool runs in turn, joining between them (one for most kernels). */
  readonly phases: SlicePhase[] = [];
  private readonly block: number;
  /** Byte address of the slices' workspace areas (one per slice), or 0. */
  private readonly workspaces: number;

  constructor(
    private readonly runtime: SliceMemory,
    kernel: KernelName,
    table: StepTable,
    readonly parts: number,
  ) {
    const layout = KERNEL_LAYOUTS[kernel];
    const blocks = layout.blocks;
    const stride = layout.tableStride / 4;
    const elementBytes = bytesPerElement(table.dtype);
    const unit = ALIGNMENT / elementBytes; // elements per unit a cut of an element-wise kernel falls between
    const buffers = tableBuffers(kernel).length; // words 1..buffers are element addresses
    const source = new Uint32Array(runtime.memory.buffer, table.address, table.count * stride).slice();
    const lengths = Array.from({ length: table.count }, (_, t) => source[t * stride]);
    // Units a tensor is cut between, and the index of a unit's first element: its blocks, or 64-byte lines.
    // Low-bit state (table.stateBlocks) is cut at a tensor's blocks of codes, or at 64-byte lines
    // of its parameters where its state is element by element.
    const lowBit = table.stateBlocks;
    const unitOf = (t: number) => lowBit?.[t] ?? unit;
    const unitCount = (t: number) => (blocks === null ? Math.ceil(lengths[t] / unitOf(t)) : table.blocks[t].count);
    const unitStart = (t: number, u: number) =>
      blocks === null ? Math.min(u * unitOf(t), lengths[t]) : table.blocks[t].start(u);
    const units = lengths.reduce((total, _, t) => total + unitCount(t), 0);
    const perPart = Math.max(1, Math.ceil(units / parts));
    // Entries of every part: the tensor's entry with the slice's length and where it starts.
    const entries: number[][][] = Array.from({ length: parts }, () => []);
    let firstUnit = 0; // of the current tensor, in the global count of units
    // A kernel that reduces over whole tensors without blocks (optax:adafactor) gets whole tensors:
    // each one goes, entire, to the part its first unit falls in, its entry copied word for word
    // (so a buffer shorter than the tensor, or absent at address 0, is handed over as it is).
    const wholeTensors = !layout.elementwise && blocks === null && lowBit === undefined;
    // Where a slice of tensor t starts in buffer k (word k + 1): its element times the buffer's
    // element bytes, or its block for a buffer of one value per block (low-bit state).
    const offset = (t: number, k: number, start: number) => {
      if (lowBit === undefined || k < 2) return start * elementBytes;
      const bytes = stateElementBytes(table.stateElements[k - 2], table.dtype);
      const perBlock = table.lengths[t][k - 2] !== lengths[t] && lowBit[t] !== null;
      return perBlock ? (start / (lowBit[t] as number)) * bytes : start * bytes;
    };
    lengths.forEach((_, t) => {
      const tensorUnits = unitCount(t);
      const whole = Array.from(source.subarray(t * stride, (t + 1) * stride));
      if (wholeTensors) {
        const part = Math.min(parts - 1, Math.floor(firstUnit / perPart));
        entries[part].push(whole);
        firstUnit += tensorUnits;
        return;
      }
      for (let part = Math.floor(firstUnit / perPart); part < parts; part++) {
        const from = Math.max(part * perPart, firstUnit) - firstUnit;
        const to = Math.min((part + 1) * perPart, firstUnit + tensorUnits) - firstUnit;
        if (to <= from) break;
        const start = unitStart(t, from);
        const entry = [...whole];
        entry[0] = unitStart(t, to) - start;
        if (blocks !== null) {
          // A blocked kernel finds its blocks, slots and rows from where the slice starts.
          entry[blocks.words.first] = start;
        } else {
          for (let k = 1; k <= buffers; k++) if (whole[k] !== 0) entry[k] = whole[k] + offset(t, k - 1, start);
        }
        entries[part].push(entry);
      }
      firstUnit += tensorUnits;
    });
    // Each slice's own workspace area, for the entries that have one (0 stays 0: no blocks).
    const areaBytes = blockWorkspaceBytes(layout, lowBit);
    this.workspaces = areaBytes === 0 ? 0 : runtime.alloc(parts * areaBytes);
    if (areaBytes > 0) {
      const word = (layout.workspace as { word: number }).word;
      entries.forEach((part, p) => {
        for (const entry of part) if (entry[word] !== 0) entry[word] = this.workspaces + p * areaBytes;
      });
    }
    const total = entries.reduce((sum, part) => sum + part.length, 0);
    const tableWords = Math.max(1, total) * stride;
    const phaseCount = blocks?.phases ?? 1;
    const phaseWords = tableWords + 2 * parts;
    try {
      this.block = runtime.alloc(phaseCount * phaseWords * 4);
    } catch (error) {
      if (this.workspaces !== 0) runtime.free(this.workspaces);
      throw error;
    }
    const words = new Uint32Array(runtime.memory.buffer, this.block, phaseCount * phaseWords);
    for (let phase = 0; phase < phaseCount; phase++) {
      const base = this.block + phase * phaseWords * 4;
      const slices: SlicePhase = { addresses: [], counts: [], directory: base + tableWords * 4 };
      let next = phase * phaseWords;
      entries.forEach((part, p) => {
        slices.addresses.push(this.block + next * 4);
        slices.counts.push(part.length);
        words.set([slices.addresses[p], part.length], phase * phaseWords + tableWords + 2 * p);
        for (const entry of part) {
          words.set(entry, next);
          if (blocks !== null) words[next + blocks.words.phase] = phase + 1;
          next += stride;
        }
      });
      this.phases.push(slices);
    }
  }

  dispose(): void {
    this.runtime.free(this.block);
    if (this.workspaces !== 0) this.runtime.free(this.workspaces);
  }
}
