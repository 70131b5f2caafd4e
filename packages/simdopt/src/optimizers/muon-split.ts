import type { Parameter } from "../runtime/parameter.js";

/** Parameters split for Muon and AdamW (see `splitForMuon`). */
export interface MuonSplit {
  /** The 2-D parameters: weight matrices, for Muon. */
  readonly muon: readonly Parameter[];
  /** Every other parameter (biases, gains, vectors), for AdamW. */
  readonly adamw: readonly Parameter[];
}

/**
 * The usual split of a model's parameters between Muon and AdamW: Muon takes the 2-D ones (it
 * orthogonalizes matrices), AdamW the rest, each list in the order given. `exclude` moves
 * matrices that should not be orthogonalized (an embedding table, the output layer, as Muon's
 * authors advise) to AdamW. Pass the two lists to `new Muon(...)` and `new AdamW(...)`, and step both.
 */
export function splitForMuon(params: readonly Parameter[], exclude: readonly Parameter[] = []): MuonSplit {
  if (!Array.isArray(params))
    throw new TypeError(`splitForMuon: params must be an array of parameters, got ${String(params)}`);
  if (!Array.isArray(exclude))
    throw new TypeError(`splitForMuon: exclude must be an array of parameters, got ${String(exclude)}`);
  const excluded = new Set(exclude);
  const muon: Parameter[] = [];
  const adamw: Parameter[] = [];
  for (const param of params) (param.shape.length === 2 && !excluded.has(param) ? muon : adamw).push(param);
  return Object.freeze({ muon: Object.freeze(muon), adamw: Object.freeze(adamw) });
}
