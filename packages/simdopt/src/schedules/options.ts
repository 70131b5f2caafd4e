/**
 * Checks of scheduler options, each throwing a `TypeError` or `RangeError` that names the
 * scheduler, the option and the value before anything changes (as torch's constructors raise).
 */
import { readOptions } from "../runtime/read-options.js";
import { OptionChecker, show } from "../runtime/validate.js";

export class ScheduleOptionChecker extends OptionChecker {
  constructor(readonly scheduler: string) {
    super(scheduler);
  }

  /** The options read once into a copy (see readOptions; `undefined` reads as `{}`), every key known. */
  options(value: unknown, known: readonly string[]): Record<string, unknown> {
    return readOptions(value, { where: this.scheduler, known });
  }

  /** An integer ≥ `min`. */
  integer(name: string, value: unknown, min: number): number {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.fail(`option '${name}' must be an integer, got ${show(value)}`, TypeError);
    }
    if (value < min) this.fail(`invalid ${name}: ${value} (must be an integer >= ${min})`);
    return value;
  }

  /** A finite number > 0. */
  positive(name: string, value: unknown): number {
    const number = this.number(name, value);
    if (!(number > 0)) this.fail(`invalid ${name}: ${number} (must be > 0)`);
    return number;
  }

  /** One of a few strings. */
  oneOf<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
    if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
      this.fail(
        `option '${name}' must be one of ${choices.map((c) => `"${c}"`).join(", ")}, got ${show(value)}`,
        TypeError,
      );
    }
    return value as T;
  }

  /** A function. */
  func<F>(name: string, value: unknown): F {
    if (typeof value !== "function") this.fail(`option '${name}' must be a function, got ${show(value)}`, TypeError);
    return value as F;
  }

  /**
   * One value per parameter group: a single value for every group, or an array with one per group
   * (torch's `_format_param`), each checked by `each`.
   */
  perGroup(name: string, value: unknown, groups: number, each: (name: string, value: unknown) => number): number[] {
    if (!Array.isArray(value)) {
      const single = each(name, value);
      return Array.from({ length: groups }, () => single);
    }
    if (value.length !== groups) {
      this.fail(
        `option '${name}' must have one value per parameter group (${groups}), got ${value.length}: ${show(value)}`,
        TypeError,
      );
    }
    return value.map((item, i) => each(`${name}[${i}]`, item));
  }

  /** Integers, each ≥ `min`, in non-decreasing order when `sorted`. */
  integers(name: string, value: unknown, min: number, sorted: boolean): number[] {
    if (!Array.isArray(value))
      this.fail(`option '${name}' must be an array of integers, got ${show(value)}`, TypeError);
    const numbers = value.map((item, i) => this.integer(`${name}[${i}]`, item, min));
    if (sorted && numbers.some((n, i) => i > 0 && n < numbers[i - 1])) {
      this.fail(`invalid ${name}: ${show(numbers)} (must be in increasing order)`);
    }
    return numbers;
  }
}

/** `value`, or `fallback` where it is undefined (an option left out). */
export function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}
