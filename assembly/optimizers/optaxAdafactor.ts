// Adafactor as optax 0.2.8 computes it (optax.adafactor: scale_by_factored_rms, clip_by_block_rms,
// the learning rate, scale_by_param_block_rms, ema, add_decayed_weights, scale(−1)), hand-written:
// it needs means over dims and norms of whole tensors. Per tensor, with g = grad·gradScale (the
// clipping factor, 1 otherwise), G2 = g² + ε and β̂ given:
//   factored (over its two largest dims, the largest d0, the other d1):
//     R ← β̂·R + (1 − β̂)·mean_d0(G2);  C ← β̂·C + (1 − β̂)·mean_d1(G2)
//     U = g·(R/mean_d1(R))^(−½)·C^(−½)          (R broadcast along d0, C along d1)
//   otherwise: V ← β̂·V + (1 − β̂)·G2;  U = g·V^(−½)
//   u = (U / max(1, RMS(U)/c))·lr·max(RMS(p), 1e-3);  E ← (1 − β)·u + β·E, u = E;  u += w·p;  p ← p − u
// The tensor is viewed as [outer, A, middle, B, inner] with A and B its two largest dims (the shape
// words). R and C are stored without their reduced dim, row-major, at the start of vRow and vCol;
// a factored tensor keeps R's means over d1 in v. Every sum is taken in double, in increasing
// index order; loops are scalar, so every binary and the reference sum alike.
import { sqrt } from "../lib/lanes";

const STRIDE: usize = 52; // [n, param, grad, vRow, vCol, v, ema, outer, A, middle, B, inner, aIsLargest]
const MIN_PARAMETER_SCALE: f64 = 1e-3; // scale_by_param_block_rms's min_scale

@inline function movingAverage<T>(old: T, value: T, decay: T, oneMinusDecay: T): T {
  return decay * old + oneMinusDecay * value;
}

/** Element e of the gradient as the rule sees it: grad·gradScale. */
@inline function gradAt<T>(grad: usize, e: usize, gradScale: T): T {
  return load<T>(grad + e * sizeof<T>()) * gradScale;
}

/** x^(−½) as 1/√x, each rounded to T. */
@inline function inverseRoot<T>(x: T): T {
  return <T>1 / sqrt<T, T>(x);
}

@inline function optaxAdafactorStep<T>(table: usize, count: usize, scalars: usize): void {
  const decay = <T>load<f64>(scalars, 0);
  const oneMinusDecay = <T>load<f64>(scalars, 8);
  const eps = <T>load<f64>(scalars, 16);
  const minDimSizeToFactor = <f64><T>load<f64>(scalars, 24);
  const clippingThreshold = <f64><T>load<f64>(scalars, 32);
  const learningRate = <T>load<f64>(scalars, 40);
  const momentum = <T>load<f64>(scalars, 48);
  const oneMinusMomentum = <T>load<f64>(scalars, 56);
  const weightDecayRate = <T>load<f64>(scalars, 64);
  const gradScale = <T>load<f64>(scalars, 72);
  const flags = load<u32>(scalars, 80);
  const factored = (flags & 1) != 0;
  const clipping = (flags & 2) != 0;
  const parameterScale = (flags & 4) != 0;
  const withMomentum = (flags & 8) != 0;
  const weightDecay = (flags & 16) != 0;
  const size = sizeof<T>();
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * STRIDE;
    const n = <usize>load<u32>(entry);
    if (n == 0) continue;
    const param = <usize>load<u32>(entry, 4);
    const grad = <usize>load<u32>(entry, 8);
    const vRow = <usize>load<u32>(entry, 12);
    const vCol = <usize>load<u32>(entry, 16);
    const v = <usize>load<u32>(entry, 20);
    const ema = <usize>load<u32>(entry, 24);
    const O = <usize>load<u32>(entry, 28);
    const A = <usize>load<u32>(entry, 32);
    const M = <usize>load<u32>(entry, 36);
    const B = <usize>load<u32>(entry, 40);
    const I = <usize>load<u32>(entry, 44);
    const aIsLargest = load<u32>(entry, 48) != 0;

    let scale: T = 1;
    if (parameterScale) {
      let sumP: f64 = 0;
      for (let e: usize = 0; e < n; e++) {
        const p = <f64>load<T>(param + e * size);
        sumP += p * p;
      }
      scale = <T>max<f64>(Math.sqrt(sumP / <f64>n), MIN_PARAMETER_SCALE);
    }

    const isFactored = factored && A > 0 && <f64>min<usize>(A, B) >= minDimSizeToFactor;
    // R is the mean over the largest dim: indexed without B when A is the largest's other, and so on.
    const withoutB = aIsLargest ? vCol : vRow; // [outer, A, middle, inner]
    const withoutA = aIsLargest ? vRow : vCol; // [outer, middle, B, inner]
    let sumU: f64 = 0;
    if (isFactored) {
      // Means of G2 over B, then over A, each folded into its moving average.
      for (let x: usize = 0, oam: usize = 0; oam < O * A * M; oam++) {
        for (let i: usize = 0; i < I; i++, x++) {
          let s: f64 = 0;
          for (let b: usize = 0; b < B; b++) {
            const g = gradAt<T>(grad, (oam * B + b) * I + i, gradScale);
            s += <f64>(g * g + eps);
          }
          const at = withoutB + x * size;
          store<T>(at, movingAverage<T>(load<T>(at), <T>(s / <f64>B), decay, oneMinusDecay));
        }
      }
      for (let y: usize = 0, o: usize = 0; o < O; o++) {
        for (let mbi: usize = 0; mbi < M * B * I; mbi++, y++) {
          let s: f64 = 0;
          for (let a: usize = 0; a < A; a++) {
            const g = gradAt<T>(grad, (o * A + a) * M * B * I + mbi, gradScale);
            s += <f64>(g * g + eps);
          }
          const at = withoutA + y * size;
          store<T>(at, movingAverage<T>(load<T>(at), <T>(s / <f64>A), decay, oneMinusDecay));
        }
      }
      // R's means over the other dim, into v: [outer, middle, inner].
      for (let o: usize = 0; o < O; o++) {
        for (let m: usize = 0; m < M; m++) {
          for (let i: usize = 0; i < I; i++) {
            let s: f64 = 0;
            if (aIsLargest) {
              for (let b: usize = 0; b < B; b++) s += <f64>load<T>(withoutA + (((o * M + m) * B + b) * I + i) * size);
            } else {
              for (let a: usize = 0; a < A; a++) s += <f64>load<T>(withoutB + (((o * A + a) * M + m) * I + i) * size);
            }
            store<T>(v + ((o * M + m) * I + i) * size, <T>(s / <f64>(aIsLargest ? B : A)));
          }
        }
      }
      if (clipping) {
        for (let o: usize = 0, e: usize = 0; o < O; o++) {
          for (let a: usize = 0; a < A; a++) {
            for (let m: usize = 0; m < M; m++) {
              for (let b: usize = 0; b < B; b++) {
                for (let i: usize = 0; i < I; i++, e++) {
                  const u = <f64>factoredUpdate<T>(grad, gradScale, withoutA, withoutB, v, e, o, a, m, b, i, A, M, B, I, aIsLargest);
                  sumU += u * u;
                }
              }
            }
          }
        }
      }
    } else {
      for (let e: usize = 0; e < n; e++) {
        const g = gradAt<T>(grad, e, gradScale);
        const second = movingAverage<T>(load<T>(v + e * size), g * g + eps, decay, oneMinusDecay);
        store<T>(v + e * size, second);
        if (clipping) {
          const u = <f64>(g * inverseRoot<T>(second));
          sumU += u * u;
        }
      }
    }

    let clipDenominator: T = 1;
    if (clipping) clipDenominator = <T>max<f64>(1, Math.sqrt(sumU / <f64>n) / clippingThreshold);
    if (isFactored) {
      for (let o: usize = 0, e: usize = 0; o < O; o++) {
        for (let a: usize = 0; a < A; a++) {
          for (let m: usize = 0; m < M; m++) {
            for (let b: usize = 0; b < B; b++) {
              for (let i: usize = 0; i < I; i++, e++) {
                const u = factoredUpdate<T>(grad, gradScale, withoutA, withoutB, v, e, o, a, m, b, i, A, M, B, I, aIsLargest);
                applyUpdate<T>(param, ema, e, u, clipDenominator, learningRate, scale, momentum, oneMinusMomentum, weightDecayRate, withMomentum, weightDecay);
              }
            }
          }
        }
      }
    } else {
      for (let e: usize = 0; e < n; e++) {
        const u = gradAt<T>(grad, e, gradScale) * inverseRoot<T>(load<T>(v + e * size));
        applyUpdate<T>(param, ema, e, u, clipDenominator, learningRate, scale, momentum, oneMinusMomentum, weightDecayRate, withMomentum, weightDecay);
      }
    }
  }
}

