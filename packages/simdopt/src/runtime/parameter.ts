import { Runtime } from "./runtime.js";
import { bytesPerElement, type Dtype, type TypedArrayOf } from "./kernels.js";
import { show } from "./validate.js";
import { forgetRelease, releaseWhenCollected } from "./finalization.js";
import { SparseGrad } from "./sparse-grad.js";

/** The typed arrays whose elements are numbers (not BigInts), which `set` takes as they are. */
const NUMBER_ARRAYS = [
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
];

/**
 * A tensor that an optimizer updates: its values and its gradient live in the runtime's Wasm
 * memory. `data` and `grad` are zero-copy views. In a shared memory (the default where the engine
 * allows one) a view stays valid for good. In a plain memory, growth detaches the old buffer and
 * every view of it (they become empty, never stale): the properties always return a view of the
 * current buffer, so read them again after creating parameters or optimizers.
 *
 * After `dispose()` (or once the garbage collector reclaims a parameter dropped without it) its
 * blocks are filled with NaN and quarantined (see `Runtime`): a view kept past that point reads
 * NaN, and a write through it is detected when the block leaves quarantine, instead of silently
 * changing the parameter that would reuse the block.
 */
export class Parameter<D extends Dtype = Dtype> {
  /** Byte address of the values in the runtime's memory. */
  readonly dataPtr: number;
  /** Byte address of the gradient in the runtime's memory. */
  readonly gradPtr: number;
  private views: { buffer: ArrayBufferLike; data: TypedArrayOf<D>; grad: TypedArrayOf<D> } | undefined;
  private disposed = false;
  #hasGrad = true;
  /**
   * False for a frozen parameter (torch's `requires_grad = False`): optimizers skip it, its values
   * and its state stay as they are, and its step count does not advance. Default true.
   */
  requiresGrad = true;
  /** Only objects made by this constructor have it: `Object.create(Parameter.prototype)` does not. */
  readonly #brand = true;

  /** True when `value` was made by this class (through `runtime.parameter`), not forged. */
  static isParameter(value: unknown): value is Parameter {
    return typeof value === "object" && value !== null && #brand in value;
  }
  /** The row-sparse gradient's storage, kept for reuse once made. */
  private sparse: SparseGrad | undefined;
  /** True while the gradient is the sparse one (setSparseGrad) rather than `grad`. */
  private sparseInUse = false;

  /** Use `runtime.parameter(...)`. */
  constructor(
    /** The runtime whose memory holds the values and the gradient. */
    readonly runtime: Runtime,
    /** The number of elements. */
    readonly length: number,
    /** The element type: `float32` or `float64`. */
    readonly dtype: D,
    /** The name given at creation (messages, checkpoint keys), if any. */
    readonly name?: string,
    /** The tensor's shape (row-major; the values stay flat): [length] unless given. */
    readonly shape: readonly number[] = [length],
  ) {
    if (!Runtime.isRuntime(runtime)) throw new TypeError("simdopt: create parameters with runtime.parameter()");
    const bytes = Math.max(1, length) * bytesPerElement(dtype);
    this.dataPtr = runtime.alloc(bytes);
    try {
      this.gradPtr = runtime.alloc(bytes);
    } catch (error) {
      runtime.free(this.dataPtr);
      throw error;
    }
    // A bound function, not a closure: a closure could keep `this` alive through its context.
    releaseWhenCollected(this, runtime.retire.bind(runtime, [this.dataPtr, this.gradPtr], this.label(), undefined));
  }

  /** The values, a view into Wasm memory: read them and write them in place. */
  get data(): TypedArrayOf<D> {
    return this.currentViews().data;
  }

  /**
   * The gradient, a view into Wasm memory: write it in place before `optimizer.step()`. Taking it
   * gives the parameter a gradient for the next step (`hasGrad`), as torch's backward does.
   * Assigning `null` (torch's `p.grad = None`) is `clearGrad()`.
   */
  get grad(): TypedArrayOf<D> {
    const views = this.currentViews();
    this.#hasGrad = true;
    return views.grad;
  }

  /** Only `null`: the parameter has no gradient for the next step (`clearGrad()`). */
  set grad(value: null) {
    if (value !== null) {
      throw new TypeError(
        `simdopt: the gradient of parameter ${this.label()} can only be set to null; write its values with setGrad() or into grad`,
      );
    }
    this.clearGrad();
  }

  /**
   * True when the parameter has a gradient for the next step (torch's `p.grad is not None`): until
   * `clearGrad()` (or `optimizer.zeroGrad({ setToNone: true })`), then again once `grad` is taken
   * or `setGrad` or `setSparseGrad` called. A step skips a parameter without one, as torch 2 does.
   */
  get hasGrad(): boolean {
    return this.#hasGrad;
  }

  /**
   * Drops the gradient (torch's `p.grad = None`), dense or sparse: `grad` reads zeros, and steps
   * skip the parameter until it has one again.
   */
  clearGrad(): this {
    this.currentViews().grad.fill(0);
    this.sparseInUse = false;
    this.#hasGrad = false;
    return this;
  }

  /** Copies `values` into the parameter (same length; any array of numbers). */
  set(values: ArrayLike<number>): this {
    this.data.set(this.checked("values", values));
    return this;
  }

  /** Copies `values` into the gradient (same length; any array of numbers); the gradient is dense again. */
  setGrad(values: ArrayLike<number>): this {
    this.grad.set(this.checked("gradient", values));
    this.sparseInUse = false;
    return this;
  }

