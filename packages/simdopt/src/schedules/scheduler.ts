/**
 * The base of every learning-rate scheduler, following torch.optim.lr_scheduler.LRScheduler: base
 * learning rates from each group's `initial_lr`, an epoch counter (`lastEpoch`), an initial step
 * made by the constructor, and `step()` computing the next learning rates from the current ones
 * (torch's "chainable" form) or, where SequentialLR jumps to epoch 0, from a closed form.
 *
 * Every change is all or nothing: a constructor checks its options first, and a step or a
 * constructor that the optimizer refuses (a learning rate it rejects) puts the groups and the
 * scheduler back as they were before throwing.
 */
import {
  checkOptimizer,
  groupLrs,
  GroupSnapshot,
  initialLrs,
  recordInitialLrs,
  setGroup,
  type SchedulableOptimizer,
} from "./groups.js";
import { ScheduleOptionChecker } from "./options.js";
import { MAX_COUNT, StateReader, type JsonValue, type SchedulerStateDict } from "./state.js";

/** What every scheduler has: its optimizer, the last learning rates it set, and its state. */
export abstract class Scheduler {
  /** The optimizer whose groups' learning rates this scheduler sets. */
  readonly optimizer: SchedulableOptimizer;
  protected readonly check: ScheduleOptionChecker;
  protected lastLr: number[];

  /** `kind` is torch's class name, used in messages and as the `kind` of `stateDict()`. */
  protected constructor(
    /** torch's class name of the scheduler (`StepLR`, ...): the `kind` of its `stateDict()`. */
    readonly kind: string,
    optimizer: SchedulableOptimizer,
  ) {
    checkOptimizer(kind, optimizer);
    this.optimizer = optimizer;
    this.check = new ScheduleOptionChecker(kind);
    this.lastLr = groupLrs(optimizer);
  }

  /** The learning rate of each parameter group as this scheduler last set it (torch's `get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** A JSON-safe copy of the scheduler's state and options (see `SchedulerStateDict`). */
  stateDict(): SchedulerStateDict {
    return { kind: this.kind, ...this.saveState() };
  }

  /**
   * Restores a `stateDict()` of a scheduler of the same kind over as many parameter groups; the
   * options come from the snapshot, as in torch. Everything is checked before anything changes.
   */
  loadStateDict(dict: SchedulerStateDict): void {
    this.checkStateDict(dict)();
  }

  /** Checks a snapshot without changing anything; returns the function that applies it. */
  checkStateDict(dict: unknown): () => void {
    const reader = new StateReader(this.kind, dict);
    const apply = this.readState(reader);
    reader.finish();
    return apply;
  }

  protected get groupCount(): number {
    return this.lastLr.length;
  }

  /** The state as JSON values (copies). */
  protected abstract saveState(): Record<string, JsonValue>;

  /** Reads and checks the state written by `saveState`; returns the function that applies it. */
  protected abstract readState(reader: StateReader): () => void;

  /** Runs `change`; if it throws, puts the groups and this scheduler back as they were, then rethrows. */
  protected atomically(change: () => void): void {
    const groups = GroupSnapshot.capture(this.optimizer);
    const state = this.stateDict();
    try {
      change();
    } catch (error) {
      this.checkStateDict(state)();
      groups.restore();
      throw error;
    }
  }
}

/** A scheduler advanced by `step()` alone (every one but ReduceLROnPlateau, which needs a metric). */
export abstract class SteppedScheduler extends Scheduler {
  /** Advances the schedule by one epoch (or one batch): call it after `optimizer.step()`. */
  abstract step(): void;
}

/** A function among a scheduler's options (LambdaLR's lambdas, CyclicLR's `scaleFn`): never saved. */
export type OptionFunction = (x: number) => number;

/** Options of a scheduler as it keeps them: JSON values, and functions or lists of them. */
export type ResolvedOptions = Record<string, JsonValue | OptionFunction | OptionFunction[]>;

/** True for option values that `stateDict()` leaves out. */
function holdsFunctions(value: unknown): boolean {
  return typeof value === "function" || (Array.isArray(value) && value.some((item) => typeof item === "function"));
}

/**
 * torch's `LRScheduler`. A subclass checks its options (`resolve`), then calls `start()`, which
 * makes the initial step that torch's constructor makes, and implements `getLr()` (the learning
 * rates of epoch `lastEpoch`, from the groups' current ones) and, where torch has one,
 * `closedFormLr()`.
 */
