// torch.optim.RAdam of torch 1.13 (torch/optim/radam.py), for-loop implementation.
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";
import type { NAdamVersion as TorchVersion } from "./nadam.js";

/** torch.optim.RAdam's options in camelCase. */
export interface RAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Not in torch 1.13's RAdam; as torch 2 does it: param.mul_(1 − lr·weight_decay) instead of L2. */
  decoupledWeightDecay?: boolean;
  /** Not in torch 1.13's RAdam; as torch 2 does it, the gradient is negated first. */
  maximize?: boolean;
}

const DEFAULTS: Required<RAdamOptions> = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
};

/** torch.optim.RAdam: state `step` (a float32 0-dim tensor), `expAvg`, `expAvgSq`. */
export class TorchRAdam extends TorchOptimizer<RAdamOptions> {
  constructor(
    params: ParamsInput<RAdamOptions>,
    options: RAdamOptions = {},
    /** "2": the moving average by lerp_, as torch 2 computes it. */
    readonly version: TorchVersion = "1.13",
  ) {
    super(params, options, DEFAULTS, "RAdam");
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = Tensor.scalar(0, "float32");
          state.expAvg = Tensor.zerosLike(param);
          state.expAvgSq = Tensor.zerosLike(param);
        }
      }
      singleTensorRAdam(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "expAvg")),
        found.map((f) => stateTensor(f.state, "expAvgSq")),
        found.map((f) => stateTensor(f.state, "step")),
        options,
        this.version,
      );
    }
  }
}

/** `_single_tensor_radam`. */
function singleTensorRAdam(
  params: Tensor[],
  grads: Tensor[],
  expAvgs: Tensor[],
  expAvgSqs: Tensor[],
  stateSteps: Tensor[],
  { betas: [beta1, beta2], lr, weightDecay, decoupledWeightDecay, eps, maximize }: Required<RAdamOptions>,
  version: TorchVersion,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i].neg() : grads[i];
    const expAvg = expAvgs[i];
    const expAvgSq = expAvgSqs[i];
    const stepT = stateSteps[i];
    stepT.add_(1);
    const step = stepT.item();
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) param.mul_(1 - lr * weightDecay);
      else grad = grad.add(param, weightDecay);
    }

    // Decay the first and second moment running average coefficient
    // torch 2 moves the first moment by lerp_; torch 1.13 multiplied and added.
    if (version === "2") expAvg.lerp_(grad, 1 - beta1);
    else expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    // correcting bias for the first moving moment
    const biasCorrectedExpAvg = expAvg.div(biasCorrection1);
    // maximum length of the approximated SMA
    const rhoInf = 2 / (1 - beta2) - 1;
    // compute the length of the approximated SMA
    const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;

    if (rhoT > 5) {
      // Compute the variance rectification term and update parameters accordingly
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      // Python's `scalar / tensor` is `tensor.reciprocal() * scalar`
      const adaptiveLr = expAvgSq.sqrt().add_(eps).reciprocal().mul_(Math.sqrt(biasCorrection2));
      param.add_(biasCorrectedExpAvg.mul(lr).mul_(adaptiveLr).mul_(rect), -1.0);
    } else {
      param.add_(biasCorrectedExpAvg.mul(lr), -1.0);
    }
  });
}
