import type { SchedulableOptimizer } from "./groups.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `CosineAnnealingLR`: torch.optim.lr_scheduler.CosineAnnealingLR's arguments in camelCase. */
export interface CosineAnnealingLROptions {
  /** Epochs of a half period; required. */
  tMax: number;
  /** Smallest learning rate (default 0). */
  etaMin?: number;
}

type Resolved = { tMax: number; etaMin: number };

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR in torch's recursive ("chainable") form, which is what
 * torch's `step()` computes: each learning rate follows from the current one, so the schedule
 * also follows changes made by other schedulers. With T = tMax and η_min = etaMin:
 *
 *     η_t = η_min + (η_{t−1} − η_min)·(1 + cos(πt/T))/(1 + cos(π(t − 1)/T))
 *     η_t = η_{t−1} + (η_0 − η_min)·(1 − cos(π/T))/2        where (t − 1 − T) mod 2T = 0
 *
 * Alone it tracks the closed form η_min + (η_0 − η_min)(1 + cos(πt/T))/2 to rounding, and it
 * goes on past T: the learning rate rises back to η_0 at 2T and so on.
 */
export class CosineAnnealingLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    super("CosineAnnealingLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["tMax", "etaMin"]);
    return {
      tMax: this.check.integer("tMax", o.tMax, 1),
      etaMin: this.check.nonNegative("etaMin", orDefault(o.etaMin, 0)),
    };
  }

  protected getLr(): number[] {
    const { tMax: T, etaMin } = this.options;
    const t = this.lastEpoch;
    if (this.isInitial) return this.currentLrs();
    if ((t - 1 - T) % (2 * T) === 0) {
      return this.currentLrs().map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T));
    return this.currentLrs().map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const { tMax: T, etaMin } = this.options;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / T))) / 2);
  }
}
