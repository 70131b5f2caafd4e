// torch.optim.Rprop of torch 1.13 (torch/optim/rprop.py), for-loop implementation.
import { stateNumber, stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";

/** torch.optim.Rprop's options in camelCase (`stepSizes` is torch's `step_sizes`). */
export interface RpropOptions {
  lr?: number;
  etas?: [number, number];
  stepSizes?: [number, number];
  maximize?: boolean;
}

const DEFAULTS: Required<RpropOptions> = {
  lr: 1e-2,
  etas: [0.5, 1.2],
  stepSizes: [1e-6, 50],
  maximize: false,
};

/** torch.optim.Rprop: state `step` (a Python int), `prev`, `stepSize` (filled with the group's lr). */
export class TorchRprop extends TorchOptimizer<RpropOptions> {
  constructor(params: ParamsInput<RpropOptions>, options: RpropOptions = {}) {
    super(params, options, DEFAULTS, "Rprop");
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, grad, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = 0;
          state.prev = Tensor.zerosLike(param);
          state.stepSize = Tensor.zerosLike(grad).fill_(options.lr);
        }
        state.step = stateNumber(state, "step") + 1;
      }
      singleTensorRprop(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "prev")),
        found.map((f) => stateTensor(f.state, "stepSize")),
        options,
      );
    }
  }
}

/** `_single_tensor_rprop`. */
function singleTensorRprop(
  params: Tensor[],
  grads: Tensor[],
  prevs: Tensor[],
  stepSizes: Tensor[],
  { stepSizes: [stepSizeMin, stepSizeMax], etas: [etaminus, etaplus], maximize }: Required<RpropOptions>,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i].neg() : grads[i];
    const prev = prevs[i];
    const stepSize = stepSizes[i];

    const sign = grad.mul(prev).sign();
    sign.maskedFill_(sign.gt(0), etaplus);
    sign.maskedFill_(sign.lt(0), etaminus);
    sign.maskedFill_(sign.eq(0), 1);

    // update stepsizes with step size updates
    stepSize.mul_(sign).clamp_(stepSizeMin, stepSizeMax);

    // for dir<0, dfdx=0; for dir>=0 dfdx=dfdx
    grad = grad.clone();
    grad.maskedFill_(sign.eq(etaminus), 0);

    // update parameters
    param.addcmul_(grad.sign(), stepSize, -1);
    prev.copy_(grad);
  });
}