/** U of element e = [o, a, m, b, i] of a factored tensor: g·(R/mean)^(−½)·C^(−½). */
@inline function factoredUpdate<T>(
  grad: usize, gradScale: T, withoutA: usize, withoutB: usize, means: usize, e: usize,
  o: usize, a: usize, m: usize, b: usize, i: usize, A: usize, M: usize, B: usize, I: usize, aIsLargest: bool,
): T {
  const size = sizeof<T>();
  const fromWithoutB = load<T>(withoutB + (((o * A + a) * M + m) * I + i) * size);
  const fromWithoutA = load<T>(withoutA + (((o * M + m) * B + b) * I + i) * size);
  const row = aIsLargest ? fromWithoutA : fromWithoutB;
  const col = aIsLargest ? fromWithoutB : fromWithoutA;
  const mean = load<T>(means + ((o * M + m) * I + i) * size);
  return gradAt<T>(grad, e, gradScale) * inverseRoot<T>(row / mean) * inverseRoot<T>(col);
}

/** The steps after the second-moment scaling, for element e with scaled gradient U. */
@inline function applyUpdate<T>(
  param: usize, ema: usize, e: usize, scaled: T, clipDenominator: T, learningRate: T, scale: T,
  momentum: T, oneMinusMomentum: T, weightDecayRate: T, withMomentum: bool, weightDecay: bool,
): void {
  const size = sizeof<T>();
  let u = scaled / clipDenominator * learningRate * scale;
  if (withMomentum) {
    u = oneMinusMomentum * u + momentum * load<T>(ema + e * size);
    store<T>(ema + e * size, u);
  }
  const p = load<T>(param + e * size);
  if (weightDecay) u = u + weightDecayRate * p;
  store<T>(param + e * size, p - u);
}

/** optax's Adafactor: one step of `count` float32 tensors (the ABI of generate.js; declaration optimizers/optaxAdafactor.json). */
export function optaxAdafactor_f32(table: usize, count: usize, scalars: usize): void {
  optaxAdafactorStep<f32>(table, count, scalars);
}

/** optax's Adafactor: one step of `count` float64 tensors. */
export function optaxAdafactor_f64(table: usize, count: usize, scalars: usize): void {
  optaxAdafactorStep<f64>(table, count, scalars);
}
