/**
 * Exported tables (registries, defaults, tolerances) are shared by every caller in the process:
 * frozen all the way down, so that `TOLERANCE.float32 = 1` or `adamDefaults.betas[0] = 0` throws
 * in strict code and changes nothing, instead of changing every later optimizer or check.
 * Functions are left as they are (a class or a rule is not a table).
 */
export function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (value !== null && typeof value === "object" && !seen.has(value)) {
    seen.add(value);
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner, seen);
  }
  return value;
}
