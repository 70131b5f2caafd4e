/**
 * Checks of optimizer options, each throwing before anything is allocated or changed, with a
 * message that names the optimizer, the option and the value (as torch's constructors do).
 */
export class OptionChecker {
  /** A checker whose messages start with `optimizer` (the class name). */
  constructor(private readonly optimizer: string) {}

  /** Throws `Kind` (RangeError unless given) with `message`, prefixed by the optimizer's name. */
  fail(message: string, Kind: typeof RangeError | typeof TypeError = RangeError): never {
    throw new Kind(`${this.optimizer}: ${message}`);
  }

  /** Returns `value` when it is a finite number; throws a TypeError naming option `name` otherwise. */
  number(name: string, value: unknown): number {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.fail(`option '${name}' must be a finite number, got ${show(value)}`, TypeError);
    }
    return value;
  }

  /** Returns `value` when it is a finite number ≥ 0; throws naming option `name` otherwise. */
  nonNegative(name: string, value: unknown): number {
    const number = this.number(name, value);
    if (number < 0) this.fail(`invalid ${name}: ${number} (must be >= 0)`);
    return number;
  }

  /** A number in [low, high). */
  inRange(name: string, value: unknown, low: number, high: number, closedHigh = false): number {
    const number = this.number(name, value);
    if (number < low || (closedHigh ? number > high : number >= high)) {
      this.fail(`invalid ${name}: ${number} (must be in [${low}, ${high}${closedHigh ? "]" : ")"})`);
    }
    return number;
  }

  /** Returns `value` when it is true or false; throws a TypeError naming option `name` otherwise. */
  boolean(name: string, value: unknown): boolean {
    if (typeof value !== "boolean") this.fail(`option '${name}' must be true or false, got ${show(value)}`, TypeError);
    return value;
  }

  /** Returns `value` when it is an array of two finite numbers; throws naming option `name` otherwise. */
  pair(name: string, value: unknown): [number, number] {
    if (!Array.isArray(value) || value.length !== 2) {
      this.fail(`option '${name}' must be a pair [a, b], got ${show(value)}`, TypeError);
    }
    return [this.number(`${name}[0]`, value[0]), this.number(`${name}[1]`, value[1])];
  }

  /** Each beta in [0, 1), named as torch names them ("beta parameter at index 0"). */
  betas(value: unknown, names?: readonly [string, string]): [number, number] {
    // With `names`, two separate options (a preset's beta1 and beta2) given as a pair.
    const betas: [number, number] =
      names === undefined
        ? this.pair("betas", value)
        : [this.number(names[0], (value as unknown[])[0]), this.number(names[1], (value as unknown[])[1])];
    betas.forEach((beta, index) => {
      if (!(beta >= 0 && beta < 1)) {
        this.fail(
          names === undefined
            ? `invalid beta parameter at index ${index}: ${beta} (must be in [0, 1))`
            : `invalid ${names[index]}: ${beta} (must be in [0, 1))`,
        );
      }
    });
    return betas;
  }

  /** Rejects option names the optimizer does not know (a typo would otherwise be ignored). */
  known(options: object, names: readonly string[]): void {
    for (const key of Object.keys(options)) {
      if (!names.includes(key)) {
        this.fail(`unknown option '${key}' (known: ${names.join(", ")})`, TypeError);
      }
    }
  }
}

/** A value as the user wrote it: strings quoted, BigInts with their `n` (`3n` is not the number 3). */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return String(value);
}
