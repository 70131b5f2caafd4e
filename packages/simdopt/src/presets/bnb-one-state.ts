/**
 * bitsandbytes' 8-bit optimizers of one state (`bnb.optim.Lion8bit`, `SGD8bit`, `RMSprop8bit`,
 * `Adagrad8bit`, bitsandbytes 0.50) on the `bnb8bit` kernel: the state of a tensor of at least
 * `min8bitSize` elements is a code per element into bitsandbytes' signed dynamic map (for every
 * one of them, even the averages of g²) with one float32 maximum per block of 256, its last block
 * possibly partial, codes the nearest map values with ties down; smaller tensors keep it in
 * float32. The formulas are bitsandbytes' CPU backend's (its CUDA kernels differ: see the golden
 * folder's README), scalars doubles rounded once to float32:
 * - Lion: p·(1 − lr·λ), then p − lr·sign(β1·ŝ + (1−β1)·g), and s = β2·ŝ + (1−β2)·g;
 * - SGD: g′ = g + λ·p, s = μ·ŝ + g′ (g′ at the first step), p − lr·s;
 * - RMSprop: g′ = g + λ·p, s = α·ŝ + (1−α)·g′², p − lr·g′/(√s + ε);
 * - Adagrad: g′ = g + λ·p, s = ŝ + g′², p − lr·g′/(√s + ε).
 * What bitsandbytes ignores without a word (SGD8bit's dampening and nesterov, RMSprop8bit's
 * momentum) or refuses (centered RMSprop, Adagrad's lr_decay and initial accumulator) is not an
 * option here.
 */
