import { show } from "../runtime/validate.js";
import { groupLrs, type SchedulableOptimizer } from "./groups.js";
import { Scheduler, SteppedScheduler } from "./scheduler.js";
import type { JsonValue, StateReader } from "./state.js";

/** Options of `ChainedScheduler`: torch.optim.lr_scheduler.ChainedScheduler's arguments in camelCase. */
export interface ChainedSchedulerOptions {
  /** Schedulers over the same optimizer, stepped in this order at each step; required. */
  schedulers: SteppedScheduler[];
}

/**
 * torch.optim.lr_scheduler.ChainedScheduler: one `step()` steps every scheduler in order, so
 * their chainable forms compose: ConstantLR(factor 0.1, totalIters 2) chained with
 * ExponentialLR(γ 0.9) gives η·0.1, η·0.09, η·0.81, η·0.729, ... The constructor changes
 * nothing (each scheduler made its own initial step when created).
 */
export class ChainedScheduler extends SteppedScheduler {
  private readonly schedulers: SteppedScheduler[];

  constructor(optimizer: SchedulableOptimizer, options: ChainedSchedulerOptions) {
    super("ChainedScheduler", optimizer);
    const schedulers = this.check.options(options, ["schedulers"]).schedulers;
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      this.check.fail(
        `option 'schedulers' must be a non-empty array of schedulers, got ${show(schedulers)}`,
        TypeError,
      );
    }
    schedulers.forEach((scheduler: unknown, i) => {
      if (!(scheduler instanceof SteppedScheduler)) {
        if (scheduler instanceof Scheduler) {
          this.check.fail(
            `schedulers[${i}] is a ${scheduler.kind}, which needs a metric at each step and cannot be chained`,
            TypeError,
          );
        }
        this.check.fail(`schedulers[${i}] is not a scheduler, got ${show(scheduler)}`, TypeError);
      }
      if (scheduler.optimizer !== optimizer)
        this.check.fail(`schedulers[${i}] (${scheduler.kind}) drives another optimizer`, TypeError);
      if (schedulers.indexOf(scheduler) !== i) this.check.fail(`schedulers[${i}] appears more than once`, TypeError);
    });
    this.schedulers = [...schedulers];
  }

  step(): void {
    this.atomically(() => {
      for (const scheduler of this.schedulers) scheduler.step();
      this.lastLr = groupLrs(this.optimizer);
    });
  }

  protected saveState(): Record<string, JsonValue> {
    return { lastLr: [...this.lastLr], schedulers: this.schedulers.map((scheduler) => scheduler.stateDict()) };
  }

  protected readState(reader: StateReader): () => void {
    const lastLr = reader.numbers("lastLr", this.groupCount, 0);
    const saved = reader.list("schedulers", this.schedulers.length);
    const applies = this.schedulers.map((scheduler, i) => {
      try {
        return scheduler.checkStateDict(saved[i]);
      } catch (error) {
        return reader.fail(`schedulers[${i}]: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return () => {
      this.lastLr = lastLr;
      for (const apply of applies) apply();
    };
  }
}
