/**
 * Gradient clipping as standalone functions over parameters, torch.nn.utils' clip_grad_norm_ and
 * clip_grad_value_: one Wasm pass over all the gradients for the norm, one to rescale them.
 */
import type { GradTable } from "../runtime/grad-kernels.js";
import { DTYPES, type Dtype } from "../runtime/kernels.js";
import { copyList } from "../runtime/param-list.js";
import { Parameter } from "../runtime/parameter.js";
import type { Runtime } from "../runtime/runtime.js";
import { readOptions } from "../runtime/read-options.js";
import { show } from "../runtime/validate.js";
import {
  allFloat32,
  checkNormType,
  checkPositive,
  clampGradients,
  clipCoefficient,
  gradientsFinite,
  scaleGradients,
  totalNorm,
  type NormType,
} from "./norm.js";

/** Options of `clipGradNorm`. */
export interface ClipGradNormOptions {
  /** The p of the norm: 2 (default), any positive number, or "inf" for the largest |g|. */
  normType?: NormType;
  /** Throw (changing nothing) when the norm is NaN or infinite, as torch's `error_if_nonfinite`. Default false. */
  errorIfNonfinite?: boolean;
}

/**
 * Scales every gradient of `params` by min(1, maxNorm / (norm + 1e-6)), where norm is the p-norm
 * of all of them together, and returns that norm (before clipping), as torch's clip_grad_norm_.
 */
export function clipGradNorm(
  params: Parameter | readonly Parameter[],
  maxNorm: number,
  options: ClipGradNormOptions = {},
): number {
  const where = "clipGradNorm";
  checkPositive(where, "maxNorm", maxNorm);
  const o = readOptions(options, { where, known: ["normType", "errorIfNonfinite"] });
  const p = checkNormType(where, o.normType ?? 2);
  const errorIfNonfinite = o.errorIfNonfinite ?? false;
  if (typeof errorIfNonfinite !== "boolean") {
    throw new TypeError(`${where}: option 'errorIfNonfinite' must be true or false, got ${show(errorIfNonfinite)}`);
  }
  return withGradTables(where, params, (runtime, tables) => {
    const norm = totalNorm(runtime, tables, p);
    if (errorIfNonfinite && !Number.isFinite(norm)) {
      throw new RangeError(
        `${where}: the total norm of order ${p} of the gradients is ${norm}; no gradient was changed`,
      );
    }
    const coefficient = clipCoefficient(norm, maxNorm, allFloat32(tables));
    if (coefficient !== 1) scaleGradients(runtime, tables, coefficient);
    return norm;
  });
}

/** The p-norm (default 2; "inf" for max |g|) of every gradient of `params` together; changes nothing. */
export function gradNorm(params: Parameter | readonly Parameter[], normType: NormType = 2): number {
  const p = checkNormType("gradNorm", normType);
  return withGradTables("gradNorm", params, (runtime, tables) => totalNorm(runtime, tables, p));
}

/** Clamps every gradient of `params` to [−clipValue, clipValue], as torch's clip_grad_value_ (NaN stays NaN). */
export function clipGradValue(params: Parameter | readonly Parameter[], clipValue: number): void {
  checkPositive("clipGradValue", "clipValue", clipValue);
  withGradTables("clipGradValue", params, (runtime, tables) => clampGradients(runtime, tables, clipValue));
}

/** True when every gradient of `params` is finite (no NaN, no ±Inf); one Wasm pass. */
export function gradientsAreFinite(params: Parameter | readonly Parameter[]): boolean {
  return withGradTables("gradientsAreFinite", params, gradientsFinite);
}

const ENTRY_BYTES = 12; // [n, param, grad]

/** Runs `body` over temporary tables of the parameters' gradients, one per dtype, freed afterwards. */
function withGradTables<R>(
  where: string,
  input: Parameter | readonly Parameter[],
  body: (runtime: Runtime, tables: GradTable[]) => R,
): R {
  // A copy of the caller's array, each element read once (param-list.ts).
  const items = Parameter.isParameter(input)
    ? [input]
    : Array.isArray(input)
      ? copyList(input, "", (message, Kind) => {
          throw new Kind(`${where}: ${message}`);
        })
      : [];
  if (items.length === 0) {
    throw new TypeError(`${where}: params must be a parameter or a non-empty array of parameters, got ${show(input)}`);
  }
  items.forEach((param, i) => {
    if (!Parameter.isParameter(param)) throw new TypeError(`${where}: params[${i}] is not a simdopt Parameter`);
    if (param.isDisposed) throw new TypeError(`${where}: params[${i}] was disposed`);
  });
  const params = items as Parameter[];
  const runtime = params[0].runtime;
  if (params.some((param) => param.runtime !== runtime))
    throw new TypeError(`${where}: all parameters must come from the same runtime`);
  const tables: GradTable[] = [];
  try {
    for (const dtype of DTYPES) {
      const ofDtype = params.filter((param) => param.dtype === dtype);
      if (ofDtype.length > 0) tables.push(writeTable(runtime, dtype, ofDtype));
    }
    return body(runtime, tables);
  } finally {
    for (const table of tables) runtime.free(table.address);
  }
}

function writeTable(runtime: Runtime, dtype: Dtype, params: readonly Parameter[]): GradTable {
  const address = runtime.alloc(params.length * ENTRY_BYTES);
  const words = new Uint32Array(runtime.memory.buffer, address, params.length * 3);
  params.forEach((param, t) => words.set([param.length, param.dataPtr, param.gradPtr], t * 3));
  return { address, count: params.length, stride: ENTRY_BYTES, dtype };
}
