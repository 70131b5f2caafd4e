// torch's lerp, the counterpart of assembly/lib/lerp.ts.
import { fma, type Round } from "./rules.js";

/**
 * a + w·(b − a), or b − (b − a)·(1 − w) `fromEnd` (torch's `a.lerp_(b, w)` does so for |w| ≥ 0.5);
 * w is already rounded to the element type.
 */
export function lerp(r: Round, a: number, b: number, w: number, fromEnd = Math.abs(w) >= 0.5): number {
  const difference = r(b - a);
  return fromEnd ? fma(r, -difference, r(1 - w), b) : fma(r, w, difference, a);
}
