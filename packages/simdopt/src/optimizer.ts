/**
 * The engine under every optimizer class: parameter groups with per-group options, and `step()` as
 * one kernel call per group and dtype, whatever the number of tensors (the group's tensor table,
 * runtime/tensor-table.ts). Each optimizer supplies only an `OptimizerDefinition`: its defaults,
 * its checks, its state buffers and a pure plan of each step's kernel arguments.
 *
 * A step is planned for every group first (computing the kernels' scalars and the scalar state
 * after the step, changing nothing), then the kernels run, then the new scalar state is committed:
 * nothing is half-changed if planning throws. Clipping and the check for non-finite gradients
 * (training/) run before the kernels, and a skipped step changes nothing at all.
 */
import {
  kernelKey,
  scalarBytes,
  writeScalars,
  type RowsKernelName,
  type Dtype,
  type FloatArray,
  type KernelCall,
  type KernelName,
  type ScalarsOf,
  type StateBufferOf,
} from "./runtime/kernels.js";
import { KERNEL_LAYOUTS } from "./generated/kernels.js";
import type { GradTable } from "./runtime/grad-kernels.js";
import { Parameter } from "./runtime/parameter.js";
import type { Runtime } from "./runtime/runtime.js";
import { TensorTable } from "./runtime/tensor-table.js";
import { hasParamState, type StateArray } from "./runtime/state-elements.js";
import { OPTIONAL_IN_CHECKPOINTS } from "./optimizers/state-storage.js";
import { RowTable } from "./runtime/row-table.js";
import { OptionChecker, show } from "./runtime/validate.js";
import { readOptions } from "./runtime/read-options.js";
import {
  checkTrainingOptions,
  prepareGradients,
  TRAINING_DEFAULTS,
  TRAINING_OPTION_NAMES,
  type ResolvedTrainingOptions,
  type StepReport,
  type TrainingOptions,
} from "./training/training-options.js";
import {
  readStateDict,
  writeStateDict,
  type CheckpointTarget,
  type LoadStateOptions,
  type OptimizerStateDict,
} from "./checkpoint/state-dict.js";
import { releaseWhenCollected, forgetRelease } from "./runtime/finalization.js";
import { Lifecycle } from "./runtime/lifecycle.js";
import { copyList } from "./runtime/param-list.js";

/** Scalar state of a group beside its step count, such as NAdam's running μ product. */
export type ScalarState = Readonly<Record<string, number>>;

/** One step's kernel arguments, and the scalar state after the step (unchanged when omitted). */
export interface StepPlan<K extends KernelName> extends KernelCall<K> {
  next?: ScalarState;
  /**
   * Scalars that float32 tensors take instead, for a framework that computes its per-step scalars
   * in the parameters' precision (Keras); float64 tensors take `scalars`.
   */
  float32Scalars?: Partial<ScalarsOf<K>>;
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
  /**
   * Each state buffer's length for a tensor of `shape` (`length` elements) where it is not
   * `length`; 0: that tensor has no such buffer (address 0, absent from checkpoints). Omitted:
   * every buffer takes the tensor's length.
   */
  bufferLengths?(
    options: Required<O>,
    shape: readonly number[],
    length: number,
  ): Partial<Record<StateBufferOf<K>, number>>;
  /**
   * Low-bit state whose tensors step in independent pieces, so that threads may cut inside them:
   * a tensor's block of codes (its buffers of fewer elements hold one value per block), or null
   * where its state is element by element. Omitted: threads cut as the kernel's layout says.
   */
  stateBlock?(options: Required<O>, length: number): number | null;
  /** Each state buffer's shape in a checkpoint that carries shapes (safetensors), where it is not [its length]. */
  bufferShapes?(shape: readonly number[]): Partial<Record<StateBufferOf<K>, readonly number[]>>;
  /** Scalar state before the first step. */
  initialState?: () => ScalarState;
  /** The range [low, high] of a scalar state where it has one (NAdam's μ product is in [0, 1]): a checkpoint outside it is refused. */
  stateRanges?: Readonly<Record<string, readonly [number, number]>>;
  /** The kernel's arguments for step `t` (1 for the first); pure: returns the next scalar state. */
  plan(options: Required<O>, t: number, state: ScalarState): StepPlan<K>;
  /**
   * How a row-sparse gradient (`param.setSparseGrad`) steps with these options: `rows` (the
   * kernel's rows kernel, on the listed rows alone), `dense` (written into the dense gradient first,
   * for a rule that moves every row, as SGD's momentum does), or `{ refused }`: why not, as torch
   * says it. Omitted: sparse gradients are refused.
   */
  sparse?(options: Required<O>): "rows" | "dense" | { refused: string };
  /** Set when dense gradients are refused (SparseAdam): why. */
  denseRefused?: string;
  /** Why a parameter of this shape is refused (Muon takes 2-D ones only); undefined: accepted. Omitted: any shape. */
  shapeRefused?(shape: readonly number[]): string | undefined;
}

