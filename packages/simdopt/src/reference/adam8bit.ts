import type { ReferenceRule } from "./kernels.js";
import { STATE_MAPS } from "../generated/maps.js";
import { adamReference } from "./adam.js";
import { blockScale, codeOf, normalised } from "./quantize.js";
import { effectiveGradient, ema, emaOfSquare } from "./rules.js";

const SIGNED = Float32Array.from(STATE_MAPS.dynamic8_signed);
const UNSIGNED = Float32Array.from(STATE_MAPS.dynamic8_unsigned);

/**
 * Adam and AdamW with blockwise 8-bit moments, the specification of `adam8bit_f32` (see
 * assembly/optimizers/adam8bit.ts): per block, m and v from the dequantized state as Adam forms
 * them, the parameter stepped with them unquantized, and their nearest codes stored against the
 * block's new absolute maxima (torchao's rules, or bitsandbytes' with its flag: see the kernel's
 * adam8bitBlock). A tensor without codes steps by Adam's float32 rule.
 */
export const adam8bitReference: ReferenceRule<"adam8bit"> = (r, buffers, scalars, flags) => {
  const { param, grad, expAvg, expAvgSq, expAvgCodes, expAvgSqCodes, expAvgAbsmax, expAvgSqAbsmax } = buffers;
  if (!(param instanceof Float32Array)) throw new Error("simdopt: 8-bit moments are kept for float32 parameters only");
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
    const m = ema(r, r(SIGNED[codesM[i]] * oldM), beta1, oneMinusBeta1, g);
    const v = emaOfSquare(r, r(UNSIGNED[codesV[i]] * oldV), beta2, oneMinusBeta2, g);
    return { p, m, v };
  };
  const tiesDown = flags.bitsandbytes;
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
    const scaleM = blockScale(r, largestM, partial, flags.bitsandbytes);
    const scaleV = blockScale(r, largestV, partial, flags.bitsandbytes);
    for (let i = start; i < end; i++) {
      const { p, m, v } = moments(i, oldM, oldV);
      codesM[i] = codeOf(normalised(r, m, scaleM), SIGNED, tiesDown);
      codesV[i] = codeOf(normalised(r, v, scaleV), UNSIGNED, tiesDown);
      const denom = r(r(r(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
      param[i] = r(p + r(r(negStepSize * m) / denom));
    }
    absM[b] = scaleM.absmax;
    absV[b] = scaleV.absmax;
  }
};
