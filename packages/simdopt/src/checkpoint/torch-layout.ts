/**
 * Checkpoints in torch's own `optimizer.state_dict()` layout, as JSON: `state` keyed by the
 * parameter's position over all groups (0, 1, ...), each tensor flattened to an array of numbers
 * and `step` a number; `param_groups` with torch's snake_case options and `params` as positions.
 * A parameter torch never stepped has no entry, as in torch. The few lines of Python that write
 * and read this from torch are in the README ("Coming from PyTorch").
 *
 * `fromTorchStateDict` converts torch's layout to a `stateDict()` of this optimizer, which
 * `loadStateDict` then checks whole (every option, slot, length and range): a checkpoint of
 * another optimizer or other parameters is refused by name there.
 */
import { Optimizer } from "../optimizer.js";
import { ScheduleFreeOptimizer } from "../optimizers/scheduleFree.js";
import { describe, torchName } from "./encoding.js";
import { own, record } from "./records.js";
import { parameterKeys, STATE_FORMAT, type OptimizerStateDict, type ParameterState } from "./state-dict.js";

/** torch's `optimizer.state_dict()` as JSON (tensors as flat arrays of numbers). */
export interface TorchStateDict {
  /** Each parameter's state by its index (torch's `"0"`, `"1"`, ...): `step` and its buffers by torch's slot names. */
  state: Record<string, Record<string, number | number[]>>;
  /** Each group's options by torch's names, and its parameters' indices. */
  param_groups: (Record<string, unknown> & {
    /** The indices of the group's parameters, in the order of `state`. */
    params: number[];
  })[];
}

/** torch's switches that do not change the math, and what LR schedulers add to a group: not options here. */
const NOT_OPTIONS = new Set(["foreach", "capturable", "differentiable", "fused", "initial_lr"]);
/**
 * simdopt's own options, which torch's groups do not have: left out of torch's layout, and taken
 * from this optimizer's group when loading from it (torch 1.13's numerics, the state's storage).
 */
const OWN_OPTIONS = ["torch113", "state", "blockSize"];

/**
 * Throws naming `where` unless `optimizer` keeps its state as torch.optim does: one of this
 * package's optimizers (L-BFGS and the weight average keep theirs apart), not a preset of another
 * framework (its options and step count are that framework's), and not schedule-free (whose
 * reference keeps its step count and averaging weights in `param_groups`, not per parameter).
 */
function checkConvertible(optimizer: unknown, where: string): void {
  if (!(optimizer instanceof Optimizer))
    throw new TypeError(
      `${where}: expected one of simdopt's optimizers (not L-BFGS nor a WeightAverage), got ${describe(optimizer)}`,
    );
  const { kind } = optimizer as Optimizer<object>;
  if (kind.includes(":"))
    throw new TypeError(`${where}: ${kind} follows another framework than torch: its checkpoints have no torch layout`);
  if (optimizer instanceof ScheduleFreeOptimizer)
    throw new TypeError(
      `${where}: ${kind}'s reference keeps its step count and averaging weights per group, not per parameter: not converted`,
    );
  if ((optimizer as Optimizer<object>).checkpointTarget().storage?.lowBit) {
    // Adam and AdamW have a float32 storage to convert to; bitsandbytes' presets have none.
    const float32 =
      "state" in (optimizer as Optimizer<object>).paramGroups[0]
        ? `, or load that checkpoint into the same optimizer with state 'float32' (loadStateDict converts it) and convert that one`
        : "";
    throw new TypeError(
      `${where}: ${kind}'s state is bfloat16 or low-bit codes, which torch.optim's layout has no slots for: save it with stateDict() or saveSafetensors() (bitsandbytes' and torch's slot names)${float32}`,
    );
  }
}

/** `weight_decay` to `weightDecay`. */
function camelName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** The checkpoint of `optimizer` in torch's layout (see the module comment); a parameter that never stepped has no entry. */
export function toTorchStateDict<O extends object>(optimizer: Optimizer<O>): TorchStateDict {
  return torchStateDictOf(optimizer, "toTorchStateDict");
}

