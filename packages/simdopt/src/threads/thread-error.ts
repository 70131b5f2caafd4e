/**
 * The error a step throws when a worker thread failed: it says which worker, how, and what the
 * call did to the parameters. The optimizer commits step counts and scalar state only after every
 * kernel call of a step returned, so after this error they are those from before the step; the
 * pool goes on without the failed worker (fewer threads, down to the calling thread alone).
 */
export class ThreadError extends Error {
  /**
   * What this kernel call did to its parameters and state buffers: `none` (the fault was found
   * before any work was handed out) or `partly` (some slices were updated, the failed worker's
   * slice may be partly updated): restore a saved state before stepping on, or accept the mix.
   */
  readonly updated: "none" | "partly";
  /** Threads (the calling thread included) that steps run on from now. */
  readonly threads: number;

  constructor(fault: string, updated: "none" | "partly", threads: number) {
    const effect =
      updated === "none"
        ? "no parameter or state of this call was updated"
        : "this call's parameters and state buffers are partly updated (the other slices were, the failed worker's may be in part)";
    super(
      `simdopt: ${fault}; ${effect}; any parameter group stepped earlier in the same step() was updated, and the step ` +
        `count and scalar state were not committed (they are those from before the step). Steps continue on ${threads} ` +
        `thread${threads === 1 ? "" : "s"}.`,
    );
    this.name = "ThreadError";
    this.updated = updated;
    this.threads = threads;
  }
}
