import { Optimizer, type OptimizerDefinition, type ParamsInput } from "../../optimizer.js";
import { show, type OptionChecker } from "../../runtime/validate.js";
import type { PresetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";
import { readOptions } from "../../runtime/read-options.js";
import { fromBfloat16, toBfloat16 } from "../../reference/bfloat16.js";

/**
 * Options of `OptaxAdam` and `OptaxNadam`: optax.adam and optax.nadam's arguments in camelCase (defaults:
 * `optaxAdamDefaults`).
 */
export interface OptaxAdamOptions {
  /** Learning rate (optax's `learning_rate`). Default 1e-3. */
  learningRate?: number;
  /** Decay rate of the running average of the gradient (optax's `b1`). Default 0.9. */
  b1?: number;
  /** Decay rate of the running average of the squared gradient (optax's `b2`). Default 0.999. */
  b2?: number;
  /** Term added to the denominator for numerical stability, outside the root. Default 1e-8. */
  eps?: number;
  /** ε inside the root as well: m̂/(√(v̂ + epsRoot) + eps). */
  epsRoot?: number;
  /** Nesterov momentum (optax's `nesterov`). Default false. (true for `OptaxNadam`) */
  nesterov?: boolean;
  /**
   * The type the first moment μ is stored in (optax's `mu_dtype`): `"float32"` (default) or
   * `"bfloat16"`, where b1·μ is a bfloat16 product, as jax computes it, and μ is stored rounded
   * to nearest even (ν stays float32). For the whole optimizer, float32 parameters only.
   */
  muDtype?: "float32" | "bfloat16";
}

/** Options of `OptaxAdamW`: optax.adamw's arguments in camelCase (defaults: `optaxAdamWDefaults`). */
export interface OptaxAdamWOptions extends OptaxAdamOptions {
  /** Decoupled, multiplied by the learning rate: θ ← θ − lr·(u + λθ). */
  weightDecay?: number;
}

/** `OptaxAdam`'s defaults (optax.adam's). */
export const optaxAdamDefaults: Required<OptaxAdamOptions> = deepFreeze({
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-8,
  epsRoot: 0,
  nesterov: false,
  muDtype: "float32",
});
/** `OptaxAdamW`'s defaults (optax.adamw's). */
export const optaxAdamWDefaults: Required<OptaxAdamWOptions> = deepFreeze({ ...optaxAdamDefaults, weightDecay: 1e-4 });
/** `OptaxNadam`'s defaults (optax.nadam's). */
export const optaxNadamDefaults: Required<OptaxAdamOptions> = deepFreeze({ ...optaxAdamDefaults, nesterov: true });

export function checkAdam(o: Omit<Required<OptaxAdamOptions>, "muDtype">, check: OptionChecker): void {
  check.nonNegative("learningRate", o.learningRate);
  check.betas([o.b1, o.b2], ["b1", "b2"]);
  check.nonNegative("eps", o.eps);
  check.nonNegative("epsRoot", o.epsRoot);
  check.boolean("nesterov", o.nesterov);
}

/**
 * NAdam's kernel computes θ + c_g·g/d + c_m·m/d with d = √(v/(1 − β2ᵗ) + εroot) + ε: for a step
 * s·m̂ (s = −lr for Adam), plain m̂ gives c_g = 0 and c_m = s/(1 − β1ᵗ); Nesterov's
 * m̂ = β1·m/(1 − β1^(t+1)) + (1 − β1)·g/(1 − β1ᵗ) gives c_m = s·β1/(1 − β1^(t+1)) and c_g = s(1 − β1)/(1 − β1ᵗ).
 */
export function momentumCoefficients(
  o: Pick<Required<OptaxAdamOptions>, "b1" | "nesterov">,
  t: number,
  step: number,
): { gradCoef: number; avgCoef: number } {
  const bc1 = 1 - o.b1 ** t;
  if (!o.nesterov) return { gradCoef: 0, avgCoef: step / bc1 };
  return { gradCoef: (step * (1 - o.b1)) / bc1, avgCoef: (step * o.b1) / (1 - o.b1 ** (t + 1)) };
}

/** optax's Adam family on NAdam's kernel (see `momentumCoefficients`), adamw's decay decoupled. */
function adamFamily(
  title: string,
  defaults: Required<OptaxAdamWOptions>,
): OptimizerDefinition<OptaxAdamWOptions, "nadam"> {
  return {
    title,
    steps: "shared",
    kernel: "nadam",
    defaults,
    validate(o, check) {
      checkAdam(o, check);
      check.nonNegative("weightDecay", o.weightDecay);
    },
    buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
    plan(o, t) {
      const lr = o.learningRate;
      return {
        scalars: {
          gradScale: 1,
          paramScale: 1 - lr * o.weightDecay,
          weightDecay: 0,
          beta1: o.b1,
          oneMinusBeta1: 1 - o.b1,
          beta2: o.b2,
          oneMinusBeta2: 1 - o.b2,
          biasCorrection2: 1 - o.b2 ** t,
          eps: o.eps,
          ...momentumCoefficients(o, t, -lr),
          epsRoot: o.epsRoot,
        },
        flags: {
          decoupled: o.weightDecay !== 0,
          coupled: false,
          withEpsRoot: o.epsRoot !== 0,
          momentumOnly: false,
          withLerp: false,
        },
      };
    },
  };
}

export const optaxAdamDefinition = adamFamily("optax:adam", {
  ...optaxAdamDefaults,
  weightDecay: 0,
}) as unknown as OptimizerDefinition<OptaxAdamOptions, "nadam">;
export const optaxAdamWDefinition = adamFamily("optax:adamw", optaxAdamWDefaults);
export const optaxNadamDefinition = adamFamily("optax:nadam", {
  ...optaxNadamDefaults,
  weightDecay: 0,
}) as unknown as OptimizerDefinition<OptaxAdamOptions, "nadam">;
// optax.adam and optax.nadam have no weight decay: their definitions keep it at 0 and do not accept it.
for (const definition of [optaxAdamDefinition, optaxNadamDefinition]) {
  delete (definition.defaults as Partial<OptaxAdamWOptions>).weightDecay;
  const { validate, plan } = definition;
  definition.validate = (o, check) => validate({ ...o, weightDecay: 0 } as Required<OptaxAdamOptions>, check);
  definition.plan = (o, t, state) => plan({ ...o, weightDecay: 0 } as Required<OptaxAdamOptions>, t, state);
}

/**
 * `base` (a definition on NAdam's kernel) with μ stored in bfloat16, on its own kernel: the same
 * scalars with b1 rounded to bfloat16 for the product b1·μ (optax's 1 − b1 and bias corrections
 * keep the exact b1). optax's Adam has no coupled decay, Nesterov takes the kernel's coefficients.
 */
function muBfloat16<O extends OptaxAdamOptions>(
  base: OptimizerDefinition<O, "nadam">,
): OptimizerDefinition<O, "optaxAdamMuBf16"> {
  return {
    ...base,
    kernel: "optaxAdamMuBf16",
    validate(o, check) {
      base.validate(o, check);
      checkMuDtype(check, o.muDtype, "bfloat16");
    },
    plan(o, t, state) {
      const { scalars, flags } = base.plan(o, t, state);
      const { weightDecay: _, ...rest } = scalars;
      return {
        scalars: { ...rest, beta1: fromBfloat16(toBfloat16(Math.fround(scalars.beta1))) },
        flags: { decoupled: flags.decoupled, withEpsRoot: flags.withEpsRoot },
      };
    },
  };
}

/** Throws unless `value` is the `muDtype` the optimizer was built with (a group cannot change it). */
function checkMuDtype(check: OptionChecker, value: unknown, expected: string): void {
  if (value !== "float32" && value !== "bfloat16")
    check.fail(`option 'muDtype' must be "float32" or "bfloat16", got ${show(value)}`, TypeError);
  if (value !== expected)
    check.fail(
      `option 'muDtype' is ${show(expected)} for the whole optimizer: a group, or a later change, cannot make it ${show(value)}`,
      TypeError,
    );
}

/** `base` that refuses a group or a change that asks for a bfloat16 μ (the optimizer's is float32). */
function muFloat32<O extends OptaxAdamOptions>(base: OptimizerDefinition<O, "nadam">): OptimizerDefinition<O, "nadam"> {
  return {
    ...base,
    validate(o, check) {
      base.validate(o, check);
      checkMuDtype(check, o.muDtype, "float32");
    },
  };
}

/** A class of the family whose `muDtype` option picks its definition: float32 μ, or bfloat16. */
function adamClass<O extends OptaxAdamOptions>(float32: OptimizerDefinition<O, "nadam">): PresetClass<O> {
  const definitions = { float32: muFloat32(float32), bfloat16: muBfloat16(float32) };
  return class extends Optimizer<O> {
    constructor(params: ParamsInput<O>, options: O = {} as O) {
      // Read once: the optimizer reads this copy, not the caller's object (runtime/read-options.ts).
      const read = readOptions(options, { where: float32.title }) as O;
      super(params, read, read.muDtype === "bfloat16" ? definitions.bfloat16 : definitions.float32);
    }
  };
}

/** optax.adam. */
export const OptaxAdam = adamClass(optaxAdamDefinition);
/** optax.adamw. */
export const OptaxAdamW = adamClass(optaxAdamWDefinition);
/** optax.nadam (optax.adam with nesterov). */
export const OptaxNadam = adamClass(optaxNadamDefinition);
