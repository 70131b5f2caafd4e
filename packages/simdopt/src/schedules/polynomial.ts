import type { SchedulableOptimizer } from "./groups.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `PolynomialLR`: torch.optim.lr_scheduler.PolynomialLR's arguments in camelCase. */
export interface PolynomialLROptions {
  /** Epochs until the learning rate reaches 0 (default 5). */
  totalIters?: number;
  /** Power of the polynomial (default 1), ≥ 0. */
  power?: number;
}

type Resolved = { totalIters: number; power: number };

/**
 * torch.optim.lr_scheduler.PolynomialLR: the learning rate decays polynomially to 0 at epoch
 * `totalIters` (T) and stays there,
 *
 *     η_t = η_{t−1}·((1 − t/T)/(1 − (t − 1)/T))^power for 0 < t ≤ T, else η_{t−1}
 *     (closed form η_0·(1 − min(t, T)/T)^power)
 */
export class PolynomialLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: PolynomialLROptions = {}) {
    super("PolynomialLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["totalIters", "power"]);
    return {
      totalIters: this.check.integer("totalIters", orDefault(o.totalIters, 5), 1),
      power: this.check.nonNegative("power", orDefault(o.power, 1)),
    };
  }

  protected getLr(): number[] {
    const { totalIters: T, power } = this.options;
    if (this.isInitial || this.lastEpoch > T) return this.currentLrs();
    const decay = ((1 - this.lastEpoch / T) / (1 - (this.lastEpoch - 1) / T)) ** power;
    return this.currentLrs().map((lr) => lr * decay);
  }

  protected override closedFormLr(): number[] {
    const { totalIters: T, power } = this.options;
    return this.baseLrs.map((base) => base * (1 - Math.min(T, this.lastEpoch) / T) ** power);
  }
}
