/**
 * A caller's array (of parameters, or of parameter groups) copied before anything else looks at
 * it: its length is read once and bounded before any element is read, each element is read once,
 * and a hole is refused. Whatever the caller does to the array afterwards changes nothing.
 */

/** The most parameters any list can hold: each takes two blocks of at least 64 bytes of a 4 GiB memory. */
export const MAX_PARAMETERS = 2 ** 32 / 128;

/**
 * A copy of `list`, an array (checked by the caller). `where` follows the name `params` in
 * messages (" of parameter group 0"); `fail` throws with the caller's prefix.
 */
export function copyList(
  list: readonly unknown[],
  where: string,
  fail: (message: string, Kind: typeof RangeError | typeof TypeError) => never,
): unknown[] {
  const length = list.length;
  if (!Number.isInteger(length) || length < 0 || length > MAX_PARAMETERS) {
    fail(
      `params${where} has ${String(length)} entries, more than the ${MAX_PARAMETERS} a Wasm memory can hold`,
      RangeError,
    );
  }
  const copy = new Array<unknown>(length);
  for (let i = 0; i < length; i++) {
    if (!Object.hasOwn(list, i)) fail(`params[${i}]${where} is a hole (a sparse array)`, TypeError);
    copy[i] = list[i];
  }
  return copy;
}
