// The allocator: aligned, disjoint, zero-filled blocks; freed blocks merge and are reused; a failed
// allocation changes nothing. Checked through the public API at scale and against a simple model.
import { describe, expect, test } from "vitest";
import { loadRuntime, type Parameter } from "../dist/index.js";
import { Allocator } from "../dist/runtime/allocator.js";
import { memoryUse, randomArray, setQuarantine } from "./helpers.js";

const PAGE = 65536;

/** `count` pseudo-random integers in [0, bound). */
function randomIntegers(count: number, bound: number, seed: number): number[] {
  return randomArray(count, seed).map((x) => Math.floor(((x + 1) / 2) * bound));
}

/** The block size the allocator reserves for a request of `bytes`. */
function blockSize(bytes: number): number {
  return Math.max(64, Math.ceil(bytes / 64) * 64);
}

/** Fisher-Yates with the deterministic numbers above. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  const picks = randomArray(result.length, seed);
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(((picks[i] + 1) / 2) * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

/** Throws unless no two of the blocks [start, start + size) overlap. */
function expectDisjoint(blocks: { start: number; size: number }[]): void {
  const sorted = [...blocks].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    if (previous.start + previous.size > sorted[i].start) {
      throw new Error(`block at ${sorted[i].start} overlaps [${previous.start}, ${previous.start + previous.size})`);
    }
  }
}

describe("parameters at scale", () => {
  test("100,000 parameters: aligned, disjoint, disposed in random order, then the memory reused", async () => {
    const runtime = await loadRuntime();
    setQuarantine(runtime, 0); // the allocator's reuse, without the quarantine of disposed blocks
    const count = 100_000;
    const lengths = randomIntegers(count, 200, 1);
    const float64 = randomIntegers(count, 4, 2).map((pick) => pick === 0);
    const params: Parameter[] = lengths.map((length, i) =>
      runtime.parameter(length, { dtype: float64[i] ? "float64" : "float32" }),
    );

    const blocks = params.flatMap((p) => {
      const size = blockSize(Math.max(1, p.length) * (p.dtype === "float64" ? 8 : 4));
      return [
        { start: p.dataPtr, size },
        { start: p.gradPtr, size },
      ];
    });
    expect(blocks.every((block) => block.start > 0 && block.start % 64 === 0)).toBe(true);
    expectDisjoint(blocks);
    const highWater = memoryUse(runtime).highWater;
    expect(blocks.reduce((top, block) => Math.max(top, block.start + block.size), 0)).toBe(highWater);
    expect(memoryUse(runtime).liveBytes).toBe(blocks.reduce((sum, block) => sum + block.size, 0));

    for (const p of shuffled(params, 3)) p.dispose();
    expect(memoryUse(runtime).liveBytes).toBe(0);
    expect(memoryUse(runtime).highWater).toBe(highWater);

    const again = lengths.slice(0, 1000).map((length) => runtime.parameter(length));
    for (const p of again) {
      expect(Math.max(p.dataPtr, p.gradPtr) + blockSize(Math.max(1, p.length) * 4)).toBeLessThanOrEqual(highWater);
      expect(p.data.every((x) => x === 0) && p.grad.every((x) => x === 0)).toBe(true);
    }
    expect(memoryUse(runtime).highWater).toBe(highWater);
  });
});

/** What a correct allocator must show: live blocks, and where free space could be. */
class Model {
  readonly live = new Map<number, number>(); // start -> size

  constructor(
    readonly base: number,
    readonly maxBytes: number,
  ) {}

  /** The first byte after the highest live block (where fresh space starts). */
  get top(): number {
    let top = this.base;
    for (const [start, size] of this.live) top = Math.max(top, start + size);
    return top;
  }

  /** True when `size` bytes fit in a gap between live blocks or above them within `maxBytes`. */
  fits(size: number): boolean {
    const sorted = [...this.live].sort((a, b) => a[0] - b[0]);
    let end = this.base;
    for (const [start, blockSize] of sorted) {
      if (start - end >= size) return true;
      end = start + blockSize;
    }
    return this.maxBytes - end >= size;
  }
}

