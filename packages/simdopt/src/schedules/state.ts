/**
 * Scheduler snapshots as plain JSON values, and the checked reading of one: every field is
 * checked by a `StateReader` before a scheduler changes anything.
 */
import { show } from "../runtime/validate.js";

/** A value JSON can hold: a number, string, boolean, null, or an array or object of them. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A scheduler's state as `stateDict()` returns it: JSON-safe (numbers, strings, booleans, arrays,
 * objects; an infinite number is written as the string "Infinity" or "-Infinity"), its `kind` the
 * name of torch's class. Functions (LambdaLR's lambdas, CyclicLR's `scaleFn`) are not saved, as
 * in torch.
 */
export interface SchedulerStateDict {
  /** torch's class name of the scheduler that wrote it (`StepLR`, ...). */
  kind: string;
  [field: string]: JsonValue;
}

/** A number that may be infinite or NaN, as JSON can hold it. */
export function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

const NON_FINITE: Record<string, number> = { Infinity: Infinity, "-Infinity": -Infinity, NaN: NaN };

/** The largest count a snapshot may hold: one more step must still count exactly (below 2^53). */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER - 1;

/**
 * Reads the fields of a snapshot, failing with a `TypeError` that names the field and the value.
 * Fields are read as own properties only (a snapshot from `JSON.parse` may have a `__proto__` key).
 */
export class StateReader {
  private readonly dict: Record<string, unknown>;
  private readonly read = new Set<string>(["kind"]);

  constructor(
    private readonly scheduler: string,
    dict: unknown,
  ) {
    if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
      this.fail(`expected an object as stateDict() returns, got ${show(dict)}`);
    }
    this.dict = dict as Record<string, unknown>;
    const kind = Object.hasOwn(this.dict, "kind") ? this.dict.kind : undefined;
    if (kind !== scheduler) {
      this.fail(`it is the state of ${show(kind)}, not of ${scheduler}`);
    }
  }

  fail(message: string): never {
    throw new TypeError(`${this.scheduler}: cannot load state: ${message}`);
  }

  /** The raw value of a field that must be present. */
  field(name: string): unknown {
    this.read.add(name);
    if (!Object.hasOwn(this.dict, name)) this.fail(`field '${name}' is missing`);
    return this.dict[name];
  }

  /** An integer from `min` to `max` (by default, any count that one more step keeps exact). */
  integer(name: string, min: number, max = MAX_COUNT): number {
    const value = this.field(name);
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      const range = max === MAX_COUNT ? `>= ${min} and below 2^53 - 1` : `from ${min} to ${max}`;
      this.fail(`field '${name}' must be an integer ${range}, got ${show(value)}`);
    }
    return value;
  }

  /** A finite number, from `min` to `max` where given. */
  number(name: string, min = -Infinity, max = Infinity): number {
    const value = this.field(name);
    if (typeof value !== "number" || !Number.isFinite(value))
      this.fail(`field '${name}' must be a finite number, got ${show(value)}`);
    if (value < min || value > max) this.fail(`field '${name}' must be from ${min} to ${max}, got ${show(value)}`);
    return value;
  }

  /** A number written by `encodeNumber` (possibly infinite or NaN). */
  anyNumber(name: string): number {
    const value = this.field(name);
    if (typeof value === "number") return value;
    if (typeof value === "string" && Object.hasOwn(NON_FINITE, value)) return NON_FINITE[value];
    return this.fail(`field '${name}' must be a number (or "Infinity", "-Infinity", "NaN"), got ${show(value)}`);
  }

  /** Exactly `length` finite numbers, each >= `min` where given (learning rates are >= 0). */
  numbers(name: string, length: number, min = -Infinity): number[] {
    const value = this.field(name);
    if (
      !Array.isArray(value) ||
      value.length !== length ||
      !value.every((x) => typeof x === "number" && Number.isFinite(x))
    ) {
      this.fail(`field '${name}' must be an array of ${length} finite numbers, got ${show(value)}`);
    }
    const below = (value as number[]).findIndex((x) => x < min);
    if (below !== -1) this.fail(`field '${name}' must hold numbers >= ${min}, got ${show(value[below])} at ${below}`);
    return [...(value as number[])];
  }

  object(name: string): Record<string, unknown> {
    const value = this.field(name);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.fail(`field '${name}' must be an object, got ${show(value)}`);
    }
    return value as Record<string, unknown>;
  }

  /** Exactly `length` values of any kind (checked by the caller). */
  list(name: string, length: number): unknown[] {
    const value = this.field(name);
    if (!Array.isArray(value) || value.length !== length) {
      this.fail(`field '${name}' must be an array of ${length} entries, got ${show(value)}`);
    }
    return value;
  }

  /**
   * Checks the options saved in field `name` with the scheduler's own checks, which throw as the
   * constructor does; the error is reported as a refused load.
   */
  options<T>(name: string, resolve: (saved: Record<string, unknown>) => T): T {
    const saved = this.object(name);
    try {
      return resolve(saved);
    } catch (error) {
      return this.fail(`field '${name}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Fails on fields that no reader asked for (a snapshot of something else). */
  finish(): void {
    const unknown = Object.keys(this.dict).filter((key) => !this.read.has(key));
    if (unknown.length > 0)
      this.fail(`unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `'${k}'`).join(", ")}`);
  }
}
