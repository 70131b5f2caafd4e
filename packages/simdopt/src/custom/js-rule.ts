/**
 * Optimizers whose update rule is plain JavaScript, for research code that has no Wasm kernel yet:
 * a definition like a kernel's (defaults, checks, state buffers, a pure plan of each step's
 * values) with an `update` that changes one tensor in place. The engine (optimizer.ts) gives it
 * everything a kernel gets: groups and their options, clipping, skipped parameters, checkpoints,
 * per-parameter state, hooks and schedulers. It runs on the calling thread, tensor after tensor,
 * whatever the binary (the reference included) or the number of threads.
 */
import type { ScalarState } from "../optimizer.js";
import type { Dtype, FloatArray } from "../runtime/kernels.js";
import type { OptionChecker } from "../runtime/validate.js";
import type { TableLayout } from "../runtime/tensor-table.js";

/** One tensor as a JS rule sees it: views of its values, its gradient and each state buffer it keeps. */
export type JsTensor<S extends string> = {
  /** The parameter's values: update them in place. */
  param: FloatArray;
  /** Its gradient (read only; multiply by `gradScale`). */
  grad: FloatArray;
} & Record<S, FloatArray> & {
    /** The parameter's dtype, `float32` or `float64`. */
    dtype: Dtype;
  };

/**
 * An optimizer whose rule is plain JavaScript (see the module comment), given to `new Optimizer(params,
 * options, definition)`: `O` is its options, `S` the names of its state buffers.
 */
export interface JsOptimizerDefinition<O extends object, S extends string = string> {
  /** Class name, used in messages and as the checkpoint's kind (lower-cased). */
  title: string;
  /** Every option and its default; schedulers need `lr`. */
  defaults: Required<O>;
  /** Throws (via `check`, e.g. `check.nonNegative("lr", o.lr)`) on any invalid option. */
  validate(options: Required<O>, check: OptionChecker): void;
  /** The state buffers, each the tensor's length, in checkpoint order (`expAvg` is saved as `exp_avg`). */
  state: readonly S[];
  /** Each buffer's value before the first step, or null where these options keep none. */
  buffers(options: Required<O>): Record<S, number | null>;
  /** Buffers that are never negative: a checkpoint that says otherwise is refused. */
  nonNegative?: readonly S[];
  /** Scalar state before the first step (saved per parameter, as a kernel's `muProduct`). */
  initialState?: () => ScalarState;
  /** How a parameter without a gradient counts a step (see OptimizerDefinition.steps); default torch's. */
  steps?: "perParameter" | "shared";
  /** The values `update` needs at step `t` (1 for the first), computed once per step; pure. */
  plan(
    options: Required<O>,
    t: number,
    state: ScalarState,
  ): {
    /** What `update` receives as `values`. */
    values: Readonly<Record<string, number>>;
    /** The scalar state after this step; omitted: unchanged. */
    next?: ScalarState;
  };
  /**
   * Updates one tensor in place from its gradient times `gradScale` (the clipping factor of the
   * training options; 1 without clipping). Write `param` and the state buffers, never `grad`.
   */
  update(tensor: JsTensor<S>, values: Readonly<Record<string, number>>, gradScale: number): void;
}

/** True when `definition` is a JS rule's (it has `update`), not a kernel's. */
export function isJsDefinition(definition: object): definition is JsOptimizerDefinition<object> {
  return typeof (definition as { update?: unknown }).update === "function";
}

/** The table layout of a JS rule: [n, param, grad, ...state] per tensor, each buffer the tensor's length. */
export function jsTableLayout(state: readonly string[]): TableLayout {
  return {
    elementwise: true,
    blocks: null,
    shapeWords: null,
    tableStride: 4 * (3 + state.length),
    stateElements: state.map(() => "param"),
    workspace: null,
    parts: null,
  } as unknown as TableLayout;
}
