// torch.optim.Adagrad of torch 1.13 (torch/optim/adagrad.py), for-loop implementation, dense gradients.
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";

/** torch.optim.Adagrad's options in camelCase. */
export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

const DEFAULTS: Required<AdagradOptions> = {
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
};

/**
 * torch.optim.Adagrad: state `step` (a float32 0-dim tensor) and `sum`, both created by the
 * constructor, `sum` filled with the constructor's `initialAccumulatorValue` whatever a group sets.
 */
export class TorchAdagrad extends TorchOptimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: AdagradOptions = {}) {
    super(params, options, DEFAULTS, "Adagrad");
    const initialAccumulatorValue = options.initialAccumulatorValue ?? DEFAULTS.initialAccumulatorValue;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const state = this.stateOf(p);
        state.step = Tensor.scalar(0, "float32");
        state.sum = Tensor.fullLike(p, initialAccumulatorValue);
      }
    }
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      singleTensorAdagrad(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "sum")),
        found.map((f) => stateTensor(f.state, "step")),
        options,
      );
    }
  }
}

/** `_single_tensor_adagrad`, the dense branch. */
function singleTensorAdagrad(
  params: Tensor[],
  grads: Tensor[],
  stateSums: Tensor[],
  stateSteps: Tensor[],
  { lr, weightDecay, lrDecay, eps, maximize }: Required<AdagradOptions>,
): void {
  params.forEach((param, i) => {
    const stateSum = stateSums[i];
    const stepT = stateSteps[i];
    // update step
    stepT.add_(1);
    const step = stepT.item();
    let grad = maximize ? grads[i].neg() : grads[i];
    if (weightDecay !== 0) grad = grad.add(param, weightDecay);
    const clr = lr / (1 + (step - 1) * lrDecay);
    stateSum.addcmul_(grad, grad, 1);
    const std = stateSum.sqrt().add_(eps);
    param.addcdiv_(grad, std, -clr);
  });
}