  /**
   * Gives this 2-D parameter (a table of shape [rows, dim]) a row-sparse gradient, as
   * `nn.Embedding(sparse=True)` gives torch one: `values` holds indices.length rows of dim numbers,
   * row j adding to table row `indices[j]`. Indices may come in any order and repeat (repeated
   * rows are summed, as torch's `coalesce()`); none is an all-zero gradient. Until `setGrad`, the
   * optimizer steps from this gradient and ignores `grad`: SparseAdam and SGD and Adagrad without
   * weight decay accept it (the others refuse it, as torch does). Checked first: a refused call
   * changes nothing.
   */
  setSparseGrad(indices: ArrayLike<number>, values: ArrayLike<number>): this {
    if (this.disposed) throw new Error(`simdopt: parameter ${this.label()} was disposed`);
    if (this.shape.length !== 2) {
      throw new TypeError(
        `simdopt: a sparse gradient needs a 2-D parameter (a table of [rows, dim]); parameter ${this.label()} has shape [${this.shape.join(", ")}]`,
      );
    }
    this.sparse ??= new SparseGrad(this.runtime, this.dtype, this.shape[0], this.shape[1]);
    this.sparse.set(indices, values, this.label());
    this.sparseInUse = true;
    this.#hasGrad = true;
    return this;
  }

  /**
   * The row-sparse gradient, coalesced (rows sorted, each once, repeats summed), as copies;
   * undefined while the gradient is dense.
   */
  get sparseGrad():
    | {
        /** The table rows, ascending, each once. */
        indices: Uint32Array;
        /** indices.length rows of the table's row length, row j adding to table row `indices[j]`. */
        values: TypedArrayOf<D>;
      }
    | undefined {
    const sparse = this.sparseGradient;
    if (sparse === undefined) return undefined;
    return { indices: sparse.indices().slice(), values: sparse.values().slice() as TypedArrayOf<D> };
  }

  /** @internal The sparse gradient in force, or undefined when the gradient is dense. */
  get sparseGradient(): SparseGrad | undefined {
    return this.sparseInUse ? this.sparse : undefined;
  }

  /** A copy of the values that stays valid whatever happens to the memory. */
  toArray(): TypedArrayOf<D> {
    return this.data.slice() as TypedArrayOf<D>;
  }

  /** Gives the memory back. The parameter must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    // Bookkeeping first: retire() throws when it finds a stale write (through any parameter's view),
    // and the optimizers over this parameter must see it disposed all the same.
    this.disposed = true;
    this.views = undefined;
    this.runtime.disposals++;
    forgetRelease(this);
    this.sparse?.dispose();
    this.runtime.retire([this.dataPtr, this.gradPtr], this.label());
  }

  /** @internal Frees the blocks at once, for a parameter that never reached the user (failed `set`). */
  discard(): void {
    this.disposed = true;
    forgetRelease(this);
    this.runtime.free(this.dataPtr);
    this.runtime.free(this.gradPtr);
  }

  /** True once `dispose()` was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  private currentViews() {
    if (this.disposed) throw new Error(`simdopt: parameter ${this.label()} was disposed`);
    const buffer = this.runtime.memory.buffer;
    if (this.views === undefined || this.views.buffer !== buffer) {
      const View = (this.dtype === "float32" ? Float32Array : Float64Array) as unknown as new (
        buffer: ArrayBufferLike,
        byteOffset: number,
        length: number,
      ) => TypedArrayOf<D>;
      this.views = {
        buffer,
        data: new View(buffer, this.dataPtr, this.length),
        grad: new View(buffer, this.gradPtr, this.length),
      };
    }
    return this.views;
  }

  /**
   * `values` as they will be written, checked: a typed array of numbers as it is (its elements are
   * plain numbers), any other array-like read once into a copy, element by element, so that what
   * was checked is what is written (a getter cannot answer a number, then NaN).
   */
  private checked(what: string, values: ArrayLike<number>): ArrayLike<number> {
    if (values === null || typeof values !== "object") {
      throw new TypeError(`simdopt: ${what} for parameter ${this.label()} must be an array of numbers`);
    }
    if (ArrayBuffer.isView(values)) {
      if (!NUMBER_ARRAYS.some((Type) => values instanceof Type)) {
        throw new TypeError(
          `simdopt: ${what} for parameter ${this.label()} must be an array of numbers, got a ${values.constructor.name}`,
        );
      }
      this.checkLength(what, (values as unknown as { length: number }).length);
      return values;
    }
    const length: unknown = values.length;
    if (typeof length !== "number") {
      throw new TypeError(`simdopt: ${what} for parameter ${this.label()} must be an array of numbers`);
    }
    this.checkLength(what, length);
    const copy = new Float64Array(length); // holds any number exactly
    for (let i = 0; i < length; i++) {
      const value: unknown = values[i];
      if (typeof value !== "number") {
        throw new TypeError(
          `simdopt: ${what} for parameter ${this.label()} has ${show(value)} at index ${i}, not a number`,
        );
      }
      copy[i] = value;
    }
    return copy;
  }

  private checkLength(what: string, length: number): void {
    if (length !== this.length) {
      throw new RangeError(
        `simdopt: ${what} for parameter ${this.label()} has length ${length}, expected ${this.length}`,
      );
    }
  }

  /** @internal How messages name this parameter. */
  label(): string {
    return this.name === undefined ? `(${this.length} × ${this.dtype})` : `'${this.name}'`;
  }
}
