// Adam and AdamW with blockwise 8-bit moments, as torchao's Adam8bit and AdamW8bit compute them
// (and, with the flag `bitsandbytes`, as bitsandbytes' do: its quantizer, a partial last block).
// The same blocks serve torchao's 4-bit and FP8 moments (adam4bit.ts, adamFp8.ts), by their format
// (lib/formats.ts).
// An 8-bit tensor keeps m and v as u8 codes into the dynamic maps (signed for m, unsigned for v)
// with one float32 absolute maximum per block; any other tensor keeps them in float32 and steps by
// Adam's own rule (adam.ts), as torchao does. Each block is one visit to memory, in two loops:
//   1  dequantize m̂, v̂ (map[code]·absmax), form m, v as Adam does, keep their largest |·|, step
//      p with them unquantized, and keep them in the workspace (the block's new maxima are not
//      known until the loop ends);
//   2  from the workspace (in cache), store m, v's nearest codes against the new maxima (≥ 1e−12).
// The workspace (adam8bit.json) is the thread's own: 2·blockSize float32, m's then v's.
// Hand-written (blocks of codes); the table and scalar layout are adam8bit.json's (generate.js).
import { lanesOf, loadAt, storeAt, splat, add, mul, div, sqrt, max } from "../lib/lanes";
import { effectiveGradient, ema, emaOfSquare } from "../lib/rules";
import { largerMagnitude, largestLane } from "../lib/quantize";
import { BLOCKWISE8, dequantizeMoment, storeMoment, torchaoScale } from "../lib/formats";
import { adamAt } from "./adam";

/** bitsandbytes' floor of a maximum it divides by, float32(1e−38) (a subnormal). */
const BNB_SMALLEST_ABSMAX: f32 = 1e-38;

/**
 * One block [start, end) of a tensor of `format` codes, its scales at `absM` and `absV`, its new m
 * and v kept between the loops at `workM` and `workV` (float32, indexed from the block's start).
 * The new scale and the normalized values x are torchao's (torchaoScale, x = s/scale), or
 * with `bitsandbytes` its: a whole block stores max|s| and takes x = s·(1/max(max|s|, 1e−38)), the
 * `partial` last block stores max(max|s|, 1e−38) and takes x = s/max; codes as `storeMoment` says.
 */
@inline function adam8bitBlock<V>(
  start: usize, end: usize, param: usize, grad: usize, codesM: usize, codesV: usize, absM: usize, absV: usize,
  workM: usize, workV: usize,
  gradScale: V, paramScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V,
  oneMinusBeta2: V, biasCorrection2Sqrt: V, eps: V, negStepSize: V,
  decoupled: bool, coupled: bool, bitsandbytes: bool, partial: bool, format: i32,
): void {
  const step: usize = isVector<V>() ? lanesOf<f32>() : 1;
  const oldM = load<f32>(absM);
  const oldV = load<f32>(absV);
  let largestM = splat<f32, V>(0);
  let largestV = splat<f32, V>(0);
  for (let i = start; i < end; i += step) {
    let p = loadAt<f32, V>(param, i);
    if (decoupled) p = mul<f32, V>(p, paramScale);
    const g = effectiveGradient<f32, V>(grad, i, gradScale, p, weightDecay, coupled);
    const m = ema<f32, V>(dequantizeMoment<V>(format, codesM, i, true, oldM), beta1, oneMinusBeta1, g);
    const v = emaOfSquare<f32, V>(dequantizeMoment<V>(format, codesV, i, false, oldV), beta2, oneMinusBeta2, g);
    largestM = largerMagnitude<V>(largestM, m);
    largestV = largerMagnitude<V>(largestV, v);
    storeAt<f32, V>(workM, i - start, m);
    storeAt<f32, V>(workV, i - start, v);
    const denom = add<f32, V>(div<f32, V>(sqrt<f32, V>(v), biasCorrection2Sqrt), eps);
    storeAt<f32, V>(param, i, add<f32, V>(p, div<f32, V>(mul<f32, V>(negStepSize, m), denom)));
  }
  let newM = largestLane<V>(largestM);
  let newV = largestLane<V>(largestV);
  // x = s·factor (bitsandbytes' whole blocks) or s/divisor.
  let factorM: f32 = 0;
  let factorV: f32 = 0;
  if (!bitsandbytes) {
    newM = torchaoScale(format, newM);
    newV = torchaoScale(format, newV);
  } else if (partial) {
    newM = max<f32, f32>(newM, BNB_SMALLEST_ABSMAX);
    newV = max<f32, f32>(newV, BNB_SMALLEST_ABSMAX);
  } else {
    factorM = <f32>1 / max<f32, f32>(newM, BNB_SMALLEST_ABSMAX);
    factorV = <f32>1 / max<f32, f32>(newV, BNB_SMALLEST_ABSMAX);
  }
  const byFactor = bitsandbytes && !partial;
  const scaleM = splat<f32, V>(byFactor ? factorM : newM);
  const scaleV = splat<f32, V>(byFactor ? factorV : newV);
  for (let i = start; i < end; i += step) {
    const m = loadAt<f32, V>(workM, i - start);
    const v = loadAt<f32, V>(workV, i - start);
    const xM = byFactor ? mul<f32, V>(m, scaleM) : div<f32, V>(m, scaleM);
    const xV = byFactor ? mul<f32, V>(v, scaleV) : div<f32, V>(v, scaleV);
    storeMoment<V>(format, codesM, i, true, xM, bitsandbytes);
    storeMoment<V>(format, codesV, i, false, xV, bitsandbytes);
  }
  store<f32>(absM, newM);
  store<f32>(absV, newV);
}