/** An optimizer definition over any one of the kernels. */
export type AnyOptimizerDefinition<O extends object> = { [K in KernelName]: OptimizerDefinition<O, K> }[KernelName];

/** Parameters for one group and per-group overrides of the optimizer's options. */
export type ParamGroupInput<O> = { params: readonly Parameter[] } & O;
export type ParamsInput<O> = readonly Parameter[] | readonly ParamGroupInput<O>[];

/**
 * A live view of one parameter group, as torch's `optimizer.param_groups[i]`: each option reads the
 * group's current value and assigning one (`group.lr = 0.01`, or `group.options.lr = 0.01`) goes
 * through `setGroupOptions`, validated (a bad value throws and changes nothing). Array options are
 * frozen copies: assign a new array. Unknown properties cannot be added.
 */
export type ParamGroup<O> = Required<O> & {
  readonly params: readonly Parameter[];
  /** The same live options, as an object of their own. */
  readonly options: Required<O>;
};

export type { OptimizerStateDict, LoadStateOptions } from "./checkpoint/state-dict.js";
export type { StepReport, TrainingOptions } from "./training/training-options.js";

/** One table's part in a step: the whole table, or, with row-sparse gradients, its dense part and its rows (row-table.ts). */
interface TableStep {
  table: TensorTable;
  dense?: GradTable;
  rows?: GradTable;
}

interface Group<O> {
  params: Parameter[];
  options: Required<O>;
  /** One table per dtype present in the group. */
  tables: TensorTable[];
  /** [parameter][buffer]: each state buffer's length, null where there is none (fixed at construction). */
  layout: StateLayout;
  /** Byte address of the group's scalar block. */
  scalars: number;
  step: number;
  state: ScalarState;
  /** False until the state buffers hold their initial values (the first step, or a loaded state). */
  initialised: boolean;
  view?: ParamGroup<O>;
}

/** [parameter][buffer]: each state buffer's length for a parameter, null where it has none. */
type StateLayout = readonly (readonly (number | null)[])[];

/** The memory of an optimizer's groups: what a finalizer gives back. */
function releaseGroups(runtime: Runtime, groups: readonly Group<unknown>[]): void {
  for (const group of groups) {
    for (const table of group.tables) table.dispose();
    runtime.free(group.scalars);
  }
}

export class Optimizer<O extends object> {
  readonly runtime: Runtime;
  private readonly groups: Group<O>[];
  private readonly check: OptionChecker;
  private readonly bufferNames: readonly string[];
  private readonly definition: OptimizerDefinition<O, KernelName>;
  /** Live, busy in a step, or disposed (runtime/lifecycle.ts). */
  private readonly lifecycle = new Lifecycle((message) => this.check.fail(message, TypeError));
  private disposalsChecked = -1;
  private readonly constructorOptions: Required<O>;
  private training: ResolvedTrainingOptions;
  private lastReport: StepReport | undefined;
  private groupViews: readonly ParamGroup<O>[] | undefined;

