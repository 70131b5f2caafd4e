/**
 * Momentum cycling, shared by OneCycleLR and CyclicLR: which option of the optimizer it drives
 * (β1 of `betas` where the optimizer has them, else `momentum`, as torch chooses) and the checks
 * of the momentum values before anything is set.
 */
import { momentumOption, type MomentumOption, type SchedulableOptimizer } from "./groups.js";
import type { ScheduleOptionChecker } from "./options.js";

/** The option to cycle, or null when `cycleMomentum` is false; throws when the optimizer has neither. */
export function cycledOption(
  scheduler: string,
  optimizer: SchedulableOptimizer,
  cycleMomentum: boolean,
): MomentumOption | null {
  return cycleMomentum ? momentumOption(scheduler, optimizer) : null;
}

/** Per-group momentum values: ≥ 0, and < 1 where they become β1. */
export function resolveMomenta(
  check: ScheduleOptionChecker,
  name: string,
  value: unknown,
  groups: number,
  option: MomentumOption | null,
): number[] {
  return check.perGroup(name, value, groups, (label, item) => {
    const momentum = check.nonNegative(label, item);
    if (option === "betas" && momentum >= 1)
      check.fail(`invalid ${label}: ${momentum} (it becomes β1, which must be in [0, 1))`);
    return momentum;
  });
}
