import { show } from "../runtime/validate.js";
import type { SchedulableOptimizer } from "./groups.js";
import type { ScheduleOptionChecker } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** A function of the epoch (0, 1, 2, ...) giving a factor. */
export type LrLambda = (epoch: number) => number;

/** Options of `LambdaLR`: torch.optim.lr_scheduler.LambdaLR's arguments in camelCase. */
export interface LambdaLROptions {
  /** One function for every group, or one per group; required. */
  lrLambda: LrLambda | LrLambda[];
}

type Resolved = { lrLambda: LrLambda[] };

/** One function per group from a function or a list (torch's handling of `lr_lambda`). */
export function resolveLambdas(check: ScheduleOptionChecker, value: unknown, groups: number): LrLambda[] {
  if (!Array.isArray(value)) {
    const single = check.func<LrLambda>("lrLambda", value);
    return Array.from({ length: groups }, () => single);
  }
  if (value.length !== groups) {
    check.fail(
      `option 'lrLambda' must have one function per parameter group (${groups}), got ${value.length}`,
      TypeError,
    );
  }
  return value.map((item, i) => check.func<LrLambda>(`lrLambda[${i}]`, item));
}

/**
 * Calls group `index`'s function at `epoch`; throws naming the function unless it returns a finite
 * number (a NaN would otherwise be refused as the optimizer's lr, far from its cause).
 */
export function callLambda(
  check: ScheduleOptionChecker,
  lambdas: readonly LrLambda[],
  index: number,
  epoch: number,
): number {
  const factor = lambdas[index](epoch);
  if (typeof factor !== "number") {
    check.fail(`lrLambda of group ${index} returned ${show(factor)} at epoch ${epoch}, expected a number`, TypeError);
  }
  if (!Number.isFinite(factor)) {
    check.fail(`lrLambda of group ${index} returned ${show(factor)} at epoch ${epoch}, expected a finite number`);
  }
  return factor;
}

/**
 * torch.optim.lr_scheduler.LambdaLR: each group's initial learning rate times its function of the
 * epoch. The constructor sets η_0·λ(0) at once.
 *
 *     η_t = η_0·λ(t)
 *
 * `stateDict()` leaves the functions out, as torch does: a restored scheduler keeps its own.
 */
export class LambdaLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: LambdaLROptions) {
    super("LambdaLR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["lrLambda"]);
    return { lrLambda: resolveLambdas(this.check, o.lrLambda, this.groupCount) };
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * callLambda(this.check, this.options.lrLambda, i, this.lastEpoch));
  }
}
