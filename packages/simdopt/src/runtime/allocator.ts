/**
 * The allocator of a runtime's Wasm memory, owned by TypeScript (kernels never allocate).
 *
 * Free blocks are indexed three ways, so that every alloc and free takes constant time:
 * - by size class, as in TLSF (Masmano et al., "TLSF: a new dynamic memory allocator for real-time
 *   systems", 2004): each power of two is split into 32 classes, and two bitmaps find the smallest
 *   non-empty class whose blocks all fit a request. Classes below 4 KiB hold a single size each.
 * - by exact size, for blocks of 4 KiB and more, so that a freed block is reused by the next
 *   request of its size even where a class spans several sizes.
 * - by first and end address, so that a freed block merges with its free neighbours. As free
 *   neighbours always merge, no free block starts where another ends, and one map holds both.
 */

/** Blocks start at multiples of 64 bytes (a cache line, and a whole number of SIMD vectors). */
export const ALIGNMENT = 64;
const PAGE = 65536;
const MAX_BYTES = 2 ** 32; // all that wasm32 addresses
const SUBCLASS_BITS = 5; // 32 classes per power of two: a good fit wastes at most 1/32 of a block
const SUBCLASSES = 1 << SUBCLASS_BITS;
const LEVELS = 32 - Math.clz32(MAX_BYTES / ALIGNMENT) - SUBCLASS_BITS + 1; // blocks up to 2^26 units
const SIZE_INDEXED = 2 * SUBCLASSES * ALIGNMENT; // from here on a class spans several sizes
const SMALL_BLOCK = 1024; // bytes zeroed with a loop rather than `fill`

/** A free run of memory, linked into the list of its size class and (if large) of its exact size. */
interface FreeBlock {
  start: number;
  size: number;
  classIndex: number;
  classPrevious: FreeBlock | undefined;
  classNext: FreeBlock | undefined;
  sizePrevious: FreeBlock | undefined;
  sizeNext: FreeBlock | undefined;
}

/**
 * Hands out blocks of one WebAssembly.Memory: 64-byte aligned, zero-filled, at least 64 bytes.
 * `free` gives a block back; free neighbours merge, and free space at the top of the heap goes back
 * to the bump region, which grows the memory on demand. Alloc and free take constant time.
 */
export class Allocator {
  private readonly liveSizes = new Map<number, number>(); // live block start -> size
  private readonly freeByEdge = new Map<number, FreeBlock>(); // first and end address -> free block
  private readonly freeBySize = new Map<number, FreeBlock>(); // size -> head of its list (large sizes)
  private readonly classHeads: (FreeBlock | undefined)[] = new Array(LEVELS * SUBCLASSES).fill(undefined);
  private readonly subclassMaps = new Uint32Array(LEVELS); // bit s of [l]: class (l, s) is non-empty
  private levelMap = 0; // bit l: some class of level l is non-empty
  private top: number; // first byte after the highest live block; the bump region starts here
  private peak: number;
  private live = 0;
  private words = new Float64Array(0); // a view of the memory, renewed when a block lies beyond it

  constructor(
    private readonly memory: WebAssembly.Memory,
    heapBase: number,
  ) {
    this.top = alignUp(heapBase);
    this.peak = this.top;
  }

  /** Bytes in live blocks (each request rounded up to a multiple of 64, at least 64). */
  get liveBytes(): number {
    return this.live;
  }

  /** Address of the first byte after the highest block ever handed out (the heap base before any). */
  get highWater(): number {
    return this.peak;
  }

