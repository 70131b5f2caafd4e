import { Allocator } from "./allocator.js";
import {
  BINARY_CHOICES, createMemory, instantiate, isShared, MAX_PAGES, resolveBinary, ROUNDINGS,
  type BinaryChoice, type Rounding, type WasmBinary,
} from "./load.js";
import { DTYPES, type Dtype, type KernelTable } from "./kernels.js";
import { Parameter } from "./parameter.js";
import { referenceKernels } from "../reference/kernels.js";

export interface RuntimeOptions {
  /** Which kernels run the steps: SIMD Wasm where supported (`auto`, the default), one of the
   *  binaries by name, or the plain-JS reference. */
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
   * `separate` (default): every operation rounded on its own, the fastest; float32 results stay
   * within a few units in the last place of torch's. `fused`: multiply-adds rounded once where
   * torch's float32 CPU kernels fuse them, so float32 results are bit-identical to torch.optim's
   * (1.5 to 2 times slower in SIMD). float64 results are the same either way.
   */
  rounding?: Rounding;
}

export interface ParameterOptions<D extends Dtype> {
  dtype?: D;
  /** A name shown in error messages (and, later, the key of checkpoints). */
  name?: string;
}

const PAGE = 65536;
const RUNTIME_OPTIONS = ["binary", "initialMemory", "sharedMemory", "rounding"];

/**
 * One Wasm memory, its allocator and the kernels that step optimizers over it. Parameters,
 * gradients and optimizer state of every optimizer created over these parameters live here.
 */
export class Runtime {
  readonly allocator: Allocator;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly kernels: KernelTable,
    readonly binary: WasmBinary | "reference",
    readonly rounding: Rounding,
    heapBase: number,
  ) {
    this.allocator = new Allocator(memory, heapBase);
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
    const { binary = "auto", initialMemory = 1 << 20, sharedMemory = true, rounding = "separate" } = options;
    if (!BINARY_CHOICES.includes(binary)) {
      throw new TypeError(`simdopt: option 'binary' must be one of ${BINARY_CHOICES.join(", ")}, got ${String(binary)}`);
    }
    if (!Number.isInteger(initialMemory) || initialMemory < 0 || initialMemory > MAX_PAGES * PAGE) {
      throw new RangeError(`simdopt: option 'initialMemory' must be a byte count up to 4 GiB, got ${initialMemory}`);
    }
    if (!ROUNDINGS.includes(rounding)) {
      throw new TypeError(`simdopt: option 'rounding' must be one of ${ROUNDINGS.join(", ")}, got ${String(rounding)}`);
    }
    if (typeof sharedMemory !== "boolean") {
      throw new TypeError(`simdopt: option 'sharedMemory' must be true or false, got ${String(sharedMemory)}`);
    }
    const resolved = resolveBinary(binary);
    const memory = createMemory(Math.max(1, Math.ceil(initialMemory / PAGE)), sharedMemory);
    if (resolved === "reference") {
      return new Runtime(memory, referenceKernels(memory, rounding), resolved, rounding, 64); // address 0 means "unused"
    }
    const { kernels, heapBase } = await instantiate(resolved, memory, rounding);
    return new Runtime(memory, kernels, resolved, rounding, heapBase);
  }

  /**
   * A new parameter in this runtime's memory: from a length (zeros) or from values (copied).
   * The dtype defaults to that of a Float64Array given as values, float32 otherwise.
   */
  parameter<D extends Dtype = "float32">(init: number | ArrayLike<number>, options: ParameterOptions<D> = {}): Parameter<D> {
    const dtype = (options.dtype ?? (init instanceof Float64Array ? "float64" : "float32")) as D;
    if (!DTYPES.includes(dtype)) {
      throw new TypeError(`simdopt: option 'dtype' must be 'float32' or 'float64', got ${String(dtype)}`);
    }
    const length = typeof init === "number" ? init : init?.length;
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw new TypeError(`simdopt: a parameter needs a length or an array of numbers, got ${String(init)}`);
    }
    const parameter = new Parameter<D>(this, length, dtype, options.name);
    if (typeof init !== "number") parameter.set(init);
    return parameter;
  }
}

/** Loads a runtime: `const rt = await loadRuntime()`. See `RuntimeOptions`. */
export function loadRuntime(options?: RuntimeOptions): Promise<Runtime> {
  return Runtime.create(options);
}
