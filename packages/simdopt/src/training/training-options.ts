/**
 * Optimizer-wide training options, beside each optimizer's own: gradient clipping fused into the
 * step, and what a step does when a gradient is NaN or infinite. Checked before anything changes.
 *
 * Clipping by norm is one Wasm reduction over every gradient of every group (the global norm, as
 * torch's clip_grad_norm_ over all parameters), and its factor rides on the `gradScale` scalar every
 * kernel already multiplies the gradient by: no extra pass, and `grad` itself is left unscaled.
 * Clipping by value clamps the gradients in place first (a pass of its own: it is not a scale).
 */
import {
  allFloat32,
  checkNormType,
  checkPositive,
  clampGradients,
  clipCoefficient,
  gradientsFinite,
  totalNorm,
  type NormType,
} from "../clipping/norm.js";
import type { GradTable } from "../runtime/grad-kernels.js";
import type { Runtime } from "../runtime/runtime.js";
import { show } from "../runtime/validate.js";

/** What `step()` does when some gradient is NaN or ±Inf. */
export type NonFiniteMode = "propagate" | "skip" | "throw";
/** Every `NonFiniteMode`. */
export const NON_FINITE_MODES: readonly NonFiniteMode[] = Object.freeze(["propagate", "skip", "throw"]);

/** Options of every optimizer, for all its groups together (given with the constructor's options). */
export interface TrainingOptions {
  /** Clip the global norm of all gradients to this (torch's clip_grad_norm_ before each step); null: off (default). */
  maxGradNorm?: number | null;
  /** The p of that norm: 2 (default), any positive number, or "inf". */
  gradNormType?: NormType;
  /** Clamp every gradient element to [−v, v] before each step (torch's clip_grad_value_); null: off (default). */
  clipGradValue?: number | null;
  /**
   * When a gradient is NaN or ±Inf: `propagate` (torch's behaviour, the default) steps anyway;
   * `skip` leaves parameters, state and step counts bit-identical and reports the skip; `throw`
   * throws a RangeError, also changing nothing.
   */
  nonFinite?: NonFiniteMode;
}

/** The training options in force, defaults filled in (`opt.trainingOptions`). */
export interface ResolvedTrainingOptions {
  /** The global gradient norm clipped to before each step; null: off. */
  readonly maxGradNorm: number | null;
  /** The p of that norm: a positive number or "inf". */
  readonly gradNormType: number | "inf";
  /** The bound v of every gradient element, clamped to [−v, v] before each step; null: off. */
  readonly clipGradValue: number | null;
  /** What a NaN or ±Inf gradient does: `propagate`, `skip` or `throw` (see `TrainingOptions.nonFinite`). */
  readonly nonFinite: NonFiniteMode;
}

/** The names of the training options, which every optimizer accepts beside its own. */
export const TRAINING_OPTION_NAMES = Object.freeze([
  "maxGradNorm",
  "gradNormType",
  "clipGradValue",
  "nonFinite",
] as const);

/** No clipping, and torch's behaviour for non-finite gradients. */
export const TRAINING_DEFAULTS: ResolvedTrainingOptions = Object.freeze({
  maxGradNorm: null,
  gradNormType: 2,
  clipGradValue: null,
  nonFinite: "propagate",
});

/** What one `step()` did. */
export interface StepReport {
  /** False when the step was skipped (nothing changed). */
  readonly applied: boolean;
  /** Why it was skipped. */
  readonly reason?: "non-finite gradient";
  /** The global gradient norm before clipping, when `maxGradNorm` computed it. */
  readonly gradNorm?: number;
}

/** `base` with `overrides` applied, validated; throws naming `title`, the option and the value. */
export function checkTrainingOptions(
  title: string,
  base: ResolvedTrainingOptions,
  overrides: Partial<TrainingOptions>,
): ResolvedTrainingOptions {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const o = { ...base, ...defined } as Record<string, unknown>;
  if (o.maxGradNorm !== null) checkPositive(title, "maxGradNorm", o.maxGradNorm);
  if (o.clipGradValue !== null) checkPositive(title, "clipGradValue", o.clipGradValue);
  const p = checkNormType(title, o.gradNormType, "gradNormType");
  if (!NON_FINITE_MODES.includes(o.nonFinite as NonFiniteMode)) {
    throw new TypeError(
      `${title}: option 'nonFinite' must be one of ${NON_FINITE_MODES.join(", ")}, got ${show(o.nonFinite)}`,
    );
  }
  if (o.maxGradNorm !== null && o.clipGradValue !== null) {
    throw new TypeError(
      `${title}: options 'maxGradNorm' and 'clipGradValue' cannot both be set (clip by norm or by value)`,
    );
  }
  return Object.freeze({
    maxGradNorm: o.maxGradNorm as number | null,
    gradNormType: p === Infinity ? "inf" : p,
    clipGradValue: o.clipGradValue as number | null,
    nonFinite: o.nonFinite as NonFiniteMode,
  });
}

/** What the step does after `prepareGradients`: go on (with this gradient scale) or stop. */
export interface Preparation {
  report: StepReport;
  /** The factor the kernels multiply the gradients by (the clipping coefficient), 1 when not clipping. */
  scale: number;
}

/**
 * Runs the checks and clipping of one step over all the optimizer's tables: the global norm (one
 * reduction), the finiteness check where the norm cannot tell (one more pass, only when needed),
 * and clamping by value. Changes nothing when the step is skipped or throws.
 */
export function prepareGradients(
  title: string,
  runtime: Runtime,
  tables: readonly GradTable[],
  o: ResolvedTrainingOptions,
): Preparation {
  const p = o.gradNormType === "inf" ? Infinity : o.gradNormType;
  const norm = o.maxGradNorm === null ? undefined : totalNorm(runtime, tables, p);
  const withNorm = norm === undefined ? {} : { gradNorm: norm };
  if (o.nonFinite !== "propagate") {
    // A finite norm means every gradient is finite; a non-finite one may be an overflow of the sum.
    const finite = (norm !== undefined && Number.isFinite(norm)) || gradientsFinite(runtime, tables);
    if (!finite) {
      if (o.nonFinite === "throw") {
        throw new RangeError(
          `${title}: a gradient is NaN or infinite (option nonFinite: 'throw'); nothing was changed`,
        );
      }
      return { report: Object.freeze({ applied: false, reason: "non-finite gradient", ...withNorm }), scale: 1 };
    }
  }
  if (o.clipGradValue !== null) clampGradients(runtime, tables, o.clipGradValue);
  const scale = norm === undefined ? 1 : clipCoefficient(norm, o.maxGradNorm as number, allFloat32(tables));
  return { report: Object.freeze({ applied: true, ...withNorm }), scale };
}
