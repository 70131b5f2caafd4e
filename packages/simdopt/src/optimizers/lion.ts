import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import { deepFreeze } from "../runtime/freeze.js";

/**
 * Options of `Lion`, as the Lion paper's reference code names them in camelCase; every one optional (defaults:
 * `lionDefaults`).
 */
export interface LionOptions {
  /** Learning rate γ. Default 1e-4. */
  lr?: number;
  /** `[β1, β2]`: β1 interpolates the update's direction, β2 decays the momentum. */
  betas?: [number, number];
  /** Decoupled: θ ← θ(1 − γλ) before the update. */
  weightDecay?: number;
  /** Ascend the objective instead of descending it (torch's `maximize`). Default false. */
  maximize?: boolean;
}

/** The reference implementation's defaults (google/automl lion_pytorch.py). */
export const lionDefaults: Required<LionOptions> = deepFreeze({
  lr: 1e-4,
  betas: [0.9, 0.99],
  weightDecay: 0,
  maximize: false,
});

export const lionDefinition: OptimizerDefinition<LionOptions, "lion"> = {
  title: "Lion",
  kernel: "lion",
  defaults: lionDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.betas(o.betas);
    check.nonNegative("weightDecay", o.weightDecay);
    check.boolean("maximize", o.maximize);
  },
  buffers: () => ({ expAvg: 0 }),
  plan(o) {
    const [beta1, beta2] = o.betas;
    return {
      scalars: {
        gradScale: gradScale(o.maximize),
        paramScale: 1 - o.lr * o.weightDecay,
        beta1,
        oneMinusBeta1: 1 - beta1,
        beta2,
        oneMinusBeta2: 1 - beta2,
        negLr: -o.lr,
      },
      flags: { decoupled: o.weightDecay !== 0 },
    };
  },
};

/**
 * Lion, evolved sign momentum (Chen et al., 2023, https://arxiv.org/abs/2302.06675), as the
 * authors' lion_pytorch.py computes it (sign(0) = 0):
 *
 *     θ ← θ(1 − γλ);   c = β1·m + (1 − β1)g;   θ ← θ − γ·sign(c);   m ← β2·m + (1 − β2)g
 *
 * One state buffer (m) instead of Adam's two; its lr is typically 3–10 times smaller than AdamW's.
 */
export class Lion extends Optimizer<LionOptions> {
  constructor(params: ParamsInput<LionOptions>, options: LionOptions = {}) {
    super(params, options, lionDefinition);
  }
}
