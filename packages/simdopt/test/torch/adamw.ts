// torch.optim.AdamW of torch 1.13 (torch/optim/adamw.py), for-loop implementation.
import type { AdamOptions } from "./adam.js";
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";
import type { NAdamVersion as TorchVersion } from "./nadam.js";

/** torch.optim.AdamW's options in camelCase: Adam's, with decoupled weight decay. */
export type AdamWOptions = Omit<AdamOptions, "decoupledWeightDecay">;

const DEFAULTS: Required<AdamWOptions> = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 1e-2,
  amsgrad: false,
  maximize: false,
};

/** torch.optim.AdamW: state `step` (a float32 0-dim tensor), `expAvg`, `expAvgSq`, `maxExpAvgSq` (AMSGrad). */
export class TorchAdamW extends TorchOptimizer<AdamWOptions> {
  constructor(
    params: ParamsInput<AdamWOptions>,
    options: AdamWOptions = {},
    /** "2": the moving average by lerp_, as torch 2 computes it. */
    readonly version: TorchVersion = "1.13",
  ) {
    super(params, options, DEFAULTS, "AdamW");
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
      singleTensorAdamW(
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

/** `_single_tensor_adamw` (not capturable). */
function singleTensorAdamW(
  params: Tensor[],
  grads: Tensor[],
  expAvgs: Tensor[],
  expAvgSqs: Tensor[],
  maxExpAvgSqs: Tensor[],
  stateSteps: Tensor[],
  { amsgrad, betas: [beta1, beta2], lr, weightDecay, eps, maximize }: Required<AdamWOptions>,
  version: TorchVersion,
): void {
  params.forEach((param, i) => {
    const grad = maximize ? grads[i].neg() : grads[i];
    const expAvg = expAvgs[i];
    const expAvgSq = expAvgSqs[i];
    const stepT = stateSteps[i];
    stepT.add_(1);
    // Perform stepweight decay
    param.mul_(1 - lr * weightDecay);
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