  constructor(params: ParamsInput<O>, options: O & TrainingOptions, definition: AnyOptimizerDefinition<O>) {
    this.definition = definition as OptimizerDefinition<O, KernelName>;
    this.check = new OptionChecker(definition.title);
    this.bufferNames = KERNEL_LAYOUTS[definition.kernel].state;
    const given = readOptions(options, {
      where: definition.title,
      known: [...this.optionNames, ...TRAINING_OPTION_NAMES],
    });
    const { ownOptions, trainingOptions } = splitOptions(given);
    this.training = checkTrainingOptions(definition.title, TRAINING_DEFAULTS, trainingOptions);
    const inputs = this.groupInputs(params);
    // An option without a default (SGD's lr) may come from every group instead, as in torch: the
    // constructor's options are then checked only through the groups that complete them.
    const base = this.resolveOptions(definition.defaults, ownOptions as O, { partial: true });
    this.constructorOptions = base;
    const planned = inputs.map(({ params, overrides }, index) => ({
      params: this.checkParams(params, index),
      options: this.resolveOptions(base, overrides),
    }));
    this.runtime = this.checkSharedRuntime(planned.flatMap((group) => group.params));
    // Reading the options ran the caller's code (getters, iterators): a parameter may be gone since.
    planned.forEach((group, g) => this.checkNotDisposed(group.params, g));
    // Everything is valid: only now allocate, giving everything back if an allocation fails.
    this.groups = [];
    try {
      for (const { params, options } of planned) this.groups.push(this.newGroup(params, options));
    } catch (error) {
      releaseGroups(this.runtime, this.groups);
      throw error;
    }
    // A bound function, not a closure: a closure made here would keep `this` alive through the
    // constructor's context, and the optimizer would never be collected.
    releaseWhenCollected(this, releaseGroups.bind(undefined, this.runtime, this.groups as Group<unknown>[]));
  }

  /** The kind of optimizer, its stem: `adam`, `adamw`, `sgd`, ... */
  get kind(): string {
    return this.definition.title.toLowerCase();
  }

  /** Live views of the groups (see `ParamGroup`): `opt.paramGroups[0].lr = 0.5` sets group 0's lr, validated. */
  get paramGroups(): readonly ParamGroup<O>[] {
    this.groupViews ??= Object.freeze(this.groups.map((group) => (group.view ??= this.groupView(group))));
    return this.groupViews;
  }

  /** The optimizer-wide training options in force (clipping, non-finite gradients). */
  get trainingOptions(): ResolvedTrainingOptions {
    return this.training;
  }

  /** Changes training options (validated first; see `TrainingOptions`). */
  setTrainingOptions(overrides: TrainingOptions): void {
    this.checkUsable();
    const given = readOptions(overrides, {
      where: this.definition.title,
      known: TRAINING_OPTION_NAMES,
      what: "training options",
      optional: false,
    });
    this.training = checkTrainingOptions(this.definition.title, this.training, given);
  }

  /**
   * Changes options of group `index` (all groups when omitted), validated first. An option that
   * changes which state buffers exist (such as `amsgrad`) cannot change after construction.
   */
  setGroupOptions(overrides: Partial<O>, index?: number): void {
    this.checkUsable();
    if (overrides === null || typeof overrides !== "object" || Array.isArray(overrides)) {
      this.check.fail(`setGroupOptions needs an object of options, got ${show(overrides)}`, TypeError);
    }
    const given = readOptions(overrides, {
      where: this.definition.title,
      known: this.optionNames,
      what: "setGroupOptions's options",
    }) as O;
    if (index !== undefined) this.checkGroupIndex(index);
    const targets = index === undefined ? this.groups : [this.groups[index]];
    const resolved = targets.map((group) => this.resolveOptions(group.options, given));
    resolved.forEach((options, i) => {
      if (!this.sameLayout(this.stateLayout(options, targets[i].params), targets[i].layout)) {
        this.check.fail(
          `options ${Object.keys(given).join(", ")} change the optimizer's state layout and cannot change after construction`,
          TypeError,
        );
      }
    });
    targets.forEach((group, i) => (group.options = resolved[i]));
  }

  /**
   * Adds a parameter group, as torch's `add_param_group`: `{ params, ...options }`, the options not
   * given taken from the constructor's. Its parameters must be new to this optimizer.
   */
  addParamGroup(group: ParamGroupInput<Partial<O>>): void {
    this.checkUsable();
    const index = this.groups.length;
    if (group === null || typeof group !== "object") {
      this.check.fail(`addParamGroup needs a group { params, ...options }, got ${show(group)}`, TypeError);
    }
    const { params: input, overrides } = this.readGroup(group, index, "addParamGroup's group");
    const params = this.checkParams(input, index);
    const options = this.resolveOptions(this.constructorOptions, overrides);
    // The caller's code ran while the group was read: check again before allocating.
    this.checkUsable();
    this.checkNotDisposed(params, index);
    this.checkSharedRuntime([...this.groups.flatMap((g) => g.params), ...params]);
    this.groups.push(this.newGroup(params, options));
    this.groupViews = undefined;
  }