  /**
   * The address of a zero-filled block of at least `bytes` bytes. Reuses a free block where one
   * fits, and takes fresh memory otherwise, growing the memory if needed; when no free block fits
   * and the memory cannot grow, throws a RangeError and leaves the allocator as it was.
   */
  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new RangeError(`simdopt: cannot allocate ${String(bytes)} bytes: not a byte count`);
    }
    if (bytes > MAX_BYTES) {
      throw new RangeError(`simdopt: cannot allocate ${bytes} bytes: more than the 4 GiB a wasm32 memory addresses`);
    }
    const size = Math.max(ALIGNMENT, alignUp(bytes));
    let start: number;
    const block = (size >= SIZE_INDEXED ? this.freeBySize.get(size) : undefined) ?? this.findGoodFit(size);
    if (block !== undefined) {
      start = block.start;
      this.takeFrom(block, size);
    } else if (this.canReach(this.top + size)) {
      start = this.top;
      this.top += size;
      if (this.top > this.peak) this.peak = this.top;
    } else {
      const lastResort = this.findFirstFitInClass(size); // a fit that the good-fit search passes over
      if (lastResort === undefined) {
        throw new RangeError(
          `simdopt: cannot allocate ${bytes} bytes: no free block fits and the Wasm memory cannot grow to ` +
            `${this.top + size} bytes`,
        );
      }
      start = lastResort.start;
      this.takeFrom(lastResort, size);
    }
    this.liveSizes.set(start, size);
    this.live += size;
    this.zero(start, size);
    return start;
  }

  /** The size in bytes of the live block at `start` (a multiple of 64). */
  sizeOf(start: number): number {
    const size = this.liveSizes.get(start);
    if (size === undefined) throw new Error(`simdopt: address ${String(start)} is not a live block`);
    return size;
  }

  /** Gives back the block at `start`, which must be live (freeing twice is an error). */
  free(start: number): void {
    const size = this.liveSizes.get(start);
    if (size === undefined) {
      throw new Error(`simdopt: address ${String(start)} is not a live block (never allocated, or already freed)`);
    }
    this.liveSizes.delete(start);
    this.live -= size;
    let from = start;
    let to = start + size;
    const previous = this.freeByEdge.get(from); // the free block that ends here, if any
    if (previous !== undefined) {
      this.unlink(previous);
      from = previous.start;
    }
    const next = this.freeByEdge.get(to); // the free block that starts at the end, if any
    if (next !== undefined) {
      this.unlink(next);
      to = next.start + next.size;
    }
    if (to === this.top)
      this.top = from; // the free tail goes back to the bump region
    else this.link(previous ?? next ?? newFreeBlock(), from, to - from);
  }

  /** A free block in the smallest non-empty class whose blocks all hold `size` bytes. */
  private findGoodFit(size: number): FreeBlock | undefined {
    const units = size / ALIGNMENT;
    const roundedUp = units < SUBCLASSES ? units : units + (1 << (highestBit(units) - SUBCLASS_BITS)) - 1;
    const wanted = classOf(roundedUp);
    let level = wanted >>> SUBCLASS_BITS;
    if (level >= LEVELS) return undefined;
    let subclasses = this.subclassMaps[level] & (~0 << (wanted & (SUBCLASSES - 1)));
    if (subclasses === 0) {
      const levels = this.levelMap & (~0 << (level + 1));
      if (levels === 0) return undefined;
      level = lowestBit(levels);
      subclasses = this.subclassMaps[level];
    }
    return this.classHeads[(level << SUBCLASS_BITS) + lowestBit(subclasses)];
  }

  /** The first block that holds `size` bytes in the class of `size` itself (a walk along its list). */
  private findFirstFitInClass(size: number): FreeBlock | undefined {
    for (let block = this.classHeads[classOf(size / ALIGNMENT)]; block !== undefined; block = block.classNext) {
      if (block.size >= size) return block;
    }
    return undefined;
  }

  /** Hands out the first `size` bytes of `block`; the rest stays free. */
  private takeFrom(block: FreeBlock, size: number): void {
    this.unlink(block);
    if (block.size > size) this.link(block, block.start + size, block.size - size);
  }

  /** Makes `block` (unlinked) the free run of `size` bytes at `start`, and indexes it. */
  private link(block: FreeBlock, start: number, size: number): void {
    const classIndex = classOf(size / ALIGNMENT);
    const classNext = this.classHeads[classIndex];
    block.start = start;
    block.size = size;
    block.classIndex = classIndex;
    block.classPrevious = undefined;
    block.classNext = classNext;
    if (classNext !== undefined) classNext.classPrevious = block;
    this.classHeads[classIndex] = block;
    this.subclassMaps[classIndex >>> SUBCLASS_BITS] |= 1 << (classIndex & (SUBCLASSES - 1));
    this.levelMap |= 1 << (classIndex >>> SUBCLASS_BITS);
    block.sizePrevious = undefined;
    block.sizeNext = undefined;
    if (size >= SIZE_INDEXED) {
      const sizeNext = this.freeBySize.get(size);
      block.sizeNext = sizeNext;
      if (sizeNext !== undefined) sizeNext.sizePrevious = block;
      this.freeBySize.set(size, block);
    }
    this.freeByEdge.set(start, block);
    this.freeByEdge.set(start + size, block);
  }

  private unlink(block: FreeBlock): void {
    const { classIndex, classPrevious, classNext } = block;
    if (classNext !== undefined) classNext.classPrevious = classPrevious;
    if (classPrevious !== undefined) classPrevious.classNext = classNext;
    else {
      this.classHeads[classIndex] = classNext;
      if (classNext === undefined) {
        // the class is now empty
        const level = classIndex >>> SUBCLASS_BITS;
        this.subclassMaps[level] &= ~(1 << (classIndex & (SUBCLASSES - 1)));
        if (this.subclassMaps[level] === 0) this.levelMap &= ~(1 << level);
      }
    }
    if (block.size >= SIZE_INDEXED) {
      const { sizePrevious, sizeNext } = block;
      if (sizeNext !== undefined) sizeNext.sizePrevious = sizePrevious;
      if (sizePrevious !== undefined) sizePrevious.sizeNext = sizeNext;
      else if (sizeNext !== undefined) this.freeBySize.set(block.size, sizeNext);
      else this.freeBySize.delete(block.size);
    }
    this.freeByEdge.delete(block.start);
    this.freeByEdge.delete(block.start + block.size);
  }

  /** True when the memory holds `end` bytes, after growing it if needed (false when it cannot grow). */
  private canReach(end: number): boolean {
    if (end <= this.words.byteLength) return true; // the memory never shrinks
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    if (end > MAX_BYTES) return false;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
      return true;
    } catch {
      return false; // past the memory's maximum, or the engine is out of memory
    }
  }

  /** Zeroes a block: small ones word by word (a typed array's `fill` costs more to call on a shared
   *  memory than it takes to store a few words), large ones with `fill`. */
  private zero(start: number, size: number): void {
    const end = start + size;
    // A view goes stale when the memory grows: a shared one stays short, a plain one detaches (empty).
    if (end > this.words.byteLength) this.words = new Float64Array(this.memory.buffer);
    const words = this.words;
    if (size > SMALL_BLOCK) words.fill(0, start / 8, end / 8);
    else for (let i = start / 8; i < end / 8; i++) words[i] = 0;
  }
}

function newFreeBlock(): FreeBlock {
  return {
    start: 0,
    size: 0,
    classIndex: 0,
    classPrevious: undefined,
    classNext: undefined,
    sizePrevious: undefined,
    sizeNext: undefined,
  };
}

/** The class of a block of `units` 64-byte units: level × 32 + subclass, in increasing size. */
function classOf(units: number): number {
  if (units < SUBCLASSES) return units; // level 0: one class per size
  const bit = highestBit(units);
  return ((bit - SUBCLASS_BITS + 1) << SUBCLASS_BITS) + (units >>> (bit - SUBCLASS_BITS)) - SUBCLASSES;
}

function highestBit(value: number): number {
  return 31 - Math.clz32(value);
}

function lowestBit(value: number): number {
  return 31 - Math.clz32(value & -value);
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
}
