/**
 * bitsandbytes' 8-bit Adam and AdamW (`bnb.optim.Adam8bit`, `AdamW8bit`, bitsandbytes 0.50) on the
 * 8-bit Adam kernel with its `bitsandbytes` flag: the same dynamic maps and blocks of 256, but its
 * own rules where they differ from torchao's. Both classes decay the weights decoupled, by
 * p·(1 − lr·λ) before the step (as bitsandbytes' CPU and Triton code do; its CUDA kernel decays
 * after the step); a tensor of at least `min8bitSize` elements is 8-bit, its last block may be
 * partial; codes are the nearest map values with ties down, from s·(1/max) (s/max on a partial
 * block); a block of zeros stores a maximum of 0; smaller tensors step in float32. Scalars are
 * doubles rounded once to float32. No amsgrad (bitsandbytes refuses it).
 */
import { deepFreeze } from "../runtime/freeze.js";
import { Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";

export interface BnbAdam8bitOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Decoupled: p·(1 − lr·λ) before the step, in both classes (bitsandbytes' `weight_decay`). */
  weightDecay?: number;
  /** Tensors with fewer elements keep float32 state (bitsandbytes' `min_8bit_size`). */
  min8bitSize?: number;
}

export const bnbAdam8bitDefaults: Required<BnbAdam8bitOptions> = deepFreeze({
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  min8bitSize: 4096,
});

export const bnbAdamW8bitDefaults: Required<BnbAdam8bitOptions> = deepFreeze({
  ...bnbAdam8bitDefaults,
  weightDecay: 1e-2,
});

/** bitsandbytes' blocks: 256 elements. */
const BLOCK = 256;

function bnbAdam8bitFamily(
  title: string,
  defaults: Required<BnbAdam8bitOptions>,
): OptimizerDefinition<BnbAdam8bitOptions, "adam8bit"> {
  return {
    title,
    kernel: "adam8bit",
    defaults,
    validate(o, check) {
      check.nonNegative("lr", o.lr);
      check.nonNegative("eps", o.eps);
      check.betas(o.betas);
      check.nonNegative("weightDecay", o.weightDecay);
      const size = check.number("min8bitSize", o.min8bitSize);
      if (!(Number.isInteger(size) && size >= 1))
        check.fail(`invalid min8bitSize: ${size} (must be a whole number >= 1)`);
    },
    buffers: () => ({
      expAvg: 0,
      expAvgSq: 0,
      expAvgCodes: 0,
      expAvgSqCodes: 0,
      expAvgAbsmax: 0,
      expAvgSqAbsmax: 0,
    }),
    // Threads cut an 8-bit tensor at its blocks (its last may be partial).
    stateBlock: (o, n) => (n >= o.min8bitSize ? BLOCK : null),
    bufferLengths(o, _shape, n) {
      const quantized = n >= o.min8bitSize;
      const blocks = quantized ? Math.ceil(n / BLOCK) : 0;
      const [float, codes] = quantized ? [0, n] : [n, 0];
      return {
        expAvg: float,
        expAvgSq: float,
        expAvgCodes: codes,
        expAvgSqCodes: codes,
        expAvgAbsmax: blocks,
        expAvgSqAbsmax: blocks,
      };
    },
    plan(o, t) {
      const [beta1, beta2] = o.betas;
      return {
        scalars: {
          gradScale: 1,
          paramScale: 1 - o.lr * o.weightDecay,
          weightDecay: 0,
          beta1,
          oneMinusBeta1: 1 - beta1,
          beta2,
          oneMinusBeta2: 1 - beta2,
          biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** t),
          eps: o.eps,
          negStepSize: -(o.lr / (1 - beta1 ** t)),
          blockSize: BLOCK,
        },
        flags: { decoupled: o.weightDecay !== 0, coupled: false, bitsandbytes: true },
      };
    },
  };
}

export const bnbAdam8bitDefinition = bnbAdam8bitFamily("BnbAdam8bit", bnbAdam8bitDefaults);
export const bnbAdamW8bitDefinition = bnbAdam8bitFamily("BnbAdamW8bit", bnbAdamW8bitDefaults);

/** bitsandbytes' `Adam8bit` (see the module comment); weightDecay 0 by default. */
export class BnbAdam8bit extends Optimizer<BnbAdam8bitOptions> {
  constructor(params: ParamsInput<BnbAdam8bitOptions>, options: BnbAdam8bitOptions & TrainingOptions = {}) {
    super(params, options, bnbAdam8bitDefinition);
  }
}

/** bitsandbytes' `AdamW8bit`: the same update, weightDecay 1e-2 by default. */
export class BnbAdamW8bit extends Optimizer<BnbAdam8bitOptions> {
  constructor(params: ParamsInput<BnbAdam8bitOptions>, options: BnbAdam8bitOptions & TrainingOptions = {}) {
    super(params, options, bnbAdamW8bitDefinition);
  }
}
