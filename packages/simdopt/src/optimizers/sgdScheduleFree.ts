import type { OptimizerDefinition, ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { checkSchedule } from "./adamwScheduleFree.js";
import {
  planScheduleFree,
  ScheduleFreeOptimizer,
  scheduleFreeInitialState,
  type ScheduleFreeSharedOptions,
} from "./scheduleFree.js";

export interface SGDScheduleFreeOptions extends ScheduleFreeSharedOptions {
  /** β, in (0, 1): interpolates y between x and z. */
  momentum?: number;
}

/** The reference's defaults (facebookresearch/schedule_free, SGDScheduleFree). */
export const sgdScheduleFreeDefaults: Required<SGDScheduleFreeOptions> = {
  lr: 1.0,
  momentum: 0.9,
  weightDecay: 0,
  warmupSteps: 0,
  r: 0,
  weightLrPower: 2,
};

export const sgdScheduleFreeDefinition: OptimizerDefinition<SGDScheduleFreeOptions, "scheduleFree"> = {
  title: "SGDScheduleFree",
  steps: "shared", // the reference counts steps per group (its k)
  kernel: "scheduleFree",
  defaults: sgdScheduleFreeDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    const momentum = check.number("momentum", o.momentum);
    if (!(momentum > 0 && momentum < 1)) check.fail(`invalid momentum: ${momentum} (must be in (0, 1))`);
    check.nonNegative("weightDecay", o.weightDecay);
    checkSchedule(o, check);
  },
  buffers: () => ({ z: 0, expAvgSq: null, expAvg: null }),
  initialState: scheduleFreeInitialState,
  plan: (o, t, state) => planScheduleFree("SGDScheduleFree", o, t, state, o.momentum, null),
};

/**
 * Schedule-free SGD (Defazio et al., 2024, https://arxiv.org/abs/2405.15682), as
 * facebookresearch/schedule_free's SGDScheduleFree computes it. Per step k, with y the parameter:
 *
 *     d = g + λ·y;   c = w_k / Σw;   y ← y + c·(z − y) + γ_k·(β·(1 − c) − 1)·d;   z ← z − γ_k·d
 *
 * `eval()` / `train()` switch the parameters between the average x and y, as AdamWScheduleFree's.
 */
export class SGDScheduleFree extends ScheduleFreeOptimizer<SGDScheduleFreeOptions> {
  constructor(params: ParamsInput<SGDScheduleFreeOptions>, options: SGDScheduleFreeOptions & TrainingOptions = {}) {
    super(params, options, sgdScheduleFreeDefinition);
  }

  protected override interpolation(options: Required<SGDScheduleFreeOptions>): number {
    return options.momentum;
  }
}
