/**
 * Families of golden cases that simdopt does not compute yet (of the frontier folder: Muon): the
 * conformance command reports them by name, as not run and not passed, rather than failing them as
 * malformed or skipping them in silence.
 */
const OPTIMIZERS = ["muon"];

/** The family a case belongs to when simdopt does not support it yet, else undefined. */
export function notYetSupported(c: unknown): string | undefined {
  if (c === null || typeof c !== "object" || Array.isArray(c)) return undefined;
  const { optimizer } = c as Record<string, unknown>;
  if (typeof optimizer === "string" && OPTIMIZERS.includes(optimizer)) return optimizer;
  return undefined;
}
