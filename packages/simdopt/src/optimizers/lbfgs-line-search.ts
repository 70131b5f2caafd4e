/**
 * torch.optim.LBFGS's strong-Wolfe line search (`_strong_wolfe`, `_cubic_interpolate` in
 * torch/optim/lbfgs.py, torch 2.13), step for step: a bracketing phase that extrapolates by cubic
 * interpolation, then a zoom. Vectors are float64 arrays; `evaluate(t)` returns f and ∇f at x + t·d.
 */

/** The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to `bounds` (default: between x1 and x2). */
export function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [low, high] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 ** 2 - g1 * g2;
  if (!(d2Square >= 0)) return (low + high) / 2;
  const d2 = Math.sqrt(d2Square);
  const minimum =
    x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minimum, low), high);
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

interface Point {
  t: number;
  f: number;
  g: Float64Array;
  gtd: number;
}

/**
 * Returns the accepted point (f, ∇f, t) and the number of evaluations made. c1 = 1e-4, c2 = 0.9
 * and the tolerance 1e-9 are torch's (it does not pass its `tolerance_change` option here).
 */
export function strongWolfe(
  evaluate: (t: number) => { f: number; g: Float64Array },
  t0: number,
  d: Float64Array,
  f: number,
  g: Float64Array,
  gtd: number,
  maxLs: number,
): { f: number; g: Float64Array; t: number; evaluations: number } {
  const c1 = 1e-4;
  const c2 = 0.9;
  const tolerance = 1e-9;
  const dNorm = maxAbs(d);
  let t = t0;
  let { f: fNew, g: gNew } = evaluate(t);
  let evaluations = 1;
  let gtdNew = dot(gNew, d);
  let previous: Point = { t: 0, f, g, gtd };
  let done = false;
  let iteration = 0;
  let bracket: Point[] | undefined;
  while (iteration < maxLs) {
    const current: Point = { t, f: fNew, g: gNew, gtd: gtdNew };
    if (fNew > f + c1 * t * gtd || (iteration > 1 && fNew >= previous.f)) {
      bracket = [previous, current];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [current];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [previous, current];
      break;
    }
    const next = cubicInterpolate(previous.t, previous.f, previous.gtd, t, fNew, gtdNew, [
      t + 0.01 * (t - previous.t),
      t * 10,
    ]);
    previous = current;
    t = next;
    ({ f: fNew, g: gNew } = evaluate(t));
    evaluations += 1;
    gtdNew = dot(gNew, d);
    iteration += 1;
  }
  if (iteration === maxLs)
    bracket = [
      { t: 0, f, g, gtd: Number.NaN },
      { t, f: fNew, g: gNew, gtd: Number.NaN },
    ];
  const points = bracket as Point[];
  // lo is the entry with the smaller f (the first on ties); a bracket of one point is done.
  let [low, high] = points[0].f <= points[points.length - 1].f ? [0, 1] : [1, 0];
  let insufficientProgress = false;
  while (!done && iteration < maxLs) {
    if (Math.abs(points[1].t - points[0].t) * dNorm < tolerance) break;
    t = cubicInterpolate(points[0].t, points[0].f, points[0].gtd, points[1].t, points[1].f, points[1].gtd);
    const top = Math.max(points[0].t, points[1].t);
    const bottom = Math.min(points[0].t, points[1].t);
    const eps = 0.1 * (top - bottom);
    if (Math.min(top - t, t - bottom) < eps) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    ({ f: fNew, g: gNew } = evaluate(t));
    evaluations += 1;
    gtdNew = dot(gNew, d);
    iteration += 1;
    const current: Point = { t, f: fNew, g: gNew, gtd: gtdNew };
    if (fNew > f + c1 * t * gtd || fNew >= points[low].f) {
      points[high] = current;
      [low, high] = points[0].f <= points[1].f ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (points[high].t - points[low].t) >= 0) points[high] = points[low];
      points[low] = current;
    }
  }
  const accepted = points[low];
  return { f: accepted.f, g: accepted.g, t: accepted.t, evaluations };
}
