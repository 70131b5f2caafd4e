// LAMB (You et al., 2020; torch_optimizer.Lamb 0.3.0), hand-written: the trust ratio needs two
// norms of each tensor before any parameter moves. One call steps a whole group, in two phases:
//   phase 1: g = grad·gradScale;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  u = m/(√v + ε) (+ λ·p);  Σp², Σu² per block
//            (with withEpsRoot, u = m/(√(v + εroot) + ε): optax's eps_root)
//   phase 2: ‖p‖, ‖u‖ from the tensor's block sums; trust = min(‖p‖, clamp)/‖u‖ (1 if either norm
//            is 0, or in adam mode); p ← p + (negStepSize·trust)·u, u recomputed from m, v and p.
// An entry's phase word says which phases it runs: 0 both, tensor by tensor (one thread), 1 or 2
// one of them over a slice of whole blocks from element `first` on (the pool joins all of phase 1
// before phase 2).
// The sums of squares are taken in double in a fixed order that the SIMD body, the scalar build
// and the reference share, and that depends on the tensor alone: per block of LAMB_BLOCK_ELEMENTS,
// four (float32) or two (float64) partial sums, element i going to sum i mod lanes in increasing
// i, added as ((s0 + s1) + s2) + s3; the block sums then added in block order.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma } from "../lib/lanes";
import { ema, emaOfSquare } from "../lib/rules";
import { LAMB_BLOCK_ELEMENTS } from "../generated/blocks";

// [n, param, grad, expAvg, expAvgSq, phase, first, scratch, tensorLength] (generate.js's BLOCK_WORDS)
const STRIDE: usize = 36;
/** Bytes of a block's scratch slot: [Σp², Σu²] as f64 (the declaration's blocks.scratchBytes). */
const SLOT: usize = 16;

/** Adam's direction for element(s) i: m/(√v + ε) (or m/(√(v + εroot) + ε)), plus λ·p when `decay`. */
@inline function direction<T, V>(
  m: V, v: V, p: V, eps: V, weightDecay: V, epsRoot: V, decay: bool, withEpsRoot: bool,
): V {
  const root = sqrt<T, V>(withEpsRoot ? add<T, V>(v, epsRoot) : v);
  const u = div<T, V>(m, add<T, V>(root, eps));
  return decay ? fma<T, V>(weightDecay, p, u) : u;
}

/** x² in double, for the four f32 lanes of `x` split into two f64x2 halves. */
@inline function squaresLow(x: v128): v128 {
  const wide = f64x2.promote_low_f32x4(x);
  return f64x2.mul(wide, wide);
}

@inline function squaresHigh(x: v128): v128 {
  const wide = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
  return f64x2.mul(wide, wide);
}

/**
 * Phase 1 over elements [0, n) of one entry: m and v updated, and each block's Σp² and Σu² (in
 * double, in the fixed order) stored in its slot from `sums` on. `n` ends a tensor or a block.
 */
