// torch.optim.ASGD of torch 1.13 (torch/optim/asgd.py), for-loop implementation.
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";

/** torch.optim.ASGD's options in camelCase. */
export interface ASGDOptions {
  lr?: number;
  lambd?: number;
  alpha?: number;
  t0?: number;
  weightDecay?: number;
  maximize?: boolean;
}

const DEFAULTS: Required<ASGDOptions> = {
  lr: 1e-2,
  lambd: 1e-4,
  alpha: 0.75,
  t0: 1e6,
  weightDecay: 0,
  maximize: false,
};

/** torch.optim.ASGD: state `step`, `eta`, `mu` (float32 0-dim tensors: `torch.tensor(x)`) and `ax`. */
export class TorchASGD extends TorchOptimizer<ASGDOptions> {
  constructor(params: ParamsInput<ASGDOptions>, options: ASGDOptions = {}) {
    super(params, options, DEFAULTS, "ASGD");
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = Tensor.scalar(0, "float32");
          state.eta = Tensor.scalar(options.lr, "float32");
          state.mu = Tensor.scalar(1, "float32");
          state.ax = Tensor.zerosLike(param);
        }
      }
      singleTensorASGD(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "ax")),
        found.map((f) => stateTensor(f.state, "mu")),
        found.map((f) => stateTensor(f.state, "eta")),
        found.map((f) => stateTensor(f.state, "step")),
        options,
      );
    }
  }
}

/** `_single_tensor_asgd`. */
function singleTensorASGD(
  params: Tensor[],
  grads: Tensor[],
  axs: Tensor[],
  mus: Tensor[],
  etas: Tensor[],
  stateSteps: Tensor[],
  { lambd, lr, t0, alpha, weightDecay, maximize }: Required<ASGDOptions>,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i].neg() : grads[i];
    const mu = mus[i];
    const ax = axs[i];
    const eta = etas[i];
    const stepT = stateSteps[i];
    stepT.add_(1);
    const step = stepT.item();
    if (weightDecay !== 0) grad = grad.add(param, weightDecay);
    // decay term
    param.mul_(1 - lambd * eta.item());
    // update parameter
    param.add_(grad, -eta.item());
    // averaging
    if (mu.item() !== 1) ax.add_(param.add(ax, -1).mul(mu.item()));
    else ax.copy_(param);
    eta.copy_(Tensor.scalar(lr / (1 + lambd * lr * step) ** alpha, "float32"));
    mu.copy_(Tensor.scalar(1 / Math.max(1, step - t0), "float32"));
  });
}
