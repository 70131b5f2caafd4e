import { Allocator } from "./allocator.js";
import {
  BINARY_CHOICES, binaryName, createMemory, instantiate, isShared, MAX_PAGES, relaxedSimdFuses, resolveBinary, ROUNDINGS,
  type BinaryChoice, type BinaryName, type Rounding, type WasmBinary,
} from "./load.js";
import { DTYPES, kernelKey, type Dtype, type KernelName, type KernelTable } from "./kernels.js";
import type { TensorTable } from "./tensor-table.js";
import { Parameter } from "./parameter.js";
import { referenceKernels } from "../reference/kernels.js";

export interface RuntimeOptions {
  /** Which kernels run the steps: SIMD Wasm where supported (`auto`, the default), one of the
   *  binaries by kind, or the plain-JS reference (which runs over the same Wasm memory). */
  binary?: BinaryChoice;
  /** Initial memory in bytes (rounded up to 64 KiB pages); it grows on demand. Default 1 MiB. */
  initialMemory?: number;
  /**
   * Use a shared memory (a SharedArrayBuffer) where the engine allows one, as Node and Deno always
   * do: views of it stay valid when it grows, and workers can share it. Default true; false, or an
   * engine without shared memory, gives a plain memory, whose old views detach when it grows.
   */
  sharedMemory?: boolean;
  /**
   * `fused` (default): multiply-adds rounded once where torch's float32 CPU kernels fuse them, so
   * float32 results are bit-identical to torch.optim's. `separate`: every operation rounded on its
   * own, a few units in the last place away from torch. float64 is rounded separately in both.
   */
  rounding?: Rounding;
  /**
   * With `rounding: "fused"` and SIMD: use relaxed SIMD's multiply-add where the engine has it and
   * a probe at load shows that it rounds once on this machine (as fast as `separate`); otherwise,
   * or when false, an exact emulation (slower). Both give the same bits. Default true.
   */
  relaxedSimd?: boolean;
}

export interface ParameterOptions<D extends Dtype> {
  dtype?: D;
  /** A name shown in error messages (and, later, the key of checkpoints). */
  name?: string;
  /**
   * The tensor's shape, row-major, its product the length (default [length]). Optimizers that
   * factor or reduce over dims (Adafactor) use it; the others see a flat array.
   */
  shape?: readonly number[];
}

const PAGE = 65536;
const RUNTIME_OPTIONS = ["binary", "initialMemory", "sharedMemory", "rounding", "relaxedSimd"];

/**
 * One Wasm memory, its allocator and the kernels that step optimizers over it. Parameters,
 * gradients and optimizer state of every optimizer created over these parameters live here.
 */
export class Runtime {
  /** @internal Bumped by every parameter's dispose, so optimizers rescan their parameters only then. */
  disposals = 0;
  readonly #allocator: Allocator;

  private constructor(
    readonly memory: WebAssembly.Memory,
    /** @internal */ readonly kernels: KernelTable,
    /** The kind of kernels: `simd`, `scalar` or the plain-JS `reference`. */
    readonly binary: WasmBinary | "reference",
    /** The exact binary (its axes joined, e.g. `simd-shared-relaxed`), or `reference`. */
    readonly build: BinaryName | "reference",
    readonly rounding: Rounding,
    heapBase: number,
  ) {
    this.#allocator = new Allocator(memory, heapBase);
  }

