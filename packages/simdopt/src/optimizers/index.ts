/** Every optimizer by its stem (the name torch.optim and the golden files use, lower-cased). */
import { KERNEL_LAYOUTS } from "../generated/kernels.js";
import type { AnyOptimizerDefinition, Optimizer, ParamsInput } from "../optimizer.js";
import type { TrainingOptions } from "../training/training-options.js";
import { deepFreeze } from "../runtime/freeze.js";
import { Adadelta, adadeltaDefinition, type AdadeltaOptions } from "./adadelta.js";
import { Adagrad, adagradDefinition, type AdagradOptions } from "./adagrad.js";
import { Adam, adamDefinition, type AdamOptions } from "./adam.js";
import { Adamax, adamaxDefinition, type AdamaxOptions } from "./adamax.js";
import { AdamW, adamwDefinition, type AdamWOptions } from "./adamw.js";
import { NAdam, nadamDefinition, type NAdamOptions } from "./nadam.js";
import { RAdam, radamDefinition, type RAdamOptions } from "./radam.js";
import { RMSprop, rmspropDefinition, type RMSpropOptions } from "./rmsprop.js";
import { Rprop, rpropDefinition, type RpropOptions } from "./rprop.js";
import { SGD, sgdDefinition, type SGDOptions } from "./sgd.js";
import { Lion, lionDefinition, type LionOptions } from "./lion.js";
import { ASGD, asgdDefinition, type ASGDOptions } from "./asgd.js";
import { Ftrl, ftrlDefinition, type FtrlOptions } from "./ftrl.js";
import { Lamb, lambDefinition, type LambOptions } from "./lamb.js";
import { Adafactor, adafactorDefinition, type AdafactorOptions } from "./adafactor.js";
import { AdamWScheduleFree, adamwScheduleFreeDefinition, type AdamWScheduleFreeOptions } from "./adamwScheduleFree.js";
import { SGDScheduleFree, sgdScheduleFreeDefinition, type SGDScheduleFreeOptions } from "./sgdScheduleFree.js";
import {
  KerasAdam,
  kerasAdamDefinition,
  KerasLion,
  kerasLionDefinition,
  KerasNadam,
  kerasNadamDefinition,
  KerasRMSprop,
  kerasRMSpropDefinition,
  KerasSGD,
  kerasSGDDefinition,
  type KerasAdamOptions,
  type KerasLionOptions,
  type KerasNadamOptions,
  type KerasRMSpropOptions,
  type KerasSGDOptions,
} from "../presets/keras.js";
import * as optax from "../presets/optax.js";
import * as tfjs from "../presets/tfjs.js";

/** An optimizer in the registry: how to create it by name, and its definition. */
export interface RegistryEntry<O extends object> {
  /** Creates the optimizer over `params` with `options` (checked as its constructor checks them). */
  create: (params: ParamsInput<O>, options: O) => Optimizer<O>;
  /** Its `OptimizerDefinition`. */
  definition: AnyOptimizerDefinition<O>;
}

function entry<O extends object>(
  Class: new (params: never, options: never) => Optimizer<O>,
  definition: AnyOptimizerDefinition<O>,
): RegistryEntry<O> {
  // The classes' own signatures are stricter (SGD requires lr); the definition checks at run time.
  const Constructor = Class as unknown as new (params: ParamsInput<O>, options: O) => Optimizer<O>;
  return { create: (params, options) => new Constructor(params, options), definition };
}

/**
 * Every optimizer by name (`createOptimizer`'s names): the optimizers of their own by their lower-cased stem (`adam`),
 * the presets as `keras:`, `optax:` and `tfjs:` names, the schedule-free ones as `schedulefree:`.
 */
