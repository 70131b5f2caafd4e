/**
 * First-fit allocator over one WebAssembly.Memory, owned by TypeScript (kernels never allocate).
 * Blocks are 64-byte aligned (a cache line, and a whole number of SIMD vectors), come zero-filled,
 * and are given back with `free`; neighbouring free blocks merge. The memory grows on demand.
 */
export const ALIGNMENT = 64;
const PAGE = 65536;

interface Block {
  start: number;
  size: number;
}

export class Allocator {
  private readonly freeBlocks: Block[] = []; // sorted by start, never adjacent
  private readonly sizes = new Map<number, number>(); // live block start -> size
  private top: number;

  constructor(private readonly memory: WebAssembly.Memory, heapBase: number) {
    this.top = alignUp(heapBase);
  }

  /** Bytes from the first allocatable byte to the top of the highest live block. */
  get used(): number {
    return this.top;
  }

  /** A zero-filled block of at least `bytes` bytes at a 64-byte-aligned address. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGNMENT, alignUp(bytes));
    let start = this.takeFree(size);
    if (start === undefined) {
      start = this.top;
      this.ensure(start + size);
      this.top = start + size;
    }
    new Uint8Array(this.memory.buffer, start, size).fill(0);
    this.sizes.set(start, size);
    return start;
  }

  free(start: number): void {
    const size = this.sizes.get(start);
    if (size === undefined) throw new Error(`simdopt: address ${start} is not a live block`);
    this.sizes.delete(start);
    let index = this.freeBlocks.findIndex((block) => block.start > start);
    if (index < 0) index = this.freeBlocks.length;
    this.freeBlocks.splice(index, 0, { start, size });
    this.mergeAround(index);
    const last = this.freeBlocks[this.freeBlocks.length - 1];
    if (last !== undefined && last.start + last.size === this.top) {
      this.top = last.start; // the free tail goes back to the bump region
      this.freeBlocks.pop();
    }
  }

  private takeFree(size: number): number | undefined {
    const index = this.freeBlocks.findIndex((block) => block.size >= size);
    if (index < 0) return undefined;
    const block = this.freeBlocks[index];
    const start = block.start;
    if (block.size === size) this.freeBlocks.splice(index, 1);
    else {
      block.start += size;
      block.size -= size;
    }
    return start;
  }

  private mergeAround(index: number): void {
    const next = this.freeBlocks[index + 1];
    const block = this.freeBlocks[index];
    if (next !== undefined && block.start + block.size === next.start) {
      block.size += next.size;
      this.freeBlocks.splice(index + 1, 1);
    }
    const previous = this.freeBlocks[index - 1];
    if (previous !== undefined && previous.start + previous.size === block.start) {
      previous.size += block.size;
      this.freeBlocks.splice(index, 1);
    }
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (cause) {
      throw new RangeError(
        `simdopt: cannot grow Wasm memory to ${end} bytes (${pages} more pages): ${String(cause)}`,
      );
    }
  }
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
}
