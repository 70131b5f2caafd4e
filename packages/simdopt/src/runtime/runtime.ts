import { Allocator } from "./allocator.js";
import {
  BINARY_CHOICES,
  binaryName,
  compiledBinary,
  createMemory,
  instantiate,
  isShared,
  MAX_PAGES,
  relaxedSimdFuses,
  resolveBinary,
  ROUNDINGS,
  type BinaryChoice,
  type BinaryName,
  type Rounding,
  type WasmBinary,
} from "./load.js";
import {
  DTYPES,
  kernelKey,
  rowsKernelKey,
  type Dtype,
  type KernelName,
  type KernelTable,
  type RowsKernelName,
} from "./kernels.js";
import type { RowTable } from "./row-table.js";
import type { StepTable } from "./tensor-table.js";
import { Parameter } from "./parameter.js";
import { readOptions } from "./read-options.js";
import { show } from "./validate.js";
import { checkParameterName } from "../checkpoint/names.js";
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import { referenceKernels } from "../reference/kernels.js";
import { referenceGradKernels } from "../reference/clipping.js";
import type { GradKernels } from "./grad-kernels.js";
import { controlBytes } from "../threads/control.js";
import {
  checkThreadMinElements,
  DEFAULT_THREAD_MIN_ELEMENTS,
  resolveThreads,
  type ThreadsOption,
} from "../threads/options.js";
import { ThreadPool } from "../threads/pool.js";
import type { SpawnWorker } from "../threads/spawn.js";

/**
 * Options of `loadRuntime`: which kernels run, the memory, the rounding of multiply-adds and the threads; every one
 * optional.
 */
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
  /**
   * Threads a step runs on: the calling thread plus worker threads over the same shared memory,
   * sharing out contiguous chunks of a parameter group's elements (bit-identical to one thread). `auto` (the default): the number of cores, or 1 where shared memory, workers or a
   * blocking wait (`Atomics.wait`, which a browser's main thread may not use) are missing, or
   * where Deno may not read the worker's module (no `--allow-read`). A
   * count above 1 that cannot be honoured throws. Workers start at the first large step (or at
   * `await runtime.startThreads()`); they never keep a process alive; `runtime.close()` ends them.
   * With `auto`, a worker that fails to start (a bundle that did not emit it) is left out quietly,
   * and `threads` says so; with a count, the next step reports it (a ThreadError).
   */
  threads?: ThreadsOption;
  /**
   * A group (of one dtype) with fewer elements than this steps on the calling thread alone, where
   * waking workers would cost more than they save. Default 262144.
   */
  threadMinElements?: number;
}

/** Options of `runtime.parameter`: the element type, a name and a shape. */
export interface ParameterOptions<D extends Dtype> {
  /**
   * The element type: `float32` or `float64`. Default float64 for values given as a Float64Array,
   * float32 otherwise.
   */
  dtype?: D;
  /**
   * A name shown in error messages and the parameter's key in checkpoints: a non-empty string
   * without control characters or lone surrogates (see checkpoint/names.ts).
   */
  name?: string;
  /**
   * The tensor's shape, row-major, its product the length (default [length]). Optimizers that
   * factor or reduce over dims (Adafactor) use it; the others see a flat array.
   */
  shape?: readonly number[];
}

const PAGE = 65536;
/** The word that fills quarantined blocks: a quiet NaN as float32, and pairs of it one as float64. */
const QUARANTINE_PATTERN = 0x7fc0dead;
const RUNTIME_OPTIONS = [
  "binary",
  "initialMemory",
  "sharedMemory",
  "rounding",
  "relaxedSimd",
  "threads",
  "threadMinElements",
];
const PARAMETER_OPTIONS = ["dtype", "name", "shape"];
// Closes the worker threads of a runtime that was dropped without close().
const pools = new FinalizationRegistry<ThreadPool>((pool) => pool.close());

/**
 * One Wasm memory, its allocator and the kernels that step optimizers over it. Parameters,
 * gradients and optimizer state of every optimizer created over these parameters live here.
 */
export class Runtime {
  /** @internal Bumped by every parameter's dispose, so optimizers rescan their parameters only then. */
  disposals = 0;
  readonly #allocator: Allocator;
  #pool: ThreadPool | undefined;
  /** Workers to start when first needed (their control block is allocated then), or 0. */
  #workers = 0;
  #spawn: SpawnWorker | undefined;
  #autoThreads = false;
  #module: WebAssembly.Module | undefined;
  #threadMinElements = DEFAULT_THREAD_MIN_ELEMENTS;

