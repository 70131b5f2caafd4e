// A one-dimensional tensor with the handful of torch operations that torch.optim's for-loop
// implementations use, each rounded as torch's CPU kernels round it.
import { fma32 } from "../../src/reference/fma.js";

/** Element type of a tensor, as torch names it. */
export type Dtype = "float32" | "float64";

/** How a float32 multiply-add rounds: once (as torch's kernels, `fused`) or after each operation. */
export interface Arithmetic {
  readonly dtype: Dtype;
  /** float32 only: a·b + c rounded once; otherwise the product and the sum are rounded one by one. */
  readonly fused: boolean;
}

type Operand = Tensor | number;

/**
 * A tensor of `dtype` whose operations round as torch's CPU kernels do. float32: every operation
 * rounds its result to float32, and a Python scalar enters an operation as a double converted to
 * float32 first (`value.to<scalar_t>()`, or a wrapped-number tensor cast to the common dtype).
 * Two operations round a·b + c once (fma32): `add(other, alpha)`, which ATen's add kernel computes
 * as `vec::fmadd(other, alpha, self)` (native/cpu/BinaryOpsKernel.cpp), and `addcmul`, whose
 * `self + value·t1·t2` (native/cpu/PointwiseOpsKernel.cpp) the compiler contracts to
 * fmadd(value·t1, t2, self). `addcdiv`'s `self + value·t1/t2` ends in a division and is rounded
 * step by step. torch 1.13's float32 results (the golden vectors) agree with this to the last bit.
 * float64: plain double arithmetic, one rounding per multiply and per add; torch fuses there too,
 * so it differs from this by about 1e-16.
 */
export class Tensor {
  /** The gradient that `backward()` would have left, or null (a parameter without a gradient). */
  grad: Tensor | null = null;

  /**
   * `dim`: 0 for a 0-dimensional tensor (`torch.tensor(1.)`), 1 otherwise. `shape`: the sizes the
   * flat, row-major `data` stands for ([length] unless given); operations keep it.
   */
  private constructor(
    readonly data: Float64Array,
    readonly arithmetic: Arithmetic,
    readonly dim: 0 | 1 = 1,
    readonly shape: readonly number[] = [data.length],
  ) {}

  /** A tensor holding `values`, each rounded to the element type, of `shape` (flat when omitted). */
  static from(values: ArrayLike<number>, arithmetic: Arithmetic, shape?: readonly number[]): Tensor {
    const round = roundTo(arithmetic.dtype);
    const data = Float64Array.from(values, (x) => round(x));
    if (shape !== undefined && shape.reduce((a, b) => a * b, 1) !== data.length) {
      throw new RangeError(`shape [${shape.join(", ")}] for ${data.length} values`);
    }
    return new Tensor(data, arithmetic, 1, shape ?? [data.length]);
  }

  /** `torch.full_like(self, value)`. */
  static fullLike(like: Tensor, value: number): Tensor {
    return Tensor.from(new Float64Array(like.length).fill(value), like.arithmetic);
  }

  /** `torch.zeros_like(self)`. */
  static zerosLike(like: Tensor): Tensor {
    return Tensor.fullLike(like, 0);
  }

  /** `torch.tensor(value, dtype=…)`, a 0-dimensional tensor. */
  static scalar(value: number, dtype: Dtype): Tensor {
    const round = roundTo(dtype);
    return new Tensor(Float64Array.of(round(value)), { dtype, fused: false }, 0);
  }

  get length(): number {
    return this.data.length;
  }

  get dtype(): Dtype {
    return this.arithmetic.dtype;
  }

  /** `tensor.item()`: the only element, as a Python float (a double). */
  item(): number {
    if (this.length !== 1) throw new RangeError(`item() needs a tensor of one element, this one has ${this.length}`);
    return this.data[0];
  }

  /** The values as a typed array of the element type (a copy). */
  toTypedArray(): Float32Array | Float64Array {
    return this.dtype === "float32" ? Float32Array.from(this.data) : Float64Array.from(this.data);
  }

  clone(): Tensor {
    return new Tensor(this.data.slice(), this.arithmetic, this.dim, this.shape);
  }

  /** `self.copy_(other)`. */
  copy_(other: Tensor): this {
    this.data.set(this.sameLength(other).data);
    return this;
  }

  /** `self.fill_(value)`. */
  fill_(value: number): this {
    this.data.fill(this.round(value));
    return this;
  }

  neg(): Tensor {
    return this.map((x) => -x);
  }

  abs(): Tensor {
    return this.map(Math.abs);
  }

  /** `torch.sign` as torch 1.13's CPU kernel computes it, `(0 < x) − (x < 0)`: +0 for ±0 and for NaN. */
  sign(): Tensor {
    return this.map((x) => (x > 0 ? 1 : x < 0 ? -1 : 0));
  }

  sqrt(): Tensor {
    return this.map((x) => this.round(Math.sqrt(x)));
  }

  sqrt_(): this {
    return this.apply((x) => this.round(Math.sqrt(x)));
  }

