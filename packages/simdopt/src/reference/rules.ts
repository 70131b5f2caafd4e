// What every reference rule is built from: rounding to the element type, and the pieces of
// update rules that several optimizers share (the counterparts of assembly/lib/rules.ts).
import type { Dtype } from "../runtime/kernels.js";
import { fma32 } from "./fma.js";
import type { Rounding } from "../runtime/load.js";

/**
 * Rounds a double to the element type: `Math.fround` for float32 (so that every operation of a
 * reference rule rounds exactly as one float32 operation of the Wasm kernels does), identity for
 * float64. Sums, products, quotients and square roots rounded this way are bit-exact with IEEE
 * float32 arithmetic. `fused` says how `fma` rounds (the runtime's `rounding` option).
 */
export interface Round {
  (x: number): number;
  readonly fused: boolean;
}

export function roundFor(dtype: Dtype, rounding: Rounding): Round {
  const round = dtype === "float32" ? (x: number) => Math.fround(x) : (x: number) => x;
  return Object.assign(round, { fused: dtype === "float32" && rounding === "fused" });
}

/** 1, −1, or x itself for ±0 and NaN, as the kernels select it lane by lane. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/**
 * a·b + c, the multiply-add of torch's `add(x, alpha=…)` and `addcmul`, as the kernels' `fma`
 * computes it. Fused (float32 only): rounded once (see fma.ts). Separate: the product rounded,
 * then the sum. float64 is always separate: a correctly rounded float64 multiply-add has no cheap
 * emulation, so float64 results agree with torch's to about 1e-16 rather than to the last bit.
 */
export function fma(r: Round, a: number, b: number, c: number): number {
  return r.fused ? fma32(a, b, c) : r(r(a * b) + c);
}

/** The gradient as the optimizer sees it: grad·gradScale, plus λ·p when `coupled` (as lib/rules.ts). */
export function effectiveGradient(
  r: Round,
  grad: number,
  gradScale: number,
  p: number,
  weightDecay: number,
  coupled: boolean,
): number {
  const g = r(grad * gradScale);
  return coupled ? fma(r, weightDecay, p, g) : g;
}

/** avg·β + (1−β)·x, torch's `avg.mul_(β).add_(x, alpha=1−β)`. */
export function ema(r: Round, avg: number, beta: number, oneMinusBeta: number, x: number): number {
  return fma(r, oneMinusBeta, x, r(avg * beta));
}

/** avg·β + ((1−β)·x)·x, torch's `avg.mul_(β).addcmul_(x, x, value=1−β)`. */
export function emaOfSquare(r: Round, avg: number, beta: number, oneMinusBeta: number, x: number): number {
  return fma(r, r(oneMinusBeta * x), x, r(avg * beta));
}

/** torch 2's `a.lerp_(b, w)`: w·(b − a) + a while |w| < ½, else (w − 1)·(b − a) + b (as lib/rules.ts). */
export function lerp(r: Round, a: number, b: number, w: number): number {
  const difference = r(b - a);
  return Math.abs(w) < 0.5 ? fma(r, w, difference, a) : fma(r, r(w - 1), difference, b);
}
