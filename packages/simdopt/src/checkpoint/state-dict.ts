/**
 * The optimizer's checkpoint as a JSON-safe object (`stateDict()` / `loadStateDict()`), shaped like
 * torch's `state_dict()`: `state` by parameter (its name where every parameter is named, its
 * number otherwise) with torch's slot names (`step`, `exp_avg`, `mu_product`, ...), `paramGroups`
 * with each group's options and parameter keys, plus the optimizer's kind and a format version.
 *
 * Loading reads and checks everything first (format, kind, keys, options, slots, dtypes, lengths,
 * numbers and their ranges) and returns the converted state: the optimizer commits it only when
 * nothing was wrong. Parameter keys are names a user or a file chose: they live in `Map`s, `Set`s
 * and null-prototype objects and are read with `Object.hasOwn` (records.ts), so `__proto__` is an
 * ordinary key; and every lookup by key is a hash lookup, so that saving and loading take time in
 * proportion to the number of parameters.
 */
import type { Dtype, FloatArray } from "../runtime/kernels.js";
import type { Parameter } from "../runtime/parameter.js";
import { readOptions } from "../runtime/read-options.js";
import { show } from "../runtime/validate.js";
import {
  decodeNumber,
  decodeTensorInto,
  describe,
  encodeNumber,
  encodeTensor,
  torchName,
  type JsonNumber,
  type JsonTensor,
} from "./encoding.js";
import { encodeStateTensor, type JsonLowBitTensor, type LowBitCheckpoint } from "./low-bit-state.js";
import { own, record } from "./records.js";
import type { StateArray } from "../runtime/state-elements.js";

/** The version of the checkpoint format this package writes and reads. */
export const STATE_FORMAT = "simdopt-state/1";

/** One parameter's state: `step`, scalar state (`mu_product`) and state buffers by torch's names. */
/** Low-bit state adds bfloat16 and uint8 tensors (low-bit-state.ts); typed arrays come from safetensors files and `setState`. */
export type ParameterState = Record<string, JsonNumber | JsonTensor | JsonLowBitTensor | StateArray>;

/**
 * A checkpoint of an optimizer (see the module comment); survives JSON.stringify / JSON.parse. `O`
 * is the optimizer's options (`AdamOptions`); without it, any optimizer's checkpoint.
 */
export interface OptimizerStateDict<O = object> {
  /** The checkpoint format, `STATE_FORMAT`. */
  format: typeof STATE_FORMAT;
  /** The optimizer's stem: `adam`, `adamw`, `sgd`, ... */
  kind: string;
  /** Each parameter's state, keyed by its name where every parameter is named, by its number otherwise. */
  state: Record<string, ParameterState>;
  /** Each group's options and `params`, the keys of its parameters in `state`. */
  paramGroups: (Required<O> & {
    /** The keys of the group's parameters in `state`. */
    params: string[];
  })[];
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
  /** Each parameter's step count (a parameter without a gradient skips a step, as in torch). */
  readonly steps: readonly number[];
  /** Each parameter's scalar state. */
  readonly states: readonly Readonly<Record<string, number>>[];
  readonly initialised: boolean;
  /** [parameter][buffer]: each state buffer's length, null where the parameter has none. */
  readonly layout: readonly (readonly (number | null)[])[];
}

/** What the checkpoint code needs of an optimizer. */
export interface CheckpointTarget {
  readonly kind: string;
  /** `Adam: cannot load state: ...` */
  fail(message: string): never;
  /** `Adam: cannot save state: ...` */
  failSave(message: string): never;
  readonly bufferNames: readonly string[];
  /** Each state buffer's declared range ("nonNegative", or "any"), in the order of `bufferNames`. */
  readonly bufferRanges: readonly string[];
  /** The range [low, high] of each scalar state that has one. */
  readonly scalarRanges: Readonly<Record<string, readonly [number, number]>>;
  /** Names of the scalar state each parameter keeps beside its step count (NAdam's `muProduct`). */
  readonly scalarNames: readonly string[];
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
  /** Low-bit state's slots and conversions (low-bit-state.ts), where the state is low-bit or may load from one that is. */
  readonly storage?: LowBitCheckpoint;
}

