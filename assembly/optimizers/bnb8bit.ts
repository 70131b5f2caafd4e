// Lion, SGD with momentum, RMSprop and Adagrad with one blockwise 8-bit state, as bitsandbytes'
// Lion8bit, SGD8bit, RMSprop8bit and Adagrad8bit compute them (its CPU backend, its `default`
// quantizer): the state of a tensor of at least the 8-bit size is a u8 code per element into the
// signed dynamic map (for every rule, even the non-negative averages of g²) with one float32
// absolute maximum per block, codes chosen ties down from s·(1/max), s/max on a partial last
// block (adam8bit.ts's `bitsandbytes` rules); a smaller tensor keeps its state in float32 and
// takes the same formulas. Each block is one visit to memory, in two loops as adam8bit.ts: step
// with the new state unquantized and keep it in the workspace (1·blockSize float32, the thread's
// own), then store its codes against the block's new maximum.
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, fma, max, whereAboveZero, whereBelowZero } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare } from "../lib/rules";
import { dequantize, largerMagnitude, largestLane, storeCodes } from "../lib/quantize";
import { DYNAMIC8_SIGNED, DYNAMIC8_SIGNED_BUCKETS, DYNAMIC8_SIGNED_TIES_DOWN } from "../generated/maps";

/** bitsandbytes' floor of a maximum it divides by, float32(1e−38) (a subnormal). */
const BNB_SMALLEST_ABSMAX: f32 = 1e-38;

/**
 * One element (four lanes when V is v128): the parameter stepped by the rule from the state `old`
 * (dequantized, or float32), and the new state returned. Lion's interpolation is two products and
 * a sum on an 8-bit tensor and a multiply-add on a float32 one (`quantized`), as bitsandbytes
 * writes each path.
 */
@inline function stepAt<V>(
  i: usize, param: usize, grad: usize, old: V,
  gradScale: V, weightDecay: V, paramScale: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V,
  eps: V, negLr: V,
  lion: bool, momentum: bool, rmsprop: bool, coupled: bool, decoupled: bool, quantized: bool,
): V {
  let p = loadAt<f32, V>(param, i);
  if (decoupled) p = mul<f32, V>(p, paramScale);
  const g = effectiveGradient<f32, V>(grad, i, gradScale, p, weightDecay, coupled);
  if (lion) {
    const c = quantized
      ? add<f32, V>(mul<f32, V>(old, beta1), mul<f32, V>(g, oneMinusBeta1))
      : ema<f32, V>(old, beta1, oneMinusBeta1, g);
    const sign = whereAboveZero<f32, V>(c, splat<f32, V>(1), whereBelowZero<f32, V>(c, splat<f32, V>(-1), c));
    storeAt<f32, V>(param, i, fma<f32, V>(negLr, sign, p));
    return ema<f32, V>(old, beta2, oneMinusBeta2, g);
  }
  if (momentum) {
    const s = add<f32, V>(mul<f32, V>(old, beta1), g);
    storeAt<f32, V>(param, i, fma<f32, V>(negLr, s, p));
    return s;
  }
  // RMSprop or Adagrad: p + (−lr·g)/(√s + ε), torch's addcdiv.
  const s = rmsprop ? emaOfSquare<f32, V>(old, beta1, oneMinusBeta1, g) : fma<f32, V>(g, g, old);
  const denom = add<f32, V>(sqrt<f32, V>(s), eps);
  storeAt<f32, V>(param, i, add<f32, V>(p, div<f32, V>(mul<f32, V>(negLr, g), denom)));
  return s;
}

/**
 * One block [start, end) of an 8-bit tensor, its absolute maximum at `absmax`, its new state kept
 * between the loops at `work` (float32, indexed from the block's start).
 */
