/**
 * The lifecycle of an object that owns Wasm memory (an optimizer): live, busy (inside `step()`, its
 * closure included) or disposed. Every public method asks it first, and asks again after any user
 * code has run (a closure), so that no method reaches memory that was given back meanwhile.
 *
 * `dispose()` while busy is refused rather than deferred: the closure that called it gets the
 * error (a closure that catches it steps on, over memory that is still there), and the caller
 * disposes after `step()` returns. A `step()` from inside the closure is refused the same way.
 */
export type LifecycleState = "live" | "busy" | "disposed";

export class Lifecycle {
  #state: LifecycleState = "live";

  /** `fail` throws with the owner's prefix ("Adam: ..."). */
  constructor(private readonly fail: (message: string) => never) {}

  get state(): LifecycleState {
    return this.#state;
  }

  /** Throws when disposed (busy is usable: a closure may save, load or change options). */
  checkNotDisposed(): void {
    if (this.#state === "disposed") this.fail("the optimizer was disposed");
  }

  /** Runs `body` busy; throws, changing nothing, when disposed or already busy. */
  busy<T>(what: string, body: () => T): T {
    this.checkNotDisposed();
    if (this.#state === "busy") this.fail(`${what} was called during step() (from its closure)`);
    this.#state = "busy";
    try {
      return body();
    } finally {
      this.#state = "live";
    }
  }

  /**
   * Marks the owner disposed: true the first time, false when it already was; throws when busy.
   * The caller frees its memory after this (bookkeeping first: a free that throws leaves it disposed).
   */
  dispose(): boolean {
    if (this.#state === "busy") {
      this.fail("dispose() was called during step() (from its closure): dispose the optimizer after step() returns");
    }
    if (this.#state === "disposed") return false;
    this.#state = "disposed";
    return true;
  }
}