/** One tensor (a table entry at `entry`): by blocks when it has codes, else by Adam's float32 rule. */
@inline function adam8bitTensor<V>(
  entry: usize, blockSize: usize,
  gradScale: V, paramScale: V, weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V,
  oneMinusBeta2: V, biasCorrection2Sqrt: V, eps: V, negStepSize: V,
  decoupled: bool, coupled: bool, bitsandbytes: bool, format: i32,
): void {
  const n = <usize>load<u32>(entry);
  const param = <usize>load<u32>(entry, 4);
  const grad = <usize>load<u32>(entry, 8);
  const expAvg = <usize>load<u32>(entry, 12);
  const expAvgSq = <usize>load<u32>(entry, 16);
  const codesM = <usize>load<u32>(entry, 20);
  const codesV = <usize>load<u32>(entry, 24);
  const absM = <usize>load<u32>(entry, 28);
  const absV = <usize>load<u32>(entry, 32);
  const workM = <usize>load<u32>(entry, 36);
  const workV = workM + (blockSize << 2);
  if (codesM != 0) {
    for (let b: usize = 0, start: usize = 0; start < n; b++, start += blockSize) {
      const end = min<usize>(start + blockSize, n);
      const partial = end - start < blockSize; // bitsandbytes' last block only
      if (!isVector<V>() || (end - start) % lanesOf<f32>() == 0) {
        adam8bitBlock<V>(
          start, end, param, grad, codesM, codesV, absM + (b << 2), absV + (b << 2), workM, workV,
          gradScale, paramScale, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
          biasCorrection2Sqrt, eps, negStepSize, decoupled, coupled, bitsandbytes, partial, format,
        );
      } else {
        // A block that is not whole vectors, one element at a time.
        adam8bitBlock<f32>(
          start, end, param, grad, codesM, codesV, absM + (b << 2), absV + (b << 2), workM, workV,
          scalarOf<V>(gradScale), scalarOf<V>(paramScale), scalarOf<V>(weightDecay), scalarOf<V>(beta1),
          scalarOf<V>(oneMinusBeta1), scalarOf<V>(beta2), scalarOf<V>(oneMinusBeta2),
          scalarOf<V>(biasCorrection2Sqrt), scalarOf<V>(eps), scalarOf<V>(negStepSize),
          decoupled, coupled, bitsandbytes, partial, format,
        );
      }
    }
    return;
  }
  let i: usize = 0;
  if (isVector<V>()) {
    for (; i + lanesOf<f32>() <= n; i += lanesOf<f32>()) {
      adamAt<f32, V>(
        i, param, grad, expAvg, expAvgSq, 0, gradScale, paramScale, weightDecay, beta1, oneMinusBeta1,
        beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize, decoupled, coupled, false, false,
      );
    }
  }
  // The tail (or every element, in the scalar build) one at a time.
  for (; i < n; i++) {
    adamAt<f32, f32>(
      i, param, grad, expAvg, expAvgSq, 0, scalarOf<V>(gradScale), scalarOf<V>(paramScale),
      scalarOf<V>(weightDecay), scalarOf<V>(beta1), scalarOf<V>(oneMinusBeta1), scalarOf<V>(beta2),
      scalarOf<V>(oneMinusBeta2), scalarOf<V>(biasCorrection2Sqrt), scalarOf<V>(eps), scalarOf<V>(negStepSize),
      decoupled, coupled, false, false,
    );
  }
}