@inline function bnb8bitBlock<V>(
  start: usize, end: usize, param: usize, grad: usize, codes: usize, absmax: usize, work: usize,
  gradScale: V, weightDecay: V, paramScale: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V,
  eps: V, negLr: V,
  lion: bool, momentum: bool, rmsprop: bool, coupled: bool, decoupled: bool, partial: bool,
): void {
  const step: usize = isVector<V>() ? lanesOf<f32>() : 1;
  const old = load<f32>(absmax);
  let largest = splat<f32, V>(0);
  for (let i = start; i < end; i += step) {
    const s = stepAt<V>(
      i, param, grad, dequantize<V>(codes, i, DYNAMIC8_SIGNED, old), gradScale, weightDecay, paramScale,
      beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, negLr, lion, momentum, rmsprop, coupled, decoupled, true,
    );
    largest = largerMagnitude<V>(largest, s);
    storeAt<f32, V>(work, i - start, s);
  }
  // A whole block stores max|s| and takes x = s·(1/max(max|s|, 1e−38)); the partial last block
  // stores max(max|s|, 1e−38) and takes x = s/max.
  let stored = largestLane<V>(largest);
  let scale: f32;
  if (partial) {
    stored = max<f32, f32>(stored, BNB_SMALLEST_ABSMAX);
    scale = stored;
  } else {
    scale = <f32>1 / max<f32, f32>(stored, BNB_SMALLEST_ABSMAX);
  }
  const scaleV = splat<f32, V>(scale);
  for (let i = start; i < end; i += step) {
    const s = loadAt<f32, V>(work, i - start);
    const x = partial ? div<f32, V>(s, scaleV) : mul<f32, V>(s, scaleV);
    storeCodes<V>(codes, i, DYNAMIC8_SIGNED_BUCKETS, DYNAMIC8_SIGNED_TIES_DOWN, x, true);
  }
  store<f32>(absmax, stored);
}

/** One tensor (a table entry at `entry`): by blocks when it has codes, else with float32 state. */
@inline function bnb8bitTensor<V>(
  entry: usize, blockSize: usize,
  gradScale: V, weightDecay: V, paramScale: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V,
  eps: V, negLr: V,
  lion: bool, momentum: bool, rmsprop: bool, coupled: bool, decoupled: bool,
): void {
  const n = <usize>load<u32>(entry);
  const param = <usize>load<u32>(entry, 4);
  const grad = <usize>load<u32>(entry, 8);
  const state = <usize>load<u32>(entry, 12);
  const codes = <usize>load<u32>(entry, 16);
  const absmax = <usize>load<u32>(entry, 20);
  const work = <usize>load<u32>(entry, 24);
  if (codes != 0) {
    for (let b: usize = 0, start: usize = 0; start < n; b++, start += blockSize) {
      const end = min<usize>(start + blockSize, n);
      const partial = end - start < blockSize;
      if (!isVector<V>() || (end - start) % lanesOf<f32>() == 0) {
        bnb8bitBlock<V>(
          start, end, param, grad, codes, absmax + (b << 2), work, gradScale, weightDecay, paramScale,
          beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, negLr, lion, momentum, rmsprop, coupled, decoupled, partial,
        );
      } else {
        // A last block that is not whole vectors, one element at a time.
        bnb8bitBlock<f32>(
          start, end, param, grad, codes, absmax + (b << 2), work, scalarOf<V>(gradScale),
          scalarOf<V>(weightDecay), scalarOf<V>(paramScale), scalarOf<V>(beta1), scalarOf<V>(oneMinusBeta1),
          scalarOf<V>(beta2), scalarOf<V>(oneMinusBeta2), scalarOf<V>(eps), scalarOf<V>(negLr),
          lion, momentum, rmsprop, coupled, decoupled, partial,
        );
      }
    }
    return;
  }
  let i: usize = 0;
  if (isVector<V>()) {
    for (; i + lanesOf<f32>() <= n; i += lanesOf<f32>()) {
      const s = stepAt<V>(
        i, param, grad, loadAt<f32, V>(state, i), gradScale, weightDecay, paramScale, beta1, oneMinusBeta1,
        beta2, oneMinusBeta2, eps, negLr, lion, momentum, rmsprop, coupled, decoupled, false,
      );
      storeAt<f32, V>(state, i, s);
    }
  }
  // The tail (or every element, in the scalar build) one at a time.
  for (; i < n; i++) {
    const s = stepAt<f32>(
      i, param, grad, load<f32>(state + (i << 2)), scalarOf<V>(gradScale), scalarOf<V>(weightDecay),
      scalarOf<V>(paramScale), scalarOf<V>(beta1), scalarOf<V>(oneMinusBeta1), scalarOf<V>(beta2),
      scalarOf<V>(oneMinusBeta2), scalarOf<V>(eps), scalarOf<V>(negLr), lion, momentum, rmsprop, coupled, decoupled, false,
    );
    store<f32>(state + (i << 2), s);
  }
}

