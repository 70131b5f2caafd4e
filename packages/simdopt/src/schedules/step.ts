import type { SchedulableOptimizer } from "./groups.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `StepLR`: torch.optim.lr_scheduler.StepLR's arguments in camelCase. */
export interface StepLROptions {
  /** Epochs between decays; required. */
  stepSize: number;
  /** Factor of each decay (default 0.1). */
  gamma?: number;
}

type Resolved = { stepSize: number; gamma: number };

/**
 * torch.optim.lr_scheduler.StepLR: the learning rate decays by `gamma` every `stepSize` epochs,
 *
 *     η_t = η_{t−1}·γ  when t > 0 and t mod stepSize = 0,  else η_{t−1}   (closed form η_0·γ^⌊t/stepSize⌋)
 */
export class StepLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    super("StepLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["stepSize", "gamma"]);
    return {
      stepSize: this.check.integer("stepSize", o.stepSize, 1),
      gamma: this.check.nonNegative("gamma", orDefault(o.gamma, 0.1)),
    };
  }

  protected getLr(): number[] {
    const { stepSize, gamma } = this.options;
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * gamma);
  }

  protected override closedFormLr(): number[] {
    const { stepSize, gamma } = this.options;
    return this.baseLrs.map((base) => base * gamma ** Math.floor(this.lastEpoch / stepSize));
  }
}
