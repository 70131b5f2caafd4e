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

export interface RegistryEntry<O extends object> {
  create: (params: ParamsInput<O>, options: O) => Optimizer<O>;
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

export const OPTIMIZERS = {
  sgd: entry<SGDOptions>(SGD, sgdDefinition),
  adam: entry<AdamOptions>(Adam, adamDefinition),
  adamw: entry<AdamWOptions>(AdamW, adamwDefinition),
  adamax: entry<AdamaxOptions>(Adamax, adamaxDefinition),
  nadam: entry<NAdamOptions>(NAdam, nadamDefinition),
  radam: entry<RAdamOptions>(RAdam, radamDefinition),
  adagrad: entry<AdagradOptions>(Adagrad, adagradDefinition),
  adadelta: entry<AdadeltaOptions>(Adadelta, adadeltaDefinition),
  rmsprop: entry<RMSpropOptions>(RMSprop, rmspropDefinition),
  rprop: entry<RpropOptions>(Rprop, rpropDefinition),
  lion: entry<LionOptions>(Lion, lionDefinition),
  asgd: entry<ASGDOptions>(ASGD, asgdDefinition),
  ftrl: entry<FtrlOptions>(Ftrl, ftrlDefinition),
  lamb: entry<LambOptions>(Lamb, lambDefinition),
  adafactor: entry<AdafactorOptions>(Adafactor, adafactorDefinition),
  "schedulefree:adamw": entry<AdamWScheduleFreeOptions>(AdamWScheduleFree, adamwScheduleFreeDefinition),
  "schedulefree:sgd": entry<SGDScheduleFreeOptions>(SGDScheduleFree, sgdScheduleFreeDefinition),
  "keras:adam": entry<KerasAdamOptions>(KerasAdam, kerasAdamDefinition),
  "keras:nadam": entry<KerasNadamOptions>(KerasNadam, kerasNadamDefinition),
  "keras:rmsprop": entry<KerasRMSpropOptions>(KerasRMSprop, kerasRMSpropDefinition),
  "keras:sgd": entry<KerasSGDOptions>(KerasSGD, kerasSGDDefinition),
  "keras:lion": entry<KerasLionOptions>(KerasLion, kerasLionDefinition),
  "optax:adam": entry<optax.OptaxAdamOptions>(optax.OptaxAdam, optax.optaxAdamDefinition),
  "optax:adamw": entry<optax.OptaxAdamWOptions>(optax.OptaxAdamW, optax.optaxAdamWDefinition),
  "optax:nadam": entry<optax.OptaxAdamOptions>(optax.OptaxNadam, optax.optaxNadamDefinition),
  "optax:sgd": entry<optax.OptaxSGDOptions>(optax.OptaxSGD, optax.optaxSGDDefinition),
  "optax:lion": entry<optax.OptaxLionOptions>(optax.OptaxLion, optax.optaxLionDefinition),
  "optax:adamax": entry<optax.OptaxAdamaxOptions>(optax.OptaxAdamax, optax.optaxAdamaxDefinition),
  "optax:adadelta": entry<optax.OptaxAdadeltaOptions>(optax.OptaxAdadelta, optax.optaxAdadeltaDefinition),
  "optax:radam": entry<optax.OptaxRAdamOptions>(optax.OptaxRAdam, optax.optaxRAdamDefinition),
  "optax:lamb": entry<optax.OptaxLambOptions>(optax.OptaxLamb, optax.optaxLambDefinition),
  "optax:rmsprop": entry<optax.OptaxRMSpropOptions>(optax.OptaxRMSprop, optax.optaxRMSpropDefinition),
  "optax:adagrad": entry<optax.OptaxAdagradOptions>(optax.OptaxAdagrad, optax.optaxAdagradDefinition),
  "optax:rprop": entry<optax.OptaxRpropOptions>(optax.OptaxRprop, optax.optaxRpropDefinition),
  "optax:adafactor": entry<optax.OptaxAdafactorOptions>(optax.OptaxAdafactor, optax.optaxAdafactorDefinition),
  "optax:contrib.schedule_free_adamw": entry<optax.OptaxScheduleFreeAdamWOptions>(
    optax.OptaxScheduleFreeAdamW,
    optax.optaxScheduleFreeAdamWDefinition,
  ),
  "tfjs:sgd": entry<tfjs.TfjsSGDOptions>(tfjs.TfjsSGD, tfjs.tfjsSGDDefinition),
  "tfjs:momentum": entry<tfjs.TfjsMomentumOptions>(tfjs.TfjsMomentum, tfjs.tfjsMomentumDefinition),
  "tfjs:adam": entry<tfjs.TfjsAdamOptions>(tfjs.TfjsAdam, tfjs.tfjsAdamDefinition),
  "tfjs:rmsprop": entry<tfjs.TfjsRMSpropOptions>(tfjs.TfjsRMSprop, tfjs.tfjsRMSpropDefinition),
  "tfjs:adagrad": entry<tfjs.TfjsAdagradOptions>(tfjs.TfjsAdagrad, tfjs.tfjsAdagradDefinition),
  "tfjs:adamax": entry<tfjs.TfjsAdamaxOptions>(tfjs.TfjsAdamax, tfjs.tfjsAdamaxDefinition),
  "tfjs:adadelta": entry<tfjs.TfjsAdadeltaOptions>(tfjs.TfjsAdadelta, tfjs.tfjsAdadeltaDefinition),
};

// The registry, its definitions and their defaults (torch's) are shared by every optimizer created
// later: frozen, so that changing `adamDefaults.lr` throws instead of changing every later Adam.
deepFreeze(OPTIMIZERS);

export type OptimizerName = keyof typeof OPTIMIZERS;
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