  /** True when the memory is a SharedArrayBuffer: views never detach, workers can share it. */
  get sharedMemory(): boolean {
    return isShared(this.memory);
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    for (const key of Object.keys(options)) {
      if (!RUNTIME_OPTIONS.includes(key)) {
        throw new TypeError(`simdopt: unknown runtime option '${key}' (known: ${RUNTIME_OPTIONS.join(", ")})`);
      }
    }
    const { binary = "auto", initialMemory = 1 << 20, sharedMemory = true, rounding = "fused", relaxedSimd = true } = options;
    if (!BINARY_CHOICES.includes(binary)) {
      throw new TypeError(`simdopt: option 'binary' must be one of ${BINARY_CHOICES.join(", ")}, got ${String(binary)}`);
    }
    if (!Number.isInteger(initialMemory) || initialMemory < 0 || initialMemory > MAX_PAGES * PAGE) {
      throw new RangeError(`simdopt: option 'initialMemory' must be a byte count up to 4 GiB, got ${initialMemory}`);
    }
    if (!ROUNDINGS.includes(rounding)) {
      throw new TypeError(`simdopt: option 'rounding' must be one of ${ROUNDINGS.join(", ")}, got ${String(rounding)}`);
    }
    for (const [name, value] of [["sharedMemory", sharedMemory], ["relaxedSimd", relaxedSimd]] as const) {
      if (typeof value !== "boolean") throw new TypeError(`simdopt: option '${name}' must be true or false, got ${String(value)}`);
    }
    const resolved = resolveBinary(binary);
    const memory = createMemory(Math.max(1, Math.ceil(initialMemory / PAGE)), sharedMemory);
    if (resolved === "reference") {
      // Address 0 means "unused" in a tensor table, so the heap starts above it.
      return new Runtime(memory, referenceKernels(memory, rounding), resolved, resolved, rounding, 64);
    }
    const relaxed = rounding === "fused" && resolved === "simd" && relaxedSimd && (await relaxedSimdFuses());
    const name = binaryName(resolved, isShared(memory), relaxed ? "relaxed" : rounding);
    const { kernels, heapBase } = await instantiate(name, memory);
    return new Runtime(memory, kernels, resolved, name, rounding, heapBase);
  }

  /**
   * A new parameter in this runtime's memory: from a length (zeros) or from values (copied).
   * The dtype defaults to that of a Float64Array given as values, float32 otherwise.
   */
  parameter<D extends Dtype>(init: number | ArrayLike<number>, options: ParameterOptions<D> & { dtype: D }): Parameter<D>;
  parameter(init: Float64Array, options?: ParameterOptions<"float64">): Parameter<"float64">;
  parameter(init: number | ArrayLike<number>, options?: ParameterOptions<"float32">): Parameter<"float32">;
  parameter(init: number | ArrayLike<number>, options: ParameterOptions<Dtype> = {}): Parameter {
    const dtype = options.dtype ?? (init instanceof Float64Array ? "float64" : "float32");
    if (!DTYPES.includes(dtype)) {
      throw new TypeError(`simdopt: option 'dtype' must be 'float32' or 'float64', got ${String(dtype)}`);
    }
    const length = typeof init === "number" ? init : init?.length;
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw new TypeError(`simdopt: a parameter needs a length or an array of numbers, got ${String(init)}`);
    }
    const shape = options.shape ?? [length];
    if (!Array.isArray(shape) || shape.some((dim) => !Number.isInteger(dim) || dim < 0) || shape.reduce((a, b) => a * b, 1) !== length) {
      throw new TypeError(`simdopt: option 'shape' must be whole numbers whose product is the length ${length}, got ${JSON.stringify(shape)}`);
    }
    const parameter = new Parameter(this, length, dtype, options.name, Object.freeze([...shape]));
    if (typeof init !== "number") parameter.set(init);
    return parameter;
  }

  /** @internal The allocator's figures: bytes in live blocks, and the end of the highest block. */
  get memoryUse(): { liveBytes: number; highWater: number } {
    return { liveBytes: this.#allocator.liveBytes, highWater: this.#allocator.highWater };
  }

  /** @internal Runs `kernel` over every tensor of `table` with the scalar block at `scalars`. */
  runKernel(kernel: KernelName, table: TensorTable, scalars: number): void {
    this.kernels[kernelKey(kernel, table.dtype)](table.address, table.count, scalars);
  }

  /** @internal A zero-filled, 64-byte-aligned block of at least `bytes` bytes. */
  alloc(bytes: number): number {
    return this.#allocator.alloc(bytes);
  }

  /** @internal Gives a block from `alloc` back. */
  free(address: number): void {
    this.#allocator.free(address);
  }
}

/** Loads a runtime: `const rt = await loadRuntime()`. See `RuntimeOptions`. */
export function loadRuntime(options?: RuntimeOptions): Promise<Runtime> {
  return Runtime.create(options);
}
