/**
 * The engine under every optimizer class: parameter groups with per-group options, state buffers
 * in Wasm memory, and `step()` as one kernel call per parameter. Each optimizer supplies only an
 * `OptimizerDefinition`: its defaults, its checks, its state buffers and its per-step scalars.
 */
import { bytesPerElement, kernelKey, type Kernel, type KernelArg, type KernelName } from "./runtime/kernels.js";
import { Parameter } from "./runtime/parameter.js";
import type { Runtime } from "./runtime/runtime.js";
import { OptionChecker } from "./runtime/validate.js";

/** A state buffer of one parameter: its name, and its value before the first step (default 0). */
export interface BufferSpec<O> {
  name: string;
  initial?: (options: Required<O>) => number;
}

/** Per-parameter scalar state: the step count (as torch's `state['step']`) and any extra scalars. */
export interface ScalarState {
  step: number;
  [name: string]: number;
}

export interface OptimizerDefinition<O extends object> {
  /** Class name, used in messages. */
  title: string;
  kernel: KernelName;
  /** torch.optim's defaults, in camelCase; every option the optimizer knows is a key here. */
  defaults: Required<O>;
  /** Throws (via `check`) on any invalid option; changes nothing. */
  validate(options: Required<O>, check: OptionChecker): void;
  /** State buffers in the kernel's pointer order; null where these options need none. */
  buffers(options: Required<O>): (BufferSpec<O> | null)[];
  /** The kernel's arguments after `n` for this step; `state.step` is already counted (1 first). */
  stepArgs(options: Required<O>, state: ScalarState): KernelArg[];
  /** Scalar state before the first step, beside `step: 0`. */
  initialState?: () => Record<string, number>;
}

/** Parameters for one group and per-group overrides of the optimizer's options. */
export type ParamGroupInput<O> = { params: readonly Parameter[] } & O;
export type ParamsInput<O> = readonly Parameter[] | readonly ParamGroupInput<O>[];

export interface ParamGroup<O> {
  readonly params: readonly Parameter[];
  readonly options: Readonly<Required<O>>;
}

/**
 * A snapshot of an optimizer, shaped like torch's `state_dict()`: per parameter (numbered in
 * order through the groups) its step count, any other scalar state and a copy of each state
 * buffer by name; per group its options and the numbers of its parameters.
 */
export interface OptimizerStateDict<O> {
  state: Record<string, number | Float32Array | Float64Array>[];
  paramGroups: (Required<O> & { params: number[] })[];
}

interface Slot<O> {
  param: Parameter;
  kernel: Kernel;
  specs: (BufferSpec<O> | null)[];
  buffers: number[]; // byte addresses, 0 where unused
  state: ScalarState;
}

interface Group<O> {
  params: Parameter[];
  options: Required<O>;
  slots: Slot<O>[];
}

export class Optimizer<O extends object> {
  readonly runtime: Runtime;
  private readonly groups: Group<O>[];
  private readonly check: OptionChecker;
  private disposed = false;

  constructor(params: ParamsInput<O>, options: O, private readonly definition: OptimizerDefinition<O>) {
    this.check = new OptionChecker(definition.title);
    const inputs = this.groupInputs(params);
    const base = this.resolveOptions(definition.defaults, options ?? ({} as O));
    const planned = inputs.map(({ params, overrides }, index) => ({
      params: this.checkParams(params, index),
      options: this.resolveOptions(base, overrides as O),
    }));
    this.runtime = this.checkSharedRuntime(planned.flatMap((group) => group.params));
    // Everything is valid: only now allocate.
    this.groups = planned.map(({ params, options }) => ({
      params,
      options,
      slots: params.map((param) => this.newSlot(param, options)),
    }));
  }

  /** The groups with their parameters and resolved options (read-only; see `setGroupOptions`). */
  get paramGroups(): readonly ParamGroup<O>[] {
    return this.groups.map(({ params, options }) => ({ params: [...params], options: copyOptions(options) }));
  }

  /**
   * Changes options of group `index` (all groups when omitted), validated first. An option that
   * changes which state buffers exist (such as `amsgrad`) cannot change after construction.
   */
  setGroupOptions(overrides: Partial<O>, index?: number): void {
    const targets = index === undefined ? this.groups : [this.groups[index]];
    if (targets.some((group) => group === undefined)) {
      this.check.fail(`no parameter group ${index} (there are ${this.groups.length})`);
    }
    const resolved = targets.map((group) => this.resolveOptions(group.options, overrides as O));
    resolved.forEach((options, i) => {
      if (!this.sameStateLayout(targets[i].options, options)) {
        this.check.fail(`options ${Object.keys(overrides).join(", ")} change the optimizer's state layout and cannot change after construction`, TypeError);
      }
    });
    targets.forEach((group, i) => (group.options = resolved[i]));
  }

