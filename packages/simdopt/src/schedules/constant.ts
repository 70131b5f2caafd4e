import type { SchedulableOptimizer } from "./groups.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `ConstantLR`: torch.optim.lr_scheduler.ConstantLR's arguments in camelCase. */
export interface ConstantLROptions {
  /** Factor applied until `totalIters` (default 1/3), in (0, 1]. */
  factor?: number;
  /** Epochs with the reduced learning rate (default 5). */
  totalIters?: number;
}

type Resolved = { factor: number; totalIters: number };

/**
 * torch.optim.lr_scheduler.ConstantLR: the learning rate times `factor` until epoch `totalIters`,
 * then the learning rate itself. The constructor scales the learning rate at once.
 *
 *     η_0 = η·factor;   η_t = η_{t−1}/factor at t = totalIters, else η_{t−1}
 *
 * torch accepts a factor of 0 and then fails dividing by it at `totalIters`; simdopt refuses it
 * up front.
 */
export class ConstantLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: ConstantLROptions = {}) {
    super("ConstantLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["factor", "totalIters"]);
    const factor = this.check.number("factor", orDefault(o.factor, 1 / 3));
    if (!(factor > 0 && factor <= 1)) this.check.fail(`invalid factor: ${factor} (must be in (0, 1])`);
    return { factor, totalIters: this.check.integer("totalIters", orDefault(o.totalIters, 5), 1) };
  }

  protected getLr(): number[] {
    const { factor, totalIters } = this.options;
    if (this.lastEpoch === 0) return this.currentLrs().map((lr) => lr * factor);
    if (this.lastEpoch !== totalIters) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1 / factor));
  }

  protected override closedFormLr(): number[] {
    const { factor, totalIters } = this.options;
    return this.baseLrs.map((base) => base * (factor + (this.lastEpoch >= totalIters ? 1 : 0) * (1 - factor)));
  }
}