/** Lane 0 of a splatted scalar, or the scalar itself. */
@inline function scalarOf<V>(v: V): f32 {
  if (isVector<V>()) return f32x4.extract_lane(<v128>v, 0);
  return <f32>v;
}

/** The tensors of the table with the flags as literals, so each combination compiles to its own loops. */
@inline function bnb8bitTensors(
  table: usize, count: usize, scalars: usize,
  lion: bool, momentum: bool, rmsprop: bool, coupled: bool, decoupled: bool,
): void {
  const gradScale = <f32>load<f64>(scalars, 0);
  const weightDecay = <f32>load<f64>(scalars, 8);
  const paramScale = <f32>load<f64>(scalars, 16);
  const beta1 = <f32>load<f64>(scalars, 24);
  const oneMinusBeta1 = <f32>load<f64>(scalars, 32);
  const beta2 = <f32>load<f64>(scalars, 40);
  const oneMinusBeta2 = <f32>load<f64>(scalars, 48);
  const eps = <f32>load<f64>(scalars, 56);
  const negLr = <f32>load<f64>(scalars, 64);
  const blockSize = <usize>load<f64>(scalars, 72);
  if (ASC_FEATURE_SIMD) {
    for (let t: usize = 0; t < count; t++) {
      bnb8bitTensor<v128>(
        table + t * 28, blockSize, splat<f32, v128>(gradScale), splat<f32, v128>(weightDecay),
        splat<f32, v128>(paramScale), splat<f32, v128>(beta1), splat<f32, v128>(oneMinusBeta1),
        splat<f32, v128>(beta2), splat<f32, v128>(oneMinusBeta2), splat<f32, v128>(eps), splat<f32, v128>(negLr),
        lion, momentum, rmsprop, coupled, decoupled,
      );
    }
  } else {
    for (let t: usize = 0; t < count; t++) {
      bnb8bitTensor<f32>(
        table + t * 28, blockSize, gradScale, weightDecay, paramScale, beta1, oneMinusBeta1, beta2,
        oneMinusBeta2, eps, negLr, lion, momentum, rmsprop, coupled, decoupled,
      );
    }
  }
}

/**
 * One step of `count` float32 tensors. Table entries are [n, param, grad, state1, state1Codes,
 * state1Absmax, workspace]: an 8-bit tensor has n codes and ⌈n/blockSize⌉ maxima (blockSize a
 * multiple of 4; a last partial block may step one element at a time), its float32 state at
 * address 0, and a workspace of blockSize float32 (16-byte aligned) that no other thread uses
 * during the call; any other tensor has float32 state and 0 for the rest. Scalars as
 * bnb8bit.json declares; the flags name one rule (bits: lion 1, momentum 2, rmsprop 4, adagrad 8)
 * with its decay (coupled 16, decoupled 32).
 */
export function bnb8bit_f32(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, 80);
  switch (flags) {
    case 1: bnb8bitTensors(table, count, scalars, true, false, false, false, false); break;
    case 33: bnb8bitTensors(table, count, scalars, true, false, false, false, true); break;
    case 2: bnb8bitTensors(table, count, scalars, false, true, false, false, false); break;
    case 18: bnb8bitTensors(table, count, scalars, false, true, false, true, false); break;
    case 4: bnb8bitTensors(table, count, scalars, false, false, true, false, false); break;
    case 20: bnb8bitTensors(table, count, scalars, false, false, true, true, false); break;
    case 8: bnb8bitTensors(table, count, scalars, false, false, false, false, false); break;
    case 24: bnb8bitTensors(table, count, scalars, false, false, false, true, false); break;
    default: unreachable();
  }
}

/** 8-bit state is kept for float32 parameters only: the host never calls this (it refuses float64). */
export function bnb8bit_f64(table: usize, count: usize, scalars: usize): void {
  unreachable();
}