/** The state of the optimizer after a load, converted and checked, ready to commit. */
export interface LoadedState {
  options: object[];
  /** [group][parameter]: the step count. */
  steps: number[][];
  /** [group][parameter]: the scalar state ({} at step 0). */
  states: Record<string, number>[][];
  /**
   * [group][parameter * buffers + buffer] (an array per group, not one per parameter: fewer
   * objects for the collector to move): where float values start in `values[dtype]` (the
   * parameter's dtype); low-bit state as the kernel stores it (low-bit-state.ts); or null (unused,
   * or step 0: filled at the first step).
   */
  buffers: (number | StateArray | null)[][];
  /** Every state buffer's values, one array per dtype: one allocation, not one per tensor. */
  values: Readonly<Record<Dtype, FloatArray>>;
}

/**
 * Each optimizer's keys once checked, by its list of groups: groups are only ever added to it, and
 * a parameter's name never changes, so they hold while it has as many groups (a checkpoint every
 * few steps then reads no parameter for them).
 */
const checkedKeys = new WeakMap<readonly CheckpointGroup[], { groups: number; keys: readonly (readonly string[])[] }>();

/**
 * Each group's parameter keys: names when every parameter is named (they must be unique: `fail`
 * says so otherwise, as a save or a load refuses), numbers otherwise.
 */
export function parameterKeys(
  target: Pick<CheckpointTarget, "groups">,
  fail: (message: string) => never,
): readonly (readonly string[])[] {
  const cached = checkedKeys.get(target.groups);
  if (cached !== undefined && cached.groups === target.groups.length) return cached.keys;
  // One pass over the parameters (each pass over many costs more than the work in it).
  let keys = target.groups.map((group) => group.params.map((param) => param.name));
  if (keys.every((group) => !group.includes(undefined))) {
    const seen = new Set<string>();
    for (const group of keys) {
      for (const name of group as string[]) {
        // One hash lookup per name: a name already seen leaves the size as it was.
        const size = seen.size;
        seen.add(name);
        if (seen.size === size) fail(`two parameters are named '${name}': names must be unique to key a checkpoint`);
      }
    }
  } else {
    let index = 0;
    keys = target.groups.map((group) => group.params.map(() => String(index++)));
  }
  checkedKeys.set(target.groups, { groups: target.groups.length, keys: keys as string[][] });
  return keys as string[][];
}

/** The largest step count a checkpoint may hold: one more step must still count exactly. */
export const MAX_STEP = Number.MAX_SAFE_INTEGER - 1;

/** The optimizer's checkpoint (copies); without the state buffers when `tensors` is false. */
export function writeStateDict<O>(
  target: CheckpointTarget,
  options: (g: number) => Required<O>,
  { tensors = true } = {},
): OptimizerStateDict<O> {
  const keys = parameterKeys(target, target.failSave);
  const slots = target.bufferNames.map(torchName);
  const state = record<ParameterState>();
  target.groups.forEach((group, g) => {
    group.params.forEach((param, i) => {
      const entry: ParameterState = { step: group.steps[i] };
      // A parameter that has not stepped has no state yet, as in torch.
      if (group.initialised && group.steps[i] > 0) {
        for (const [name, value] of Object.entries(group.states[i])) entry[torchName(name)] = encodeNumber(value);
        if (tensors && target.storage?.lowBit) {
          for (const { slot, values } of target.storage.tensors(g, i)) entry[slot] = encodeStateTensor(values);
        } else if (tensors) {
          slots.forEach((slot, k) => {
            if (group.layout[i][k] !== null) entry[slot] = encodeTensor(target.view(g, param, k));
          });
        }
      }
      state[keys[g][i]] = entry;
    });
  });
  const paramGroups = target.groups.map((_, g) => ({ ...options(g), params: [...keys[g]] }));
  return { format: STATE_FORMAT, kind: target.kind, state, paramGroups };
}

