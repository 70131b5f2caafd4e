/**
 * What schedule-free AdamW and SGD share (Defazio et al., 2024, "The Road Less Scheduled",
 * https://arxiv.org/abs/2405.15682; facebookresearch/schedule_free): the per-step averaging weight
 * and learning rate, and the train/eval switch. The parameter holds y (where gradients are taken)
 * in train mode and x (the average, what to evaluate and ship) in eval mode; z is a state buffer.
 */
import { Optimizer, type ParamGroupInput, type ScalarState, type StepPlan } from "../optimizer.js";
import { lerp } from "../reference/lerp.js";
import { roundFor } from "../reference/rules.js";

/** The options both schedule-free optimizers have. */
export interface ScheduleFreeSharedOptions {
  /** Learning rate γ (after the warm-up). Default 0.0025 (AdamWScheduleFree), 1 (SGDScheduleFree). */
  lr?: number;
  /** Decay taken at y and added to the update direction (it enters z too). */
  weightDecay?: number;
  /** Linear warm-up of the learning rate over this many steps (0: none). */
  warmupSteps?: number;
  /** The average weighs step k by (k+1)^r. */
  r?: number;
  /** The average weighs each step by lr_max^weightLrPower (0: equal weights). */
  weightLrPower?: number;
}

/** lrMax starts at −1 and weightSum at 0, as the reference's group defaults; trainMode 1: the parameters hold y. */
export const scheduleFreeInitialState = (): ScalarState => ({ lrMax: -1, weightSum: 0, trainMode: 1 });

/** AdamW's part of a step: its second moment and inner momentum (null for SGD). */
export interface AdaptivePart {
  beta2: number;
  eps: number;
  innerMomentum: number;
}

/**
 * The kernel's arguments for step t (k = t − 1 steps taken before) and the next scalar state, as
 * the reference computes them: lr_k = lr·(k+1)/warmupSteps during warm-up, lr_max = max(lr_max,
 * lr_k), w = (k+1)^r·lr_max^weightLrPower, W ← W + w, c = w/W (0 while W = 0).
 */
export function planScheduleFree(
  title: string,
  o: Required<ScheduleFreeSharedOptions>,
  t: number,
  state: ScalarState,
  beta: number,
  adaptive: AdaptivePart | null,
): StepPlan<"scheduleFree"> {
  if (state.trainMode !== 1) {
    throw new TypeError(
      `${title}: step() in eval mode: call train() first (eval() put the averaged point x in the parameters)`,
    );
  }
  const k = t - 1;
  const lr = k < o.warmupSteps ? o.lr * ((k + 1) / o.warmupSteps) : o.lr;
  const lrMax = Math.max(lr, state.lrMax);
  const weight = (k + 1) ** o.r * lrMax ** o.weightLrPower;
  const weightSum = state.weightSum + weight;
  const averageWeight = weightSum === 0 ? 0 : weight / weightSum;
  const innerMomentum = adaptive?.innerMomentum ?? 0;
  return {
    scalars: {
      gradScale: 1,
      beta2: adaptive?.beta2 ?? 0,
      oneMinusBeta2: 1 - (adaptive?.beta2 ?? 0),
      biasCorrection2: 1 - (adaptive?.beta2 ?? 0) ** t,
      eps: adaptive?.eps ?? 0,
      innerMomentum,
      oneMinusInnerMomentum: 1 - innerMomentum,
      biasCorrection1: 1 - innerMomentum ** t,
      weightDecay: o.weightDecay,
      averageWeight,
      yStep: lr * (beta * (1 - averageWeight) - 1),
      negLr: -lr,
    },
    flags: {
      adaptive: adaptive !== null,
      withInnerMomentum: innerMomentum !== 0,
      coupled: o.weightDecay !== 0,
      averageFromEnd: Math.abs(averageWeight) >= 0.5,
      firstStep: t === 1,
    },
    next: { lrMax, weightSum, trainMode: 1 },
  };
}

/**
 * The train/eval switch of a schedule-free optimizer over the engine. `beta(options)` is the
 * interpolation β of a group (AdamW's betas[0], SGD's momentum).
 */
export class ScheduleFreeOptimizer<O extends object> extends Optimizer<O> {
  /** β of group `index`: overridden by each kind. */
  protected interpolation(_options: Required<O>): number {
    throw new TypeError("schedule-free: no interpolation");
  }

  /** True in train mode (the parameters hold y), false in eval mode (they hold x). Starts in train mode. */
  get isTraining(): boolean {
    this.checkUsable();
    return this.groupScalarState(0).trainMode === 1;
  }

  /**
   * Train mode: moves each parameter from x back to y = x + (1 − β)(z − x) (torch: `p.lerp_(z, 1 − β)`),
   * where step() may run. Nothing happens in train mode, nor to a group that has not stepped yet.
   */
  train(): void {
    this.switchTo(1, (beta) => 1 - beta);
  }

  /**
   * Eval mode: moves each parameter from y to the average x = y + (1 − 1/β)(z − y) (torch:
   * `p.lerp_(z, 1 − 1/β)`), the point to evaluate, test or save; step() is refused until train().
   */
  eval(): void {
    this.switchTo(0, (beta) => 1 - 1 / beta);
  }

  /** The new group takes the optimizer's mode, as the reference's groups all switch together. */
  override addParamGroup(group: ParamGroupInput<Partial<O>>): void {
    const trainMode = this.groupScalarState(0).trainMode;
    super.addParamGroup(group);
    const last = this.groupCount - 1;
    this.setGroupScalarState(last, { trainMode });
  }

  private switchTo(trainMode: number, weightOf: (beta: number) => number): void {
    this.checkUsable();
    for (let g = 0; g < this.groupCount; g++) {
      const state = this.groupScalarState(g);
      if (state.trainMode === trainMode) continue;
      const weight = weightOf(this.interpolation(this.paramGroups[g].options as Required<O>));
      for (const { param, view: z } of this.liveStateViews(g, "z")) {
        const r = roundFor(param.dtype, this.runtime.rounding);
        const w = r(weight);
        const y = param.data;
        for (let i = 0; i < y.length; i++) y[i] = lerp(r, y[i], z[i], w);
      }
      this.setGroupScalarState(g, { trainMode });
    }
  }
}
