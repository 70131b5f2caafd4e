/**
 * The optimizer's checkpoint as a JSON-safe object (`stateDict()` / `loadStateDict()`), shaped like
 * torch's `state_dict()`: `state` by parameter (its name where every parameter is named, its
 * number otherwise) with torch's slot names (`step`, `exp_avg`, `mu_product`, ...), `paramGroups`
 * with each group's options and parameter keys, plus the optimizer's kind and a format version.
 *
 * Loading reads and checks everything first (format, kind, keys, options, slots, dtypes, lengths,
 * numbers) and returns the converted state: the optimizer commits it only when nothing was wrong.
 */
import type { Dtype, FloatArray } from "../runtime/kernels.js";
import type { Parameter } from "../runtime/parameter.js";
import { show } from "../runtime/validate.js";
import {
  decodeNumber,
  decodeTensor,
  describe,
  encodeNumber,
  encodeTensor,
  torchName,
  type JsonNumber,
  type JsonTensor,
} from "./encoding.js";

/** The version of the checkpoint format this package writes and reads. */
export const STATE_FORMAT = "simdopt-state/1";

/** One parameter's state: `step`, scalar state (`mu_product`) and state buffers by torch's names. */
export type ParameterState = Record<string, JsonNumber | JsonTensor | FloatArray>;

/** A checkpoint of an optimizer (see the module comment); survives JSON.stringify / JSON.parse. */
export interface OptimizerStateDict<O> {
  format: typeof STATE_FORMAT;
  /** The optimizer's stem: `adam`, `adamw`, `sgd`, ... */
  kind: string;
  state: Record<string, ParameterState>;
  paramGroups: (Required<O> & { params: string[] })[];
}

/** Options of `loadStateDict`. */
export interface LoadStateOptions {
  /** Accept NaN and ±Inf in state buffers (a state that was saved after a non-finite step). Default false. */
  allowNonFinite?: boolean;
}

/** What the checkpoint code needs of an optimizer group. */
export interface CheckpointGroup {
  readonly params: readonly Parameter[];
  readonly options: object;
  readonly step: number;
  readonly state: Readonly<Record<string, number>>;
  readonly initialised: boolean;
  /** [parameter][buffer]: each state buffer's length, null where the parameter has none. */
  readonly layout: readonly (readonly (number | null)[])[];
}

/** What the checkpoint code needs of an optimizer. */
export interface CheckpointTarget {
  readonly kind: string;
  /** `Adam: cannot load state: ...` */
  fail(message: string): never;
  readonly bufferNames: readonly string[];
  readonly groups: readonly CheckpointGroup[];
  /** Names of every option (a group must give each). */
  readonly optionNames: readonly string[];
  /** A view of buffer k of a parameter of group g. */
  view(g: number, param: Parameter, k: number): FloatArray;
  /** The options resolved and validated (throws). */
  resolveOptions(raw: object): object;
  /** Each buffer's initial value for these options, null where unused. */
  initialValues(options: object): readonly (number | null)[];
  /** Group g's layout (as `CheckpointGroup.layout`) with these options. */
  layout(options: object, g: number): readonly (readonly (number | null)[])[];
  /** True when two layouts have the same buffers of the same lengths. */
  sameLayout(a: readonly (readonly (number | null)[])[], b: readonly (readonly (number | null)[])[]): boolean;
  /** Buffer k's shape for `param` in a checkpoint that carries shapes; undefined: [its length]. */
  shape(param: Parameter, k: number): readonly number[] | undefined;
}

/** The state of the optimizer after a load, converted and checked, ready to commit. */
export interface LoadedState {
  options: object[];
  steps: number[];
  states: Record<string, number>[];
  /** [group][parameter][buffer]: the values, or null (unused, or step 0: filled at the first step). */
  buffers: (FloatArray | null)[][][];
}

