// Adam and AdamW with bfloat16 moments, one pass over a tensor: Adam's rule (adam.ts) on float32
// parameters, with m, v (and AMSGrad's v̂) read from bfloat16 and written back rounded to nearest
// even. As torchao and optax do, the step uses the new moments unrounded; only what is stored for
// the next step is rounded. Hand-written because its state is not the parameter's type; the table
// and scalar layout are adamBf16.json's (see generate.js), 16 bytes fewer moved per parameter.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, max } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare } from "../lib/rules";
import { loadBfloat16, storeBfloat16 } from "../lib/bfloat16";

@inline function adamBf16At<V>(
  i: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  gradScale: V, paramScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V,
  oneMinusBeta2: V, biasCorrection2Sqrt: V, eps: V, negStepSize: V,
  decoupled: bool, coupled: bool, amsgrad: bool,
): void {
  let p = loadAt<f32, V>(param, i);
  if (decoupled) p = mul<f32, V>(p, paramScale);
  const g = effectiveGradient<f32, V>(grad, i, gradScale, p, weightDecay, coupled);
  const m = ema<f32, V>(loadBfloat16<V>(expAvg, i), beta1, oneMinusBeta1, g);
  let v = emaOfSquare<f32, V>(loadBfloat16<V>(expAvgSq, i), beta2, oneMinusBeta2, g);
  storeBfloat16<V>(expAvg, i, m);
  storeBfloat16<V>(expAvgSq, i, v);
  if (amsgrad) {
    v = max<f32, V>(loadBfloat16<V>(maxExpAvgSq, i), v);
    storeBfloat16<V>(maxExpAvgSq, i, v);
  }
  const denom = add<f32, V>(div<f32, V>(sqrt<f32, V>(v), biasCorrection2Sqrt), eps);
  storeAt<f32, V>(param, i, add<f32, V>(p, div<f32, V>(mul<f32, V>(negStepSize, m), denom)));
}

/** The tensors of the table with the flags as literals, so each combination compiles to its own loops. */
@inline function adamBf16Tensors(
  table: usize, count: usize, scalars: usize, decoupled: bool, coupled: bool, amsgrad: bool,
): void {
  const gradScale = <f32>load<f64>(scalars, 0);
  const paramScale = <f32>load<f64>(scalars, 8);
  const weightDecay = <f32>load<f64>(scalars, 16);
  const beta1 = <f32>load<f64>(scalars, 24);
  const oneMinusBeta1 = <f32>load<f64>(scalars, 32);
  const beta2 = <f32>load<f64>(scalars, 40);
  const oneMinusBeta2 = <f32>load<f64>(scalars, 48);
  const biasCorrection2Sqrt = <f32>load<f64>(scalars, 56);
  const eps = <f32>load<f64>(scalars, 64);
  const negStepSize = <f32>load<f64>(scalars, 72);
  if (ASC_FEATURE_SIMD) {
    const gradScaleV = splat<f32, v128>(gradScale);
    const paramScaleV = splat<f32, v128>(paramScale);
    const weightDecayV = splat<f32, v128>(weightDecay);
    const beta1V = splat<f32, v128>(beta1);
    const oneMinusBeta1V = splat<f32, v128>(oneMinusBeta1);
    const beta2V = splat<f32, v128>(beta2);
    const oneMinusBeta2V = splat<f32, v128>(oneMinusBeta2);
    const biasCorrection2SqrtV = splat<f32, v128>(biasCorrection2Sqrt);
    const epsV = splat<f32, v128>(eps);
    const negStepSizeV = splat<f32, v128>(negStepSize);
    for (let t: usize = 0; t < count; t++) {
      const entry = table + t * 24;
      const n = <usize>load<u32>(entry);
      const param = <usize>load<u32>(entry, 4);
      const grad = <usize>load<u32>(entry, 8);
      const expAvg = <usize>load<u32>(entry, 12);
      const expAvgSq = <usize>load<u32>(entry, 16);
      const maxExpAvgSq = <usize>load<u32>(entry, 20);
      let i: usize = 0;
      for (; i + lanesOf<f32>() <= n; i += lanesOf<f32>()) {
        adamBf16At<v128>(
          i, param, grad, expAvg, expAvgSq, maxExpAvgSq, gradScaleV, paramScaleV, weightDecayV, beta1V,
          oneMinusBeta1V, beta2V, oneMinusBeta2V, biasCorrection2SqrtV, epsV, negStepSizeV, decoupled, coupled, amsgrad,
        );
      }
      for (; i < n; i++) {
        adamBf16At<f32>(
          i, param, grad, expAvg, expAvgSq, maxExpAvgSq, gradScale, paramScale, weightDecay, beta1,
          oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize, decoupled, coupled, amsgrad,
        );
      }
    }
  } else {
    for (let t: usize = 0; t < count; t++) {
      const entry = table + t * 24;
      const n = <usize>load<u32>(entry);
      const param = <usize>load<u32>(entry, 4);
      const grad = <usize>load<u32>(entry, 8);
      const expAvg = <usize>load<u32>(entry, 12);
      const expAvgSq = <usize>load<u32>(entry, 16);
      const maxExpAvgSq = <usize>load<u32>(entry, 20);
      for (let i: usize = 0; i < n; i++) {
        adamBf16At<f32>(
          i, param, grad, expAvg, expAvgSq, maxExpAvgSq, gradScale, paramScale, weightDecay, beta1,
          oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize, decoupled, coupled, amsgrad,
        );
      }
    }
  }
}

/**
 * Adam with bfloat16 moments: one step of `count` float32 tensors. Table entries are
 * [n, param, grad, expAvg, expAvgSq, maxExpAvgSq] (byte addresses; the moments are u16 arrays of n
 * bfloat16, 16-byte aligned), scalars as adamBf16.json declares; SIMD body, then a scalar tail.
 */
export function adamBf16_f32(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, 80);
  switch (flags) {
    case 0: adamBf16Tensors(table, count, scalars, false, false, false); break;
    case 1: adamBf16Tensors(table, count, scalars, true, false, false); break;
    case 2: adamBf16Tensors(table, count, scalars, false, true, false); break;
    case 4: adamBf16Tensors(table, count, scalars, false, false, true); break;
    case 5: adamBf16Tensors(table, count, scalars, true, false, true); break;
    case 6: adamBf16Tensors(table, count, scalars, false, true, true); break;
    default: unreachable();
  }
}

/** bfloat16 moments are kept for float32 parameters only: the host never calls this (it refuses float64). */
export function adamBf16_f64(table: usize, count: usize, scalars: usize): void {
  unreachable();
}
