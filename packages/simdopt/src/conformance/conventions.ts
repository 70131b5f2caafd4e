/**
 * Which behaviour a golden file asks for, from its `source` field: simdopt follows torch 2 by
 * default, and a file computed by torch 1.13 ("torch 1.13.0a0 torch.optim, …") is run with
 * `torch113: true` by every optimizer that has the option, the ones whose arithmetic torch 2
 * changed (first moments moved by `lerp_`, NAdam's μ product).
 */
import { OPTIMIZERS } from "../optimizers/index.js";

/** The torch major.minor version a source names ("torch 2.13.0+cpu …" → "2.13"), or undefined. */
export function torchVersionOf(source: unknown): string | undefined {
  if (typeof source !== "string") return undefined;
  return /^torch (\d+\.\d+)/.exec(source)?.[1];
}

/** Options (simdopt's names) that make `optimizer` compute as the source's framework did. */
export function compatibilityOptions(optimizer: string, source: unknown): Record<string, unknown> {
  const version = torchVersionOf(source);
  const major = version === undefined ? undefined : Number(version.split(".")[0]);
  const name = optimizer.toLowerCase();
  if (major !== 1 || !Object.hasOwn(OPTIMIZERS, name)) return {};
  const { defaults } = OPTIMIZERS[name as keyof typeof OPTIMIZERS].definition;
  return Object.hasOwn(defaults, "torch113") ? { torch113: true } : {};
}
