/**
 * Objects keyed by names that a user or a file chose (parameter names, tensor names): created
 * without a prototype and read through `Object.hasOwn`, so that a name such as `__proto__`,
 * `constructor` or `toString` is an ordinary key and never reaches `Object.prototype`.
 */

/** A new object without a prototype, for keys chosen by a user or a file. */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** `object[key]` if `object` has it as its own property, undefined otherwise (never an inherited value). */
export function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}