  /**
   * One update of every parameter from its current gradient: one kernel call per group and dtype,
   * after clipping and the non-finite check of the training options. Returns what it did. With a
   * `closure` (torch's `step(closure)`), calls it first (it recomputes the loss and the gradients)
   * and returns its loss instead; the report is then `lastStep`.
   */
  step(): StepReport;
  step<L>(closure: () => L): L;
  step<L>(closure?: () => L): StepReport | L {
    this.checkUsable();
    if (closure !== undefined && typeof closure !== "function")
      this.check.fail(`step(closure): the closure must be a function, got ${show(closure)}`, TypeError);
    // Busy until the kernels are done: dispose() and step() from the closure are refused.
    return this.lifecycle.busy("step()", () => {
      if (closure === undefined) {
        this.beforeKernels();
        return this.stepOnce();
      }
      const loss = closure();
      if (loss instanceof Promise) {
        this.check.fail(
          "step(closure): the closure returned a Promise; await it yourself, then call step()",
          TypeError,
        );
      }
      // The closure may have disposed a parameter: check again before anything reads memory.
      this.checkUsable();
      this.beforeKernels();
      this.stepOnce();
      return loss;
    });
  }

  /**
   * Runs in `step()` after the closure and the checks, before the kernels: a subclass's own pass
   * over the gradients (a Keras preset's clipping).
   */
  protected beforeKernels(): void {}

  /** The report of the last `step()` (undefined before the first). */
  get lastStep(): StepReport | undefined {
    return this.lastReport;
  }

  private stepOnce(): StepReport {
    const plans = this.groups.map((group) => this.definition.plan(group.options, group.step + 1, group.state));
    const steps = this.tableSteps();
    const tables = steps.flat().flatMap(({ table, dense, rows }) => {
      if (rows === undefined) return [table];
      return dense === undefined ? [rows] : [dense, rows];
    });
    const { report, scale } = prepareGradients(this.definition.title, this.runtime, tables, this.training);
    this.lastReport = report;
    if (!report.applied) return report;
    const { memory } = this.runtime;
    // The clipping factor rides on every kernel's gradient scale: the kernel sees grad·scale, as
    // torch's clip_grad_norm_ leaves it, and the caller's gradients stay as they were.
    this.groups.forEach((group, g) => {
      if (!group.initialised) this.initialiseBuffers(group);
      const plan = plans[g] as StepPlan<KernelName> & { scalars: { gradScale: number } };
      const scaled =
        scale === 1 ? plan : { ...plan, scalars: { ...plan.scalars, gradScale: plan.scalars.gradScale * scale } };
      for (const { table, dense, rows } of steps[g]) {
        const float32 = plan.float32Scalars !== undefined && table.dtype === "float32";
        const call = float32 ? { ...scaled, scalars: { ...scaled.scalars, ...plan.float32Scalars } } : scaled;
        writeScalars(memory, group.scalars, this.definition.kernel, call); // the run is over before the next write
        if (rows === undefined) {
          this.runtime.runKernel(this.definition.kernel, table, group.scalars);
          continue;
        }
        // With row-sparse gradients: the dense tensors in one call, then the listed rows in one.
        const { kernels } = this.runtime;
        if (dense !== undefined)
          kernels[kernelKey(this.definition.kernel, table.dtype)](dense.address, dense.count, group.scalars);
        this.runtime.runRows(this.definition.kernel as RowsKernelName, table.rowTable as RowTable, group.scalars);
      }
    });
    this.groups.forEach((group, g) => {
      group.step += 1;
      group.state = plans[g].next ?? group.state;
    });
    return report;
  }

  /**
   * Sets every gradient to zero (torch's `zero_grad(set_to_none=False)`); a sparse gradient
   * becomes one of no rows, without touching the table.
   */
  zeroGrad(): void {
    this.checkUsable();
    for (const group of this.groups) {
      for (const param of group.params) {
        const sparse = param.sparseGradient;
        if (sparse === undefined) param.grad.fill(0);
        else sparse.clear();
      }
    }
  }

