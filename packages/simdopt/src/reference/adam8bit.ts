import type { ReferenceRule } from "./kernels.js";
import { adamReference } from "./adam.js";
import { blockScale, codeAt, mapOf, normalised, quantizedCode, setCode, type QuantizedFormat } from "./quantize.js";
import { effectiveGradient, ema, emaOfSquare } from "./rules.js";

/**
 * Adam and AdamW with blockwise low-bit moments, the specification of `adam8bit_f32`,
 * `adam4bit_f32` and `adamFp8_f32` (see assembly/optimizers/adam8bit.ts), each in its `format`:
 * per block, m and v from the dequantized state as Adam forms them, the parameter stepped with
 * them unquantized, and their codes stored against the block's new scales (torchao's rules, or
 * bitsandbytes' with its flag: see the kernel's adam8bitBlock). A tensor without codes steps by
 * Adam's float32 rule.
 */
export function blockwiseAdamReference(format: QuantizedFormat): ReferenceRule<"adam8bit"> {
  const [mapM, mapV] = [mapOf(format, true), mapOf(format, false)];
  return (r, buffers, scalars, flags) => {
    const { param, grad, expAvg, expAvgSq, expAvgCodes, expAvgSqCodes, expAvgAbsmax, expAvgSqAbsmax } = buffers;
    if (!(param instanceof Float32Array))
      throw new Error("simdopt: 8-bit moments are kept for float32 parameters only");
    const { gradScale, paramScale, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2 } = scalars;
    const { biasCorrection2Sqrt, eps, negStepSize, blockSize } = scalars;
    if (expAvgCodes.length === 0) {
      adamReference(
        r,
        { param, grad, expAvg, expAvgSq, maxExpAvgSq: expAvg.subarray(0, 0) },
        scalars,
        {
          ...flags,
          amsgrad: false,
          withLerp: false,
        },
        [],
      );
      return;
    }
    // Codes and maxima are u8 and float32 arrays (state-elements.ts), whatever the rule's generic type says.
    const [codesM, codesV] = [expAvgCodes, expAvgSqCodes] as unknown as Uint8Array[];
    const [absM, absV] = [expAvgAbsmax, expAvgSqAbsmax];
    const moments = (i: number, oldM: number, oldV: number) => {
      let p = param[i];
      if (flags.decoupled) p = r(p * paramScale);
      const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
      const m = ema(r, r(mapM[codeAt(codesM, i, format)] * oldM), beta1, oneMinusBeta1, g);
      const v = emaOfSquare(r, r(mapV[codeAt(codesV, i, format)] * oldV), beta2, oneMinusBeta2, g);
      return { p, m, v };
    };
    // The 4-bit and FP8 kernels have no bitsandbytes flag.
    const bitsandbytes = (flags as { bitsandbytes?: boolean }).bitsandbytes === true;
    for (let b = 0, start = 0; start < param.length; b++, start += blockSize) {
      const end = Math.min(start + blockSize, param.length);
      const partial = end - start < blockSize;
      const [oldM, oldV] = [absM[b], absV[b]];
      let largestM = 0;
      let largestV = 0;
      for (let i = start; i < end; i++) {
        const { m, v } = moments(i, oldM, oldV);
        largestM = Math.max(largestM, Math.abs(m));
        largestV = Math.max(largestV, Math.abs(v));
      }
      const scaleM = blockScale(r, largestM, partial, bitsandbytes, format);
      const scaleV = blockScale(r, largestV, partial, bitsandbytes, format);
      for (let i = start; i < end; i++) {
        const { p, m, v } = moments(i, oldM, oldV);
        setCode(codesM, i, format, quantizedCode(normalised(r, m, scaleM), format, true, bitsandbytes));
        setCode(codesV, i, format, quantizedCode(normalised(r, v, scaleV), format, false, bitsandbytes));
        const denom = r(r(r(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
        param[i] = r(p + r(r(negStepSize * m) / denom));
      }
      absM[b] = scaleM.absmax;
      absV[b] = scaleV.absmax;
    }
  };
}

export const adam8bitReference = blockwiseAdamReference("blockwise8");
