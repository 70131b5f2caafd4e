// torch.optim.Adamax of torch 1.13 (torch/optim/adamax.py), for-loop implementation.
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";
import type { NAdamVersion as TorchVersion } from "./nadam.js";

/** torch.optim.Adamax's options in camelCase. */
export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

const DEFAULTS: Required<AdamaxOptions> = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
};

/** torch.optim.Adamax: state `step` (a float32 0-dim tensor), `expAvg`, `expInf`. */
export class TorchAdamax extends TorchOptimizer<AdamaxOptions> {
  constructor(
    params: ParamsInput<AdamaxOptions>,
    options: AdamaxOptions = {},
    /** "2": the moving average by lerp_, as torch 2 computes it. */
    readonly version: TorchVersion = "1.13",
  ) {
    super(params, options, DEFAULTS, "Adamax");
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = Tensor.scalar(0, "float32");
          state.expAvg = Tensor.zerosLike(param);
          state.expInf = Tensor.zerosLike(param);
        }
      }
      singleTensorAdamax(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "expAvg")),
        found.map((f) => stateTensor(f.state, "expInf")),
        found.map((f) => stateTensor(f.state, "step")),
        options,
        this.version,
      );
    }
  }
}

/** `_single_tensor_adamax`. */
function singleTensorAdamax(
  params: Tensor[],
  grads: Tensor[],
  expAvgs: Tensor[],
  expInfs: Tensor[],
  stateSteps: Tensor[],
  { eps, betas: [beta1, beta2], lr, weightDecay, maximize }: Required<AdamaxOptions>,
  version: TorchVersion,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i].neg() : grads[i];
    const expAvg = expAvgs[i];
    const expInf = expInfs[i];
    const stepT = stateSteps[i];
    stepT.add_(1);
    const step = stepT.item();
    if (weightDecay !== 0) grad = grad.add(param, weightDecay);
    // Update biased first moment estimate.
    // torch 2 moves the first moment by lerp_; torch 1.13 multiplied and added.
    if (version === "2") expAvg.lerp_(grad, 1 - beta1);
    else expAvg.mul_(beta1).add_(grad, 1 - beta1);
    // Update the exponentially weighted infinity norm: amax over cat([β2·u, |g| + ε]).
    expInf.copy_(expInf.mul_(beta2).maximum(grad.abs().add_(eps)));
    const biasCorrection = 1 - beta1 ** step;
    const clr = lr / biasCorrection;
    param.addcdiv_(expAvg, expInf, -clr);
  });
}