  /**
   * Each table's part in this step. Row-sparse gradients are checked against the options first
   * (refused where torch refuses them, and dense ones where the optimizer steps only sparse ones);
   * then those of a `dense` rule are written into the dense gradient, and the others laid out for
   * the rows kernel.
   */
  private tableSteps(): TableStep[][] {
    const { title, denseRefused } = this.definition;
    const modes = this.groups.map((group, g) => {
      if (denseRefused !== undefined) {
        const dense = group.params.findIndex((param) => param.sparseGradient === undefined);
        if (dense !== -1) {
          this.check.fail(
            `${denseRefused} (parameter ${dense} of group ${g}, ${group.params[dense].label()}, has a dense gradient: give it a sparse one with setSparseGrad)`,
            TypeError,
          );
        }
      }
      const sparse = group.params.findIndex((param) => param.sparseGradient !== undefined);
      if (sparse === -1) return undefined;
      const mode = this.definition.sparse?.(group.options) ?? { refused: `${title} does not support sparse gradients` };
      if (typeof mode === "object") {
        this.check.fail(
          `parameter ${sparse} of group ${g}, ${group.params[sparse].label()}, has a sparse gradient: ${mode.refused}`,
          TypeError,
        );
      }
      return mode;
    });
    return this.groups.map((group, g) =>
      group.tables.map((table): TableStep => {
        const sparse = table.params.map((param) => param.sparseGradient);
        if (modes[g] === undefined || sparse.every((gradient) => gradient === undefined)) return { table };
        if (modes[g] === "dense") {
          sparse.forEach((gradient, t) => gradient?.scatterInto(table.params[t].grad));
          return { table };
        }
        table.rowTable ??= new RowTable(this.runtime, this.definition.kernel, table);
        return { table, ...table.rowTable.prepare(sparse) };
      }),
    );
  }

  /**
   * The tensor tables of group `index` (one per dtype present): the gradient kernels run over them
   * (a preset's own clipping, before the step) without tables of their own.
   */
  protected groupTables(index: number): readonly GradTable[] {
    return this.groups[index].tables;
  }

  /** Steps taken by the parameters of group `index` (0 before the first step). */
  stepCount(index = 0): number {
    this.checkGroupIndex(index);
    return this.groups[index].step;
  }

  /** Throws naming `index` unless it is the index of a group. */
  private checkGroupIndex(index: unknown): asserts index is number {
    if (!(Number.isInteger(index) && (index as number) >= 0 && (index as number) < this.groups.length)) {
      this.check.fail(`no parameter group ${show(index)} (there are ${this.groups.length})`);
    }
  }

  /**
   * A JSON-safe checkpoint of the optimizer's state and options, with torch's slot names (see
   * `OptimizerStateDict`): `JSON.parse(JSON.stringify(opt.stateDict()))` loads back exactly.
   */
  stateDict(): OptimizerStateDict<O> {
    return writeStateDict<O>(this.checkpointTarget(), (g) => copyOptions(this.groups[g].options));
  }

  /**
   * Restores a `stateDict()` of an optimizer of the same kind over the same parameters (by name,
   * or by position when they are not all named), in the same groups. Everything is converted and
   * checked first; a refusal names what is wrong and changes nothing. The options come from the
   * checkpoint, as in torch.
   */
  loadStateDict(dict: OptimizerStateDict<O>, options?: LoadStateOptions): void {
    const loaded = readStateDict(this.checkpointTarget(), dict, options);
    // Reading the dict ran the caller's code (getters): check again before writing.
    this.checkUsable();
    // Everything checked: now change.
    this.groups.forEach((group, g) => {
      group.options = loaded.options[g] as Required<O>;
      group.step = loaded.steps[g];
      group.state = group.step === 0 ? (this.definition.initialState?.() ?? {}) : loaded.states[g];
      group.initialised = group.step > 0;
      group.params.forEach((param, i) => {
        loaded.buffers[g][i].forEach((values, k) => {
          if (values !== null) this.bufferView(group, param, k).set(values);
        });
      });
    });
  }

