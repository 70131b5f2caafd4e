// What torch.optim.Optimizer does for every optimizer: parameter groups whose options fall back on
// the constructor's, per-parameter state created lazily, and a snapshot of both.
import type { Tensor } from "./tensor.js";

/** One parameter group: its tensors and per-group overrides of the constructor's options. */
export type ParamGroupInput<O> = { params: readonly Tensor[] } & O;

/** A list of tensors (one group) or a list of groups, as torch.optim accepts them. */
export type ParamsInput<O> = readonly Tensor[] | readonly ParamGroupInput<O>[];

/** A parameter group with every option resolved. */
export interface ParamGroup<O> {
  readonly params: readonly Tensor[];
  readonly options: Required<O>;
}

/** The state of one parameter, by torch's key in camelCase: numbers and tensors. */
export type ParamState = Record<string, number | Tensor>;

/** A snapshot shaped like the engine's `stateDict()`: per parameter, numbered through the groups. */
export interface ReferenceStateDict<O> {
  state: Record<string, number | Float32Array | Float64Array>[];
  paramGroups: (Required<O> & { params: number[] })[];
}

/**
 * torch.optim.Optimizer: `defaults` (the optimizer's defaults under the constructor's options,
 * torch's `self.defaults`), the groups, and `state`, empty for a parameter until its first step.
 */
export abstract class TorchOptimizer<O extends object> {
  readonly title: string;
  readonly defaults: Required<O>;
  readonly paramGroups: ParamGroup<O>[];
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: ParamsInput<O>, options: O, defaults: Required<O>, title: string) {
    this.title = title;
    this.defaults = { ...defaults, ...knownOptions(title, defaults, options, "the options") };
    const groups = isGroupList(params) ? params : [{ params } as ParamGroupInput<O>];
    this.paramGroups = groups.map(({ params: tensors, ...overrides }, index) => ({
      params: [...tensors],
      options: { ...this.defaults, ...knownOptions(title, defaults, overrides as O, `parameter group ${index}`) },
    }));
  }

  /** One update of every parameter that has a gradient. */
  abstract step(): void;

  /** Copies of the state (0-dimensional tensors as numbers) and of the groups' options. */
  stateDict(): ReferenceStateDict<O> {
    let index = 0;
    const paramGroups = this.paramGroups.map(({ params, options }) => ({
      ...options,
      params: params.map(() => index++),
    }));
    const state = this.paramGroups.flatMap(({ params }) =>
      params.map((param) => {
        const entry: Record<string, number | Float32Array | Float64Array> = {};
        for (const [key, value] of Object.entries(this.state.get(param) ?? {})) {
          entry[key] = typeof value === "number" ? value : value.dim === 0 ? value.item() : value.toTypedArray();
        }
        return entry;
      }),
    );
    return { state, paramGroups };
  }

  /** The state of `param`, empty until its first step (torch's `defaultdict(dict)`). */
  protected stateOf(param: Tensor): ParamState {
    let entry = this.state.get(param);
    if (entry === undefined) {
      entry = {};
      this.state.set(param, entry);
    }
    return entry;
  }

  /** The parameters of `params` that have a gradient, each with its gradient and its state. */
  protected withGrad(params: readonly Tensor[]): { param: Tensor; grad: Tensor; state: ParamState }[] {
    return params.flatMap((param) =>
      param.grad === null ? [] : [{ param, grad: param.grad, state: this.stateOf(param) }],
    );
  }
}

/** `state[key]` where it must be a tensor. */
export function stateTensor(state: ParamState, key: string): Tensor {
  const value = state[key];
  if (typeof value !== "object") throw new TypeError(`state '${key}' is ${String(value)}, expected a tensor`);
  return value;
}

/** `state[key]` where it must be a Python number. */
export function stateNumber(state: ParamState, key: string): number {
  const value = state[key];
  if (typeof value !== "number") throw new TypeError(`state '${key}' is not a number`);
  return value;
}

function isGroupList<O>(params: ParamsInput<O>): params is readonly ParamGroupInput<O>[] {
  return params.length > 0 && "params" in params[0];
}

/** `options` without undefined entries; throws on an option that `defaults` does not name. */
function knownOptions<O extends object>(title: string, defaults: Required<O>, options: O, where: string): Partial<O> {
  const known: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!(key in defaults)) {
      throw new TypeError(`${title}: unknown option '${key}' in ${where} (known: ${Object.keys(defaults).join(", ")})`);
    }
    if (value !== undefined) known[key] = value;
  }
  return known as Partial<O>;
}