import { deepFreeze } from "../runtime/freeze.js";
import { Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { FlagsOf, ScalarsOf } from "../runtime/kernels.js";
import type { OptionChecker } from "../runtime/validate.js";
import type { TrainingOptions } from "../training/training-options.js";

/** bitsandbytes' blocks: 256 elements. */
const BLOCK = 256;

/** Options every one of them has. */
interface Bnb8bitOptions {
  /** Learning rate. */
  lr?: number;
  /** λ: coupled (g + λ·p) in SGD, RMSprop and Adagrad; decoupled (p·(1 − lr·λ) first) in Lion. Default 0. */
  weightDecay?: number;
  /** Tensors with fewer elements keep float32 state (bitsandbytes' `min_8bit_size`). Default 4096. */
  min8bitSize?: number;
}

/** Options of `BnbLion8bit`: bitsandbytes' Lion8bit arguments in camelCase. */
export interface BnbLion8bitOptions extends Bnb8bitOptions {
  /** β1, the interpolation whose sign steps, and β2, the momentum's decay. Default [0.9, 0.99]. */
  betas?: [number, number];
}

/** Options of `BnbSGD8bit`: bitsandbytes' SGD8bit arguments in camelCase. */
export interface BnbSGD8bitOptions extends Bnb8bitOptions {
  /** Momentum μ, required and above 0 (bitsandbytes keeps no 8-bit state for plain SGD). */
  momentum?: number;
}

/** Options of `BnbRMSprop8bit`: bitsandbytes' RMSprop8bit arguments in camelCase. */
export interface BnbRMSprop8bitOptions extends Bnb8bitOptions {
  /** α, the decay of the average of g², in (0, 1). Default 0.99. */
  alpha?: number;
  /** Term added to the denominator. Default 1e-8. */
  eps?: number;
}

/** Options of `BnbAdagrad8bit`: bitsandbytes' Adagrad8bit arguments in camelCase. */
export interface BnbAdagrad8bitOptions extends Bnb8bitOptions {
  /** Term added to the denominator. Default 1e-10. */
  eps?: number;
}

const common = { weightDecay: 0, min8bitSize: 4096 };

/** `BnbLion8bit`'s defaults (bitsandbytes' Lion8bit's). */
export const bnbLion8bitDefaults: Required<BnbLion8bitOptions> = deepFreeze({
  lr: 1e-4,
  betas: [0.9, 0.99],
  ...common,
});
/** `BnbSGD8bit`'s defaults: lr and momentum have none (NaN and 0 are refused: give both). */
export const bnbSGD8bitDefaults: Required<BnbSGD8bitOptions> = deepFreeze({ lr: Number.NaN, momentum: 0, ...common });
/** `BnbRMSprop8bit`'s defaults (bitsandbytes' RMSprop8bit's). */
export const bnbRMSprop8bitDefaults: Required<BnbRMSprop8bitOptions> = deepFreeze({
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  ...common,
});
/** `BnbAdagrad8bit`'s defaults (bitsandbytes' Adagrad8bit's). */
export const bnbAdagrad8bitDefaults: Required<BnbAdagrad8bitOptions> = deepFreeze({ lr: 1e-2, eps: 1e-10, ...common });

/** The scalars of the `bnb8bit` kernel that a rule leaves unused. */
const UNUSED = { weightDecay: 0, paramScale: 1, beta1: 0, oneMinusBeta1: 1, beta2: 0, oneMinusBeta2: 1, eps: 0 };
const NO_RULE = { lion: false, momentum: false, rmsprop: false, adagrad: false, coupled: false, decoupled: false };

/** The options every one of them has, of a definition's options. */
const shared = (o: Bnb8bitOptions) => o as Required<Bnb8bitOptions>;

/**
 * A definition on the `bnb8bit` kernel: the checks every one of them makes, the state's layout,
 * and the plan from the rule's own scalars and flags.
 */
function bnb8bitDefinition<O extends Bnb8bitOptions>(
  title: string,
  defaults: Required<O>,
  validate: (o: Required<O>, check: OptionChecker) => void,
  /** The rule's own scalars and flags (the rest: unused values, flags off). */
  rule: (o: Required<O>) => { scalars: Partial<ScalarsOf<"bnb8bit">>; flags: Partial<FlagsOf<"bnb8bit">> },
): OptimizerDefinition<O, "bnb8bit"> {
  return {
    title,
    kernel: "bnb8bit",
    defaults,
    validate(options, check) {
      const o = shared(options);
      if (Number.isNaN(o.lr))
        check.fail(`option 'lr' must be given (${title} has no default learning rate)`, TypeError);
      check.nonNegative("lr", o.lr);
      check.nonNegative("weightDecay", o.weightDecay);
      const size = check.number("min8bitSize", o.min8bitSize);
      if (!(Number.isInteger(size) && size >= 1))
        check.fail(`invalid min8bitSize: ${size} (must be a whole number >= 1)`);
      validate(options, check);
    },
    // Zero state: codes 0 with maxima 0 dequantize to 0.
    buffers: () => ({ state1: 0, state1Codes: 0, state1Absmax: 0 }),
    // Threads cut an 8-bit tensor at its blocks (its last may be partial).
    stateBlock: (o, n) => (n >= shared(o).min8bitSize ? BLOCK : null),
    bufferLengths(o, _shape, n) {
      const quantized = n >= shared(o).min8bitSize;
      return {
        state1: quantized ? 0 : n,
        state1Codes: quantized ? n : 0,
        state1Absmax: quantized ? Math.ceil(n / BLOCK) : 0,
      };
    },
    plan(o) {
      const { scalars, flags } = rule(o);
      return {
        scalars: { gradScale: 1, ...UNUSED, ...scalars, negLr: -shared(o).lr, blockSize: BLOCK },
        flags: { ...NO_RULE, ...flags },
      };
    },
  };
}

export const bnbLion8bitDefinition = bnb8bitDefinition<BnbLion8bitOptions>(
  "BnbLion8bit",
  bnbLion8bitDefaults,
  (o, check) => check.betas(o.betas),
  (o) => ({
    scalars: {
      paramScale: 1 - o.lr * o.weightDecay,
      beta1: o.betas[0],
      oneMinusBeta1: 1 - o.betas[0],
      beta2: o.betas[1],
      oneMinusBeta2: 1 - o.betas[1],
    },
    flags: { lion: true, decoupled: o.weightDecay !== 0 },
  }),
);

export const bnbSGD8bitDefinition = bnb8bitDefinition<BnbSGD8bitOptions>(
  "BnbSGD8bit",
  bnbSGD8bitDefaults,
  (o, check) => {
    const momentum = check.inRange("momentum", o.momentum, 0, 1);
    if (momentum === 0)
      check.fail("option 'momentum' must be above 0 (bitsandbytes' SGD8bit has no plain SGD: use SGD for that)");
  },
  (o) => ({
    scalars: { weightDecay: o.weightDecay, beta1: o.momentum },
    flags: { momentum: true, coupled: o.weightDecay !== 0 },
  }),
);

export const bnbRMSprop8bitDefinition = bnb8bitDefinition<BnbRMSprop8bitOptions>(
  "BnbRMSprop8bit",
  bnbRMSprop8bitDefaults,
  (o, check) => {
    check.nonNegative("eps", o.eps);
    const alpha = check.inRange("alpha", o.alpha, 0, 1);
    if (alpha === 0) check.fail("invalid alpha: 0 (must be in (0, 1), as bitsandbytes' RMSprop8bit requires)");
  },
  (o) => ({
    scalars: { weightDecay: o.weightDecay, beta1: o.alpha, oneMinusBeta1: 1 - o.alpha, eps: o.eps },
    flags: { rmsprop: true, coupled: o.weightDecay !== 0 },
  }),
);

export const bnbAdagrad8bitDefinition = bnb8bitDefinition<BnbAdagrad8bitOptions>(
  "BnbAdagrad8bit",
  bnbAdagrad8bitDefaults,
  (o, check) => check.nonNegative("eps", o.eps),
  (o) => ({
    scalars: { weightDecay: o.weightDecay, eps: o.eps },
    flags: { adagrad: true, coupled: o.weightDecay !== 0 },
  }),
);

/** bitsandbytes' `Lion8bit` (see the module comment). */
export class BnbLion8bit extends Optimizer<BnbLion8bitOptions> {
  constructor(params: ParamsInput<BnbLion8bitOptions>, options: BnbLion8bitOptions & TrainingOptions = {}) {
    super(params, options, bnbLion8bitDefinition);
  }
}

/** bitsandbytes' `SGD8bit`, SGD with momentum (see the module comment): give `lr` and `momentum`. */
export class BnbSGD8bit extends Optimizer<BnbSGD8bitOptions> {
  constructor(params: ParamsInput<BnbSGD8bitOptions>, options: BnbSGD8bitOptions & TrainingOptions = {}) {
    super(params, options, bnbSGD8bitDefinition);
  }
}

/** bitsandbytes' `RMSprop8bit` (see the module comment). */
export class BnbRMSprop8bit extends Optimizer<BnbRMSprop8bitOptions> {
  constructor(params: ParamsInput<BnbRMSprop8bitOptions>, options: BnbRMSprop8bitOptions & TrainingOptions = {}) {
    super(params, options, bnbRMSprop8bitDefinition);
  }
}

/** bitsandbytes' `Adagrad8bit` (see the module comment). */
export class BnbAdagrad8bit extends Optimizer<BnbAdagrad8bitOptions> {
  constructor(params: ParamsInput<BnbAdagrad8bitOptions>, options: BnbAdagrad8bitOptions & TrainingOptions = {}) {
    super(params, options, bnbAdagrad8bitDefinition);
  }
}
