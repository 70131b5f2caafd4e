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
 * the slice's tensors with blocks point at, since slices run at the same time. A kernel in parts
 * (Muon) has slices of its own in each of its phases, as many as the call's scalars say
 * (tensor-parts.ts).
 */
import { ALIGNMENT } from "../runtime/allocator.js";
import { bytesPerElement, tableBuffers, type KernelName } from "../runtime/kernels.js";
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import { blockWorkspaceBytes, type StepTable } from "../runtime/tensor-table.js";
import { stateElementBytes } from "../runtime/state-elements.js";
import { partEntries, partPhaseCount, partsLayout } from "./tensor-parts.js";

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

/**
 * The phases a call of `kernel` runs in, with its scalar block at byte address `scalars`: a blocked
 * kernel's, a kernel in parts' for these scalars (tensor-parts.ts), or 1.
 */
export function slicePhaseCount(memory: WebAssembly.Memory, kernel: KernelName, scalars: number): number {
  const parts = partsLayout(kernel);
  if (parts !== null) return partPhaseCount(memory, kernel, parts, scalars);
  return KERNEL_LAYOUTS[kernel].blocks?.phases ?? 1;
}

export class SliceTables {
  /** The slices of each phase the pool runs in turn, joining between them (one for most kernels). */
  readonly phases: SlicePhase[] = [];
  private readonly block: number;
  /** Byte address of the slices' workspace areas (one per slice), or 0. */
  private readonly workspaces: number = 0;

  /** `phaseCount`: slicePhaseCount for the call's scalars. */
  constructor(
    private readonly runtime: SliceMemory,
    kernel: KernelName,
    table: StepTable,
    readonly parts: number,
    phaseCount: number,
  ) {
    const layout = KERNEL_LAYOUTS[kernel];
    const blocks = layout.blocks;
    const stride = layout.tableStride / 4;
    const elementBytes = bytesPerElement(table.dtype);
    const unit = ALIGNMENT / elementBytes; // elements per unit a cut of an element-wise kernel falls between
    const buffers = tableBuffers(kernel).length; // words 1..buffers are element addresses
    const source = new Uint32Array(runtime.memory.buffer, table.address, table.count * stride).slice();
    const lengths = Array.from({ length: table.count }, (_, t) => source[t * stride]);
    const inParts = partsLayout(kernel);
    if (inParts !== null) {
      const whole = lengths.map((_, t) => Array.from(source.subarray(t * stride, (t + 1) * stride)));
      this.block = this.write(partEntries(inParts, whole, lengths, parts, phaseCount), stride);
      return;
    }
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
    // element bytes, or for low-bit state its block in a buffer of one value per block, or its
    // byte in a buffer of 4-bit codes (two elements per byte; slices start at whole blocks).
    const offset = (t: number, k: number, start: number) => {
      if (lowBit === undefined || k < 2) return start * elementBytes;
      const bytes = stateElementBytes(table.stateElements[k - 2], table.dtype);
      const length = table.lengths[t][k - 2];
      const block = lowBit[t];
      if (block === null || length === null || length === lengths[t]) return start * bytes;
      if (length === Math.ceil(lengths[t] / block)) return (start / block) * bytes;
      return ((start * length) / lengths[t]) * bytes;
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
    // A blocked kernel's slices of phase k are the same with the phase word k.
    const phases = Array.from({ length: phaseCount }, (_, phase) =>
      entries.map((part) =>
        blocks === null
          ? part
          : part.map((entry) => {
              const inPhase = [...entry];
              inPhase[blocks.words.phase] = phase + 1;
              return inPhase;
            }),
      ),
    );
    try {
      this.block = this.write(phases, stride);
    } catch (error) {
      if (this.workspaces !== 0) runtime.free(this.workspaces);
      throw error;
    }
  }

  /**
   * Writes the tables of every phase (`entries[phase][slice]`, entries of `stride` words) and
   * their directories into one block, fills `phases` and returns the block's address.
   */
  private write(entries: readonly (readonly (readonly (readonly number[])[])[])[], stride: number): number {
    const parts = this.parts;
    // Each phase: its slices' tables (at least one entry's room), then its directory.
    const tableWords = entries.map(
      (phase) =>
        Math.max(
          1,
          phase.reduce((sum, slice) => sum + slice.length, 0),
        ) * stride,
    );
    const totalWords = tableWords.reduce((sum, words) => sum + words + 2 * parts, 0);
    const block = this.runtime.alloc(totalWords * 4);
    const words = new Uint32Array(this.runtime.memory.buffer, block, totalWords);
    let next = 0;
    entries.forEach((phase, k) => {
      const directory = next + tableWords[k];
      const slices: SlicePhase = { addresses: [], counts: [], directory: block + directory * 4 };
      phase.forEach((slice, p) => {
        slices.addresses.push(block + next * 4);
        slices.counts.push(slice.length);
        words.set([slices.addresses[p], slice.length], directory + 2 * p);
        for (const entry of slice) {
          words.set(entry, next);
          next += stride;
        }
      });
      next = directory + 2 * parts;
      this.phases.push(slices);
    });
    return block;
  }

  dispose(): void {
    this.runtime.free(this.block);
    if (this.workspaces !== 0) this.runtime.free(this.workspaces);
  }
}
