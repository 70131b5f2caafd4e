/**
 * A tensor table cut into contiguous slices for threads: the table's elements, tensor after
 * tensor, split into `parts` runs of about equal length whose boundaries fall on whole 64-byte
 * blocks of every tensor, each run described by a table of its own in the kernel's layout ([n,
 * param, grad, ...state] with the addresses moved to the slice's first element). Update rules are
 * element-wise, so running the kernel over every slice table computes exactly what one call over
 * the whole table computes; the boundaries keep every SIMD vector whole and every buffer's
 * alignment, and only a tensor's own last elements run in the scalar tail, as they do unsliced.
 * Kernels that reduce over a whole tensor (not `elementwise`) are cut between tensors only: each
 * tensor runs entire in one slice, so a group of several tensors still spreads over threads.
 */
import { ALIGNMENT } from "../runtime/allocator.js";
import { bytesPerElement, type KernelName } from "../runtime/kernels.js";
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import type { TensorTable } from "../runtime/tensor-table.js";

/** What slicing needs of a runtime: its memory and its allocator. */
export interface SliceMemory {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(address: number): void;
}

export class SliceTables {
  /** Byte address of each slice's table. */
  readonly addresses: number[] = [];
  /** Entries in each slice's table (0 for an empty slice). */
  readonly counts: number[] = [];
  /** Byte address of the directory: [table address, entry count] per slice, as u32 pairs. */
  readonly directory: number;
  private readonly block: number;

  constructor(
    private readonly runtime: SliceMemory,
    kernel: KernelName,
    table: TensorTable,
    readonly parts: number,
  ) {
    const stride = KERNEL_LAYOUTS[kernel].tableStride / 4;
    const elementBytes = bytesPerElement(table.dtype);
    const unit = ALIGNMENT / elementBytes; // elements per 64-byte block
    const source = new Uint32Array(runtime.memory.buffer, table.address, table.count * stride).slice();
    const lengths = Array.from({ length: table.count }, (_, t) => source[t * stride]);
    const blocks = lengths.reduce((total, n) => total + Math.ceil(n / unit), 0);
    const perPart = Math.max(1, Math.ceil(blocks / parts));
    // Entries of every part: [n, addresses...] with the addresses moved to the slice's start.
    const entries: number[][][] = Array.from({ length: parts }, () => []);
    let firstBlock = 0; // of the current tensor, in the global count of blocks
    // A kernel that reduces over whole tensors (LAMB, Adafactor) gets whole tensors: each one goes,
    // entire, to the part its first block falls in.
    const wholeTensors = !KERNEL_LAYOUTS[kernel].elementwise;
    lengths.forEach((n, t) => {
      const tensorBlocks = Math.ceil(n / unit);
      if (wholeTensors) {
        const part = Math.min(parts - 1, Math.floor(firstBlock / perPart));
        entries[part].push(Array.from(source.subarray(t * stride, (t + 1) * stride)));
        firstBlock += tensorBlocks;
        return;
      }
      for (let part = Math.floor(firstBlock / perPart); part < parts; part++) {
        const from = Math.max(part * perPart, firstBlock) - firstBlock;
        const to = Math.min((part + 1) * perPart, firstBlock + tensorBlocks) - firstBlock;
        if (to <= from) break;
        const start = from * unit;
        const end = Math.min(to * unit, n);
        const entry = [end - start];
        for (let k = 1; k < stride; k++) {
          const address = source[t * stride + k];
          entry.push(address === 0 ? 0 : address + start * elementBytes);
        }
        entries[part].push(entry);
      }
      firstBlock += tensorBlocks;
    });
    const total = entries.reduce((sum, part) => sum + part.length, 0);
    const tableWords = Math.max(1, total) * stride;
    this.block = runtime.alloc((tableWords + 2 * parts) * 4);
    this.directory = this.block + tableWords * 4;
    const words = new Uint32Array(runtime.memory.buffer, this.block, tableWords + 2 * parts);
    let next = 0;
    entries.forEach((part, p) => {
      this.addresses.push(this.block + next * stride * 4);
      this.counts.push(part.length);
      words.set([this.addresses[p], part.length], tableWords + 2 * p);
      for (const entry of part) words.set(entry, next++ * stride);
    });
  }

  dispose(): void {
    this.runtime.free(this.block);
  }
}
