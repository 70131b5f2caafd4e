// torch.optim.NAdam of torch 1.13 (torch/optim/nadam.py), for-loop implementation, with torch 2's
// μ product as an option.
import { stateTensor, TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";

/** torch.optim.NAdam's options in camelCase. */
export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Not in torch 1.13's NAdam; as torch 2 does it: param.mul_(1 − lr·weight_decay) instead of L2. */
  decoupledWeightDecay?: boolean;
  momentumDecay?: number;
  /** Not in torch 1.13's NAdam; as torch 2 does it, the gradient is negated first. */
  maximize?: boolean;
}

const DEFAULTS: Required<NAdamOptions> = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  momentumDecay: 4e-3,
  maximize: false,
};

/**
 * Which torch's NAdam to follow. "1.13": the next μ product is mu_product·μ_t·μ_{t+1}, a float32
 * tensor product. "2": torch 2.0 and later, mu_product.item()·μ_{t+1} in Python doubles. The rest
 * is 1.13's in both (torch 2 updates the first moment with `lerp_`, within about 1 ulp of it).
 */
export type NAdamVersion = "1.13" | "2";

/** torch.optim.NAdam: state `step` and `muProduct` (float32 0-dim tensors), `expAvg`, `expAvgSq`. */
export class TorchNAdam extends TorchOptimizer<NAdamOptions> {
  constructor(
    params: ParamsInput<NAdamOptions>,
    options: NAdamOptions = {},
    readonly version: NAdamVersion = "1.13",
  ) {
    super(params, options, DEFAULTS, "NAdam");
    if (version !== "1.13" && version !== "2") throw new TypeError(`NAdam: unknown torch version '${String(version)}'`);
  }

  step(): void {
    for (const { params, options } of this.paramGroups) {
      const found = this.withGrad(params);
      for (const { param, state } of found) {
        if (Object.keys(state).length === 0) {
          state.step = Tensor.scalar(0, "float32");
          state.muProduct = Tensor.scalar(1, "float32");
          state.expAvg = Tensor.zerosLike(param);
          state.expAvgSq = Tensor.zerosLike(param);
        }
      }
      singleTensorNAdam(
        found.map((f) => f.param),
        found.map((f) => f.grad),
        found.map((f) => stateTensor(f.state, "expAvg")),
        found.map((f) => stateTensor(f.state, "expAvgSq")),
        found.map((f) => stateTensor(f.state, "muProduct")),
        found.map((f) => stateTensor(f.state, "step")),
        options,
        this.version,
      );
    }
  }
}

/** `_single_tensor_nadam`. */
function singleTensorNAdam(
  params: Tensor[],
  grads: Tensor[],
  expAvgs: Tensor[],
  expAvgSqs: Tensor[],
  muProducts: Tensor[],
  stateSteps: Tensor[],
  {
    betas: [beta1, beta2],
    lr,
    weightDecay,
    decoupledWeightDecay,
    momentumDecay,
    eps,
    maximize,
  }: Required<NAdamOptions>,
  version: NAdamVersion,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i].neg() : grads[i];
    const expAvg = expAvgs[i];
    const expAvgSq = expAvgSqs[i];
    const muProduct = muProducts[i];
    const stepT = stateSteps[i];
    stepT.add_(1);
    const step = stepT.item();
    const biasCorrection2 = 1 - beta2 ** step;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) param.mul_(1 - lr * weightDecay);
      else grad = grad.add(param, weightDecay);
    }

    // calculate the momentum cache μ^t and μ^{t+1}
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
    // update mu_product
    muProduct.mul_(mu);
    const muProductNext = version === "1.13" ? muProduct.mul(mu).mul(muNext).item() : muProduct.item() * muNext;

    // decay the first and second moment running average coefficient
    // torch 2 moves the first moment by lerp_; torch 1.13 multiplied and added.
    if (version === "2") expAvg.lerp_(grad, 1 - beta1);
    else expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);

    const denom = expAvgSq.div(biasCorrection2).sqrt().add_(eps);
    param.addcdiv_(grad, denom, (-lr * (1 - mu)) / (1 - muProduct.item()));
    param.addcdiv_(expAvg, denom, (-lr * muNext) / (1 - muProductNext));
  });
}
