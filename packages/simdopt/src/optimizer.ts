/**
 * The engine under every optimizer class: parameter groups with per-group options, and `step()` as
 * one kernel call per group and dtype, whatever the number of tensors (the group's tensor table,
 * runtime/tensor-table.ts). Each optimizer supplies only an `OptimizerDefinition`: its defaults,
 * its checks, its state buffers and a pure plan of each step's kernel arguments.
 *
 * A step is planned for every group first (computing the kernels' scalars and the scalar state
 * after the step, changing nothing), then the kernels run, then the new scalar state is committed:
 * nothing is half-changed if planning throws.
 */
import {
  scalarBytes, writeScalars, type Dtype, type FloatArray, type KernelCall, type KernelName, type StateBufferOf,
} from "./runtime/kernels.js";
import { KERNEL_LAYOUTS } from "./generated/kernels.js";
import { Parameter } from "./runtime/parameter.js";
import type { Runtime } from "./runtime/runtime.js";
import { TensorTable } from "./runtime/tensor-table.js";
import { OptionChecker } from "./runtime/validate.js";

/** Scalar state of a group beside its step count, such as NAdam's running μ product. */
export type ScalarState = Readonly<Record<string, number>>;

/** One step's kernel arguments, and the scalar state after the step (unchanged when omitted). */
export interface StepPlan<K extends KernelName> extends KernelCall<K> {
  next?: ScalarState;
}

export interface OptimizerDefinition<O extends object, K extends KernelName = KernelName> {
  /** Class name, used in messages. */
  title: string;
  kernel: K;
  /** torch.optim's defaults, in camelCase; every option the optimizer knows is a key here. */
  defaults: Required<O>;
  /** Throws (via `check`) on any invalid option; changes nothing. */
  validate(options: Required<O>, check: OptionChecker): void;
  /**
   * Each state buffer's value before the first step, or null where these options need none.
   * `constructorOptions` are the options given to the constructor (before any group's own).
   */
  buffers(options: Required<O>, constructorOptions: Required<O>): Record<StateBufferOf<K>, number | null>;
  /** Scalar state before the first step. */
  initialState?: () => ScalarState;
  /** The kernel's arguments for step `t` (1 for the first); pure: returns the next scalar state. */
  plan(options: Required<O>, t: number, state: ScalarState): StepPlan<K>;
}

/** An optimizer definition over any one of the kernels. */
export type AnyOptimizerDefinition<O extends object> = { [K in KernelName]: OptimizerDefinition<O, K> }[KernelName];

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

interface Group<O> {
  params: Parameter[];
  options: Required<O>;
  /** One table per dtype present in the group. */
  tables: TensorTable[];
  /** Whether each state buffer exists with the group's options (fixed at construction). */
  used: boolean[];
  /** Byte address of the group's scalar block. */
  scalars: number;
  step: number;
  state: ScalarState;
  /** False until the state buffers hold their initial values (the first step, or a loaded state). */
  initialised: boolean;
}

export class Optimizer<O extends object> {
  readonly runtime: Runtime;
  private readonly groups: Group<O>[];
  private readonly check: OptionChecker;
  private readonly bufferNames: readonly string[];
  private readonly definition: OptimizerDefinition<O, KernelName>;
  private disposed = false;
  private disposalsChecked = -1;
  private readonly constructorOptions: Required<O>;