  private constructor(
    /** The Wasm memory that holds every parameter, gradient and optimizer state of this runtime. */
    readonly memory: WebAssembly.Memory,
    /** @internal */ readonly kernels: KernelTable,
    /** The kind of kernels: `simd`, `scalar` or the plain-JS `reference`. */
    readonly binary: WasmBinary | "reference",
    /** The exact binary (its axes joined, e.g. `simd-shared-relaxed`), or `reference`. */
    readonly build: BinaryName | "reference",
    /** The rounding of float32 multiply-adds in force (see `RuntimeOptions.rounding`). */
    readonly rounding: Rounding,
    heapBase: number,
    /** @internal The gradient kernels (clipping, the finiteness check) of each element type. */
    readonly gradKernels: Record<Dtype, GradKernels>,
  ) {
    this.#allocator = new Allocator(memory, heapBase);
  }

  /** @internal True when `value` was made by this class, not forged (parameters check their runtime). */
  static isRuntime(value: unknown): value is Runtime {
    return typeof value === "object" && value !== null && #allocator in value;
  }

  /** True when the memory is a SharedArrayBuffer: views never detach, workers can share it. */
  get sharedMemory(): boolean {
    return isShared(this.memory);
  }

  /** Loads a runtime (see `loadRuntime`, the same): compiles the chosen binary once and caches it. */
  static async create(input?: RuntimeOptions): Promise<Runtime> {
    const options: RuntimeOptions = readOptions(input, {
      where: "simdopt",
      known: RUNTIME_OPTIONS,
      what: "runtime options",
    });
    const {
      binary = "auto",
      initialMemory = 1 << 20,
      sharedMemory = true,
      rounding = "fused",
      relaxedSimd = true,
      threads = "auto",
      threadMinElements = DEFAULT_THREAD_MIN_ELEMENTS,
    } = options;
    if (!BINARY_CHOICES.includes(binary)) {
      throw new TypeError(`simdopt: option 'binary' must be one of ${BINARY_CHOICES.join(", ")}, got ${show(binary)}`);
    }
    if (!Number.isInteger(initialMemory) || initialMemory < 0 || initialMemory > MAX_PAGES * PAGE) {
      throw new RangeError(
        `simdopt: option 'initialMemory' must be a byte count up to 4 GiB, got ${show(initialMemory)}`,
      );
    }
    if (!ROUNDINGS.includes(rounding)) {
      throw new TypeError(`simdopt: option 'rounding' must be one of ${ROUNDINGS.join(", ")}, got ${show(rounding)}`);
    }
    for (const [name, value] of [
      ["sharedMemory", sharedMemory],
      ["relaxedSimd", relaxedSimd],
    ] as const) {
      if (typeof value !== "boolean")
        throw new TypeError(`simdopt: option '${name}' must be true or false, got ${show(value)}`);
    }
    checkThreadMinElements(threadMinElements);
    const resolved = resolveBinary(binary);
    const memory = createMemory(Math.max(1, Math.ceil(initialMemory / PAGE)), sharedMemory);
    const pool = await resolveThreads(threads, resolved !== "reference", isShared(memory));
    if (resolved === "reference") {
      // Address 0 means "unused" in a tensor table, so the heap starts above it.
      return new Runtime(
        memory,
        referenceKernels(memory, rounding),
        resolved,
        resolved,
        rounding,
        64,
        referenceGradKernels(memory),
      );
    }
    const relaxed = rounding === "fused" && resolved === "simd" && relaxedSimd && (await relaxedSimdFuses(memory));
    const name = binaryName(resolved, isShared(memory), relaxed ? "relaxed" : rounding);
    const { kernels, gradKernels, heapBase } = await instantiate(name, memory);
    const runtime = new Runtime(memory, kernels, resolved, name, rounding, heapBase, gradKernels);
    runtime.#threadMinElements = threadMinElements;
    if (pool.spawn !== undefined) {
      runtime.#workers = pool.threads - 1;
      runtime.#spawn = pool.spawn;
      runtime.#autoThreads = pool.auto;
      runtime.#module = await compiledBinary(name);
    }
    return runtime;
  }