export abstract class LRScheduler<O extends ResolvedOptions = ResolvedOptions> extends SteppedScheduler {
  /** The resolved options (checked; per-group values expanded). */
  protected options!: O;
  /** Each group's learning rate at the start (torch's `base_lrs`). */
  protected baseLrs: number[] = [];
  /** Epochs stepped; -1 before the initial step (torch's `last_epoch`). */
  protected lastEpoch = -1;
  /** True during the constructor's initial step (torch's `_is_initial`). */
  protected isInitial = false;

  /** Checks options given to the constructor or saved in a snapshot; throws naming the bad one. */
  protected abstract resolve(options: unknown): O;

  /** The learning rates of epoch `lastEpoch` (torch's chainable `get_lr()`). */
  protected abstract getLr(): number[];

  /** The learning rates of epoch `lastEpoch` from the base learning rates, where torch has that form. */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /**
   * The end of torch's constructor: `prepare` makes the changes torch makes before it (CyclicLR
   * sets the learning rates), base learning rates come from `initial_lr` (or `initial`, which
   * OneCycleLR imposes), then the initial step. On a refusal the groups are put back.
   */
  protected start(prepare?: () => void, initial?: number[]): void {
    const groups = GroupSnapshot.capture(this.optimizer);
    let recorded: number[];
    try {
      prepare?.();
      recorded = initial ?? initialLrs(this.optimizer);
      this.baseLrs = [...recorded];
      this.lastEpoch = -1;
      this.initialStep();
    } catch (error) {
      groups.restore();
      throw error;
    }
    recordInitialLrs(this.optimizer, recorded, initial !== undefined);
  }

  step(): void {
    this.atomically(() => this.updateLr());
  }

  /** The step torch's constructor makes (`_initial_step`); SequentialLR repeats it. */
  initialStep(): void {
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /**
   * Sets the learning rates of the next epoch, or of epoch `epoch` from the closed form where
   * there is one (torch's `_update_lr`; SequentialLR calls it with 0 at a milestone).
   */
  updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.setLrs(values);
  }

  /** Takes back the epoch of the initial step (SequentialLR's `recursive_undo`). */
  undoInitialStep(): void {
    this.lastEpoch -= 1;
  }

  /** Sets each group's learning rate and records them as the last ones. */
  protected setLrs(values: readonly number[]): void {
    values.forEach((lr, i) => setGroup(this.kind, this.optimizer, i, { lr }));
    this.lastLr = groupLrs(this.optimizer);
  }

  /** The groups' current learning rates. */
  protected currentLrs(): number[] {
    return groupLrs(this.optimizer);
  }

  protected saveState(): Record<string, JsonValue> {
    const options = Object.fromEntries(
      Object.entries(this.options)
        .filter(([, value]) => !holdsFunctions(value))
        .map(([key, value]) => [key, Array.isArray(value) ? [...value] : value]),
    ) as Record<string, JsonValue>;
    return {
      options,
      lastEpoch: this.lastEpoch,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
      ...this.saveExtra(),
    };
  }

  /** State beyond torch's base fields (none by default). */
  protected saveExtra(): Record<string, JsonValue> {
    return {};
  }

  protected readState(reader: StateReader): () => void {
    const functions = Object.fromEntries(Object.entries(this.options).filter(([, value]) => holdsFunctions(value)));
    const options = reader.options("options", (saved) => this.resolve({ ...saved, ...functions }));
    const lastEpoch = reader.integer("lastEpoch", -1, this.lastEpochLimit(options));
    const baseLrs = reader.numbers("baseLrs", this.groupCount, 0);
    const lastLr = reader.numbers("lastLr", this.groupCount, 0);
    const applyExtra = this.readExtra(reader, options);
    return () => {
      this.options = options;
      this.lastEpoch = lastEpoch;
      this.baseLrs = baseLrs;
      this.lastLr = lastLr;
      applyExtra();
    };
  }

  /** Reads the fields of `saveExtra` (with the snapshot's options); returns the function that applies them. */
  protected readExtra(_reader: StateReader, _options: O): () => void {
    return () => {};
  }

  /** The last epoch a snapshot with these options can be at (OneCycleLR's cycle ends); any count by default. */
  protected lastEpochLimit(_options: O): number {
    return MAX_COUNT;
  }
}