  /** `torch.reciprocal`, what Python's `scalar / tensor` computes first (then `· scalar`). */
  reciprocal(): Tensor {
    return this.map((x) => this.round(1 / x));
  }

  mul(other: Operand): Tensor {
    return this.clone().mul_(other);
  }

  mul_(other: Operand): this {
    return this.combine(other, (a, b) => this.round(a * b));
  }

  div(other: Operand): Tensor {
    return this.clone().div_(other);
  }

  div_(other: Operand): this {
    return this.combine(other, (a, b) => this.round(a / b));
  }

  /** `self + alpha·other`, one fused multiply-add in float32 (`vec::fmadd(other, alpha, self)`). */
  add(other: Operand, alpha = 1): Tensor {
    return this.clone().add_(other, alpha);
  }

  add_(other: Operand, alpha = 1): this {
    const a = this.round(alpha);
    return this.combine(other, (x, y) => this.multiplyAdd(y, a, x));
  }

  /**
   * torch 2's `lerp_(end, weight)` on the CPU (ATen's lerp_vec, native/cpu/LerpKernel.cpp): one
   * multiply-add fmadd(c, end − self, base), c = w and base = self for |w| < ½, else c = w − 1
   * and base = end, with end − self and w − 1 rounded first.
   */
  lerp_(end: Tensor, weight: number): this {
    this.sameLength(end);
    const w = this.round(weight);
    const small = Math.abs(w) < 0.5;
    const c = small ? w : this.round(w - 1);
    return this.apply((x, i) => this.multiplyAdd(c, this.round(end.data[i] - x), small ? x : end.data[i]));
  }

  /** `self + value·t1·t2`: (value·t1) rounded, then one multiply-add with t2 and self. */
  addcmul(t1: Tensor, t2: Tensor, value = 1): Tensor {
    return this.clone().addcmul_(t1, t2, value);
  }

  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    const v = this.round(value);
    this.sameLength(t1);
    this.sameLength(t2);
    return this.apply((x, i) => this.multiplyAdd(this.round(v * t1.data[i]), t2.data[i], x));
  }

  /** `self + value·t1/t2`: each of the product, the quotient and the sum rounded. */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    const v = this.round(value);
    this.sameLength(t1);
    this.sameLength(t2);
    return this.apply((x, i) => this.round(x + this.round(this.round(v * t1.data[i]) / t2.data[i])));
  }

  /** `torch.maximum`: the larger element, NaN where either is NaN. */
  maximum(other: Tensor): Tensor {
    return this.clone().combine(other, (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)));
  }

  /** `self.clamp_(min, max)`: NaN stays NaN. */
  clamp_(min: number, max: number): this {
    const lo = this.round(min);
    const hi = this.round(max);
    return this.apply((x) => (Number.isNaN(x) ? x : Math.min(Math.max(x, lo), hi)));
  }

  gt(value: number): boolean[] {
    return Array.from(this.data, (x) => x > this.round(value));
  }

  lt(value: number): boolean[] {
    return Array.from(this.data, (x) => x < this.round(value));
  }

  eq(value: number): boolean[] {
    return Array.from(this.data, (x) => x === this.round(value));
  }

  /** `self[mask] = value`. */
  maskedFill_(mask: readonly boolean[], value: number): this {
    if (mask.length !== this.length) {
      throw new RangeError(`mask of ${mask.length} elements for a tensor of ${this.length}`);
    }
    const v = this.round(value);
    return this.apply((x, i) => (mask[i] ? v : x));
  }

  private round(x: number): number {
    return this.dtype === "float32" ? Math.fround(x) : x;
  }

  /** a·b + c for values of this tensor's type. */
  private multiplyAdd(a: number, b: number, c: number): number {
    if (this.dtype === "float64") return a * b + c;
    return this.arithmetic.fused ? fma32(a, b, c) : Math.fround(Math.fround(a * b) + c);
  }

  private map(f: (x: number) => number): Tensor {
    return new Tensor(this.data.map(f), this.arithmetic, this.dim, this.shape);
  }

  private apply(f: (x: number, i: number) => number): this {
    this.data.forEach((x, i) => (this.data[i] = f(x, i)));
    return this;
  }

  /** Element-wise with a tensor of the same length or a Python scalar (converted to this type). */
  private combine(other: Operand, f: (a: number, b: number) => number): this {
    if (typeof other === "number") {
      const b = this.round(other);
      return this.apply((a) => f(a, b));
    }
    this.sameLength(other);
    return this.apply((a, i) => f(a, other.data[i]));
  }

  private sameLength(other: Tensor): Tensor {
    if (other.length !== this.length) throw new RangeError(`tensors of ${this.length} and ${other.length} elements`);
    if (other.dtype !== this.dtype) throw new TypeError(`tensors of ${this.dtype} and ${other.dtype}`);
    return other;
  }
}

function roundTo(dtype: Dtype): (x: number) => number {
  return dtype === "float32" ? Math.fround : (x: number) => x;
}
