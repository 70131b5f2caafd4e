// torch's lerp (`a.lerp_(b, w)`), as its CPU kernel computes it: from the start for |w| < 0.5 and
// from the end otherwise, so that w = 1 gives b exactly. Written over lanes.ts like lib/rules.ts.
import { fma, neg, sub } from "./lanes";

/** a + w·(b − a) when `fromEnd` is false, b − (b − a)·(1 − w) when it is true (|w| ≥ 0.5). */
@inline export function lerp<T, V>(a: V, b: V, w: V, oneMinusW: V, fromEnd: bool): V {
  const difference = sub<T, V>(b, a);
  return fromEnd ? fma<T, V>(neg<T, V>(difference), oneMinusW, b) : fma<T, V>(w, difference, a);
}