  /** One update of every parameter from its current gradient. */
  step(): void {
    this.checkUsable();
    for (const { options, slots } of this.groups) {
      for (const slot of slots) {
        const { param, state } = slot;
        if (state.step === 0) this.initialiseBuffers(slot, options);
        state.step += 1;
        const args = this.definition.stepArgs(options, state);
        slot.kernel(param.dataPtr, param.gradPtr, ...slot.buffers, param.length, ...args);
      }
    }
  }

  /** Sets every gradient to zero (torch's `zero_grad(set_to_none=False)`). */
  zeroGrad(): void {
    this.checkUsable();
    for (const group of this.groups) for (const param of group.params) param.grad.fill(0);
  }

  /** Steps taken by the parameters of group `index` (0 before the first step). */
  stepCount(index = 0): number {
    return this.groups[index]?.slots[0]?.state.step ?? 0;
  }

  /** A copy of the optimizer's state and options (see `OptimizerStateDict`). */
  stateDict(): OptimizerStateDict<O> {
    this.checkUsable();
    let index = 0;
    const paramGroups = this.groups.map(({ options, slots }) => ({
      ...copyOptions(options),
      params: slots.map(() => index++),
    }));
    const state = this.groups.flatMap(({ slots }) => slots.map((slot) => {
      const entry: Record<string, number | Float32Array | Float64Array> = { ...slot.state };
      slot.specs.forEach((spec, i) => {
        if (spec !== null) entry[spec.name] = this.bufferView(slot, i).slice();
      });
      return entry;
    }));
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()` of an optimizer of the same kind over parameters of the same sizes,
   * in the same groups. Everything is checked before anything changes; the options come from the
   * snapshot, as in torch.
   */
  loadStateDict(dict: OptimizerStateDict<O>): void {
    this.checkUsable();
    const fail = (message: string) => this.check.fail(`cannot load state: ${message}`, TypeError);
    if (dict === null || typeof dict !== "object" || !Array.isArray(dict.state) || !Array.isArray(dict.paramGroups)) {
      fail("expected { state: [...], paramGroups: [...] } as stateDict() returns");
    }
    if (dict.paramGroups.length !== this.groups.length) {
      fail(`it has ${dict.paramGroups.length} parameter groups, this optimizer ${this.groups.length}`);
    }
    const slots = this.groups.flatMap((group) => group.slots);
    if (dict.state.length !== slots.length) fail(`it has state for ${dict.state.length} parameters, this optimizer has ${slots.length}`);
    const options = dict.paramGroups.map((saved, g) => {
      const { params, ...rest } = saved;
      if (!Array.isArray(params) || params.length !== this.groups[g].slots.length) {
        fail(`group ${g} has ${Array.isArray(params) ? params.length : "no"} parameters, expected ${this.groups[g].slots.length}`);
      }
      return this.resolveOptions(this.definition.defaults, rest as O);
    });
    options.forEach((o, g) => {
      if (!this.sameStateLayout(this.groups[g].options, o)) {
        fail(`group ${g}'s options need other state buffers than this optimizer's (create it with the same options)`);
      }
    });
    slots.forEach((slot, p) => {
      const entry = dict.state[p];
      if (!Number.isInteger(entry?.step) || (entry.step as number) < 0) fail(`parameter ${p} has no valid 'step'`);
      for (const name of Object.keys(slot.state)) {
        if (typeof entry[name] !== "number") fail(`parameter ${p} has no '${name}'`);
      }
      slot.specs.forEach((spec) => {
        const saved = spec === null ? undefined : entry[spec.name];
        if (spec !== null && (typeof saved !== "object" || saved.length !== slot.param.length)) {
          fail(`parameter ${p} needs '${spec.name}' with ${slot.param.length} values`);
        }
      });
    });
    // Everything checked: now change.
    this.groups.forEach((group, g) => (group.options = options[g]));
    slots.forEach((slot, p) => {
      const entry = dict.state[p];
      for (const name of Object.keys(slot.state)) slot.state[name] = entry[name] as number;
      slot.specs.forEach((spec, i) => {
        if (spec !== null) this.bufferView(slot, i).set(entry[spec.name] as ArrayLike<number>);
      });
    });
  }

  /** Frees the optimizer state in Wasm memory; the parameters stay. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const group of this.groups) {
      for (const slot of group.slots) {
        for (const address of slot.buffers) if (address !== 0) this.runtime.allocator.free(address);
      }
    }
  }

  private newSlot(param: Parameter, options: Required<O>): Slot<O> {
    const specs = this.definition.buffers(options);
    const bytes = Math.max(1, param.length) * bytesPerElement(param.dtype);
    const buffers = specs.map((spec) => (spec === null ? 0 : this.runtime.allocator.alloc(bytes)));
    const kernel = this.runtime.kernels[kernelKey(this.definition.kernel, param.dtype)];
    return { param, kernel, specs, buffers, state: { step: 0, ...this.definition.initialState?.() } };
  }

  private initialiseBuffers(slot: Slot<O>, options: Required<O>): void {
    slot.specs.forEach((spec, i) => {
      if (spec !== null) this.bufferView(slot, i).fill(spec.initial?.(options) ?? 0);
    });
  }

  /** True when both sets of options need the same state buffers (so one can replace the other). */
  private sameStateLayout(a: Required<O>, b: Required<O>): boolean {
    const names = (options: Required<O>) => this.definition.buffers(options).map((spec) => spec?.name).join();
    return names(a) === names(b);
  }

  /** A view of state buffer `i` of a parameter (valid until the memory next grows). */
  private bufferView({ param, buffers }: Slot<O>, i: number): Float32Array | Float64Array {
    const View = param.dtype === "float32" ? Float32Array : Float64Array;
    return new View(this.runtime.memory.buffer, buffers[i], param.length);
  }

  private resolveOptions(base: Required<O>, overrides: O): Required<O> {
    this.check.known(overrides, Object.keys(this.definition.defaults));
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    // A copy, so that changing the caller's objects (a `betas` array) later changes nothing here.
    const options = copyOptions({ ...base, ...defined } as Required<O>);
    this.definition.validate(options, this.check);
    return options;
  }

  private groupInputs(params: ParamsInput<O>): { params: unknown; overrides: object }[] {
    if (!Array.isArray(params) || params.length === 0) {
      this.check.fail("params must be a non-empty array of parameters or of parameter groups", TypeError);
    }
    if (params.every((item) => item instanceof Parameter)) return [{ params, overrides: {} }];
    return params.map((item, index) => {
      if (item === null || typeof item !== "object" || item instanceof Parameter || !("params" in item)) {
        this.check.fail(`params[${index}] must be a parameter group { params, ...options } (do not mix groups and parameters)`, TypeError);
      }
      const { params: groupParams, ...overrides } = item as ParamGroupInput<O>;
      return { params: groupParams, overrides };
    });
  }

  private checkParams(params: unknown, groupIndex: number): Parameter[] {
    if (!Array.isArray(params) || params.length === 0) {
      this.check.fail(`parameter group ${groupIndex} must have a non-empty 'params' array`, TypeError);
    }
    params.forEach((param, i) => {
      if (!(param instanceof Parameter)) {
        this.check.fail(`parameter ${i} of group ${groupIndex} is not a simdopt Parameter (create it with runtime.parameter())`, TypeError);
      }
      if (param.isDisposed) this.check.fail(`parameter ${i} of group ${groupIndex} was disposed`, TypeError);
    });
    return params as Parameter[];
  }

  private checkSharedRuntime(params: Parameter[]): Runtime {
    if (new Set(params).size !== params.length) {
      this.check.fail("some parameters appear more than once (in one group or in several)", TypeError);
    }
    const runtime = params[0].runtime;
    if (params.some((param) => param.runtime !== runtime)) {
      this.check.fail("all parameters must come from the same runtime", TypeError);
    }
    return runtime;
  }

  private checkUsable(): void {
    if (this.disposed) this.check.fail("the optimizer was disposed", TypeError);
    for (const group of this.groups) {
      for (const param of group.params) {
        if (param.isDisposed) this.check.fail("a parameter of this optimizer was disposed", TypeError);
      }
    }
  }
}

/** A copy of an options object whose values are numbers, booleans or arrays of numbers. */
function copyOptions<T extends object>(options: T): T {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => [key, Array.isArray(value) ? [...value] : value]),
  ) as T;
}

/** −1 to ascend the objective (torch's `maximize`), 1 to descend it. */
export function gradScale(maximize: boolean): number {
  return maximize ? -1 : 1;
}