/**
 * State buffers of a checkpoint kept beside its `state` entries rather than in them: a safetensors
 * file's tensors, where 200,000 typed views put into the entries (new properties of objects that
 * JSON.parse made) would cost more than their bytes. Each is read where its entry is, as if it were
 * one of the entry's own keys given after the others.
 */
export interface DetachedTensors {
  /** The tensors of `entry`, the entry of the `p`th parameter over all groups: a handle, -1 for none. */
  find(p: number, entry: object): number;
  /** The slots of the tensors of handle `row`, in the order they were given. */
  slots(row: number): readonly string[];
  /**
   * Where the values of `slot` of handle `row` are: `count` values of `values` from `from` (an
   * array of their type, for every tensor: a view per tensor would cost more than its values),
   * undefined where it has none. Valid until the next call.
   */
  place(
    row: number,
    slot: string,
  ): { readonly values: StateArray; readonly from: number; readonly count: number } | undefined;
  /** Puts every tensor into its entry, as the checkpoint's own key (then none is detached). */
  attach(): void;
}

const FIELDS = ["format", "kind", "state", "paramGroups"];
const LOAD_OPTIONS: readonly (keyof LoadStateOptions)[] = ["allowNonFinite"];

/**
 * Reads and checks a checkpoint for `target`; throws (through target.fail) on the first fault.
 * `detached`: state buffers of its entries kept beside them.
 */