@inline function momentsAndSums<T>(
  n: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, sums: usize,
  beta1: T, oneMinusBeta1: T, beta2: T, oneMinusBeta2: T, eps: T, weightDecay: T, epsRoot: T, gradScale: T,
  decay: bool, withEpsRoot: bool,
): void {
  const lanes = lanesOf<T>();
  for (let start: usize = 0; start < n; start += LAMB_BLOCK_ELEMENTS) {
    const end = min<usize>(start + LAMB_BLOCK_ELEMENTS, n);
    let p0: f64 = 0, p1: f64 = 0, p2: f64 = 0, p3: f64 = 0;
    let u0: f64 = 0, u1: f64 = 0, u2: f64 = 0, u3: f64 = 0;
    let i = start;
    if (ASC_FEATURE_SIMD) {
      const beta1V = splat<T, v128>(beta1), oneMinusBeta1V = splat<T, v128>(oneMinusBeta1);
      const beta2V = splat<T, v128>(beta2), oneMinusBeta2V = splat<T, v128>(oneMinusBeta2);
      const epsV = splat<T, v128>(eps), weightDecayV = splat<T, v128>(weightDecay);
      const epsRootV = splat<T, v128>(epsRoot), gradScaleV = splat<T, v128>(gradScale);
      let pLow = f64x2.splat(0), pHigh = f64x2.splat(0), uLow = f64x2.splat(0), uHigh = f64x2.splat(0);
      for (; i + lanes <= end; i += lanes) {
        const g = mul<T, v128>(loadAt<T, v128>(grad, i), gradScaleV);
        const m = ema<T, v128>(loadAt<T, v128>(expAvg, i), beta1V, oneMinusBeta1V, g);
        const v = emaOfSquare<T, v128>(loadAt<T, v128>(expAvgSq, i), beta2V, oneMinusBeta2V, g);
        storeAt<T, v128>(expAvg, i, m);
        storeAt<T, v128>(expAvgSq, i, v);
        const p = loadAt<T, v128>(param, i);
        const u = direction<T, v128>(m, v, p, epsV, weightDecayV, epsRootV, decay, withEpsRoot);
        if (sizeof<T>() == 4) {
          pLow = f64x2.add(pLow, squaresLow(p));
          pHigh = f64x2.add(pHigh, squaresHigh(p));
          uLow = f64x2.add(uLow, squaresLow(u));
          uHigh = f64x2.add(uHigh, squaresHigh(u));
        } else {
          pLow = f64x2.add(pLow, f64x2.mul(p, p));
          uLow = f64x2.add(uLow, f64x2.mul(u, u));
        }
      }
      p0 = f64x2.extract_lane(pLow, 0);
      p1 = f64x2.extract_lane(pLow, 1);
      p2 = f64x2.extract_lane(pHigh, 0);
      p3 = f64x2.extract_lane(pHigh, 1);
      u0 = f64x2.extract_lane(uLow, 0);
      u1 = f64x2.extract_lane(uLow, 1);
      u2 = f64x2.extract_lane(uHigh, 0);
      u3 = f64x2.extract_lane(uHigh, 1);
    }
    for (; i < end; i++) {
      const g = loadAt<T, T>(grad, i) * gradScale;
      const m = ema<T, T>(loadAt<T, T>(expAvg, i), beta1, oneMinusBeta1, g);
      const v = emaOfSquare<T, T>(loadAt<T, T>(expAvgSq, i), beta2, oneMinusBeta2, g);
      storeAt<T, T>(expAvg, i, m);
      storeAt<T, T>(expAvgSq, i, v);
      const p = loadAt<T, T>(param, i);
      const u = direction<T, T>(m, v, p, eps, weightDecay, epsRoot, decay, withEpsRoot);
      const pp = <f64>p * <f64>p, uu = <f64>u * <f64>u;
      const j = i & (lanes - 1); // blocks start at multiples of the lanes
      if (j == 0) {
        p0 += pp;
        u0 += uu;
      } else if (j == 1) {
        p1 += pp;
        u1 += uu;
      } else if (j == 2) {
        p2 += pp;
        u2 += uu;
      } else {
        p3 += pp;
        u3 += uu;
      }
    }
    const slot = sums + (start / LAMB_BLOCK_ELEMENTS) * SLOT;
    store<f64>(slot, ((p0 + p1) + p2) + p3);
    store<f64>(slot, ((u0 + u1) + u2) + u3, 8);
  }
}

/** Phase 2 over elements [0, n) of one entry: p moved along u by `coef` (negStepSize·trust). */
@inline function update<T>(
  n: usize, param: usize, expAvg: usize, expAvgSq: usize, coef: T, eps: T, weightDecay: T, epsRoot: T,
  decay: bool, withEpsRoot: bool,
): void {
  const lanes = lanesOf<T>();
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const epsV = splat<T, v128>(eps), weightDecayV = splat<T, v128>(weightDecay), coefV = splat<T, v128>(coef);
    const epsRootV = splat<T, v128>(epsRoot);
    for (; i + lanes <= n; i += lanes) {
      const p = loadAt<T, v128>(param, i);
      const m = loadAt<T, v128>(expAvg, i), v = loadAt<T, v128>(expAvgSq, i);
      const u = direction<T, v128>(m, v, p, epsV, weightDecayV, epsRootV, decay, withEpsRoot);
      storeAt<T, v128>(param, i, fma<T, v128>(coefV, u, p));
    }
  }
  for (; i < n; i++) {
    const p = loadAt<T, T>(param, i);
    const m = loadAt<T, T>(expAvg, i), v = loadAt<T, T>(expAvgSq, i);
    const u = direction<T, T>(m, v, p, eps, weightDecay, epsRoot, decay, withEpsRoot);
    storeAt<T, T>(param, i, fma<T, T>(coef, u, p));
  }
}

