import { show } from "../runtime/validate.js";
import { initialLrs, setGroup, type SchedulableOptimizer } from "./groups.js";
import { LRScheduler, Scheduler, SteppedScheduler } from "./scheduler.js";
import type { JsonValue, StateReader } from "./state.js";

/** Options of `SequentialLR`: torch.optim.lr_scheduler.SequentialLR's arguments in camelCase. */
export interface SequentialLROptions {
  /** The schedulers in order, each created over the same optimizer; required. */
  schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over, one fewer than schedulers; required. */
  milestones: number[];
}

/** The number of milestones ≤ epoch (Python's `bisect_right` on sorted milestones). */
function bisectRight(milestones: readonly number[], epoch: number): number {
  let index = 0;
  while (index < milestones.length && milestones[index] <= epoch) index++;
  return index;
}

/**
 * torch.optim.lr_scheduler.SequentialLR: one scheduler after the other, the next one taking over
 * at each milestone. The constructor resets the learning rates to their initial values, takes
 * back the initial steps the schedulers made when created, and makes the first one's again; at a
 * milestone the next scheduler starts at its epoch 0 (its closed form, where it has one):
 *
 *     warm-up then cosine:  new SequentialLR(opt, { schedulers: [linear, cosine], milestones: [5] })
 */
export class SequentialLR extends SteppedScheduler {
  private readonly schedulers: LRScheduler[];
  private milestones: number[];
  private lastEpoch = 0;

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    super("SequentialLR", optimizer);
    const o = this.check.options(options, ["schedulers", "milestones"]);
    const schedulers = o.schedulers;
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      this.check.fail(
        `option 'schedulers' must be a non-empty array of schedulers, got ${show(schedulers)}`,
        TypeError,
      );
    }
    schedulers.forEach((scheduler: unknown, i) => {
      if (!(scheduler instanceof LRScheduler)) {
        if (scheduler instanceof SteppedScheduler) {
          this.check.fail(`schedulers[${i}] is a ${scheduler.kind}; SequentialLR takes single schedulers`, TypeError);
        }
        if (scheduler instanceof Scheduler) {
          this.check.fail(
            `schedulers[${i}] is a ${scheduler.kind}, which needs a metric at each step and cannot be sequenced`,
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
    this.milestones = this.resolveMilestones(o.milestones);
    this.atomically(() => {
      const initial = initialLrs(optimizer);
      initial.forEach((lr, i) => setGroup(this.kind, optimizer, i, { lr }));
      for (const scheduler of this.schedulers) scheduler.undoInitialStep();
      const first = this.schedulers[bisectRight(this.milestones, 0)];
      first.initialStep();
      this.lastLr = first.getLastLr();
    });
  }

  private resolveMilestones(value: unknown): number[] {
    const milestones = this.check.integers("milestones", value, 0, true);
    if (milestones.length !== this.schedulers.length - 1) {
      const expected = this.schedulers.length - 1;
      this.check.fail(
        `expected ${expected} milestones (one fewer than schedulers), got ${milestones.length}: ${show(milestones)}`,
        TypeError,
      );
    }
    return milestones;
  }

  step(): void {
    this.atomically(() => {
      this.lastEpoch += 1;
      const index = bisectRight(this.milestones, this.lastEpoch);
      const scheduler = this.schedulers[index];
      if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.updateLr(0);
      else scheduler.step();
      this.lastLr = scheduler.getLastLr();
    });
  }

  protected saveState(): Record<string, JsonValue> {
    return {
      milestones: [...this.milestones],
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((scheduler) => scheduler.stateDict()),
    };
  }

  protected readState(reader: StateReader): () => void {
    const milestones = this.resolveMilestonesFrom(reader);
    const lastEpoch = reader.integer("lastEpoch", 0);
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
      this.milestones = milestones;
      this.lastEpoch = lastEpoch;
      this.lastLr = lastLr;
      for (const apply of applies) apply();
    };
  }

  private resolveMilestonesFrom(reader: StateReader): number[] {
    const value = reader.field("milestones");
    try {
      return this.resolveMilestones(value);
    } catch (error) {
      return reader.fail(`field 'milestones': ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