/** Each group's parameter keys: names when every parameter is named (they must be unique), numbers otherwise. */
export function parameterKeys(target: Pick<CheckpointTarget, "groups" | "fail">): string[][] {
  const all = target.groups.flatMap((group) => group.params);
  if (all.every((param) => param.name !== undefined)) {
    const names = all.map((param) => param.name as string);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined)
      target.fail(`two parameters are named '${repeated}': names must be unique to key a checkpoint`);
    return target.groups.map((group) => group.params.map((param) => param.name as string));
  }
  let index = 0;
  return target.groups.map((group) => group.params.map(() => String(index++)));
}

/** The optimizer's checkpoint (copies); without the state buffers when `tensors` is false. */
export function writeStateDict<O>(
  target: CheckpointTarget,
  options: (g: number) => Required<O>,
  { tensors = true } = {},
): OptimizerStateDict<O> {
  const keys = parameterKeys(target);
  const state: Record<string, ParameterState> = {};
  target.groups.forEach((group, g) => {
    group.params.forEach((param, i) => {
      const entry: ParameterState = { step: group.step };
      if (group.initialised) {
        for (const [name, value] of Object.entries(group.state)) entry[torchName(name)] = encodeNumber(value);
        target.bufferNames.forEach((name, k) => {
          if (group.layout[i][k] !== null && tensors) entry[torchName(name)] = encodeTensor(target.view(g, param, k));
        });
      }
      state[keys[g][i]] = entry;
    });
  });
  const paramGroups = target.groups.map((_, g) => ({ ...options(g), params: [...keys[g]] }));
  return { format: STATE_FORMAT, kind: target.kind, state, paramGroups };
}