export function readStateDict(
  target: CheckpointTarget,
  dict: unknown,
  loadOptions?: LoadStateOptions,
  detached?: DetachedTensors,
): LoadedState {
  const fail: (message: string) => never = target.fail;
  const { allowNonFinite = false } = readOptions(loadOptions, {
    where: target.kind,
    known: LOAD_OPTIONS,
    what: "load options",
    fail,
  });
  if (typeof allowNonFinite !== "boolean")
    fail(`option 'allowNonFinite' must be true or false, got ${describe(allowNonFinite)}`);
  if (dict === null || typeof dict !== "object" || Array.isArray(dict))
    fail(`expected a state dict object as stateDict() returns, got ${describe(dict)}`);
  const format = own(dict, "format");
  if (format !== STATE_FORMAT)
    fail(`its format is ${show(format)}, expected '${STATE_FORMAT}' (a stateDict() of this version)`);
  const kind = own(dict, "kind");
  if (kind !== target.kind) fail(`it is the state of ${show(kind)}, this optimizer is '${target.kind}'`);
  for (const key of Object.keys(dict)) {
    if (!FIELDS.includes(key)) fail(`unknown field '${key}'`);
  }
  const savedGroups = own(dict, "paramGroups");
  const savedState = own(dict, "state");
  if (!Array.isArray(savedGroups)) fail(`'paramGroups' must be an array, got ${describe(savedGroups)}`);
  if (savedState === null || typeof savedState !== "object" || Array.isArray(savedState))
    fail(`'state' must be an object keyed by parameter, got ${describe(savedState)}`);
  if (savedGroups.length !== target.groups.length) {
    fail(`it has ${savedGroups.length} parameter groups, this optimizer ${target.groups.length}`);
  }
  const keys = parameterKeys(target, fail);
  // Every key of this optimizer must be in 'state' (checked below, parameter by parameter), so
  // 'state' has no other exactly when it has as many: look for the stranger only then.
  const savedKeys = Object.keys(savedState);
  const count = keys.reduce((total, group) => total + group.length, 0);
  if (savedKeys.length !== count) {
    const expectedKeys = new Set(keys.flat());
    const stranger = savedKeys.find((key) => !expectedKeys.has(key));
    if (stranger !== undefined)
      fail(`'state' has parameter '${stranger}', which this optimizer does not have (it has ${listed(expectedKeys)})`);
  }
  // Per buffer and per scalar state, once: a slot's name, its rules, its range.
  const slots = target.bufferNames.map(torchName);
  const rules = target.bufferRanges.map((range) => ({ allowNonFinite, nonNegative: range === "nonNegative" }));
  // Room for every buffer's values, by dtype, each buffer at the next offset of its parameter's
  // dtype; none where the state is low-bit (its own reader keeps the values as stored).
  const room = { float32: 0, float64: 0 };
  for (const group of target.storage?.lowBit ? [] : target.groups)
    group.params.forEach((param, i) => {
      for (const length of group.layout[i]) room[param.dtype as Dtype] += length ?? 0;
    });
  const pool = { float32: new Float32Array(room.float32), float64: new Float64Array(room.float64) };
  const next = { float32: 0, float64: 0 };
  const loaded: LoadedState = { options: [], steps: [], states: [], buffers: [], values: pool };
  let first = 0; // the index over all groups of the group's first parameter
  savedGroups.forEach((saved, g) => {
    const where = `paramGroups[${g}]`;
    if (saved === null || typeof saved !== "object" || Array.isArray(saved))
      fail(`${where} must be an object, got ${describe(saved)}`);
    checkParams(where, own(saved, "params"), keys[g], g, fail);
    // Own properties only, copied by definition: a key `__proto__` stays a key (and is refused as an unknown option).
    const raw = Object.fromEntries(Object.entries(saved).filter(([key]) => key !== "params"));
    for (const name of target.optionNames) {
      if (own(raw, name) === undefined) fail(`${where} has no option '${name}'`);
    }
    let options: object;
    try {
      // The storage options say how the checkpoint keeps its tensors; the optimizer keeps its own.
      options = target.resolveOptions(target.storage?.withOwnStorage(raw, g) ?? raw);
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
    // Low-bit state, or a checkpoint in another storage: its own reader (undefined: float32 on both sides).
    const lowBit = target.storage?.source(raw, options, g, where, fail);
    // It reads the entries themselves.
    if (lowBit !== undefined) detached?.attach();
    const stateNames = target.scalarNames;
    const scalarSlots = stateNames.map(torchName);
    const bounds = stateNames.map(
      (name) => (own(target.scalarRanges, name) as readonly [number, number] | undefined) ?? [-Infinity, Infinity],
    );
    const steps: number[] = [];
    const states: Record<string, number>[] = [];
    // A tensor's place for a message (`state['w'].exp_avg`), spelled only for one: the key and slot
    // being read are kept here, not made into a string for every tensor.
    let key = "";
    let slot = "";
    const tensorName = () => `${entryName(key)}.${slot}`;
    /** Refuses a name of the entry of `key` that is not a state it keeps. */
    const checkName = (name: string, lengths: readonly (number | null)[]) => {
      const k = slots.indexOf(name);
      if (name !== "step" && !scalarSlots.includes(name) && (k === -1 || lengths[k] === null)) {
        const kept = ["step", ...scalarSlots, ...slots.filter((_, k) => lengths[k] !== null)];
        fail(
          `${entryName(key)} has '${name}', which ${target.kind} with these options does not keep for it (it keeps ${kept.join(", ")})`,
        );
      }
    };
    const buffers: (number | StateArray | null)[] = [];
    group.params.forEach((param, i) => {
      key = keys[g][i];
      const entry = own(savedState, key);
      if (entry === undefined) fail(`'state' has no entry for parameter '${key}'`);
      if (entry === null || typeof entry !== "object" || Array.isArray(entry))
        fail(`${entryName(key)} must be an object, got ${describe(entry)}`);
      const lengths = group.layout[i];
      const held = detached === undefined ? -1 : detached.find(first + i, entry);
      // Its own keys, then the slots of its tensors kept beside it (the low-bit reader checks its own slots).
      if (lowBit === undefined) {
        for (const name of Object.keys(entry)) checkName(name, lengths);
        if (held !== -1) for (const name of detached?.slots(held) ?? []) checkName(name, lengths);
      }
      const s = own(entry, "step");
      if (typeof s !== "number" || !Number.isSafeInteger(s) || s < 0 || s > MAX_STEP)
        fail(
          `${entryName(key)}.step must be a whole number from 0 to 2^53 - 2 (so that the next step still counts), got ${describe(s)}`,
        );
      const values: Record<string, number> = {};
      let given = 0;
      for (let j = 0; j < stateNames.length; j++) {
        const scalar = scalarSlots[j];
        const value = own(entry, scalar);
        if (s === 0 && value === undefined) continue;
        const x = decodeNumber(value);
        if (x === undefined || !Number.isFinite(x))
          fail(`${entryName(key)}.${scalar} must be a finite number, got ${describe(value)}`);
        const [low, high] = bounds[j];
        if (x < low || x > high)
          fail(`${entryName(key)}.${scalar} is ${x}, but this state is always from ${low} to ${high}`);
        values[stateNames[j]] = x;
        given++;
      }
      if (s > 0 && given !== stateNames.length) {
        const missing = stateNames.filter((n) => !Object.hasOwn(values, n)).map(torchName);
        fail(`${entryName(key)} has no ${missing.join(", ")} (a state after ${s} steps needs it)`);
      }
      steps.push(s);
      states.push(s === 0 ? {} : values);
      if (lowBit !== undefined) {
        for (const values of lowBit.read(entryName(key), entry, i, s, ["step", ...scalarSlots], allowNonFinite))
          buffers.push(values);
        return;
      }
      for (let k = 0; k < slots.length; k++) {
        slot = slots[k];
        const length = lengths[k];
        // A slot is either the entry's own or a tensor's beside it (loadSafetensors refuses both).
        const place = length === null || held === -1 ? undefined : detached?.place(held, slot);
        const value = place !== undefined ? place.values : length === null ? undefined : own(entry, slot);
        if (length === null || (value === undefined && s === 0)) {
          buffers.push(null);
          continue;
        }
        if (value === undefined) fail(`${entryName(key)} has no '${slot}' (a state after ${s} steps needs it)`);
        const dtype = param.dtype as Dtype;
        const offset = next[dtype];
        next[dtype] += length;
        decodeTensorInto(tensorName, value, dtype, length, rules[k], fail, pool[dtype], offset, place);
        if (s === 0) {
          for (let j = offset; j < offset + length; j++)
            if (!Object.is(pool[dtype][j], initial[k]))
              fail(
                `${entryName(key)}.step is 0 but '${slot}' is not its initial value ${initial[k]}: a state before the first step has none`,
              );
        }
        buffers.push(s === 0 ? null : offset);
      }
    });
    loaded.options.push(options);
    loaded.steps.push(steps);
    loaded.states.push(states);
    loaded.buffers.push(buffers);
    first += group.params.length;
  });
  return loaded;
}

/** How messages name the entry of `key` in a checkpoint's state. */
function entryName(key: string): string {
  return `state['${key}']`;
}

/** Checks a saved group's `params` against the group's keys, naming the first that differs. */
function checkParams(where: string, params: unknown, keys: readonly string[], g: number, fail: (m: string) => never) {
  if (!Array.isArray(params)) fail(`${where}.params must be an array of parameter keys, got ${describe(params)}`);
  if (params.length !== keys.length)
    fail(`${where}.params has ${params.length} keys, this optimizer's group ${g} has ${keys.length} parameters`);
  const at = params.findIndex((key, i) => key !== keys[i]);
  if (at !== -1)
    fail(`${where}.params[${at}] is ${show(params[at])}, this optimizer's group ${g} has '${keys[at]}' there`);
}

/** Up to a few keys for a message, and how many more there are. */
function listed(keys: Iterable<string>, limit = 8): string {
  const all = [...keys];
  const shown = all.slice(0, limit).map((key) => `'${key}'`);
  return all.length > limit ? `${shown.join(", ")} and ${all.length - limit} more` : shown.join(", ");
}
