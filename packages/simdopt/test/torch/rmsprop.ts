// torch.optim.RMSprop of torch 1.13 (torch/optim/rmsprop.py), for-loop implementation.
import { stateNumber, stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";
import type { NAdamVersion as TorchVersion } from "./nadam.js";

/** torch.optim.RMSprop's options in camelCase. */
export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

const DEFAULTS: Required<RMSpropOptions> = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

/**
 * torch.optim.RMSprop: state `step` (a Python int), `squareAvg`, `momentumBuffer` (momentum > 0),
 * `gradAvg` (centered).
 */
export class TorchRMSprop extends TorchOptimizer<RMSpropOptions> {
  constructor(
    params: ParamsInput<RMSpropOptions>,
    options: RMSpropOptions = {},
    /** "2": the moving average by lerp_, as torch 2 computes it. */
    readonly version: TorchVersion = "1.13",
  ) {
    super(params, options, DEFAULTS, "RMSprop");
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = 0;
          state.squareAvg = Tensor.zerosLike(param);
          if (options.momentum > 0) state.momentumBuffer = Tensor.zerosLike(param);
          if (options.centered) state.gradAvg = Tensor.zerosLike(param);
        }
        state.step = stateNumber(state, "step") + 1;
      }
      singleTensorRMSprop(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "squareAvg")),
        options.centered ? found.map((f) => stateTensor(f.state, "gradAvg")) : [],
        options.momentum > 0 ? found.map((f) => stateTensor(f.state, "momentumBuffer")) : [],
        options,
        this.version,
      );
    }
  }
}

/** `_single_tensor_rmsprop` (not differentiable). */
function singleTensorRMSprop(
  params: Tensor[],
  grads: Tensor[],
  squareAvgs: Tensor[],
  gradAvgs: Tensor[],
  momentumBufferList: Tensor[],
  { lr, alpha, eps, weightDecay, momentum, centered, maximize }: Required<RMSpropOptions>,
  version: TorchVersion,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i].neg() : grads[i];
    const squareAvg = squareAvgs[i];
    if (weightDecay !== 0) grad = grad.add(param, weightDecay);
    squareAvg.mul_(alpha).addcmul_(grad, grad, 1 - alpha);
    let avg: Tensor;
    if (centered) {
      const gradAvg = gradAvgs[i];
      // torch 2 moves the mean by lerp_; torch 1.13 multiplied and added.
      if (version === "2") gradAvg.lerp_(grad, 1 - alpha);
      else gradAvg.mul_(alpha).add_(grad, 1 - alpha);
      avg = squareAvg.addcmul(gradAvg, gradAvg, -1).sqrt_();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add_(eps);
    if (momentum > 0) {
      const buf = momentumBufferList[i];
      buf.mul_(momentum).addcdiv_(grad, avg);
      param.add_(buf, -lr);
    } else {
      param.addcdiv_(grad, avg, -lr);
    }
  });
}
