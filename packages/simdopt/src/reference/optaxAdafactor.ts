import type { ReferenceRule } from "./kernels.js";

const MIN_PARAMETER_SCALE = 1e-3; // scale_by_param_block_rms's min_scale

/**
 * optax's Adafactor, the specification of `optaxAdafactor_f32` and `optaxAdafactor_f64` (see
 * src/presets/optax/adafactor.ts for the math). The tensor is viewed as [O, A, M, B, I], A and B
 * its two largest dims; sums are taken in double in increasing index order, as the kernels do.
 */
export const optaxAdafactorReference: ReferenceRule<"optaxAdafactor"> = (
  r,
  { param, grad, vRow, vCol, v, ema },
  {
    decay,
    oneMinusDecay,
    eps,
    minDimSizeToFactor,
    clippingThreshold,
    learningRate,
    momentum,
    oneMinusMomentum,
    weightDecayRate,
    gradScale,
  },
  flags,
  [O, A, M, B, I, aIsLargest],
) => {
  const n = param.length;
  if (n === 0) return;
  const movingAverage = (old: number, value: number) => r(r(decay * old) + r(oneMinusDecay * value));
  const inverseRoot = (x: number) => r(1 / r(Math.sqrt(x)));
  const g = (e: number) => r(grad[e] * gradScale); // the gradient as the rule sees it
  const squared = (e: number) => r(r(g(e) * g(e)) + eps);

  let scale = 1;
  if (flags.parameterScale) {
    let sumP = 0;
    for (let e = 0; e < n; e++) sumP += param[e] * param[e];
    scale = r(Math.max(Math.sqrt(sumP / n), MIN_PARAMETER_SCALE));
  }

  const isFactored = flags.factored && A > 0 && Math.min(A, B) >= minDimSizeToFactor;
  // R (the mean over the largest dim) and C are stored without their reduced dim.
  const withoutB = aIsLargest ? vCol : vRow; // [O, A, M, I]
  const withoutA = aIsLargest ? vRow : vCol; // [O, M, B, I]
  const at = (o: number, a: number, m: number, b: number, i: number) => (((o * A + a) * M + m) * B + b) * I + i;
  const atWithoutB = (o: number, a: number, m: number, i: number) => ((o * A + a) * M + m) * I + i;
  const atWithoutA = (o: number, m: number, b: number, i: number) => ((o * M + m) * B + b) * I + i;
  const atMean = (o: number, m: number, i: number) => (o * M + m) * I + i;
  const factoredUpdate = (o: number, a: number, m: number, b: number, i: number) => {
    const fromWithoutB = withoutB[atWithoutB(o, a, m, i)];
    const fromWithoutA = withoutA[atWithoutA(o, m, b, i)];
    const [row, col] = aIsLargest ? [fromWithoutA, fromWithoutB] : [fromWithoutB, fromWithoutA];
    const mean = v[atMean(o, m, i)];
    return r(r(g(at(o, a, m, b, i)) * inverseRoot(r(row / mean))) * inverseRoot(col));
  };
  /** Calls f(o, a, m, b, i) for every element in row-major order. */
  const forEachElement = (f: (o: number, a: number, m: number, b: number, i: number) => void) => {
    for (let o = 0; o < O; o++)
      for (let a = 0; a < A; a++)
        for (let m = 0; m < M; m++) for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) f(o, a, m, b, i);
  };

  let sumU = 0;
  if (isFactored) {
    for (let o = 0; o < O; o++)
      for (let a = 0; a < A; a++)
        for (let m = 0; m < M; m++)
          for (let i = 0; i < I; i++) {
            let s = 0;
            for (let b = 0; b < B; b++) s += squared(at(o, a, m, b, i));
            const x = atWithoutB(o, a, m, i);
            withoutB[x] = movingAverage(withoutB[x], r(s / B));
          }
    for (let o = 0; o < O; o++)
      for (let m = 0; m < M; m++)
        for (let b = 0; b < B; b++)
          for (let i = 0; i < I; i++) {
            let s = 0;
            for (let a = 0; a < A; a++) s += squared(at(o, a, m, b, i));
            const y = atWithoutA(o, m, b, i);
            withoutA[y] = movingAverage(withoutA[y], r(s / A));
          }
    for (let o = 0; o < O; o++)
      for (let m = 0; m < M; m++)
        for (let i = 0; i < I; i++) {
          let s = 0;
          if (aIsLargest) for (let b = 0; b < B; b++) s += withoutA[atWithoutA(o, m, b, i)];
          else for (let a = 0; a < A; a++) s += withoutB[atWithoutB(o, a, m, i)];
          v[atMean(o, m, i)] = r(s / (aIsLargest ? B : A));
        }
    if (flags.clipping) {
      forEachElement((o, a, m, b, i) => {
        const u = factoredUpdate(o, a, m, b, i);
        sumU += u * u;
      });
    }
  } else {
    for (let e = 0; e < n; e++) {
      v[e] = movingAverage(v[e], squared(e));
      if (flags.clipping) {
        const u = r(g(e) * inverseRoot(v[e]));
        sumU += u * u;
      }
    }
  }

  const clipDenominator = flags.clipping ? r(Math.max(1, Math.sqrt(sumU / n) / clippingThreshold)) : 1;
  const apply = (e: number, scaled: number) => {
    let u = r(r(r(scaled / clipDenominator) * learningRate) * scale);
    if (flags.withMomentum) {
      u = r(r(oneMinusMomentum * u) + r(momentum * ema[e]));
      ema[e] = u;
    }
    const p = param[e];
    if (flags.weightDecay) u = r(u + r(weightDecayRate * p));
    param[e] = r(p - u);
  };
  if (isFactored) forEachElement((o, a, m, b, i) => apply(at(o, a, m, b, i), factoredUpdate(o, a, m, b, i)));
  else for (let e = 0; e < n; e++) apply(e, r(g(e) * inverseRoot(v[e])));
};