  /** The pool, created (with its control block) on first use; undefined without workers. */
  #threadPool(): ThreadPool | undefined {
    if (this.#pool === undefined && this.#workers > 0) {
      this.#pool = new ThreadPool(
        this.memory,
        this.alloc(controlBytes(this.#workers)),
        this.#workers,
        this.build,
        this.#module!,
        this.#spawn!,
        this.#autoThreads,
      );
      pools.register(this, this.#pool, this);
    }
    return this.#pool;
  }

  /** @internal The worker threads, if any (tests reach them through it). */
  get threadPool(): ThreadPool | undefined {
    return this.#threadPool();
  }

  /**
   * Threads that large steps run on (the calling thread included); 1 without workers. Before the
   * workers start, the number planned; from then on, the workers that are ready and alive, which
   * `await runtime.startThreads()` resolves with.
   */
  get threads(): number {
    return this.#pool?.threads ?? this.#workers + 1;
  }

  /**
   * The `threadMinElements` in force: a group (of one dtype) with fewer elements steps on the
   * calling thread alone. Settable at any time, e.g. to a value no group reaches
   * (`Number.MAX_SAFE_INTEGER`) for steps that should leave the workers idle, and back.
   */
  get threadMinElements(): number {
    return this.#threadMinElements;
  }

  /** Sets `threadMinElements` (a non-negative integer, checked). */
  set threadMinElements(value: number) {
    this.#threadMinElements = checkThreadMinElements(value);
  }

  /**
   * Starts the worker threads now rather than at the first large step, and resolves with
   * `threads` once they are ready (steps before that run on the calling thread).
   */
  async startThreads(): Promise<number> {
    return (await this.#threadPool()?.ready()) ?? 1;
  }

  /**
   * Ends the worker threads; later steps run on the calling thread. Parameters and optimizers
   * stay usable. Workers never keep a process alive, so closing is only needed to free them early.
   */
  close(): void {
    this.#workers = 0;
    if (this.#pool === undefined) return;
    this.#pool.close();
    pools.unregister(this);
    this.#pool = undefined;
  }

  /**
   * A new parameter in this runtime's memory: from a length (zeros) or from values (copied).
   * The dtype defaults to that of a Float64Array given as values, float32 otherwise.
   */
  parameter<D extends Dtype>(
    init: number | ArrayLike<number>,
    options: ParameterOptions<D> & { dtype: D },
  ): Parameter<D>;
  parameter(init: Float64Array, options?: ParameterOptions<"float64">): Parameter<"float64">;
  parameter(init: number | ArrayLike<number>, options?: ParameterOptions<"float32">): Parameter<"float32">;
  parameter(init: number | ArrayLike<number>, input?: ParameterOptions<Dtype>): Parameter {
    const options: ParameterOptions<Dtype> = readOptions(input, {
      where: "simdopt",
      known: PARAMETER_OPTIONS,
      what: "parameter options",
    });
    const dtype = options.dtype ?? (init instanceof Float64Array ? "float64" : "float32");
    if (!DTYPES.includes(dtype)) {
      throw new TypeError(`simdopt: option 'dtype' must be 'float32' or 'float64', got ${show(dtype)}`);
    }
    const length = typeof init === "number" ? init : init?.length;
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw new TypeError(`simdopt: a parameter needs a length or an array of numbers, got ${show(init)}`);
    }
    const name = options.name === undefined ? undefined : checkParameterName(options.name);
    const given: unknown = options.shape ?? [length];
    // Copied once: the copy is what is checked and kept.
    const shape: unknown[] = Array.isArray(given) ? [...given] : [];
    if (
      !Array.isArray(given) ||
      shape.some((dim) => !Number.isInteger(dim) || (dim as number) < 0) ||
      (shape as number[]).reduce((a, b) => a * b, 1) !== length
    ) {
      throw new TypeError(
        `simdopt: option 'shape' must be whole numbers whose product is the length ${length}, got ${show(given)}`,
      );
    }
    const parameter = new Parameter(this, length, dtype, name, Object.freeze(shape as number[]));
    if (typeof init !== "number") {
      try {
        parameter.set(init);
      } catch (error) {
        parameter.discard(); // values that are not numbers: give the memory back
        throw error;
      }
    }
    return parameter;
  }

  /** @internal The allocator's figures: bytes in live blocks, and the end of the highest block. */
  get memoryUse(): { liveBytes: number; highWater: number } {
    return { liveBytes: this.#allocator.liveBytes, highWater: this.#allocator.highWater };
  }

  /** @internal Runs `kernel` over every tensor of `table` with the scalar block at `scalars`. */
  runKernel(kernel: KernelName, table: StepTable, scalars: number): void {
    const run = this.kernels[kernelKey(kernel, table.dtype)];
    // A kernel that reduces over whole tensors without blocks (optax:adafactor) is split between
    // tensors only; element-wise and blocked kernels (LAMB, Adafactor) within tensors too
    // (threads/slices.ts), and kernels in parts (Muon) within tensors of their parts' minElements.
    const layout = KERNEL_LAYOUTS[kernel];
    const inParts = layout.parts !== null && table.elements >= layout.parts.minElements;
    const splittable =
      (layout.elementwise || layout.blocks !== null || inParts || table.count > 1) &&
      table.elements >= this.#threadMinElements;
    const pool = splittable ? this.#threadPool() : undefined;
    if (pool !== undefined) {
      pool.run(this, kernel, run, table, scalars);
    } else {
      run(table.address, table.count, scalars);
    }
  }

  /**
   * @internal Runs kernel `kernel`'s rows kernel over the rows `table` last prepared, with the
   * scalar block at `scalars`: split between threads, by rows, when they hold threadMinElements
   * elements or more.
   */
  runRows(kernel: RowsKernelName, table: RowTable, scalars: number): void {
    const key = rowsKernelKey(kernel, table.dtype);
    const run = this.kernels[key];
    const { address, count, elements } = table.rows;
    const pool = elements >= this.#threadMinElements ? this.#threadPool() : undefined;
    const chunks = pool?.chunks() ?? 0;
    if (pool === undefined || chunks === 0) run(address, count, scalars);
    else pool.runPhases(key, run, [table.slices(chunks)], chunks, scalars);
  }

  /** @internal A zero-filled, 64-byte-aligned block of at least `bytes` bytes. */
  alloc(bytes: number): number {
    try {
      return this.#allocator.alloc(bytes);
    } catch (error) {
      if (this.#quarantined.length === 0) throw error;
      this.drainQuarantine(0); // quarantined blocks are the last resort before failing
      return this.#allocator.alloc(bytes);
    }
  }

  /**
   * @internal Bytes that disposed parameters' blocks stay in quarantine (filled with NaN, not
   * reused) before they go back to the allocator. Default 32 MiB.
   */
  quarantineBytes = 32 << 20;
  readonly #quarantined: { address: number; bytes: number; label: string }[] = [];
  #quarantinedBytes = 0;

  /**
   * @internal Gives back the blocks of a disposed parameter through the quarantine: they are filled
   * with a NaN pattern now and freed only when more than `quarantineBytes` wait, oldest first. A
   * write through a view kept after dispose() changes the pattern, which is detected then: the
   * call throws instead of the block silently becoming another parameter's.
   */
  retire(blocks: readonly number[], label: string, bytes?: number): void {
    for (const address of blocks) {
      const size = bytes ?? this.#allocator.sizeOf(address);
      new Uint32Array(this.memory.buffer, address, size / 4).fill(QUARANTINE_PATTERN);
      this.#quarantined.push({ address, bytes: size, label });
      this.#quarantinedBytes += size;
    }
    this.drainQuarantine(this.quarantineBytes);
  }

  /** Frees quarantined blocks, oldest first, until at most `keep` bytes wait; throws on a stale write. */
  private drainQuarantine(keep: number): void {
    const stale: string[] = [];
    while (this.#quarantinedBytes > keep && this.#quarantined.length > 0) {
      const { address, bytes, label } = this.#quarantined.shift() as { address: number; bytes: number; label: string };
      this.#quarantinedBytes -= bytes;
      const words = new Uint32Array(this.memory.buffer, address, bytes / 4);
      if (words.some((word) => word !== QUARANTINE_PATTERN) && !stale.includes(label)) stale.push(label);
      this.#allocator.free(address);
    }
    if (stale.length > 0) {
      throw new Error(
        `simdopt: parameter ${stale.join(", ")} was written through a view kept after dispose(); ` +
          "views of a parameter must not be used after it is disposed",
      );
    }
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