  /** @internal The checkpoint code's access to this optimizer (refused once it or a parameter is disposed). */
  checkpointTarget(): CheckpointTarget {
    this.checkUsable();
    if (!hasParamState(this.definition.kernel))
      this.check.fail("checkpoints of bfloat16 or 8-bit optimizer state are not supported yet", TypeError);
    const fail = (message: string): never => this.check.fail(`cannot load state: ${message}`, TypeError);
    return {
      kind: this.kind,
      fail,
      failSave: (message) => this.check.fail(`cannot save state: ${message}`, TypeError),
      bufferNames: this.bufferNames,
      bufferRanges: KERNEL_LAYOUTS[this.definition.kernel].stateRanges,
      scalarRanges: this.definition.stateRanges ?? {},
      groups: this.groups,
      // `state` and `blockSize` may be absent (checkpoints written before they existed): the defaults then.
      optionNames: Object.keys(this.definition.defaults).filter((name) => !OPTIONAL_IN_CHECKPOINTS.includes(name)),
      view: (g, param, k) => this.bufferView(this.groups[g], param, k),
      resolveOptions: (raw) => this.resolveOptions(this.definition.defaults, raw as O),
      initialValues: (options) => this.initialValues(options as Required<O>),
      layout: (options, g) => this.stateLayout(options as Required<O>, this.groups[g].params),
      sameLayout: (a, b) => this.sameLayout(a, b),
      shape: (param, k) => this.bufferShape(param, k),
    };
  }

  /**
   * Frees the optimizer state in Wasm memory; the parameters stay. Refused during `step()` (from
   * its closure): dispose after it returns. Every later call but `dispose()` throws.
   */
  dispose(): void {
    if (!this.lifecycle.dispose()) return;
    forgetRelease(this);
    releaseGroups(this.runtime, this.groups);
  }

  private groupView(group: Group<O>): ParamGroup<O> {
    const options = {} as Required<O>;
    const view = {} as ParamGroup<O>;
    for (const key of Object.keys(this.definition.defaults)) {
      const property: PropertyDescriptor = {
        enumerable: true,
        get: () => {
          const value = (group.options as Record<string, unknown>)[key];
          return Array.isArray(value) ? Object.freeze([...value]) : value;
        },
        set: (value: unknown) => this.setGroupOptions({ [key]: value } as Partial<O>, this.groups.indexOf(group)),
      };
      Object.defineProperty(options, key, property);
      Object.defineProperty(view, key, property);
    }
    Object.defineProperty(view, "params", { enumerable: true, get: () => Object.freeze([...group.params]) });
    Object.defineProperty(view, "options", { enumerable: false, value: Object.seal(options) });
    return Object.seal(view);
  }

  /** Every option name of this optimizer. */
  private get optionNames(): string[] {
    return Object.keys(this.definition.defaults);
  }

  /**
   * A group `{ params, ...options }` read once (see readOptions), its parameters and its own
   * options apart: training options are optimizer-wide and cannot be given per group.
   */
  private readGroup(group: unknown, index: number, what: string): { params: unknown; overrides: O } {
    const known = ["params", ...this.optionNames, ...TRAINING_OPTION_NAMES];
    const read = readOptions(group, { where: this.definition.title, known, what, optional: false });
    if (!Object.hasOwn(read, "params")) {
      this.check.fail(`${what} has no 'params' (a group is { params, ...options })`, TypeError);
    }
    const { params, ...overrides } = read;
    for (const key of TRAINING_OPTION_NAMES) {
      if (Object.hasOwn(overrides, key))
        this.check.fail(
          `option '${key}' of parameter group ${index} is optimizer-wide: give it with the optimizer's options`,
          TypeError,
        );
    }
    return { params, overrides: overrides as O };
  }