describe("allocator against a model", () => {
  test("random allocs and frees: aligned, disjoint, zero-filled; fails only when nothing fits", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 6 });
    const allocator = new Allocator(memory, 100);
    const model = new Model(128, 6 * PAGE);
    const steps = 6000;
    const kinds = randomIntegers(steps, 100, 11);
    const sizes = randomIntegers(steps, 4000, 12);
    const bigSizes = randomIntegers(steps, 60_000, 13);
    const picks = randomIntegers(steps, 1 << 30, 14);
    let failures = 0;
    for (let step = 0; step < steps; step++) {
      const starts = [...model.live.keys()];
      if (kinds[step] < 45 && starts.length > 0) {
        const start = starts[picks[step] % starts.length];
        allocator.free(start);
        model.live.delete(start);
      } else {
        const bytes = kinds[step] < 95 ? sizes[step] : bigSizes[step];
        const size = blockSize(bytes);
        const before = { liveBytes: allocator.liveBytes, highWater: allocator.highWater };
        let start: number;
        try {
          start = allocator.alloc(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          expect(String(error)).toContain(`${bytes} bytes`);
          expect(model.fits(size)).toBe(false);
          expect({ liveBytes: allocator.liveBytes, highWater: allocator.highWater }).toEqual(before);
          failures++;
          continue;
        }
        expect(start % 64).toBe(0);
        expect(start).toBeGreaterThanOrEqual(model.base);
        expect(start + size).toBeLessThanOrEqual(memory.buffer.byteLength);
        const block = new Uint8Array(memory.buffer, start, size);
        if (!block.every((byte) => byte === 0)) throw new Error(`block at ${start} is not zero-filled`);
        block.fill(0xa5); // so that a block handed out again without zeroing shows
        model.live.set(start, size);
        expectDisjoint([...model.live].map(([s, n]) => ({ start: s, size: n })));
      }
      expect(allocator.liveBytes).toBe([...model.live.values()].reduce((sum, n) => sum + n, 0));
    }
    expect(failures).toBeGreaterThan(0); // the sequence reached the memory's maximum

    for (const start of model.live.keys()) allocator.free(start);
    expect(allocator.liveBytes).toBe(0);
    const whole = allocator.highWater - model.base; // everything merged back: one block fits at the base
    expect(allocator.alloc(whole)).toBe(model.base);
    expect(allocator.highWater).toBe(model.base + whole);
  });

  test("a freed block is reused by the next request of its size, small or large", () => {
    const allocator = new Allocator(new WebAssembly.Memory({ initial: 1 }), 0);
    const sizes = [64, 200, 4096 + 64, 100_000, 1_000_064, 3_000_000 + 4];
    const blocks = sizes.map((size) => {
      const start = allocator.alloc(size);
      allocator.alloc(1); // a live separator, so that freed blocks do not merge
      return start;
    });
    for (const start of blocks) allocator.free(start);
    const highWater = allocator.highWater;
    for (const [i, size] of [...sizes.entries()].reverse()) expect(allocator.alloc(size)).toBe(blocks[i]);
    expect(allocator.highWater).toBe(highWater);
  });

  test("free space at the top goes back to the bump region: a larger request starts there", () => {
    const allocator = new Allocator(new WebAssembly.Memory({ initial: 1 }), 0);
    allocator.alloc(64);
    const below = allocator.alloc(1000);
    const top = allocator.alloc(1000);
    allocator.free(top);
    allocator.free(below); // merges with nothing above it: the top is now its start
    expect(allocator.alloc(5000)).toBe(below);
    expect(allocator.highWater).toBe(below + 5056);
  });

  test("when the memory cannot grow, a block that fits in the request's own class is still found", () => {
    const allocator = new Allocator(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 0);
    const free = allocator.alloc(131 * 64); // in the class of 128 to 131 units of 64 bytes
    allocator.alloc(64);
    allocator.alloc(2 * PAGE - 132 * 64); // the memory is full and at its maximum
    allocator.free(free);
    expect(allocator.alloc(129 * 64)).toBe(free); // 129 units: the good-fit search looks from 132 up
    expect(allocator.alloc(2 * 64)).toBe(free + 129 * 64);
    expect(allocator.liveBytes).toBe(2 * PAGE);
  });

  test("a failed allocation names the bytes and leaves the allocator exactly as it was", () => {
    // Two allocators run the same calls; one of them also gets requests that cannot be met.
    const failing = new Allocator(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 0);
    const twin = new Allocator(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 0);
    const sizes = randomIntegers(400, 3000, 21);
    const frees = randomIntegers(400, 2, 22);
    const live: number[] = [];
    for (const [i, bytes] of sizes.entries()) {
      if (frees[i] === 0 && live.length > 0) {
        const start = live.splice(i % live.length, 1)[0];
        failing.free(start);
        twin.free(start);
        continue;
      }
      if (i % 10 === 0) {
        const before = { liveBytes: failing.liveBytes, highWater: failing.highWater };
        expect(() => failing.alloc(2 * PAGE + 64)).toThrow(RangeError);
        expect(() => failing.alloc(2 * PAGE + 64)).toThrow(`cannot allocate ${2 * PAGE + 64} bytes`);
        expect({ liveBytes: failing.liveBytes, highWater: failing.highWater }).toEqual(before);
      }
      const start = twin.alloc(bytes);
      expect(failing.alloc(bytes)).toBe(start);
      live.push(start);
    }
    expect(failing.liveBytes).toBe(twin.liveBytes);
    expect(failing.highWater).toBe(twin.highWater);
  });

  test("freeing an address that is not a live block throws, and so does freeing twice", () => {
    const allocator = new Allocator(new WebAssembly.Memory({ initial: 1 }), 0);
    const start = allocator.alloc(256);
    allocator.alloc(64);
    expect(() => allocator.free(start + 64)).toThrow(`address ${start + 64} is not a live block`);
    expect(() => allocator.free(1 << 20)).toThrow("is not a live block");
    allocator.free(start);
    expect(() => allocator.free(start)).toThrow(`address ${start} is not a live block`);
    expect(() => allocator.alloc(-1)).toThrow(RangeError);
    expect(() => allocator.alloc(Number.NaN)).toThrow("cannot allocate NaN bytes");
    expect(allocator.alloc(0) % 64).toBe(0);
  });
});
