import type { OptimizerDefinition, ParamsInput } from "../../optimizer.js";
import { planScheduleFree, ScheduleFreeOptimizer, scheduleFreeInitialState } from "../../optimizers/scheduleFree.js";

/**
 * Options of `OptaxScheduleFreeAdamW`: optax.contrib.schedule_free_adamw's arguments in camelCase (defaults:
 * `optaxScheduleFreeAdamWDefaults`).
 */
export interface OptaxScheduleFreeAdamWOptions {
  /** Learning rate (optax's `learning_rate`). Default 0.0025. */
  learningRate?: number;
  /** A linear warm-up from 0 over this many steps (optax's warmup_constant_schedule); null: none. */
  warmupSteps?: number | null;
  /** Interpolation of y between x and z (optax's `b1`). Default 0.9. */
  b1?: number;
  /** Decay rate of the running average of the squared gradient (optax's `b2`). Default 0.999. */
  b2?: number;
  /** Term added to the denominator for numerical stability, outside the root. Default 1e-8. */
  eps?: number;
  /** Weight decay taken at y and added to the update direction. Default 0. */
  weightDecay?: number;
  /** The average weighs each step by lr_max^weightLrPower (optax's `weight_lr_power`). Default 2. */
  weightLrPower?: number;
}

/** `OptaxScheduleFreeAdamW`'s defaults (optax.contrib.schedule_free_adamw's). */
export const optaxScheduleFreeAdamWDefaults: Required<OptaxScheduleFreeAdamWOptions> = {
  learningRate: 0.0025,
  warmupSteps: null,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  weightLrPower: 2,
};

/** optax's warm-up schedule at `count`, in float32 as optax computes it (also with x64 on). */
function warmupLr(lr: number, warmupSteps: number, count: number): number {
  const f = Math.fround;
  const fraction = f(f(Math.min(count, warmupSteps)) / f(warmupSteps));
  return f(f(f(0 - lr) * f(1 - fraction)) + f(lr));
}

/**
 * optax.contrib.schedule_free_adamw on the schedule-free kernel: AdamWScheduleFree with r = 0,
 * except that with `warmupSteps` the averaging weight takes the schedule at count k+1 while the z
 * step takes it at count k (optax's inner learning-rate scaling keeps its own count from 0, so z
 * does not move at the first step), and that schedule is computed in float32.
 */
export const optaxScheduleFreeAdamWDefinition: OptimizerDefinition<OptaxScheduleFreeAdamWOptions, "scheduleFree"> = {
  title: "optax:contrib.schedule_free_adamw",
  steps: "shared", // optax's step count is the optimizer's
  kernel: "scheduleFree",
  defaults: optaxScheduleFreeAdamWDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    if (o.warmupSteps !== null && !(Number.isInteger(check.number("warmupSteps", o.warmupSteps)) && o.warmupSteps >= 1))
      check.fail(`invalid warmupSteps: ${o.warmupSteps} (must be null or a whole number >= 1)`);
    check.betas([o.b1, o.b2], ["b1", "b2"]);
    if (o.b1 === 0) check.fail("invalid b1: 0 (must be in (0, 1): eval() divides by it)");
    check.nonNegative("eps", o.eps);
    check.nonNegative("weightDecay", o.weightDecay);
    check.nonNegative("weightLrPower", o.weightLrPower);
  },
  buffers: () => ({ z: 0, expAvgSq: 0, expAvg: null }),
  initialState: scheduleFreeInitialState,
  plan: (o, t, state) => {
    const shared = { weightDecay: o.weightDecay, r: 0, weightLrPower: o.weightLrPower, warmupSteps: 0 };
    const adaptive = { beta2: o.b2, eps: o.eps, innerMomentum: 0 };
    const title = "optax:contrib.schedule_free_adamw";
    if (o.warmupSteps === null)
      return planScheduleFree(title, { ...shared, lr: o.learningRate }, t, state, o.b1, adaptive);
    const warmupSteps = o.warmupSteps;
    // The averaging weight with the schedule at count t (= k+1) ...
    const weighted = planScheduleFree(
      title,
      { ...shared, lr: warmupLr(o.learningRate, warmupSteps, t) },
      t,
      state,
      o.b1,
      adaptive,
    );
    // ... and the z step with it at count k.
    const zLr = warmupLr(o.learningRate, warmupSteps, t - 1);
    const { averageWeight } = weighted.scalars;
    return {
      ...weighted,
      scalars: { ...weighted.scalars, yStep: zLr * (o.b1 * (1 - averageWeight) - 1), negLr: -zLr },
    };
  },
};

/** optax.contrib.schedule_free_adamw, with `train()` / `eval()` as AdamWScheduleFree (eval's point is optax's schedule_free_eval_params). */
export class OptaxScheduleFreeAdamW extends ScheduleFreeOptimizer<OptaxScheduleFreeAdamWOptions> {
  constructor(params: ParamsInput<OptaxScheduleFreeAdamWOptions>, options: OptaxScheduleFreeAdamWOptions = {}) {
    super(params, options, optaxScheduleFreeAdamWDefinition);
  }

  protected override interpolation(options: Required<OptaxScheduleFreeAdamWOptions>): number {
    return options.b1;
  }
}
