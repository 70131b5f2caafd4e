/**
 * The one reader of option objects: every constructor, parameter group, preset, scheduler and
 * runtime option goes through it before any check. It copies the caller's own enumerable data
 * properties into a null-prototype object, reading each value exactly once, and refuses what it
 * cannot read plainly, so that what is validated is what is used and nothing is silently ignored:
 * a getter (it could answer differently the second time), an inherited option (a class instance,
 * `Object.create(defaults)`), a non-enumerable or symbol key, and any name it does not know
 * (a `__proto__` key from `JSON.parse` is an unknown option like any other, never a prototype).
 */
import { show } from "./validate.js";

export interface ReadOptions {
  /** The prefix of every message: the optimizer's or scheduler's name, or `simdopt`. */
  where: string;
  /** Every option name accepted; omitted: any (the caller hands the copy on to a reader that knows). */
  known?: readonly string[];
  /** What the object is, in messages: `options` by default, `parameter group 1`, ... */
  what?: string;
  /** False: `undefined` is refused rather than read as no options. */
  optional?: boolean;
  /** How a refusal is thrown (a checkpoint's loader prefixes its own words); default: a TypeError after `where`. */
  fail?: (message: string) => never;
}

/** A null-prototype copy of the own enumerable data properties of `value` (`undefined`: none). */
export function readOptions(
  value: unknown,
  {
    where,
    known,
    what = "options",
    optional = true,
    fail = (message: string): never => {
      throw new TypeError(`${where}: ${message}`);
    },
  }: ReadOptions,
): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  if (value === undefined && optional) return copy;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(`${what} must be an object, got ${show(value)}`);
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && !isObjectPrototype(prototype)) {
    const name = typeof prototype?.constructor === "function" ? prototype.constructor.name : "";
    fail(
      `${what} must be a plain object ({ ... }), got ${name ? `an instance of ${name}` : "an object with a prototype"}: its inherited options would be ignored`,
    );
  }
  for (const key of Reflect.ownKeys(value as object)) {
    if (typeof key === "symbol") fail(`${what} must not have symbol keys, got ${String(key)}`);
    const name = key as string;
    const descriptor = Object.getOwnPropertyDescriptor(value, name) as PropertyDescriptor;
    if (known !== undefined && !known.includes(name)) {
      fail(`unknown option '${name}'${what === "options" ? "" : ` in ${what}`} (known: ${known.join(", ")})`);
    }
    if (!("value" in descriptor)) fail(`option '${name}' is a getter or setter; give its value`);
    if (!descriptor.enumerable) fail(`option '${name}' is not enumerable; give it as an ordinary property`);
    // defineProperty: a key `__proto__` is an ordinary property, even on a plain target.
    Object.defineProperty(copy, name, {
      value: descriptor.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/**
 * Whether `prototype` is Object.prototype, of this realm or another (an object literal made in a
 * `vm` context or an iframe is as plain as one made here): it ends the chain and has Object's methods.
 */
function isObjectPrototype(prototype: object): boolean {
  if (prototype === Object.prototype) return true;
  const own = (name: string) => Object.getOwnPropertyDescriptor(prototype, name)?.value;
  return (
    Object.getPrototypeOf(prototype) === null &&
    typeof own("hasOwnProperty") === "function" &&
    typeof own("constructor") === "function" &&
    own("constructor").name === "Object" &&
    own("constructor").prototype === prototype
  );
}
