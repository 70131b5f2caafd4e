/** Every optimizer by its stem (the name torch.optim and the golden files use, lower-cased). */
import type { OptimizerDefinition, ParamsInput, Optimizer } from "../optimizer.js";
import { Adadelta, adadeltaDefinition } from "./adadelta.js";
import { Adagrad, adagradDefinition } from "./adagrad.js";
import { Adam, adamDefinition } from "./adam.js";
import { Adamax, adamaxDefinition } from "./adamax.js";
import { AdamW, adamwDefinition } from "./adamw.js";
import { NAdam, nadamDefinition } from "./nadam.js";
import { RAdam, radamDefinition } from "./radam.js";
import { RMSprop, rmspropDefinition } from "./rmsprop.js";
import { Rprop, rpropDefinition } from "./rprop.js";
import { SGD, sgdDefinition } from "./sgd.js";

export interface RegistryEntry {
  create: (params: ParamsInput<object>, options: object) => Optimizer<object>;
  definition: OptimizerDefinition<object>;
}

function entry<O extends object>(
  Class: new (params: ParamsInput<O>, options: O) => Optimizer<O>,
  definition: OptimizerDefinition<O>,
): RegistryEntry {
  return {
    create: (params, options) => new Class(params as ParamsInput<O>, options as O) as unknown as Optimizer<object>,
    definition: definition as unknown as OptimizerDefinition<object>,
  };
}

export const OPTIMIZERS = {
  sgd: entry(SGD, sgdDefinition),
  adam: entry(Adam, adamDefinition),
  adamw: entry(AdamW, adamwDefinition),
  adamax: entry(Adamax, adamaxDefinition),
  nadam: entry(NAdam, nadamDefinition),
  radam: entry(RAdam, radamDefinition),
  adagrad: entry(Adagrad, adagradDefinition),
  adadelta: entry(Adadelta, adadeltaDefinition),
  rmsprop: entry(RMSprop, rmspropDefinition),
  rprop: entry(Rprop, rpropDefinition),
} as const;

export type OptimizerName = keyof typeof OPTIMIZERS;
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];

/** `createOptimizer("adam", params, { lr: 1e-3 })`: any optimizer by name. */
export function createOptimizer(name: OptimizerName, params: ParamsInput<object>, options: object = {}): Optimizer<object> {
  const found = (OPTIMIZERS as Record<string, RegistryEntry>)[name];
  if (found === undefined) {
    throw new TypeError(`simdopt: unknown optimizer '${String(name)}' (known: ${OPTIMIZER_NAMES.join(", ")})`);
  }
  return found.create(params, options);
}
