// torch.optim.Adam of torch 1.13 (torch/optim/adam.py), for-loop implementation, with torch 2's
// decoupled_weight_decay.
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";
import type { NAdamVersion as TorchVersion } from "./nadam.js";

/** torch.optim.Adam's options in camelCase (AdamW's too). */
export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Not in torch 1.13's Adam; as torch 2 does it: param.mul_(1 − lr·weight_decay) instead of L2. */
  decoupledWeightDecay?: boolean;
  amsgrad?: boolean;
  maximize?: boolean;
}

const DEFAULTS: Required<AdamOptions> = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  amsgrad: false,
  maximize: false,
};

/** torch.optim.Adam: state `step` (a float32 0-dim tensor), `expAvg`, `expAvgSq`, `maxExpAvgSq` (AMSGrad). */
export class TorchAdam extends TorchOptimizer<AdamOptions> {
  constructor(
    params: ParamsInput<AdamOptions>,
    options: AdamOptions = {},
    /** "2": the moving average by lerp_, as torch 2 computes it. */
    readonly version: TorchVersion = "1.13",
  ) {
    super(params, options, DEFAULTS, "Adam");
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = Tensor.scalar(0, "float32");
          state.expAvg = Tensor.zerosLike(param);
          state.expAvgSq = Tensor.zerosLike(param);
          if (options.amsgrad) state.maxExpAvgSq = Tensor.zerosLike(param);
        }
      }
      singleTensorAdam(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "expAvg")),
        found.map((f) => stateTensor(f.state, "expAvgSq")),
        options.amsgrad ? found.map((f) => stateTensor(f.state, "maxExpAvgSq")) : [],
        found.map((f) => stateTensor(f.state, "step")),
        options,
        this.version,
      );
    }
  }
}

/** `_single_tensor_adam` (not capturable, not differentiable). */
function singleTensorAdam(
  params: Tensor[],
  grads: Tensor[],
  expAvgs: Tensor[],
  expAvgSqs: Tensor[],
  maxExpAvgSqs: Tensor[],
  stateSteps: Tensor[],
  { amsgrad, betas: [beta1, beta2], lr, weightDecay, decoupledWeightDecay, eps, maximize }: Required<AdamOptions>,
  version: TorchVersion,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i].neg() : grads[i];
    const expAvg = expAvgs[i];
    const expAvgSq = expAvgSqs[i];
    const stepT = stateSteps[i];
    stepT.add_(1);
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) param.mul_(1 - lr * weightDecay);
      else grad = grad.add(param, weightDecay);
    }
    // torch 2 moves the first moment by lerp_; torch 1.13 multiplied and added.
    if (version === "2") expAvg.lerp_(grad, 1 - beta1);
    else expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);

    const step = stepT.item();
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const stepSize = lr / biasCorrection1;
    const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
    let denom: Tensor;
    if (amsgrad) {
      maxExpAvgSqs[i].copy_(maxExpAvgSqs[i].maximum(expAvgSq));
      denom = maxExpAvgSqs[i].sqrt().div_(biasCorrection2Sqrt).add_(eps);
    } else {
      denom = expAvgSq.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    }
    param.addcdiv_(expAvg, denom, -stepSize);
  });
}
