import type { SchedulableOptimizer } from "./groups.js";
import { callLambda, resolveLambdas, type LrLambda } from "./lambda.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `MultiplicativeLR`: torch.optim.lr_scheduler.MultiplicativeLR's arguments in camelCase. */
export interface MultiplicativeLROptions {
  /** One function for every group, or one per group; required. */
  lrLambda: LrLambda | LrLambda[];
}

type Resolved = { lrLambda: LrLambda[] };

/**
 * torch.optim.lr_scheduler.MultiplicativeLR: every epoch after the first multiplies each group's
 * learning rate by its function of the epoch (the constructor changes nothing).
 *
 *     η_t = η_{t−1}·λ(t)  for t > 0
 *
 * `stateDict()` leaves the functions out, as torch does: a restored scheduler keeps its own.
 */
export class MultiplicativeLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: MultiplicativeLROptions) {
    super("MultiplicativeLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["lrLambda"]);
    return { lrLambda: resolveLambdas(this.check, o.lrLambda, this.groupCount) };
  }

  protected getLr(): number[] {
    if (this.isInitial) return this.currentLrs();
    return this.currentLrs().map((lr, i) => lr * callLambda(this.check, this.options.lrLambda, i, this.lastEpoch));
  }
}
