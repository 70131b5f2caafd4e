import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";

/** Options of `Rprop`, as torch.optim.Rprop names them in camelCase; every one optional (defaults: `rpropDefaults`). */
export interface RpropOptions {
  /** The initial step size of every element. */
  lr?: number;
  /** `[η−, η+]`: step-size factors after a sign change and after a sign agreement. */
  etas?: [number, number];
  /** [min, max] step size. */
  stepSizes?: [number, number];
  /** Ascend the objective instead of descending it (torch's `maximize`). Default false. */
  maximize?: boolean;
}

/** `Rprop`'s defaults (torch's): the options it takes when not given. */
export const rpropDefaults: Required<RpropOptions> = deepFreeze({
  lr: 1e-2,
  etas: [0.5, 1.2],
  stepSizes: [1e-6, 50],
  maximize: false,
});

export const rpropDefinition: OptimizerDefinition<RpropOptions, "rprop"> = {
  title: "Rprop",
  kernel: "rprop",
  defaults: rpropDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    const [etaMinus, etaPlus] = check.pair("etas", o.etas);
    if (!(etaMinus > 0 && etaMinus < 1 && etaPlus > 1)) {
      check.fail(`invalid eta values: ${etaMinus}, ${etaPlus} (must be 0 < etas[0] < 1 < etas[1])`);
    }
    const [stepMin, stepMax] = check.pair("stepSizes", o.stepSizes);
    // torch does not check these; [-1, -2] would diverge and [50, 1e-6] freeze every step size.
    if (!(stepMin >= 0 && stepMax > 0 && stepMin <= stepMax)) {
      check.fail(
        `invalid stepSizes: [${stepMin}, ${stepMax}] (must be 0 <= stepSizes[0] <= stepSizes[1], stepSizes[1] > 0)`,
      );
    }
    check.boolean("maximize", o.maximize);
  },
  // torch fills the step sizes with the group's lr at its first step.
  buffers: (o) => ({ prev: 0, stepSize: o.lr }),
  plan(o) {
    const [etaMinus, etaPlus] = o.etas;
    const [stepMin, stepMax] = o.stepSizes;
    return {
      scalars: { gradScale: gradScale(o.maximize), etaPlus, etaMinus, stepMin, stepMax },
      flags: { lagged: false },
    };
  },
};

/**
 * Rprop, resilient backpropagation (Riedmiller & Braun, 1993,
 * https://doi.org/10.1109/ICNN.1993.298623), as torch.optim.Rprop computes it: each element's step
 * size grows by η+ while its gradient keeps its sign and shrinks by η− when the sign flips (and
 * that step is skipped), clamped to stepSizes; θ ← θ − sign(g)·η.
 */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: ParamsInput<RpropOptions>, options: RpropOptions & TrainingOptions = {}) {
    super(params, options, rpropDefinition);
  }
}