/** Lane 0 of a splatted scalar, or the scalar itself. */
@inline function scalarOf<V>(v: V): f32 {
  if (isVector<V>()) return f32x4.extract_lane(<v128>v, 0);
  return <f32>v;
}

/**
 * The tensors of the table with the flags and the format as literals, so each combination compiles
 * to its own loops (the 4-bit and FP8 kernels' too: they share this layout of table and scalars).
 */
@inline export function adam8bitTensors(
  table: usize, count: usize, scalars: usize, decoupled: bool, coupled: bool, bitsandbytes: bool, format: i32,
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
  const blockSize = <usize>load<f64>(scalars, 80);
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
      adam8bitTensor<v128>(
        table + t * 40, blockSize, gradScaleV, paramScaleV, weightDecayV, beta1V, oneMinusBeta1V, beta2V,
        oneMinusBeta2V, biasCorrection2SqrtV, epsV, negStepSizeV, decoupled, coupled, bitsandbytes, format,
      );
    }
  } else {
    for (let t: usize = 0; t < count; t++) {
      adam8bitTensor<f32>(
        table + t * 40, blockSize, gradScale, paramScale, weightDecay, beta1, oneMinusBeta1, beta2,
        oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize, decoupled, coupled, bitsandbytes, format,
      );
    }
  }
}

/**
 * Adam with blockwise 8-bit moments: one step of `count` float32 tensors. Table entries are
 * [n, param, grad, expAvg, expAvgSq, expAvgCodes, expAvgSqCodes, expAvgAbsmax, expAvgSqAbsmax,
 * workspace]: an 8-bit tensor has n codes of each moment and ⌈n/blockSize⌉ maxima (a block that
 * is not whole SIMD vectors, of a block size that is not a multiple of 4 or bitsandbytes' last
 * partial one, steps one element at a time), its float32 moments at address 0, and a workspace of
 * 2·blockSize float32 (16-byte aligned) that no other thread uses during the call; any other
 * tensor has float32 moments, and 0 for the rest. Scalars as adam8bit.json declares.
 */
export function adam8bit_f32(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, 88);
  switch (flags) {
    case 0: adam8bitTensors(table, count, scalars, false, false, false, BLOCKWISE8); break;
    case 1: adam8bitTensors(table, count, scalars, true, false, false, BLOCKWISE8); break;
    case 2: adam8bitTensors(table, count, scalars, false, true, false, BLOCKWISE8); break;
    case 3: adam8bitTensors(table, count, scalars, true, true, false, BLOCKWISE8); break;
    case 4: adam8bitTensors(table, count, scalars, false, false, true, BLOCKWISE8); break;
    case 5: adam8bitTensors(table, count, scalars, true, false, true, BLOCKWISE8); break;
    case 6: adam8bitTensors(table, count, scalars, false, true, true, BLOCKWISE8); break;
    case 7: adam8bitTensors(table, count, scalars, true, true, true, BLOCKWISE8); break;
    default: unreachable();
  }
}

/** 8-bit moments are kept for float32 parameters only: the host never calls this (it refuses float64). */
export function adam8bit_f64(table: usize, count: usize, scalars: usize): void {
  unreachable();
}