/** Reads and checks a checkpoint for `target`; throws (through target.fail) on the first fault. */
export function readStateDict(
  target: CheckpointTarget,
  dict: unknown,
  loadOptions: LoadStateOptions = {},
): LoadedState {
  const fail: (message: string) => never = target.fail;
  if (loadOptions === null || typeof loadOptions !== "object")
    fail(`load options must be an object, got ${describe(loadOptions)}`);
  const allowNonFinite = loadOptions.allowNonFinite ?? false;
  if (typeof allowNonFinite !== "boolean")
    fail(`option 'allowNonFinite' must be true or false, got ${describe(allowNonFinite)}`);
  if (dict === null || typeof dict !== "object" || Array.isArray(dict))
    fail(`expected a state dict object as stateDict() returns, got ${describe(dict)}`);
  const d = dict as Record<string, unknown>;
  if (d.format !== STATE_FORMAT)
    fail(`its format is ${show(d.format)}, expected '${STATE_FORMAT}' (a stateDict() of this version)`);
  if (d.kind !== target.kind) fail(`it is the state of ${show(d.kind)}, this optimizer is '${target.kind}'`);
  for (const key of Object.keys(d)) {
    if (!["format", "kind", "state", "paramGroups"].includes(key)) fail(`unknown field '${key}'`);
  }
  if (!Array.isArray(d.paramGroups)) fail(`'paramGroups' must be an array, got ${describe(d.paramGroups)}`);
  if (d.state === null || typeof d.state !== "object" || Array.isArray(d.state))
    fail(`'state' must be an object keyed by parameter, got ${describe(d.state)}`);
  const savedGroups = d.paramGroups as unknown[];
  const savedState = d.state as Record<string, unknown>;
  if (savedGroups.length !== target.groups.length) {
    fail(`it has ${savedGroups.length} parameter groups, this optimizer ${target.groups.length}`);
  }
  const keys = parameterKeys(target);
  const expectedKeys = new Set(keys.flat());
  for (const key of Object.keys(savedState)) {
    if (!expectedKeys.has(key))
      fail(
        `'state' has parameter '${key}', which this optimizer does not have (it has ${[...expectedKeys].map((k) => `'${k}'`).join(", ")})`,
      );
  }
  const loaded: LoadedState = { options: [], steps: [], states: [], buffers: [] };
  savedGroups.forEach((saved, g) => {
    const where = `paramGroups[${g}]`;
    if (saved === null || typeof saved !== "object" || Array.isArray(saved))
      fail(`${where} must be an object, got ${describe(saved)}`);
    const { params, ...raw } = saved as Record<string, unknown>;
    if (!Array.isArray(params) || params.length !== keys[g].length || params.some((key, i) => key !== keys[g][i])) {
      fail(
        `${where}.params is ${Array.isArray(params) ? `[${params.map((p) => show(p)).join(", ")}]` : describe(params)}, this optimizer's group ${g} has [${keys[g].map((k) => `'${k}'`).join(", ")}]`,
      );
    }
    for (const name of target.optionNames) {
      if (raw[name] === undefined) fail(`${where} has no option '${name}'`);
    }
    let options: object;
    try {
      options = target.resolveOptions(raw);
    } catch (error) {
      fail(`${where}: ${(error as Error).message}`);
    }
    const group = target.groups[g];
    const initial = target.initialValues(options);
    if (!target.sameLayout(target.layout(options, g), group.layout)) {
      fail(
        `${where}'s options need other state buffers than this optimizer's group ${g} (create it with the same options)`,
      );
    }
    const stateNames = Object.keys(group.state);
    let step: number | undefined;
    let scalars: Record<string, number> | undefined;
    const buffers = group.params.map((param, i) => {
      const key = keys[g][i];
      const at = `state['${key}']`;
      const entry = savedState[key];
      if (entry === null || typeof entry !== "object" || Array.isArray(entry))
        fail(`${at} must be an object, got ${describe(entry)}`);
      const e = entry as Record<string, unknown>;
      const lengths = group.layout[i];
      const allowed = new Set([
        "step",
        ...stateNames.map(torchName),
        ...target.bufferNames.filter((_, k) => lengths[k] !== null).map(torchName),
      ]);
      for (const slot of Object.keys(e)) {
        if (!allowed.has(slot))
          fail(
            `${at} has '${slot}', which ${target.kind} with these options does not keep for it (it keeps ${[...allowed].join(", ")})`,
          );
      }
      const s = e.step;
      if (typeof s !== "number" || !Number.isSafeInteger(s) || s < 0)
        fail(`${at}.step must be a whole number >= 0, got ${describe(s)}`);
      if (step !== undefined && s !== step)
        fail(`${at}.step is ${s}, the group's other parameters' ${step}: a group steps together`);
      step = s;
      const own: Record<string, number> = {};
      for (const name of stateNames) {
        const value = e[torchName(name)];
        if (s === 0 && value === undefined) continue;
        const x = decodeNumber(value);
        if (x === undefined || !Number.isFinite(x))
          fail(`${at}.${torchName(name)} must be a finite number, got ${describe(value)}`);
        if (scalars !== undefined && !Object.is(scalars[name], x))
          fail(`${at}.${torchName(name)} differs from the group's other parameters'`);
        own[name] = x;
      }
      if (s > 0 || Object.keys(own).length > 0) scalars = own;
      return target.bufferNames.map((name, k) => {
        const length = lengths[k];
        if (length === null) return null;
        const slot = torchName(name);
        if (e[slot] === undefined) {
          if (s === 0) return null;
          fail(`${at} has no '${slot}' (a state after ${s} steps needs it)`);
        }
        const values = decodeTensor(`${at}.${slot}`, e[slot], param.dtype as Dtype, length, allowNonFinite);
        if (s === 0 && values.some((x) => !Object.is(x, initial[k]))) {
          fail(
            `${at}.step is 0 but '${slot}' is not its initial value ${initial[k]}: a state before the first step has none`,
          );
        }
        return s === 0 ? null : values;
      });
    });
    if (step !== 0 && scalars !== undefined && Object.keys(scalars).length !== stateNames.length) {
      fail(
        `group ${g}'s state lacks ${stateNames
          .filter((n) => !(n in (scalars ?? {})))
          .map(torchName)
          .join(", ")}`,
      );
    }
    loaded.options.push(options);
    loaded.steps.push(step ?? 0);
    loaded.states.push(step === 0 ? {} : (scalars ?? {}));
    loaded.buffers.push(buffers);
  });
  for (const key of expectedKeys) if (!(key in savedState)) fail(`'state' has no entry for parameter '${key}'`);
  return loaded;
}
