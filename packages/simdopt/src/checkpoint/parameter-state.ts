/**
 * One parameter's state, as torch's `optimizer.state[p]`: read as copies by camelCase name
 * (`step`, `expAvg`, `muProduct`), and written by replacing that parameter's entry of a checkpoint,
 * which `loadStateDict` then checks and commits whole (so a refused write changes nothing).
 * Low-bit state goes by its checkpoint slots (low-bit-state.ts), as the kernel stores it: bfloat16
 * moments as u16 words (`expAvg`), 8-bit ones as `state1` codes, `absmax1` and the map `qmap1`.
 */
import type { StateArray } from "../runtime/state-elements.js";
import type { Parameter } from "../runtime/parameter.js";
import { show } from "../runtime/validate.js";
import { torchName } from "./encoding.js";
import { own, record } from "./records.js";
import { parameterKeys, type CheckpointTarget, type OptimizerStateDict, type ParameterState } from "./state-dict.js";

/** A parameter's state: its step count, scalar state and state buffers (copies), by camelCase name. */
export type ParameterStateView = Readonly<Record<string, number | StateArray>> & {
  /** The steps this parameter has taken (0: no state yet). */
  readonly step: number;
};

/** Where `param` is: its group, its index there, its checkpoint key. */
function locate(target: CheckpointTarget, param: Parameter): { g: number; i: number; key: string } {
  const keys = parameterKeys(target, target.fail);
  for (let g = 0; g < target.groups.length; g++) {
    const i = target.groups[g].params.indexOf(param);
    if (i !== -1) return { g, i, key: keys[g][i] };
  }
  return target.fail(`${show(param)} is not a parameter of this optimizer`);
}

/** The state of `param` (one of the target's), as copies in a frozen object. */
export function parameterState(target: CheckpointTarget, param: Parameter): ParameterStateView {
  const { g, i } = locate(target, param);
  const group = target.groups[g];
  const step = group.steps[i];
  const view: Record<string, number | StateArray> = { step };
  if (step > 0 && group.initialised && target.storage?.lowBit) {
    Object.assign(view, group.states[i]);
    for (const { slot, values } of target.storage.tensors(g, i)) view[camelName(slot)] = values.slice();
  } else if (step > 0 && group.initialised) {
    Object.assign(view, group.states[i]);
    target.bufferNames.forEach((name, k) => {
      if (group.layout[i][k] !== null) view[name] = target.view(g, param, k).slice();
    });
  }
  return Object.freeze(view) as ParameterStateView;
}

/**
 * `dict` (a fresh `stateDict()` of the target) with the entry of `param` changed by `values`
 * (camelCase names, as `parameterState` gives them); the caller loads it, which checks it all.
 */
export function withParameterState(
  target: CheckpointTarget,
  dict: OptimizerStateDict<object>,
  param: Parameter,
  values: unknown,
  fail: (message: string) => never,
): OptimizerStateDict<object> {
  if (values === null || typeof values !== "object" || Array.isArray(values))
    fail(`the state must be an object such as { step, expAvg }, got ${show(values)}`);
  const { key } = locate(target, param);
  const buffers = target.storage?.lowBit ? target.storage.ownSlots.map(camelName) : target.bufferNames;
  const known = ["step", ...target.scalarNames, ...buffers];
  const entry: ParameterState = { ...(own(dict.state, key) as ParameterState) };
  for (const name of Object.keys(values as object)) {
    if (!known.includes(name)) fail(`unknown state '${name}' (this optimizer keeps ${known.join(", ")})`);
    entry[torchName(name)] = own(values as object, name) as ParameterState[string];
  }
  const state = record<ParameterState>();
  Object.assign(state, dict.state);
  state[key] = entry;
  return { ...dict, state };
}

/** A slot's camelCase name: `exp_avg_sq` → `expAvgSq` (`state1` stays). */
function camelName(slot: string): string {
  return slot.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
