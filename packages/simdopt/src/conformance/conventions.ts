/**
 * Which behaviour a golden file asks for, from its `source` field: simdopt follows torch 2 by
 * default, and a file computed by torch 1.13 ("torch 1.13.0a0 torch.optim, …") is run with the
 * options that reproduce torch 1.13 where the two differ (NAdam's μ product).
 */

/** The torch major.minor version a source names ("torch 2.13.0+cpu …" → "2.13"), or undefined. */
export function torchVersionOf(source: unknown): string | undefined {
  if (typeof source !== "string") return undefined;
  return /^torch (\d+\.\d+)/.exec(source)?.[1];
}

/** Options (simdopt's names) that make `optimizer` compute as the source's framework did. */
export function compatibilityOptions(optimizer: string, source: unknown): Record<string, unknown> {
  const version = torchVersionOf(source);
  const major = version === undefined ? undefined : Number(version.split(".")[0]);
  if (major === 1 && optimizer.toLowerCase() === "nadam") return { torch113: true };
  return {};
}
