import type { SchedulableOptimizer } from "./groups.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `ExponentialLR`: torch.optim.lr_scheduler.ExponentialLR's arguments in camelCase. */
export interface ExponentialLROptions {
  /** Factor of every epoch's decay; required. */
  gamma: number;
}

type Resolved = { gamma: number };

/**
 * torch.optim.lr_scheduler.ExponentialLR: the learning rate decays by `gamma` every epoch,
 *
 *     η_t = η_{t−1}·γ   (closed form η_0·γ^t)
 */
export class ExponentialLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    super("ExponentialLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["gamma"]);
    return { gamma: this.check.nonNegative("gamma", o.gamma) };
  }

  protected getLr(): number[] {
    if (this.isInitial) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.options.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.options.gamma ** this.lastEpoch);
  }
}
