/**
 * How a scheduler reads and writes an optimizer's parameter groups: `paramGroups[i].options` to
 * read, `setGroupOptions(values, i)` (validated by the optimizer) to write, a snapshot to put them
 * back when a change is refused, and the `initial_lr` that torch keeps in each group.
 */
import { show } from "../runtime/validate.js";

/** The options a scheduler changes: the learning rate, and momentum or β1 where it cycles them. */
export interface ScheduledOptions {
  /** The learning rate. */
  lr?: number;
  /** The momentum (SGD, RMSprop), where a scheduler cycles it. */
  momentum?: number;
  /** The betas, whose β1 a scheduler cycles in place of a momentum (Adam and its kin). */
  betas?: [number, number];
}

/** What a scheduler needs of an optimizer; simdopt's `Optimizer` has it. */
export interface SchedulableOptimizer {
  /** The parameter groups, whose options hold `lr` (and the momentum a scheduler cycles). */
  readonly paramGroups: readonly {
    /** The group's options. */
    readonly options: object;
  }[];
  /** Sets options of group `index` (all groups when omitted), validated by the optimizer. */
  setGroupOptions(options: ScheduledOptions, index?: number): void;
}

/** Throws unless `optimizer` looks like one: groups, each with a finite `lr`, and `setGroupOptions`. */
export function checkOptimizer(scheduler: string, optimizer: unknown): asserts optimizer is SchedulableOptimizer {
  const candidate = optimizer as Partial<SchedulableOptimizer> | null;
  if (
    candidate === null ||
    typeof candidate !== "object" ||
    typeof candidate.setGroupOptions !== "function" ||
    !Array.isArray(candidate.paramGroups) ||
    candidate.paramGroups.length === 0
  ) {
    throw new TypeError(
      `${scheduler}: expected an optimizer (with paramGroups and setGroupOptions), got ${show(optimizer)}`,
    );
  }
  candidate.paramGroups.forEach((group, i) => {
    const lr = (group?.options as { lr?: unknown } | undefined)?.lr;
    if (typeof lr !== "number" || !Number.isFinite(lr)) {
      throw new TypeError(`${scheduler}: parameter group ${i} has no finite 'lr' (got ${show(lr)})`);
    }
  });
}

/** Each group's current learning rate. */
export function groupLrs(optimizer: SchedulableOptimizer): number[] {
  return optimizer.paramGroups.map((group) => (group.options as { lr: number }).lr);
}

/** Sets options of group `index`, reporting a refusal by the optimizer as the scheduler's error. */
export function setGroup(
  scheduler: string,
  optimizer: SchedulableOptimizer,
  index: number,
  values: ScheduledOptions,
): void {
  try {
    optimizer.setGroupOptions(values, index);
  } catch (cause) {
    const Kind = cause instanceof RangeError ? RangeError : TypeError;
    const what = Object.entries(values)
      .map(([key, value]) => `${key} ${show(value)}`)
      .join(", ");
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Kind(`${scheduler}: cannot set ${what} on parameter group ${index}: ${message}`, { cause });
  }
}

/** The optimizer's option that momentum cycling drives: β1 of `betas`, else `momentum` (as torch chooses). */
export type MomentumOption = "betas" | "momentum";

export function momentumOption(scheduler: string, optimizer: SchedulableOptimizer): MomentumOption {
  const options = optimizer.paramGroups[0].options;
  if ("betas" in options) return "betas";
  if ("momentum" in options) return "momentum";
  throw new TypeError(
    `${scheduler}: option 'cycleMomentum' is true, but the optimizer has neither 'momentum' nor 'betas' (pass cycleMomentum: false)`,
  );
}

/** Sets a group's momentum, or β1 keeping β2. */
export function setMomentum(
  scheduler: string,
  optimizer: SchedulableOptimizer,
  index: number,
  option: MomentumOption,
  value: number,
): void {
  if (option === "momentum") {
    setGroup(scheduler, optimizer, index, { momentum: value });
  } else {
    const [, beta2] = (optimizer.paramGroups[index].options as { betas: [number, number] }).betas;
    setGroup(scheduler, optimizer, index, { betas: [value, beta2] });
  }
}

/** The scheduled options of every group, to put back when a change is refused halfway. */
export class GroupSnapshot {
  private constructor(
    private readonly optimizer: SchedulableOptimizer,
    private readonly saved: ScheduledOptions[],
  ) {}

  static capture(optimizer: SchedulableOptimizer): GroupSnapshot {
    const saved = optimizer.paramGroups.map(({ options }) => {
      const { lr, momentum, betas } = options as ScheduledOptions;
      const values: ScheduledOptions = { lr };
      if (momentum !== undefined) values.momentum = momentum;
      if (betas !== undefined) values.betas = [betas[0], betas[1]];
      return values;
    });
    return new GroupSnapshot(optimizer, saved);
  }

  /** Puts every group's scheduled options back (values the optimizer accepted before). */
  restore(): void {
    this.saved.forEach((values, index) => this.optimizer.setGroupOptions(values, index));
  }
}

/**
 * torch keeps `initial_lr` in each parameter group: the first scheduler created over an optimizer
 * records the groups' learning rates there (OneCycleLR overwrites them), later schedulers take
 * their base learning rates from it, and SequentialLR resets the groups to it.
 */
const INITIAL_LRS = new WeakMap<SchedulableOptimizer, number[]>();

/** The groups' `initial_lr`, where recorded, else their current learning rates. */
export function initialLrs(optimizer: SchedulableOptimizer): number[] {
  const recorded = INITIAL_LRS.get(optimizer) ?? [];
  return groupLrs(optimizer).map((lr, i) => recorded[i] ?? lr);
}

/** Records `initial_lr` for groups that have none (torch's `setdefault`), or for all when `overwrite`. */
export function recordInitialLrs(optimizer: SchedulableOptimizer, lrs: readonly number[], overwrite: boolean): void {
  const recorded = INITIAL_LRS.get(optimizer) ?? [];
  INITIAL_LRS.set(
    optimizer,
    lrs.map((lr, i) => (overwrite ? lr : (recorded[i] ?? lr))),
  );
}
