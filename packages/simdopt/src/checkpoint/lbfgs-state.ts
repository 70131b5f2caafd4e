/**
 * L-BFGS's checkpoint: torch's state slots (`d`, `t`, `old_dirs`, `old_stps`, `ro`, `H_diag`,
 * `prev_flat_grad`, `prev_loss`, `n_iter`, `func_evals`) and the options, JSON-safe as the
 * optimizers' state dicts (checkpoint/encoding.ts). Vectors are float64, of the parameters' total
 * length; reading checks every field and bounds every length before anything is built.
 */
import {
  decodeNumber,
  decodeTensor,
  describe,
  encodeNumber,
  encodeTensor,
  type JsonNumber,
  type JsonTensor,
} from "./encoding.js";

export const LBFGS_STATE_FORMAT = "simdopt-lbfgs-state/1";

/** What L-BFGS keeps between steps (see optimizers/lbfgs.ts). */
export interface LBFGSState {
  d?: Float64Array;
  t?: number;
  directions: Float64Array[];
  steps: Float64Array[];
  rho: number[];
  hDiag: number;
  previousGrad?: Float64Array;
  previousLoss?: number;
  iterations: number;
  evaluations: number;
}

export interface LBFGSStateDict {
  format: typeof LBFGS_STATE_FORMAT;
  kind: "lbfgs";
  options: Record<string, unknown>;
  state: {
    d?: JsonTensor;
    t?: JsonNumber;
    old_dirs: JsonTensor[];
    old_stps: JsonTensor[];
    ro: JsonNumber[];
    H_diag: JsonNumber;
    prev_flat_grad?: JsonTensor;
    prev_loss?: JsonNumber;
    n_iter: number;
    func_evals: number;
  };
}

export function writeLBFGSState(state: LBFGSState, options: Record<string, unknown>): LBFGSStateDict {
  return {
    format: LBFGS_STATE_FORMAT,
    kind: "lbfgs",
    options: { ...options },
    state: {
      ...(state.d && { d: encodeTensor(state.d) }),
      ...(state.t !== undefined && { t: encodeNumber(state.t) }),
      old_dirs: state.directions.map(encodeTensor),
      old_stps: state.steps.map(encodeTensor),
      ro: state.rho.map(encodeNumber),
      H_diag: encodeNumber(state.hDiag),
      ...(state.previousGrad && { prev_flat_grad: encodeTensor(state.previousGrad) }),
      ...(state.previousLoss !== undefined && { prev_loss: encodeNumber(state.previousLoss) }),
      n_iter: state.iterations,
      func_evals: state.evaluations,
    },
  };
}

/** Reads a checkpoint for vectors of `length` and at most `historySize` pairs; `fail` throws with the optimizer's prefix. */
export function readLBFGSState(
  dict: unknown,
  length: number,
  historySize: (options: Record<string, unknown>) => number,
  fail: (message: string) => never,
): { options: Record<string, unknown>; state: LBFGSState } {
  const object = (value: unknown, where: string) => {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      fail(`${where} must be an object, got ${describe(value)}`);
    return value as Record<string, unknown>;
  };
  const d = object(dict, "the state dict");
  if (d.format !== LBFGS_STATE_FORMAT) fail(`'format' is ${describe(d.format)}, expected '${LBFGS_STATE_FORMAT}'`);
  if (d.kind !== "lbfgs") fail(`it is the state of ${describe(d.kind)}, this optimizer is 'lbfgs'`);
  const options = { ...object(d.options, "'options'") };
  const pairs = historySize(options);
  const s = object(d.state, "'state'");
  const known = [
    "d",
    "t",
    "old_dirs",
    "old_stps",
    "ro",
    "H_diag",
    "prev_flat_grad",
    "prev_loss",
    "n_iter",
    "func_evals",
  ];
  for (const key of Object.keys(s)) if (!known.includes(key)) fail(`'state' has an unknown slot '${key}'`);
  const vector = (value: unknown, where: string) => {
    return decodeTensor(
      where,
      value,
      "float64",
      length,
      { allowNonFinite: false, nonNegative: false },
      fail,
    ) as Float64Array;
  };
  const number = (value: unknown, where: string) => {
    const x = decodeNumber(value);
    if (x === undefined || !Number.isFinite(x)) fail(`${where} must be a finite number, got ${describe(value)}`);
    return x as number;
  };
  const count = (value: unknown, where: string) => {
    if (!Number.isSafeInteger(value) || (value as number) < 0)
      fail(`${where} must be a whole number >= 0, got ${describe(value)}`);
    return value as number;
  };
  const list = (value: unknown, where: string) => {
    if (!Array.isArray(value)) fail(`${where} must be an array, got ${describe(value)}`);
    const items = value as unknown[];
    if (items.length > pairs) fail(`${where} has ${items.length} entries, more than historySize ${pairs}`);
    return items;
  };
  const directions = list(s.old_dirs, "'state.old_dirs'").map((v, i) => vector(v, `state.old_dirs[${i}]`));
  const steps = list(s.old_stps, "'state.old_stps'").map((v, i) => vector(v, `state.old_stps[${i}]`));
  const rho = list(s.ro, "'state.ro'").map((v, i) => number(v, `state.ro[${i}]`));
  if (steps.length !== directions.length || rho.length !== directions.length)
    fail(
      `'state.old_dirs', 'old_stps' and 'ro' must have as many entries (${directions.length}, ${steps.length}, ${rho.length})`,
    );
  const iterations = count(s.n_iter, "'state.n_iter'");
  const state: LBFGSState = {
    directions,
    steps,
    rho,
    hDiag: number(s.H_diag, "'state.H_diag'"),
    iterations,
    evaluations: count(s.func_evals, "'state.func_evals'"),
  };
  if (s.d !== undefined) state.d = vector(s.d, "state.d");
  if (s.t !== undefined) state.t = number(s.t, "'state.t'");
  if (s.prev_flat_grad !== undefined) state.previousGrad = vector(s.prev_flat_grad, "state.prev_flat_grad");
  if (s.prev_loss !== undefined) state.previousLoss = number(s.prev_loss, "'state.prev_loss'");
  // After an iteration, the next one needs the direction, its step and the previous gradient.
  if (iterations > 0 && (state.d === undefined || state.t === undefined || state.previousGrad === undefined))
    fail(`'state' after ${iterations} iterations needs 'd', 't' and 'prev_flat_grad'`);
  return { options, state };
}