/** `toTorchStateDict`, with `where` naming the function called in errors. */
export function torchStateDictOf<O extends object>(optimizer: Optimizer<O>, where: string): TorchStateDict {
  checkConvertible(optimizer, where);
  const dict = optimizer.stateDict();
  const keys = dict.paramGroups.flatMap((group) => group.params);
  const state: TorchStateDict["state"] = {};
  keys.forEach((key, i) => {
    const entry = own(dict.state, key) as ParameterState;
    if (entry.step === 0) return;
    const converted: Record<string, number | number[]> = {};
    for (const [slot, value] of Object.entries(entry)) {
      converted[slot] =
        typeof value === "object" && value !== null && "data" in value
          ? (value.data as unknown[]).map(Number) // "NaN", "Infinity", "-0" as numbers: JSON.stringify writes NaN as null
          : Number(value);
    }
    state[String(i)] = converted;
  });
  let next = 0;
  const param_groups = dict.paramGroups.map(({ params, ...options }) => ({
    ...Object.fromEntries(
      Object.entries(options)
        .filter(([name]) => !OWN_OPTIONS.includes(name))
        .map(([name, value]) => [torchName(name), value]),
    ),
    params: params.map(() => next++),
  }));
  return { state, param_groups };
}

/**
 * torch's `state_dict()` layout (as JSON; see the module comment) as a `stateDict()` of
 * `optimizer`, for `optimizer.loadStateDict`. Throws naming the field when the layout is not
 * torch's; what it holds is checked by `loadStateDict`.
 */
export function fromTorchStateDict<O extends object>(optimizer: Optimizer<O>, torch: unknown): OptimizerStateDict<O> {
  checkConvertible(optimizer, "fromTorchStateDict");
  const fail = (message: string): never => {
    throw new TypeError(`fromTorchStateDict: ${message}`);
  };
  if (torch === null || typeof torch !== "object" || Array.isArray(torch))
    fail(`expected { state, param_groups }, got ${describe(torch)}`);
  const state = own(torch as object, "state");
  const groups = own(torch as object, "param_groups");
  if (state === null || typeof state !== "object" || Array.isArray(state))
    fail(`'state' must be an object keyed by parameter position, got ${describe(state)}`);
  if (!Array.isArray(groups)) fail(`'param_groups' must be an array, got ${describe(groups)}`);
  const target = optimizer.checkpointTarget();
  const keys = parameterKeys(target, target.fail);
  const positions = keys.flat();
  for (const key of Object.keys(state as object)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= positions.length)
      fail(`'state' has parameter ${JSON.stringify(key)}, not a position from 0 to ${positions.length - 1}`);
  }
  const dtypes = target.groups.flatMap((group) => group.params.map((param) => param.dtype));
  const converted = record<ParameterState>();
  positions.forEach((key, i) => {
    const entry = own(state as object, String(i));
    if (entry === undefined) {
      converted[key] = { step: 0 }; // torch keeps no state for a parameter that never stepped
      return;
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry))
      fail(`state['${i}'] must be an object, got ${describe(entry)}`);
    const slots: ParameterState = {};
    for (const [slot, value] of Object.entries(entry as object)) {
      slots[slot] = Array.isArray(value) ? { dtype: dtypes[i], data: value } : value;
    }
    converted[key] = slots;
  });
  const paramGroups = (groups as unknown[]).map((group, g) => {
    if (group === null || typeof group !== "object" || Array.isArray(group))
      fail(`param_groups[${g}] must be an object, got ${describe(group)}`);
    const params = own(group as object, "params");
    if (!Array.isArray(params)) fail(`param_groups[${g}].params must be an array, got ${describe(params)}`);
    const options: Record<string, unknown> = {};
    const current = optimizer.paramGroups[g] as Record<string, unknown> | undefined;
    for (const name of OWN_OPTIONS) if (current !== undefined && name in current) options[name] = current[name];
    for (const [name, value] of Object.entries(group as object)) {
      if (name !== "params" && !NOT_OPTIONS.has(name)) options[camelName(name)] = value;
    }
    const named = (params as unknown[]).map((position) =>
      Number.isSafeInteger(position) && (position as number) < positions.length
        ? positions[position as number]
        : fail(`param_groups[${g}].params has ${describe(position)}, not a parameter position`),
    );
    return { ...options, params: named };
  });
  return {
    format: STATE_FORMAT,
    kind: optimizer.kind,
    state: converted,
    paramGroups,
  } as unknown as OptimizerStateDict<O>;
}