export const OPTIMIZERS = {
  /** `SGD`: its class and definition. */
  sgd: entry<SGDOptions>(SGD, sgdDefinition),
  /** `Adam`: its class and definition. */
  adam: entry<AdamOptions>(Adam, adamDefinition),
  /** `AdamW`: its class and definition. */
  adamw: entry<AdamWOptions>(AdamW, adamwDefinition),
  /** `Adamax`: its class and definition. */
  adamax: entry<AdamaxOptions>(Adamax, adamaxDefinition),
  /** `NAdam`: its class and definition. */
  nadam: entry<NAdamOptions>(NAdam, nadamDefinition),
  /** `RAdam`: its class and definition. */
  radam: entry<RAdamOptions>(RAdam, radamDefinition),
  /** `Adagrad`: its class and definition. */
  adagrad: entry<AdagradOptions>(Adagrad, adagradDefinition),
  /** `Adadelta`: its class and definition. */
  adadelta: entry<AdadeltaOptions>(Adadelta, adadeltaDefinition),
  /** `RMSprop`: its class and definition. */
  rmsprop: entry<RMSpropOptions>(RMSprop, rmspropDefinition),
  /** `Rprop`: its class and definition. */
  rprop: entry<RpropOptions>(Rprop, rpropDefinition),
  /** `Lion`: its class and definition. */
  lion: entry<LionOptions>(Lion, lionDefinition),
  /** `ASGD`: its class and definition. */
  asgd: entry<ASGDOptions>(ASGD, asgdDefinition),
  /** `Ftrl`: its class and definition. */
  ftrl: entry<FtrlOptions>(Ftrl, ftrlDefinition),
  /** `Lamb`: its class and definition. */
  lamb: entry<LambOptions>(Lamb, lambDefinition),
  /** `Adafactor`: its class and definition. */
  adafactor: entry<AdafactorOptions>(Adafactor, adafactorDefinition),
  /** `AdamWScheduleFree`: its class and definition. */
  "schedulefree:adamw": entry<AdamWScheduleFreeOptions>(AdamWScheduleFree, adamwScheduleFreeDefinition),
  /** `SGDScheduleFree`: its class and definition. */
  "schedulefree:sgd": entry<SGDScheduleFreeOptions>(SGDScheduleFree, sgdScheduleFreeDefinition),
  /** `KerasAdam`: its class and definition. */
  "keras:adam": entry<KerasAdamOptions>(KerasAdam, kerasAdamDefinition),
  /** `KerasNadam`: its class and definition. */
  "keras:nadam": entry<KerasNadamOptions>(KerasNadam, kerasNadamDefinition),
  /** `KerasRMSprop`: its class and definition. */
  "keras:rmsprop": entry<KerasRMSpropOptions>(KerasRMSprop, kerasRMSpropDefinition),
  /** `KerasSGD`: its class and definition. */
  "keras:sgd": entry<KerasSGDOptions>(KerasSGD, kerasSGDDefinition),
  /** `KerasLion`: its class and definition. */
  "keras:lion": entry<KerasLionOptions>(KerasLion, kerasLionDefinition),
  /** `OptaxAdam`: its class and definition. */
  "optax:adam": entry<optax.OptaxAdamOptions>(optax.OptaxAdam, optax.optaxAdamDefinition),
  /** `OptaxAdamW`: its class and definition. */
  "optax:adamw": entry<optax.OptaxAdamWOptions>(optax.OptaxAdamW, optax.optaxAdamWDefinition),
  /** `OptaxNadam`: its class and definition. */
  "optax:nadam": entry<optax.OptaxAdamOptions>(optax.OptaxNadam, optax.optaxNadamDefinition),
  /** `OptaxSGD`: its class and definition. */
  "optax:sgd": entry<optax.OptaxSGDOptions>(optax.OptaxSGD, optax.optaxSGDDefinition),
  /** `OptaxLion`: its class and definition. */
  "optax:lion": entry<optax.OptaxLionOptions>(optax.OptaxLion, optax.optaxLionDefinition),
  /** `OptaxAdamax`: its class and definition. */
  "optax:adamax": entry<optax.OptaxAdamaxOptions>(optax.OptaxAdamax, optax.optaxAdamaxDefinition),
  /** `OptaxAdadelta`: its class and definition. */
  "optax:adadelta": entry<optax.OptaxAdadeltaOptions>(optax.OptaxAdadelta, optax.optaxAdadeltaDefinition),
  /** `OptaxRAdam`: its class and definition. */
  "optax:radam": entry<optax.OptaxRAdamOptions>(optax.OptaxRAdam, optax.optaxRAdamDefinition),
  /** `OptaxLamb`: its class and definition. */
  "optax:lamb": entry<optax.OptaxLambOptions>(optax.OptaxLamb, optax.optaxLambDefinition),
  /** `OptaxRMSprop`: its class and definition. */
  "optax:rmsprop": entry<optax.OptaxRMSpropOptions>(optax.OptaxRMSprop, optax.optaxRMSpropDefinition),
  /** `OptaxAdagrad`: its class and definition. */
  "optax:adagrad": entry<optax.OptaxAdagradOptions>(optax.OptaxAdagrad, optax.optaxAdagradDefinition),
  /** `OptaxRprop`: its class and definition. */
  "optax:rprop": entry<optax.OptaxRpropOptions>(optax.OptaxRprop, optax.optaxRpropDefinition),
  /** `OptaxAdafactor`: its class and definition. */
  "optax:adafactor": entry<optax.OptaxAdafactorOptions>(optax.OptaxAdafactor, optax.optaxAdafactorDefinition),
  /** `OptaxScheduleFreeAdamW`: its class and definition. */
  "optax:contrib.schedule_free_adamw": entry<optax.OptaxScheduleFreeAdamWOptions>(
    optax.OptaxScheduleFreeAdamW,
    optax.optaxScheduleFreeAdamWDefinition,
  ),
  /** `TfjsSGD`: its class and definition. */
  "tfjs:sgd": entry<tfjs.TfjsSGDOptions>(tfjs.TfjsSGD, tfjs.tfjsSGDDefinition),
  /** `TfjsMomentum`: its class and definition. */
  "tfjs:momentum": entry<tfjs.TfjsMomentumOptions>(tfjs.TfjsMomentum, tfjs.tfjsMomentumDefinition),
  /** `TfjsAdam`: its class and definition. */
  "tfjs:adam": entry<tfjs.TfjsAdamOptions>(tfjs.TfjsAdam, tfjs.tfjsAdamDefinition),
  /** `TfjsRMSprop`: its class and definition. */
  "tfjs:rmsprop": entry<tfjs.TfjsRMSpropOptions>(tfjs.TfjsRMSprop, tfjs.tfjsRMSpropDefinition),
  /** `TfjsAdagrad`: its class and definition. */
  "tfjs:adagrad": entry<tfjs.TfjsAdagradOptions>(tfjs.TfjsAdagrad, tfjs.tfjsAdagradDefinition),
  /** `TfjsAdamax`: its class and definition. */
  "tfjs:adamax": entry<tfjs.TfjsAdamaxOptions>(tfjs.TfjsAdamax, tfjs.tfjsAdamaxDefinition),
  /** `TfjsAdadelta`: its class and definition. */
  "tfjs:adadelta": entry<tfjs.TfjsAdadeltaOptions>(tfjs.TfjsAdadelta, tfjs.tfjsAdadeltaDefinition),
};

