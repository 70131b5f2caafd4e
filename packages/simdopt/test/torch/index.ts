// Every torch.optim for-loop port by its stem (the name the engine and the golden files use).
import { TorchAdadelta } from "./adadelta.js";
import { TorchAdafactor } from "./adafactor.js";
import { TorchASGD } from "./asgd.js";
import { TorchAdagrad } from "./adagrad.js";
import { TorchAdam } from "./adam.js";
import { TorchAdamax } from "./adamax.js";
import { TorchAdamW } from "./adamw.js";
import { TorchNAdam, type NAdamVersion } from "./nadam.js";
import type { ParamsInput, TorchOptimizer } from "./optimizer.js";
import { TorchRAdam } from "./radam.js";
import { TorchRMSprop } from "./rmsprop.js";
import { TorchRprop } from "./rprop.js";
import { TorchSGD } from "./sgd.js";

export type { NAdamVersion } from "./nadam.js";
export type { ParamsInput, ReferenceStateDict, TorchOptimizer } from "./optimizer.js";
export { Tensor, type Arithmetic, type Dtype } from "./tensor.js";

type Factory = (params: ParamsInput<object>, options: object, version: NAdamVersion) => TorchOptimizer<object>;

type FactoryOf<O extends object> = (params: ParamsInput<O>, options: O, version: NAdamVersion) => TorchOptimizer<O>;
const as = <O extends object>(create: FactoryOf<O>) => create as unknown as Factory;

/** The ports, each a function of (params, camelCase options, torch version for NAdam). */
export const TORCH_OPTIMIZERS = {
  sgd: as((params, options, version) => new TorchSGD(params, options, version)),
  adam: as((params, options, version) => new TorchAdam(params, options, version)),
  adamw: as((params, options, version) => new TorchAdamW(params, options, version)),
  adamax: as((params, options, version) => new TorchAdamax(params, options, version)),
  nadam: as((params, options, version) => new TorchNAdam(params, options, version)),
  radam: as((params, options, version) => new TorchRAdam(params, options, version)),
  adagrad: as((params, options) => new TorchAdagrad(params, options)),
  adadelta: as((params, options) => new TorchAdadelta(params, options)),
  rmsprop: as((params, options, version) => new TorchRMSprop(params, options, version)),
  rprop: as((params, options) => new TorchRprop(params, options)),
  asgd: as((params, options) => new TorchASGD(params, options)),
  adafactor: as((params, options) => new TorchAdafactor(params, options)),
} as const;

/** The stems of `TORCH_OPTIMIZERS`. */
export type TorchOptimizerName = keyof typeof TORCH_OPTIMIZERS;

/** A port by name, as torch 1.13 computes it (`version` "2": lerp_ for moving averages, NAdam's μ product and SGD's default lr as torch 2's). */
export function createTorchOptimizer(
  name: TorchOptimizerName,
  params: ParamsInput<object>,
  options: object = {},
  version: NAdamVersion = "1.13",
): TorchOptimizer<object> {
  const create = TORCH_OPTIMIZERS[name];
  if (create === undefined) {
    throw new TypeError(`unknown optimizer '${String(name)}' (known: ${Object.keys(TORCH_OPTIMIZERS).join(", ")})`);
  }
  return create(params, options, version);
}
