import type { ReferenceRule } from "./kernels.js";
import { STATE_MAPS } from "../generated/maps.js";
import { blockScale, codeOf, normalised } from "./quantize.js";
import { effectiveGradient, ema, emaOfSquare, fma, sign, type Round } from "./rules.js";

const SIGNED = Float32Array.from(STATE_MAPS.dynamic8_signed);

/**
 * Lion, SGD with momentum, RMSprop and Adagrad with one blockwise 8-bit state, the specification
 * of `bnb8bit_f32` (see assembly/optimizers/bnb8bit.ts): per block, the new state from the
 * dequantized one by the rule its flag names, the parameter stepped with it unquantized, and its
 * nearest codes in bitsandbytes' signed dynamic map stored against the block's new absolute
 * maximum (bitsandbytes' quantizer). A tensor without codes keeps its state in float32.
 */
export const bnb8bitReference: ReferenceRule<"bnb8bit"> = (r, buffers, scalars, flags) => {
  const { param, grad, state1, state1Codes, state1Absmax } = buffers;
  if (!(param instanceof Float32Array)) throw new Error("simdopt: 8-bit state is kept for float32 parameters only");
  // The new state of element i from `old`, with the parameter stepped (see the kernel's stepAt).
  const stepAt = (i: number, old: number, quantized: boolean): number => {
    const { gradScale, weightDecay, paramScale, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, negLr } = scalars;
    let p = param[i];
    if (flags.decoupled) p = r(p * paramScale);
    const g = effectiveGradient(r, grad[i], gradScale, p, weightDecay, flags.coupled);
    if (flags.lion) {
      const c = quantized ? r(r(old * beta1) + r(g * oneMinusBeta1)) : ema(r, old, beta1, oneMinusBeta1, g);
      param[i] = fma(r, negLr, sign(c), p);
      return ema(r, old, beta2, oneMinusBeta2, g);
    }
    if (flags.momentum) {
      const s = r(r(old * beta1) + g);
      param[i] = fma(r, negLr, s, p);
      return s;
    }
    const s = flags.rmsprop ? emaOfSquare(r, old, beta1, oneMinusBeta1, g) : fma(r, g, g, old);
    param[i] = r(p + r(r(negLr * g) / r(r(Math.sqrt(s)) + eps)));
    return s;
  };
  if (state1Codes.length === 0) {
    for (let i = 0; i < param.length; i++) state1[i] = stepAt(i, state1[i], false);
    return;
  }
  stepBlocks(r, param.length, scalars.blockSize, state1Codes as unknown as Uint8Array, state1Absmax, stepAt);
};

/** Each block of an 8-bit tensor: its new state by `stepAt`, then its codes against the block's new maximum. */
function stepBlocks(
  r: Round,
  n: number,
  blockSize: number,
  codes: Uint8Array,
  absmax: ArrayLike<number> & { [b: number]: number },
  stepAt: (i: number, old: number, quantized: boolean) => number,
): void {
  const work = new Float32Array(blockSize);
  for (let b = 0, start = 0; start < n; b++, start += blockSize) {
    const end = Math.min(start + blockSize, n);
    let largest = 0;
    for (let i = start; i < end; i++) {
      const s = stepAt(i, r(SIGNED[codes[i]] * absmax[b]), true);
      work[i - start] = s;
      largest = Math.max(largest, Math.abs(s));
    }
    const scale = blockScale(r, largest, end - start < blockSize, true);
    for (let i = start; i < end; i++) codes[i] = codeOf(normalised(r, work[i - start], scale), SIGNED, true);
    absmax[b] = scale.absmax;
  }
}
