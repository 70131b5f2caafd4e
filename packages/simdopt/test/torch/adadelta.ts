// torch.optim.Adadelta of torch 1.13 (torch/optim/adadelta.py), for-loop implementation.
import { stateNumber, stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";

/** torch.optim.Adadelta's options in camelCase. */
export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

const DEFAULTS: Required<AdadeltaOptions> = {
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
};

/** torch.optim.Adadelta: state `step` (a Python int), `squareAvg`, `accDelta`. */
export class TorchAdadelta extends TorchOptimizer<AdadeltaOptions> {
  constructor(params: ParamsInput<AdadeltaOptions>, options: AdadeltaOptions = {}) {
    super(params, options, DEFAULTS, "Adadelta");
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = 0;
          state.squareAvg = Tensor.zerosLike(param);
          state.accDelta = Tensor.zerosLike(param);
        }
        state.step = stateNumber(state, "step") + 1;
      }
      singleTensorAdadelta(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "squareAvg")),
        found.map((f) => stateTensor(f.state, "accDelta")),
        options,
      );
    }
  }
}

/** `_single_tensor_adadelta`. */
function singleTensorAdadelta(
  params: Tensor[],
  grads: Tensor[],
  squareAvgs: Tensor[],
  accDeltas: Tensor[],
  { lr, rho, eps, weightDecay, maximize }: Required<AdadeltaOptions>,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i].neg() : grads[i];
    const squareAvg = squareAvgs[i];
    const accDelta = accDeltas[i];
    if (weightDecay !== 0) grad = grad.add(param, weightDecay);
    squareAvg.mul_(rho).addcmul_(grad, grad, 1 - rho);
    const std = squareAvg.add(eps).sqrt_();
    const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
    accDelta.mul_(rho).addcmul_(delta, delta, 1 - rho);
    param.add_(delta, -lr);
  });
}