@inline function lambTensors<T>(
  table: usize, count: usize, scalars: usize, decay: bool, adamMode: bool, withEpsRoot: bool,
): void {
  const beta1 = <T>load<f64>(scalars, 0);
  const oneMinusBeta1 = <T>load<f64>(scalars, 8);
  const beta2 = <T>load<f64>(scalars, 16);
  const oneMinusBeta2 = <T>load<f64>(scalars, 24);
  const eps = <T>load<f64>(scalars, 32);
  const weightDecay = <T>load<f64>(scalars, 40);
  const negStepSize = <f64><T>load<f64>(scalars, 48);
  const clampValue = <f64><T>load<f64>(scalars, 56);
  const epsRoot = <T>load<f64>(scalars, 64);
  const gradScale = <T>load<f64>(scalars, 72);
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * STRIDE;
    const n = <usize>load<u32>(entry);
    const first = <usize>load<u32>(entry, 24) * sizeof<T>(); // bytes from the tensor's start
    const param = <usize>load<u32>(entry, 4) + first;
    const grad = <usize>load<u32>(entry, 8) + first;
    const expAvg = <usize>load<u32>(entry, 12) + first;
    const expAvgSq = <usize>load<u32>(entry, 16) + first;
    const phase = load<u32>(entry, 20);
    const tensorSums = <usize>load<u32>(entry, 28);
    if (phase != 2) {
      const blockSums = tensorSums + (<usize>load<u32>(entry, 24) / LAMB_BLOCK_ELEMENTS) * SLOT;
      momentsAndSums<T>(
        n, param, grad, expAvg, expAvgSq, blockSums,
        beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, weightDecay, epsRoot, gradScale, decay, withEpsRoot,
      );
    }
    if (phase != 1) {
      // The tensor's sums from all its blocks, in block order: the same in every slice of it.
      const blocks = (<usize>load<u32>(entry, 32) + LAMB_BLOCK_ELEMENTS - 1) / LAMB_BLOCK_ELEMENTS;
      let sumP: f64 = 0, sumU: f64 = 0;
      for (let b: usize = 0; b < blocks; b++) {
        sumP += load<f64>(tensorSums + b * SLOT);
        sumU += load<f64>(tensorSums + b * SLOT, 8);
      }
      const weightNorm = min<f64>(Math.sqrt(sumP), clampValue);
      const adamNorm = Math.sqrt(sumU);
      let trust: f64 = 1;
      if (!adamMode && weightNorm != 0 && adamNorm != 0) trust = weightNorm / adamNorm;
      const coef = <T>(negStepSize * trust);
      update<T>(n, param, expAvg, expAvgSq, coef, eps, weightDecay, epsRoot, decay, withEpsRoot);
    }
  }
}

@inline function lambStep<T>(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, 80);
  switch (flags) {
    case 0: lambTensors<T>(table, count, scalars, false, false, false); break;
    case 1: lambTensors<T>(table, count, scalars, true, false, false); break;
    case 2: lambTensors<T>(table, count, scalars, false, true, false); break;
    case 3: lambTensors<T>(table, count, scalars, true, true, false); break;
    case 4: lambTensors<T>(table, count, scalars, false, false, true); break;
    case 5: lambTensors<T>(table, count, scalars, true, false, true); break;
    case 6: lambTensors<T>(table, count, scalars, false, true, true); break;
    case 7: lambTensors<T>(table, count, scalars, true, true, true); break;
    default: unreachable();
  }
}

/** LAMB: one step of `count` float32 tensors (the ABI of generate.js; declaration optimizers/lamb.json). */
export function lamb_f32(table: usize, count: usize, scalars: usize): void {
  lambStep<f32>(table, count, scalars);
}

/** LAMB: one step of `count` float64 tensors. */
export function lamb_f64(table: usize, count: usize, scalars: usize): void {
  lambStep<f64>(table, count, scalars);
}