  private newGroup(params: Parameter[], options: Required<O>): Group<O> {
    const layout = this.stateLayout(options, params);
    const scalars = this.runtime.alloc(scalarBytes(this.definition.kernel));
    const group: Group<O> = {
      params,
      options,
      layout,
      scalars,
      tables: [],
      step: 0,
      state: this.definition.initialState?.() ?? {},
      initialised: false,
    };
    try {
      for (const dtype of ["float32", "float64"] as Dtype[]) {
        const ofDtype = params.filter((param) => param.dtype === dtype);
        const lengths = layout.filter((_, i) => params[i].dtype === dtype);
        if (ofDtype.length > 0) {
          const blocks =
            this.definition.stateBlock && ofDtype.map((param) => this.definition.stateBlock!(options, param.length));
          group.tables.push(new TensorTable(this.runtime, this.definition.kernel, dtype, ofDtype, lengths, blocks));
        }
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

  /** Each parameter's state buffer lengths with these options, null where it has none. */
  private stateLayout(options: Required<O>, params: readonly Parameter[]): StateLayout {
    const initial = this.initialValues(options);
    return params.map((param) => {
      const declared = (this.definition.bufferLengths?.(options, param.shape, param.length) ?? {}) as Record<
        string,
        number | undefined
      >;
      return this.bufferNames.map((name, k) => {
        return initial[k] === null || declared[name] === 0 ? null : (declared[name] ?? param.length);
      });
    });
  }

  /** True when two layouts have the same buffers of the same lengths (so one set of options can replace the other). */
  private sameLayout(a: StateLayout, b: StateLayout): boolean {
    return a.length === b.length && a.every((lengths, i) => lengths.every((length, k) => length === b[i][k]));
  }

  /** The shape of state buffer `k` of `param` in a checkpoint that carries shapes. */
  private bufferShape(param: Parameter, k: number): readonly number[] | undefined {
    const shapes = (this.definition.bufferShapes?.(param.shape) ?? {}) as Record<string, readonly number[] | undefined>;
    return shapes[this.bufferNames[k]];
  }

  /**
   * A copy of state buffer `name` of `param` (e.g. ASGD's `ax`), zeros before the first step;
   * undefined when `param` is not this optimizer's or these options keep no such buffer.
   */
  protected stateBuffer(param: Parameter, name: string): FloatArray | undefined {
    this.checkUsable();
    const k = this.bufferNames.indexOf(name);
    // Found through the tables' maps, not by searching the parameters: averaged() over every
    // parameter stays linear.
    for (const group of this.groups) {
      const table = group.tables.find((t) => t.dtype === param.dtype);
      const t = table === undefined ? -1 : table.indexOf(param);
      if (table === undefined || t === -1) continue;
      const length = k === -1 ? null : table.lengths[t][k];
      if (length === null) return undefined;
      if (!group.initialised) return param.dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
      return (table.stateView(t, k) as FloatArray).slice();
    }
    return undefined;
  }

  /** The number of parameter groups. */
  protected get groupCount(): number {
    return this.groups.length;
  }

  /** The scalar state of group `index` (what `plan` received and returned). */
  protected groupScalarState(index: number): ScalarState {
    return this.groups[index].state;
  }

  /** Replaces the scalar state of group `index` (a mode kept beside the step count). */
  protected setGroupScalarState(index: number, state: ScalarState): void {
    this.groups[index].state = state;
  }

  /**
   * Each parameter of group `index` with a live view of its state buffer `name`, once the buffers
   * hold values (after the first step or a loaded state); empty before, or where there is no such buffer.
   */
  protected liveStateViews(index: number, name: string): { param: Parameter; view: FloatArray }[] {
    const group = this.groups[index];
    const k = this.bufferNames.indexOf(name);
    if (k === -1 || !group.initialised) return [];
    return group.params
      .filter((_, i) => group.layout[i][k] !== null)
      .map((param) => ({ param, view: this.bufferView(group, param, k) }));
  }

  /**
   * @internal A live view of state buffer `name` of `param` as the kernel stores it (bfloat16 as
   * u16 words, 8-bit codes as bytes), undefined where there is none: the low-bit conformance sets
   * and reads recorded state through it. Valid until the memory next grows, if it is not shared.
   */
  rawStateView(param: Parameter, name: string): StateArray | undefined {
    const k = this.bufferNames.indexOf(name);
    const group = this.groups.find((g) => g.params.includes(param));
    if (k === -1 || group === undefined || group.layout[group.params.indexOf(param)][k] === null) return undefined;
    const table = group.tables.find((t) => t.dtype === param.dtype) as TensorTable;
    return table.stateView(table.indexOf(param), k);
  }

  /** A view of state buffer `k` of `param` in `group` (state of the parameter's dtype: see checkpointTarget). */
  private bufferView(group: Group<O>, param: Parameter, k: number): FloatArray {
    const table = group.tables.find((t) => t.dtype === param.dtype) as TensorTable;
    return table.stateView(table.indexOf(param), k) as FloatArray;
  }

  /** `base` with the `overrides` that are not undefined, copied and validated; `overrides` come from readOptions. */
  private resolveOptions(base: Required<O>, overrides: O, { partial = false } = {}): Required<O> {
    this.check.known(overrides, this.optionNames);
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    // A copy, so that changing the caller's objects (a `betas` array) later changes nothing here.
    const options = copyOptions({ ...base, ...defined } as Required<O>);
    const complete = Object.values(options).every((value) => value !== undefined);
    if (complete || !partial) this.definition.validate(options, this.check);
    return options;
  }

  private groupInputs(input: ParamsInput<O>): { params: unknown; overrides: O }[] {
    const params = Array.isArray(input) ? copyList(input, "", (message, Kind) => this.check.fail(message, Kind)) : [];
    if (params.length === 0) {
      this.check.fail("params must be a non-empty array of parameters or of parameter groups", TypeError);
    }
    if (params.every((item) => Parameter.isParameter(item))) return [{ params, overrides: {} as O }];
    // Anything else with Parameter's prototype is a forgery: named as a parameter, not as a group.
    if (params.some((item) => item instanceof Parameter)) return [{ params, overrides: {} as O }];
    return params.map((item, index) => {
      if (item === null || typeof item !== "object" || !("params" in item)) {
        this.check.fail(
          `params[${index}] must be a parameter group { params, ...options } (do not mix groups and parameters)`,
          TypeError,
        );
      }
      return this.readGroup(item, index, `parameter group ${index}`);
    });
  }

  /** A copy of a group's `params`, each a live Parameter (checked by brand, not by prototype). */
  private checkParams(input: unknown, groupIndex: number): Parameter[] {
    const where = ` of parameter group ${groupIndex}`;
    const params = Array.isArray(input)
      ? copyList(input, where, (message, Kind) => this.check.fail(message, Kind))
      : [];
    if (params.length === 0) {
      this.check.fail(`parameter group ${groupIndex} must have a non-empty 'params' array`, TypeError);
    }
    params.forEach((param, i) => {
      if (!Parameter.isParameter(param)) {
        this.check.fail(
          `parameter ${i} of group ${groupIndex} is not a simdopt Parameter (create it with runtime.parameter())`,
          TypeError,
        );
      }
    });
    this.checkNotDisposed(params as Parameter[], groupIndex);
    return params as Parameter[];
  }

  /** Throws when one of `params`, those of group `groupIndex`, was disposed. */
  private checkNotDisposed(params: readonly Parameter[], groupIndex: number): void {
    params.forEach((param, i) => {
      if (param.isDisposed) this.check.fail(`parameter ${i} of group ${groupIndex} was disposed`, TypeError);
      const refused = this.definition.shapeRefused?.(param.shape);
      if (refused !== undefined) this.check.fail(`parameter ${i} of group ${groupIndex}: ${refused}`, TypeError);
      if (param.dtype !== "float32" && !hasParamState(this.definition.kernel))
        this.check.fail(
          `parameter ${i} of group ${groupIndex} is ${param.dtype}: low-bit optimizer state is kept for float32 parameters only`,
          TypeError,
        );
    });
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

  /** Throws when the optimizer or one of its parameters was disposed. */
  protected checkUsable(): void {
    this.lifecycle.checkNotDisposed();
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

/** The optimizer's own options and the training options, apart. */
function splitOptions<O extends object>(
  options: O & TrainingOptions,
): { ownOptions: O; trainingOptions: TrainingOptions } {
  const ownOptions: Record<string, unknown> = {};
  const trainingOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    ((TRAINING_OPTION_NAMES as readonly string[]).includes(key) ? trainingOptions : ownOptions)[key] = value;
  }
  return { ownOptions: ownOptions as O, trainingOptions };
}

/** −1 to ascend the objective (torch's `maximize`), 1 to descend it. */
export function gradScale(maximize: boolean): number {
  return maximize ? -1 : 1;
}
