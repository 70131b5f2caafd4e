import type { SchedulableOptimizer } from "./groups.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `LinearLR`: torch.optim.lr_scheduler.LinearLR's arguments in camelCase. */
export interface LinearLROptions {
  /** Factor at epoch 0 (default 1/3), in (0, 1]. */
  startFactor?: number;
  /** Factor from epoch `totalIters` on (default 1), in [0, 1]. */
  endFactor?: number;
  /** Epochs of the linear change (default 5). */
  totalIters?: number;
}

type Resolved = { startFactor: number; endFactor: number; totalIters: number };

/**
 * torch.optim.lr_scheduler.LinearLR: the factor of the learning rate moves linearly from
 * `startFactor` to `endFactor` over `totalIters` epochs. The constructor scales the learning
 * rate at once. With s, e the factors and T = totalIters:
 *
 *     η_0 = η·s;   η_t = η_{t−1}·(1 + (e − s)/(T·s + (t − 1)(e − s))) for 0 < t ≤ T, else η_{t−1}
 *     (closed form η·(s + (e − s)·min(t, T)/T))
 *
 * With endFactor 0 torch's recursion may round the last rate to a tiny negative number (such as
 * −1.85e-18 for startFactor 1/3 over 4 epochs); LinearLR sets 0 where it would be negative.
 */
export class LinearLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    super("LinearLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  /** Epochs of the linear change. */
  get totalIters(): number {
    return this.options.totalIters;
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["startFactor", "endFactor", "totalIters"]);
    const startFactor = this.check.number("startFactor", orDefault(o.startFactor, 1 / 3));
    if (!(startFactor > 0 && startFactor <= 1))
      this.check.fail(`invalid startFactor: ${startFactor} (must be in (0, 1])`);
    const endFactor = this.check.inRange("endFactor", orDefault(o.endFactor, 1), 0, 1, true);
    return { startFactor, endFactor, totalIters: this.check.integer("totalIters", orDefault(o.totalIters, 5), 1) };
  }

  protected getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this.options;
    if (this.lastEpoch === 0) return this.currentLrs().map((lr) => lr * s);
    if (this.isInitial || this.lastEpoch > T) return this.currentLrs();
    const factor = 1 + (e - s) / (T * s + (this.lastEpoch - 1) * (e - s));
    // Rounding can end a decay to endFactor 0 a hair below zero (−2e-18 for a third of start
    // factors), a rate optimizers refuse: 0 there.
    return this.currentLrs().map((lr) => Math.max(0, lr * factor));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this.options;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(T, this.lastEpoch)) / T));
  }
}
