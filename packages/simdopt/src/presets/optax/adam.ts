import type { OptimizerDefinition } from "../../optimizer.js";
import type { OptionChecker } from "../../runtime/validate.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

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
});
/** `OptaxAdamW`'s defaults (optax.adamw's). */
export const optaxAdamWDefaults: Required<OptaxAdamWOptions> = deepFreeze({ ...optaxAdamDefaults, weightDecay: 1e-4 });
/** `OptaxNadam`'s defaults (optax.nadam's). */
export const optaxNadamDefaults: Required<OptaxAdamOptions> = deepFreeze({ ...optaxAdamDefaults, nesterov: true });

export function checkAdam(o: Required<OptaxAdamOptions>, check: OptionChecker): void {
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
  o: Required<OptaxAdamOptions>,
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

/** optax.adam. */
export const OptaxAdam = presetClass(optaxAdamDefinition);
/** optax.adamw. */
export const OptaxAdamW = presetClass(optaxAdamWDefinition);
/** optax.nadam (optax.adam with nesterov). */
export const OptaxNadam = presetClass(optaxNadamDefinition);
