/**
 * Runs the learning-rate schedule cases of `optimizer-golden/1` files (`schedules.json`, computed
 * by torch.optim.lr_scheduler) through simdopt's schedulers: `expected_lr[t]` is the learning rate
 * of optimizer step t, the scheduler is stepped once after each step (with `metrics[t]` for
 * plateau), and a value passes when |actual − expected| ≤ 1e-9·max(1, |expected|).
 */
import { show } from "../runtime/validate.js";
import { checkSteps } from "./golden.js";
import type { ScheduledOptions, SchedulableOptimizer } from "../schedules/groups.js";
import { createScheduler, SCHEDULER_NAMES, type SchedulerName } from "../schedules/index.js";
import { ReduceLROnPlateau } from "../schedules/plateau.js";
import type { SteppedScheduler } from "../schedules/scheduler.js";

/** The tolerance of learning rates in the golden files (relative, as the format defines it). */
export const SCHEDULE_TOLERANCE = 1e-9;

/** One case of `schedules.json`, with torch's option names. */
export interface ScheduleCase {
  name: string;
  scheduler: string;
  options: Record<string, unknown>;
  base_lr: number;
  steps: number;
  expected_lr: number[];
  metrics?: number[];
}

export interface ScheduleCaseResult {
  name: string;
  passed: boolean;
  /** Largest |actual − expected| / max(1, |expected|) over the learning rates compared. */
  maxError: number;
  tolerance: number;
  /** Why the case failed or could not run. */
  message?: string;
}

const CASE_FIELDS = ["name", "scheduler", "options", "base_lr", "steps", "expected_lr", "metrics"];

/** torch arguments that leave the rates as they are: the deprecated `verbose`, and `last_epoch` at its default. */
const TORCH_ONLY: Record<string, (value: unknown) => boolean> = {
  verbose: () => true,
  last_epoch: (value) => value === -1,
};

/**
 * torch option names to simdopt's: `eta_min` → `etaMin`, `T_max` → `tMax`, `T_0` → `t0`, also in
 * nested specifications (`{ scheduler: "linear", start_factor: 0.1 }`, alone or in lists).
 */
export function fromTorchScheduleOptions(options: Record<string, unknown>): Record<string, unknown> {
  const convert = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(convert);
    if (value !== null && typeof value === "object") return fromTorchScheduleOptions(value as Record<string, unknown>);
    return value;
  };
  const kept = Object.entries(options).filter(
    ([key, value]) => !(Object.hasOwn(TORCH_ONLY, key) && TORCH_ONLY[key](value)),
  );
  return Object.fromEntries(
    kept.map(([key, value]) => [
      key.replace(/^T_/, "t_").replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()),
      convert(value),
    ]),
  );
}

/**
 * The options of a parameter group as torch.optim.SGD(lr=base_lr) has them (`lr`, `momentum`),
 * without parameters: what the golden cases' schedulers drive. It refuses values SGD refuses.
 */
class ScheduleProbe implements SchedulableOptimizer {
  private options: { lr: number; momentum: number };

  constructor(lr: number) {
    this.options = { lr, momentum: 0 };
  }

  get paramGroups(): { options: { lr: number; momentum: number } }[] {
    return [{ options: { ...this.options } }];
  }

  setGroupOptions(values: ScheduledOptions, index = 0): void {
    if (index !== 0) throw new RangeError(`SGD: no parameter group ${index} (there is 1)`);
    for (const [key, value] of Object.entries(values)) {
      if (key !== "lr" && key !== "momentum") throw new TypeError(`SGD: unknown option '${key}' (known: lr, momentum)`);
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`SGD: invalid ${key}: ${show(value)} (must be a finite number >= 0)`);
      }
    }
    this.options = { ...this.options, ...values } as { lr: number; momentum: number };
  }
}

