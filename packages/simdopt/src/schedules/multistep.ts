import type { SchedulableOptimizer } from "./groups.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `MultiStepLR`: torch.optim.lr_scheduler.MultiStepLR's arguments in camelCase. */
export interface MultiStepLROptions {
  /** Epochs at which the learning rate decays; a milestone listed k times decays by γ^k. Required. */
  milestones: number[];
  /** Factor of each decay (default 0.1). */
  gamma?: number;
}

type Resolved = { milestones: number[]; gamma: number };

/**
 * torch.optim.lr_scheduler.MultiStepLR: the learning rate decays by `gamma` at each milestone,
 *
 *     η_t = η_{t−1}·γ^(times t is listed in milestones)   (closed form η_0·γ^(milestones ≤ t))
 */
export class MultiStepLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    super("MultiStepLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["milestones", "gamma"]);
    return {
      milestones: this.check.integers("milestones", o.milestones, 0, false),
      gamma: this.check.nonNegative("gamma", orDefault(o.gamma, 0.1)),
    };
  }

  protected getLr(): number[] {
    const count = this.options.milestones.filter((milestone) => milestone === this.lastEpoch).length;
    if (count === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.options.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const passed = this.options.milestones.filter((milestone) => milestone <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.options.gamma ** passed);
  }
}
