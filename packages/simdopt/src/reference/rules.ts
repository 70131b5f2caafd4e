// What every reference rule is built from: rounding to the element type, and the pieces of
// update rules that several optimizers share (the counterparts of assembly/lib/rules.ts).

/**
 * Rounds a double to the element type: `Math.fround` for float32 (so that every operation of a
 * reference rule rounds exactly as one float32 operation of the Wasm kernels does), identity for
 * float64. Sums, products, quotients and square roots rounded this way are bit-exact with IEEE
 * float32 arithmetic.
 */
export type Round = (x: number) => number;

export const roundFloat32: Round = Math.fround;
export const roundFloat64: Round = (x) => x;

/** 1, −1, or x itself for ±0 and NaN, as the kernels select it lane by lane. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/** The gradient as the optimizer sees it: grad·gradScale, plus λ·p when λ ≠ 0 (as lib/rules.ts). */
export function effectiveGradient(r: Round, grad: number, gradScale: number, p: number, weightDecay: number): number {
  const g = r(grad * gradScale);
  return weightDecay !== 0 ? r(g + r(weightDecay * p)) : g;
}

/** avg·β + (1−β)·x, torch's `avg.mul_(β).add_(x, alpha=1−β)`. */
export function ema(r: Round, avg: number, beta: number, oneMinusBeta: number, x: number): number {
  return r(r(avg * beta) + r(oneMinusBeta * x));
}

/** avg·β + ((1−β)·x)·x, torch's `avg.mul_(β).addcmul_(x, x, value=1−β)`. */
export function emaOfSquare(r: Round, avg: number, beta: number, oneMinusBeta: number, x: number): number {
  return r(r(avg * beta) + r(r(oneMinusBeta * x) * x));
}
