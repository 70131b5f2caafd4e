/**
 * Families of golden cases that simdopt does not compute yet (the frontier folder's other
 * families): the conformance command reports them by name, as not run and not passed, rather
 * than failing them as malformed or skipping them in silence.
 */
const OPTIMIZERS = ["muon", "schedulefree:adamw", "schedulefree:sgd", "optax:contrib.schedule_free_adamw", "lbfgs"];
const AVERAGING_KINDS = ["swa", "ema"];
const SCHEDULERS = ["swalr"];

/** The family a case belongs to when simdopt does not support it yet, else undefined. */
export function notYetSupported(c: unknown): string | undefined {
  if (c === null || typeof c !== "object" || Array.isArray(c)) return undefined;
  const { optimizer, kind, scheduler } = c as Record<string, unknown>;
  if (typeof optimizer === "string" && OPTIMIZERS.includes(optimizer)) return optimizer;
  if (typeof kind === "string" && AVERAGING_KINDS.includes(kind)) return kind;
  if (typeof scheduler === "string" && SCHEDULERS.includes(scheduler)) return scheduler;
  return undefined;
}