  constructor(params: ParamsInput<O>, options: O, definition: AnyOptimizerDefinition<O>) {
    this.definition = definition as OptimizerDefinition<O, KernelName>;
    this.check = new OptionChecker(definition.title);
    this.bufferNames = KERNEL_LAYOUTS[definition.kernel].state;
    const inputs = this.groupInputs(params);
    // An option without a default (SGD's lr) may come from every group instead, as in torch: the
    // constructor's options are then checked only through the groups that complete them.
    const base = this.resolveOptions(definition.defaults, options ?? ({} as O), { partial: true });
    this.constructorOptions = base;
    const planned = inputs.map(({ params, overrides }, index) => ({
      params: this.checkParams(params, index),
      options: this.resolveOptions(base, overrides as O),
    }));
    this.runtime = this.checkSharedRuntime(planned.flatMap((group) => group.params));
    // Everything is valid: only now allocate, giving everything back if an allocation fails.
    this.groups = [];
    try {
      for (const { params, options } of planned) this.groups.push(this.newGroup(params, options));
    } catch (error) {
      this.release();
      throw error;
    }
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
    this.checkUsable();
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

  /** One update of every parameter from its current gradient: one kernel call per group and dtype. */
  step(): void {
    this.checkUsable();
    const plans = this.groups.map((group) => this.definition.plan(group.options, group.step + 1, group.state));
    const { memory } = this.runtime;
    this.groups.forEach((group, g) => {
      if (!group.initialised) this.initialiseBuffers(group);
      writeScalars(memory, group.scalars, this.definition.kernel, plans[g]);
      for (const table of group.tables) this.runtime.runKernel(this.definition.kernel, table, group.scalars);
    });
    this.groups.forEach((group, g) => {
      group.step += 1;
      group.state = plans[g].next ?? group.state;
    });
  }

  /** Sets every gradient to zero (torch's `zero_grad(set_to_none=False)`). */
  zeroGrad(): void {
    this.checkUsable();
    for (const group of this.groups) for (const param of group.params) param.grad.fill(0);
  }

  /** Steps taken by the parameters of group `index` (0 before the first step). */
  stepCount(index = 0): number {
    return this.groups[index]?.step ?? 0;
  }

  /** A copy of the optimizer's state and options (see `OptimizerStateDict`). */
  stateDict(): OptimizerStateDict<O> {
    this.checkUsable();
    let index = 0;
    const paramGroups = this.groups.map(({ options, params }) => ({
      ...copyOptions(options),
      params: params.map(() => index++),
    }));
    const state = this.groups.flatMap((group) => group.params.map((param) => {
      const entry: Record<string, number | FloatArray> = { step: group.step, ...group.state };
      this.bufferNames.forEach((name, k) => {
        if (group.used[k]) entry[name] = this.bufferView(group, param, k).slice();
      });
      return entry;
    }));
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()` of an optimizer of the same kind over parameters of the same sizes,
   * in the same groups. Everything is checked before anything changes; the options come from the
   * snapshot, as in torch. The parameters of a group step together, so they must share their
   * step count and scalar state.
   */
  loadStateDict(dict: OptimizerStateDict<O>): void {
    this.checkUsable();
    const fail = (message: string): never => this.check.fail(`cannot load state: ${message}`, TypeError);
    if (dict === null || typeof dict !== "object" || !Array.isArray(dict.state) || !Array.isArray(dict.paramGroups)) {
      fail("expected { state: [...], paramGroups: [...] } as stateDict() returns");
    }
    if (dict.paramGroups.length !== this.groups.length) {
      fail(`it has ${dict.paramGroups.length} parameter groups, this optimizer ${this.groups.length}`);
    }
    const total = this.groups.reduce((sum, group) => sum + group.params.length, 0);
    if (dict.state.length !== total) fail(`it has state for ${dict.state.length} parameters, this optimizer has ${total}`);
    const options = dict.paramGroups.map((saved, g) => {
      const { params, ...rest } = saved;
      if (!Array.isArray(params) || params.length !== this.groups[g].params.length) {
        fail(`group ${g} has ${Array.isArray(params) ? params.length : "no"} parameters, expected ${this.groups[g].params.length}`);
      }
      return this.resolveOptions(this.definition.defaults, rest as O);
    });
    options.forEach((o, g) => {
      if (!this.sameStateLayout(this.groups[g].options, o)) {
        fail(`group ${g}'s options need other state buffers than this optimizer's (create it with the same options)`);
      }
    });
    let p = 0;
    const scalars = this.groups.map((group) => {
      const first = dict.state[p];
      const names = ["step", ...Object.keys(group.state)];
      for (const param of group.params) {
        const entry = dict.state[p];
        if (!Number.isInteger(entry?.step) || (entry.step as number) < 0) fail(`parameter ${p} has no valid 'step'`);
        for (const name of names) {
          if (typeof entry[name] !== "number") fail(`parameter ${p} has no '${name}'`);
          if (!Object.is(entry[name], first[name])) fail(`parameter ${p}'s '${name}' differs from its group's first parameter's`);
        }
        this.bufferNames.forEach((name, k) => {
          const saved = entry[name];
          if (group.used[k] && (typeof saved !== "object" || saved === null || saved.length !== param.length)) {
            fail(`parameter ${p} needs '${name}' with ${param.length} values`);
          }
        });
        p++;
      }
      return Object.fromEntries(names.map((name) => [name, first[name] as number]));
    });
    // Everything checked: now change.
    p = 0;
    this.groups.forEach((group, g) => {
      const { step, ...state } = scalars[g];
      group.options = options[g];
      group.step = step;
      group.state = state;
      group.initialised = true;
      for (const param of group.params) {
        const entry = dict.state[p++];
        this.bufferNames.forEach((name, k) => {
          if (group.used[k]) this.bufferView(group, param, k).set(entry[name] as ArrayLike<number>);
        });
      }
    });
  }

  /** Frees the optimizer state in Wasm memory; the parameters stay. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.release();
  }

  private release(): void {
    for (const group of this.groups) {
      for (const table of group.tables) table.dispose();
      this.runtime.free(group.scalars);
    }
  }

  private newGroup(params: Parameter[], options: Required<O>): Group<O> {
    const used = this.initialValues(options).map((value) => value !== null);
    const scalars = this.runtime.alloc(scalarBytes(this.definition.kernel));
    const group: Group<O> = {
      params, options, used, scalars, tables: [], step: 0, state: this.definition.initialState?.() ?? {}, initialised: false,
    };
    try {
      for (const dtype of ["float32", "float64"] as Dtype[]) {
        const ofDtype = params.filter((param) => param.dtype === dtype);
        if (ofDtype.length > 0) group.tables.push(new TensorTable(this.runtime, this.definition.kernel, dtype, ofDtype, used));
      }
    } catch (error) {
      for (const table of group.tables) table.dispose();
      this.runtime.free(scalars);
      throw error;
    }
    return group;
  }

  /** Each state buffer's value before the first step for these options, null where unused. */
  private initialValues(options: Required<O>): (number | null)[] {
    const byName = this.definition.buffers(options, this.constructorOptions) as Record<string, number | null>;
    return this.bufferNames.map((name) => byName[name]);
  }

  /** Fills the state buffers at the first step, from the options then in force (as torch does). */
  private initialiseBuffers(group: Group<O>): void {
    this.initialValues(group.options).forEach((value, k) => {
      if (value !== null) for (const table of group.tables) table.fill(k, value);
    });
    group.initialised = true;
  }

  /** True when both sets of options need the same state buffers (so one can replace the other). */
  private sameStateLayout(a: Required<O>, b: Required<O>): boolean {
    const used = (options: Required<O>) => this.initialValues(options).map((value) => value !== null).join();
    return used(a) === used(b);
  }

  /** A view of state buffer `k` of `param` in `group`. */
  private bufferView(group: Group<O>, param: Parameter, k: number): FloatArray {
    const table = group.tables.find((t) => t.dtype === param.dtype) as TensorTable;
    return table.stateView(table.indexOf(param), k);
  }

  private resolveOptions(base: Required<O>, overrides: O, { partial = false } = {}): Required<O> {
    this.check.known(overrides, Object.keys(this.definition.defaults));
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    // A copy, so that changing the caller's objects (a `betas` array) later changes nothing here.
    const options = copyOptions({ ...base, ...defined } as Required<O>);
    const complete = Object.values(options).every((value) => value !== undefined);
    if (complete || !partial) this.definition.validate(options, this.check);
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
    // Scan the parameters only when some parameter of the runtime was disposed since the last scan.
    if (this.runtime.disposals === this.disposalsChecked) return;
    for (const group of this.groups) {
      for (const param of group.params) {
        if (param.isDisposed) this.check.fail("a parameter of this optimizer was disposed", TypeError);
      }
    }
    this.disposalsChecked = this.runtime.disposals;
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
