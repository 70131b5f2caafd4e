import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

export interface SGDOptions {
  /** Learning rate: 1e-3 unless given, as in torch 2 (torch 1.13 required it). */
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export const sgdDefaults: Required<SGDOptions> = deepFreeze({
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
});

export const sgdDefinition: OptimizerDefinition<SGDOptions, "sgd"> = {
  title: "SGD",
  kernel: "sgd",
  defaults: sgdDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.nonNegative("momentum", o.momentum);
    check.number("dampening", o.dampening);
    check.nonNegative("weightDecay", o.weightDecay);
    check.boolean("maximize", o.maximize);
    if (check.boolean("nesterov", o.nesterov) && (o.momentum <= 0 || o.dampening !== 0)) {
      check.fail(
        `Nesterov momentum requires a momentum and zero dampening, got momentum ${o.momentum} and dampening ${o.dampening}`,
      );
    }
  },
  buffers: (o) => ({ momentumBuffer: o.momentum !== 0 ? 0 : null }),
  // torch adds a sparse gradient to the parameter row by row; its momentum buffer collects every
  // step's rows and moves them all, so with momentum every row moves: the dense rule then.
  sparse: (o) =>
    o.weightDecay !== 0
      ? {
          refused: `weightDecay ${o.weightDecay} is not supported with sparse gradients (torch: add(sparse, dense) is not supported)`,
        }
      : o.momentum !== 0
        ? "dense"
        : "rows",
  plan: (o, t) => ({
    scalars: {
      gradScale: gradScale(o.maximize),
      paramScale: 1,
      weightDecay: o.weightDecay,
      momentum: o.momentum,
      oneMinusDampening: 1 - o.dampening,
      negLr: -o.lr,
    },
    flags: {
      coupled: o.weightDecay !== 0,
      decoupled: false,
      withMomentum: o.momentum !== 0,
      firstStep: t === 1,
      nesterov: o.nesterov,
    },
  }),
};

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, as torch.optim.SGD computes it:
 *
 *     g ← ∇ + λθ;   b ← g (first step), μb + (1 − τ)g (later);   g ← g + μb (Nesterov) or b;   θ ← θ − γg
 *
 * Nesterov: Sutskever et al., 2013, http://proceedings.mlr.press/v28/sutskever13.html
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: SGDOptions & TrainingOptions = {}) {
    super(params, options, sgdDefinition);
  }
}
