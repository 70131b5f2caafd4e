// optax's Adam family with `mu_dtype=bfloat16`, one pass over a tensor: the first moment μ is kept
// in bfloat16 and moves as jax computes it, μ′ = (1 − b1)·g + bf16(b1·μ̂), where b1·μ̂ is a
// bfloat16 product (b1 rounded to bfloat16 by the host; the float32 product of two bfloat16
// numbers is exact, then rounded to nearest even) added to the float32 (1 − b1)·g; ν stays
// float32. The step is nadam.ts's (nadamStep) with the new μ′ unrounded:
//   p ← p·paramScale        d = √(ν/bc2 (+ εroot)) + ε        p ← p + gradCoef·g/d + avgCoef·μ′/d
// and μ is stored as bf16(μ′). Hand-written because its state is not the parameter's type; the
// table and scalar layout are optaxAdamMuBf16.json's (see generate.js).
import { lanesOf, loadAt, storeAt, splat, add, mul } from "../lib/lanes";
import { emaOfSquare } from "../lib/rules";
import { loadBfloat16, roundToBfloat16, storeBfloat16 } from "../lib/bfloat16";
import { nadamStep } from "./nadam";

@inline function optaxAdamMuBf16At<V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize,
  gradScale: V, paramScale: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V,
  biasCorrection2: V, eps: V, gradCoef: V, avgCoef: V, epsRoot: V,
  decoupled: bool, withEpsRoot: bool,
): void {
  let p = loadAt<f32, V>(param, i);
  if (decoupled) p = mul<f32, V>(p, paramScale);
  const g = mul<f32, V>(loadAt<f32, V>(grad, i), gradScale);
  const decayed = roundToBfloat16<V>(mul<f32, V>(beta1, loadBfloat16<V>(expAvg, i)));
  const m = add<f32, V>(mul<f32, V>(oneMinusBeta1, g), decayed);
  const v = emaOfSquare<f32, V>(loadAt<f32, V>(expAvgSq, i), beta2, oneMinusBeta2, g);
  storeBfloat16<V>(expAvg, i, m);
  storeAt<f32, V>(expAvgSq, i, v);
  storeAt<f32, V>(param, i, nadamStep<f32, V>(p, g, m, v, biasCorrection2, eps, gradCoef, avgCoef, epsRoot, withEpsRoot));
}

/** The tensors of the table with the flags as literals, so each combination compiles to its own loops. */
@inline function optaxAdamMuBf16Tensors(
  table: usize, count: usize, scalars: usize, decoupled: bool, withEpsRoot: bool,
): void {
  const gradScale = <f32>load<f64>(scalars, 0);
  const paramScale = <f32>load<f64>(scalars, 8);
  const beta1 = <f32>load<f64>(scalars, 16);
  const oneMinusBeta1 = <f32>load<f64>(scalars, 24);
  const beta2 = <f32>load<f64>(scalars, 32);
  const oneMinusBeta2 = <f32>load<f64>(scalars, 40);
  const biasCorrection2 = <f32>load<f64>(scalars, 48);
  const eps = <f32>load<f64>(scalars, 56);
  const gradCoef = <f32>load<f64>(scalars, 64);
  const avgCoef = <f32>load<f64>(scalars, 72);
  const epsRoot = <f32>load<f64>(scalars, 80);
  for (let t: usize = 0; t < count; t++) {
    const entry = table + t * 20;
    const n = <usize>load<u32>(entry);
    const param = <usize>load<u32>(entry, 4);
    const grad = <usize>load<u32>(entry, 8);
    const expAvg = <usize>load<u32>(entry, 12);
    const expAvgSq = <usize>load<u32>(entry, 16);
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + lanesOf<f32>() <= n; i += lanesOf<f32>()) {
        optaxAdamMuBf16At<v128>(
          i, param, grad, expAvg, expAvgSq, splat<f32, v128>(gradScale), splat<f32, v128>(paramScale),
          splat<f32, v128>(beta1), splat<f32, v128>(oneMinusBeta1), splat<f32, v128>(beta2),
          splat<f32, v128>(oneMinusBeta2), splat<f32, v128>(biasCorrection2), splat<f32, v128>(eps),
          splat<f32, v128>(gradCoef), splat<f32, v128>(avgCoef), splat<f32, v128>(epsRoot), decoupled, withEpsRoot,
        );
      }
    }
    // The tail (or every element, in the scalar build) one at a time.
    for (; i < n; i++) {
      optaxAdamMuBf16At<f32>(
        i, param, grad, expAvg, expAvgSq, gradScale, paramScale, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
        biasCorrection2, eps, gradCoef, avgCoef, epsRoot, decoupled, withEpsRoot,
      );
    }
  }
}

/**
 * One step of `count` float32 tensors. Table entries are [n, param, grad, expAvg, expAvgSq] (byte
 * addresses; μ a u16 array of n bfloat16, 16-byte aligned), scalars as optaxAdamMuBf16.json declares.
 */
export function optaxAdamMuBf16_f32(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, 88);
  switch (flags) {
    case 0: optaxAdamMuBf16Tensors(table, count, scalars, false, false); break;
    case 1: optaxAdamMuBf16Tensors(table, count, scalars, true, false); break;
    case 2: optaxAdamMuBf16Tensors(table, count, scalars, false, true); break;
    case 3: optaxAdamMuBf16Tensors(table, count, scalars, true, true); break;
    default: unreachable();
  }
}

/** A bfloat16 μ is kept for float32 parameters only: the host never calls this (it refuses float64). */
export function optaxAdamMuBf16_f64(table: usize, count: usize, scalars: usize): void {
  unreachable();
}
