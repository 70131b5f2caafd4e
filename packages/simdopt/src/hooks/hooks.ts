/**
 * Hooks an optimizer calls around each `step()`, as torch's `register_step_pre_hook` and
 * `register_step_post_hook`: called in the order they were registered, each registration
 * returning a handle whose `remove()` takes that hook out (a second `remove()` does nothing). A
 * hook that throws stops the step there and the error reaches the caller of `step()`.
 */

import { show } from "../runtime/validate.js";

/** What `register…Hook` returns: torch's `RemovableHandle`. */
export interface HookHandle {
  /** Takes the hook out; it is not called again. A second call does nothing. */
  remove(): void;
}

/** Hooks of one kind, in registration order. */
export class HookList<F extends (...args: never[]) => unknown> {
  private readonly hooks = new Map<number, F>();
  private next = 0;

  /** Adds `hook`; `where` names the method in the error for a hook that is not a function. */
  add(hook: F, where: string): HookHandle {
    if (typeof hook !== "function") throw new TypeError(`${where}: the hook must be a function, got ${show(hook)}`);
    const id = this.next++;
    this.hooks.set(id, hook);
    return Object.freeze({ remove: () => void this.hooks.delete(id) });
  }

  /** The hooks now registered, in order (a snapshot). */
  all(): F[] {
    return [...this.hooks.values()];
  }

  /** Calls every hook with `args` (a snapshot of the list: a hook that adds or removes one changes the next step). */
  call(...args: Parameters<F>): void {
    for (const hook of [...this.hooks.values()]) hook(...args);
  }
}
