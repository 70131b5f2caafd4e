// torch.optim.SGD of torch 1.13 (torch/optim/sgd.py), for-loop implementation; torch 2 gives lr a
// default of 1e-3.
import type { NAdamVersion as TorchVersion } from "./nadam.js";
import { TorchOptimizer, type ParamsInput } from "./optimizer.js";
import { Tensor } from "./tensor.js";

/** torch.optim.SGD's options in camelCase. */
export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

const DEFAULTS: Required<SGDOptions> = {
  lr: NaN, // required in torch 1.13: torch's `required` sentinel
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
};

/** torch.optim.SGD: state `momentumBuffer` (where momentum ≠ 0), no step count. */
export class TorchSGD extends TorchOptimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: SGDOptions, version: TorchVersion = "1.13") {
    super(params, options, version === "2" ? { ...DEFAULTS, lr: 1e-3 } : DEFAULTS, "SGD");
    for (const { options: o } of this.paramGroups) {
      if (Number.isNaN(o.lr)) throw new TypeError("SGD: option 'lr' is required");
    }
  }

  step(): void {
    for (const { params, options: o } of this.paramGroups) {
      const paramsWithGrad: Tensor[] = [];
      const dPList: Tensor[] = [];
      const momentumBufferList: (Tensor | null)[] = [];
      for (const p of params) {
        if (p.grad === null) continue;
        paramsWithGrad.push(p);
        dPList.push(p.grad);
        const buffer = this.state.get(p)?.momentumBuffer;
        momentumBufferList.push(buffer instanceof Tensor ? buffer : null);
      }
      singleTensorSGD(paramsWithGrad, dPList, momentumBufferList, o);
      // update momentum_buffers in state
      paramsWithGrad.forEach((p, i) => {
        const buffer = momentumBufferList[i];
        const state = this.stateOf(p);
        if (buffer !== null) state.momentumBuffer = buffer;
      });
    }
  }
}

/** `_single_tensor_sgd`. */
function singleTensorSGD(
  params: Tensor[],
  dPList: Tensor[],
  momentumBufferList: (Tensor | null)[],
  o: Required<SGDOptions>,
): void {
  params.forEach((param, i) => {
    let dP = o.maximize ? dPList[i].neg() : dPList[i];
    if (o.weightDecay !== 0) dP = dP.add(param, o.weightDecay);
    if (o.momentum !== 0) {
      let buf = momentumBufferList[i];
      if (buf === null) {
        buf = dP.clone();
        momentumBufferList[i] = buf;
      } else {
        buf.mul_(o.momentum).add_(dP, 1 - o.dampening);
      }
      dP = o.nesterov ? dP.add(buf, o.momentum) : buf;
    }
    param.add_(dP, -o.lr);
  });
}
