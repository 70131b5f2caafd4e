import type { OptimizerDefinition, ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import {
  planScheduleFree,
  ScheduleFreeOptimizer,
  scheduleFreeInitialState,
  type ScheduleFreeSharedOptions,
} from "./scheduleFree.js";

export interface AdamWScheduleFreeOptions extends ScheduleFreeSharedOptions {
  /** `[β1, β2]`: β1 interpolates y between x and z (it is not a momentum of the gradient), β2 decays v. */
  betas?: [number, number];
  /** Term added to the denominator for numerical stability. Default 1e-8. */
  eps?: number;
  /** μ of an inner momentum of the gradient ("ScheduleFree+"; 0: none, and no buffer). */
  innerMomentum?: number;
}

/** The reference's defaults (facebookresearch/schedule_free, AdamWScheduleFree). */
export const adamwScheduleFreeDefaults: Required<AdamWScheduleFreeOptions> = {
  lr: 0.0025,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  warmupSteps: 0,
  r: 0,
  weightLrPower: 2,
  innerMomentum: 0,
};

export const adamwScheduleFreeDefinition: OptimizerDefinition<AdamWScheduleFreeOptions, "scheduleFree"> = {
  title: "AdamWScheduleFree",
  steps: "shared", // the reference counts steps per group (its k)
  kernel: "scheduleFree",
  defaults: adamwScheduleFreeDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    const [beta1] = check.betas(o.betas);
    // eval() moves the parameters by 1 − 1/β1.
    if (beta1 === 0) check.fail("invalid beta parameter at index 0: 0 (must be in (0, 1): eval() divides by it)");
    check.nonNegative("eps", o.eps);
    check.nonNegative("weightDecay", o.weightDecay);
    check.inRange("innerMomentum", o.innerMomentum, 0, 1);
    checkSchedule(o, check);
  },
  buffers: (o) => ({ z: 0, expAvgSq: 0, expAvg: o.innerMomentum !== 0 ? 0 : null }),
  initialState: scheduleFreeInitialState,
  plan: (o, t, state) =>
    planScheduleFree("AdamWScheduleFree", o, t, state, o.betas[0], {
      beta2: o.betas[1],
      eps: o.eps,
      innerMomentum: o.innerMomentum,
    }),
};

/** Checks of warmupSteps, r and weightLrPower, shared with SGDScheduleFree. */
export function checkSchedule(
  o: Required<ScheduleFreeSharedOptions>,
  check: { nonNegative(name: string, value: unknown): number; fail(message: string): never },
): void {
  if (!Number.isInteger(check.nonNegative("warmupSteps", o.warmupSteps)))
    check.fail(`invalid warmupSteps: ${o.warmupSteps} (must be a whole number)`);
  check.nonNegative("r", o.r);
  check.nonNegative("weightLrPower", o.weightLrPower);
}

/**
 * Schedule-free AdamW (Defazio et al., 2024, https://arxiv.org/abs/2405.15682), as
 * facebookresearch/schedule_free's AdamWScheduleFree computes it: no learning-rate schedule to
 * tune, the average of the iterates is what to evaluate. Per step k, with y the parameter:
 *
 *     v ← β2·v + (1−β2)·g²;   d = g / (√(v/(1−β2^(k+1))) + ε) + λ·y
 *     c = w_k / Σw;   y ← y + c·(z − y) + γ_k·(β1·(1 − c) − 1)·d;   z ← z − γ_k·d
 *
 * Call `eval()` before evaluating or saving (the parameters become the average x) and `train()`
 * before stepping again. Unlike the reference, it starts in train mode (the switch moves nothing
 * before the first step) and leaves the gradients as they are (the reference divides them in place).
 */
export class AdamWScheduleFree extends ScheduleFreeOptimizer<AdamWScheduleFreeOptions> {
  constructor(params: ParamsInput<AdamWScheduleFreeOptions>, options: AdamWScheduleFreeOptions & TrainingOptions = {}) {
    super(params, options, adamwScheduleFreeDefinition);
  }

  protected override interpolation(options: Required<AdamWScheduleFreeOptions>): number {
    return options.betas[0];
  }
}
