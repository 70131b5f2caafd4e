/**
 * Memory of objects a user drops without `dispose()`: a FinalizationRegistry gives their blocks
 * back when the garbage collector reclaims them (at some later time, or never before the process
 * ends: `dispose()` stays the deterministic way). The held value must not reference the object.
 */
const registry =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry<() => void>((release) => {
        try {
          release();
        } catch {
          // the runtime may be unusable by now; nothing else can be done in a finalizer
        }
      })
    : undefined;

/** Calls `release` once `owner` has been garbage-collected, unless `forgetRelease(owner)` came first. */
export function releaseWhenCollected(owner: object, release: () => void): void {
  registry?.register(owner, release, owner);
}

/** Cancels `releaseWhenCollected(owner, ...)` (on dispose). */
export function forgetRelease(owner: object): void {
  registry?.unregister(owner);
}
