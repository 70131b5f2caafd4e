import { deepFreeze } from "../runtime/freeze.js";
import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";

export interface SparseAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  maximize?: boolean;
}

export const sparseAdamDefaults: Required<SparseAdamOptions> = deepFreeze({
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  maximize: false,
});

export const sparseAdamDefinition: OptimizerDefinition<SparseAdamOptions, "sparseAdam"> = {
  title: "SparseAdam",
  kernel: "sparseAdam",
  defaults: sparseAdamDefaults,
  validate(o, check) {
    // torch: 0 < lr and 0 < eps.
    if (!(check.number("lr", o.lr) > 0)) check.fail(`invalid learning rate: ${o.lr} (lr must be > 0)`);
    if (!(check.number("eps", o.eps) > 0)) check.fail(`invalid epsilon value: ${o.eps} (eps must be > 0)`);
    check.betas(o.betas);
    check.boolean("maximize", o.maximize);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  sparse: () => "rows",
  denseRefused: "SparseAdam does not support dense gradients, please consider Adam instead",
  plan(o, t) {
    const [beta1, beta2] = o.betas;
    // torch: step_size = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), in double; t counts every step, empty ones too.
    const stepSize = (o.lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    return {
      scalars: {
        gradScale: gradScale(o.maximize),
        oneMinusBeta1: 1 - beta1,
        oneMinusBeta2: 1 - beta2,
        eps: o.eps,
        negStepSize: -stepSize,
      },
      flags: {},
    };
  },
};

/**
 * SparseAdam (torch.optim.SparseAdam): Adam for row-sparse gradients (`param.setSparseGrad`),
 * lazy: only the rows a step's gradient lists move, and their moments; the other rows keep theirs
 * (no decay). t counts every step(), including those whose gradient lists no row. Per listed row,
 * with g its summed gradient:
 *
 *     m ← m + (1 − β1)(g − m);   v ← v + (1 − β2)(g² − v);   θ ← θ − γ·√(1 − β2ᵗ)/(1 − β1ᵗ) · m/(√v + ε)
 *
 * Dense gradients are refused, as torch refuses them (use Adam). This is TF's LazyAdam too, up to
 * where ε sits (TF adds it to √v̂).
 */
export class SparseAdam extends Optimizer<SparseAdamOptions> {
  constructor(params: ParamsInput<SparseAdamOptions>, options: SparseAdamOptions & TrainingOptions = {}) {
    super(params, options, sparseAdamDefinition);
  }
}