// The registry, its definitions and their defaults (torch's) are shared by every optimizer created
// later: frozen, so that changing `adamDefaults.lr` throws instead of changing every later Adam.
deepFreeze(OPTIMIZERS);

/** The name of an optimizer in `OPTIMIZERS`: `adam`, `keras:adam`, `optax:adamw`, ... */
export type OptimizerName = keyof typeof OPTIMIZERS;
/** Every `OptimizerName`, in the registry's order. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = Object.freeze(Object.keys(OPTIMIZERS) as OptimizerName[]);
/** The options of optimizer `N` (for a union of names, the union of their options). */
export type OptionsOf<N extends OptimizerName> = N extends OptimizerName
  ? (typeof OPTIMIZERS)[N] extends RegistryEntry<infer O>
    ? O
    : never
  : never;

/**
 * Whether optimizer `name`'s kernel works element by element, so that worker threads split its
 * steps anywhere within tensors. LAMB's and Adafactor's kernels reduce over each tensor in fixed
 * blocks and are split within tensors at those blocks (in phases, bit-identical to one thread);
 * optax:adafactor's reduces over whole tensors and is split only between the tensors of a group, so
 * one large tensor steps on one thread.
 */
export function isElementwise(name: OptimizerName): boolean {
  return KERNEL_LAYOUTS[registryEntry(name).definition.kernel].elementwise;
}

/** The registry's entry for `name`, by own name only: "constructor" or "__proto__" is an unknown optimizer, not Object's. */
function registryEntry(name: string): RegistryEntry<object> {
  if (typeof name !== "string" || !Object.hasOwn(OPTIMIZERS, name)) {
    throw new TypeError(`simdopt: unknown optimizer '${String(name)}' (known: ${OPTIMIZER_NAMES.join(", ")})`);
  }
  return (OPTIMIZERS as Record<string, RegistryEntry<object>>)[name];
}

/** `createOptimizer("adam", params, { lr: 1e-3 })`: any optimizer by name. */
export function createOptimizer<N extends OptimizerName>(
  name: N,
  params: ParamsInput<OptionsOf<N>>,
  options?: OptionsOf<N> & TrainingOptions,
): Optimizer<OptionsOf<N>> {
  return registryEntry(name).create(params, options ?? {}) as unknown as Optimizer<OptionsOf<N>>;
}
