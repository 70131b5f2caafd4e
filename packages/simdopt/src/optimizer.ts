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
      const before = this.definition.buffers(targets[i].options).map((spec) => spec?.name);
      const after = this.definition.buffers(options).map((spec) => spec?.name);
      if (before.join() !== after.join()) {
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

  private initialiseBuffers({ param, specs, buffers }: Slot<O>, options: Required<O>): void {
    specs.forEach((spec, i) => {
      const initial = spec?.initial?.(options) ?? 0;
      if (initial === 0) return; // allocations come zero-filled
      const View = param.dtype === "float32" ? Float32Array : Float64Array;
      new View(this.runtime.memory.buffer, buffers[i], param.length).fill(initial);
    });
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