/** Checks a case's fields strictly; throws naming the first field that is wrong. */
function checkCase(c: unknown): ScheduleCase {
  if (c === null || typeof c !== "object" || Array.isArray(c))
    throw new Error(`a case must be an object, got ${show(c)}`);
  const fields = c as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !CASE_FIELDS.includes(key));
  if (unknown !== undefined) throw new Error(`unknown field '${unknown}' (known: ${CASE_FIELDS.join(", ")})`);
  const { name, scheduler, options, base_lr, steps, expected_lr, metrics } = fields;
  if (typeof name !== "string") throw new Error(`field 'name' must be a string, got ${show(name)}`);
  if (typeof scheduler !== "string" || !(SCHEDULER_NAMES as string[]).includes(scheduler)) {
    throw new Error(`field 'scheduler' must be one of ${SCHEDULER_NAMES.join(", ")}, got ${show(scheduler)}`);
  }
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`field 'options' must be an object, got ${show(options)}`);
  }
  if (typeof base_lr !== "number" || !Number.isFinite(base_lr) || base_lr < 0) {
    throw new Error(`field 'base_lr' must be a finite number >= 0, got ${show(base_lr)}`);
  }
  checkSteps(steps);
  const numbers = (field: string, value: unknown) => {
    if (
      !Array.isArray(value) ||
      value.length !== steps ||
      !value.every((x) => typeof x === "number" && Number.isFinite(x))
    ) {
      throw new Error(
        `field '${field}' must be an array of ${steps} finite numbers (one per step), got ${show(value)}`,
      );
    }
  };
  numbers("expected_lr", expected_lr);
  if (scheduler === "plateau") numbers("metrics", metrics);
  else if (metrics !== undefined) throw new Error(`field 'metrics' is only for plateau cases, not ${scheduler}`);
  return fields as unknown as ScheduleCase;
}

/**
 * The schedulers of a case, as a function that advances them after optimizer step t. A `swalr`
 * case with `before` and `swa_start` follows torch's SWA recipe: the `before` scheduler and SWALR
 * are both made before step 0, and after step t SWALR steps if t > swa_start, the other otherwise.
 */
function schedulerSteps(c: ScheduleCase, optimizer: ScheduleProbe): (t: number) => void {
  const { before, swa_start: swaStart, ...options } = c.options;
  if (c.scheduler === "swalr" && (before !== undefined || swaStart !== undefined)) {
    if (before === null || typeof before !== "object" || Array.isArray(before))
      throw new Error(`field 'options.before' must be a scheduler specification object, got ${show(before)}`);
    if (typeof swaStart !== "number" || !Number.isInteger(swaStart) || swaStart < 0)
      throw new Error(`field 'options.swa_start' must be an integer >= 0, got ${show(swaStart)}`);
    const { scheduler: name, ...beforeOptions } = before as Record<string, unknown>;
    if (typeof name !== "string" || !(SCHEDULER_NAMES as string[]).includes(name) || name === "plateau")
      throw new Error(`field 'options.before.scheduler' must name a stepped scheduler, got ${show(name)}`);
    const first = createScheduler(
      name as SchedulerName,
      optimizer,
      fromTorchScheduleOptions(beforeOptions) as never,
    ) as SteppedScheduler;
    const swa = createScheduler("swalr", optimizer, fromTorchScheduleOptions(options) as never);
    return (t) => (t > swaStart ? swa.step() : first.step());
  }
  const scheduler = createScheduler(
    c.scheduler as SchedulerName,
    optimizer,
    fromTorchScheduleOptions(c.options) as never,
  );
  return (t) => {
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step((c.metrics as number[])[t]);
    else (scheduler as SteppedScheduler).step();
  };
}

/** Runs one case of `schedules.json`; a malformed case or a refused option is a failure with a message, never a throw. */
export function runScheduleCase(caseObject: unknown): ScheduleCaseResult {
  const named = caseObject as { name?: unknown } | null;
  const name = typeof named?.name === "string" ? named.name : "(unnamed case)";
  let maxError = 0;
  const result = (passed: boolean, message?: string): ScheduleCaseResult => {
    const outcome: ScheduleCaseResult = { name, passed, maxError, tolerance: SCHEDULE_TOLERANCE };
    if (message !== undefined) outcome.message = message;
    return outcome;
  };
  try {
    const c = checkCase(caseObject);
    const optimizer = new ScheduleProbe(c.base_lr);
    const advance = schedulerSteps(c, optimizer);
    let firstMiss = -1;
    for (let t = 0; t < c.steps; t++) {
      const actual = optimizer.paramGroups[0].options.lr;
      const expected = c.expected_lr[t];
      const error = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
      maxError = Math.max(maxError, Number.isNaN(error) ? Infinity : error);
      if (firstMiss < 0 && !(error <= SCHEDULE_TOLERANCE)) firstMiss = t;
      advance(t);
    }
    if (firstMiss >= 0) {
      return result(
        false,
        `largest error ${maxError.toExponential(3)} > tolerance ${SCHEDULE_TOLERANCE} (first at step ${firstMiss})`,
      );
    }
    return result(true);
  } catch (cause) {
    return result(false, cause instanceof Error ? cause.message : String(cause));
  }
}
