/**
 * The engine under every optimizer class: parameter groups with per-group options, and `step()` as
 * one kernel call per group and dtype, whatever the number of tensors (the group's tensor table,
 * runtime/tensor-table.ts). Each optimizer supplies only an `OptimizerDefinition`: its defaults,
 * its checks, its state buffers and a pure plan of each step's kernel arguments (or, for a rule
 * in plain JS, custom/js-rule.ts, of the values its `update` takes).
 *
 * As in torch 2, a step updates only the parameters that have a gradient and require one, and
 * counts steps per parameter: the kernel then runs over a table of those tensors alone
 * (runtime/table-subset.ts), and the rows kernel over the listed rows of those with a row-sparse
 * gradient (runtime/row-table.ts), once per step count present in the group (once, unless some
 * parameters skipped steps).
 *
 * A step is planned for every group first (computing the kernels' scalars and the scalar state
 * after the step, changing nothing), then the kernels run, then the new scalar state is committed:
 * nothing is half-changed if planning throws. Clipping and the check for non-finite gradients
 * (training/) run before the kernels, and a skipped step changes nothing at all.
 */
import {
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
import { TensorTable, type StepTable, type TableLayout } from "./runtime/tensor-table.js";
import { hasParamState, type StateArray } from "./runtime/state-elements.js";
import { OPTIONAL_IN_CHECKPOINTS } from "./optimizers/state-storage.js";
import { RowTable } from "./runtime/row-table.js";
import type { SparseGrad } from "./runtime/sparse-grad.js";
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
  type DetachedTensors,
  type LoadStateOptions,
  type OptimizerStateDict,
} from "./checkpoint/state-dict.js";
import { releaseWhenCollected, forgetRelease } from "./runtime/finalization.js";
import { Lifecycle } from "./runtime/lifecycle.js";
import { copyList } from "./runtime/param-list.js";
import { HookList, type HookHandle } from "./hooks/hooks.js";
import { isJsDefinition, jsTableLayout, type JsOptimizerDefinition, type JsTensor } from "./custom/js-rule.js";
import { parameterState, withParameterState, type ParameterStateView } from "./checkpoint/parameter-state.js";
import { LowBitCheckpoint, type Storage } from "./checkpoint/low-bit-state.js";

/** A hook that may replace a checkpoint (typed loosely: see the hook lists of Optimizer). */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook may return nothing, as torch's may return None
type DictHook = (optimizer: object, dict: object) => object | undefined | void;

/** Scalar state of a group beside its step count, such as NAdam's running μ product. */
export type ScalarState = Readonly<Record<string, number>>;

/** One step's kernel arguments, and the scalar state after the step (unchanged when omitted). */
export interface StepPlan<K extends KernelName> extends KernelCall<K> {
  /** The scalar state after this step; the group's state stays as it was when omitted. */
  next?: ScalarState;
  /**
   * Scalars that float32 tensors take instead, for a framework that computes its per-step scalars
   * in the parameters' precision (Keras); float64 tensors take `scalars`.
   */
  float32Scalars?: Partial<ScalarsOf<K>>;
}

/**
 * What an optimizer is, for the engine (`Optimizer`): its defaults, its checks, its state buffers and a pure plan of
 * each step's kernel arguments. Each optimizer class passes one to `Optimizer`'s constructor.
 */
export interface OptimizerDefinition<O extends object, K extends KernelName = KernelName> {
  /** Class name, used in messages. */
  title: string;
  /** The kernel that steps it (`KernelName`), whose declaration fixes the scalars, flags and state buffers. */
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
  /**
   * This optimizer's definition for each storage of its state (the `state` option,
   * optimizers/state-storage.ts), where it has several: a checkpoint of one storage loads into
   * another, converted (checkpoint/low-bit-state.ts).
   */
  storages?: Readonly<Record<string, AnyOptimizerDefinition<O>>>;
  /** Each state buffer's shape in a checkpoint that carries shapes (safetensors), where it is not [its length]. */
  bufferShapes?(shape: readonly number[]): Partial<Record<StateBufferOf<K>, readonly number[]>>;
  /** Scalar state before the first step. */
  initialState?: () => ScalarState;
  /** The range [low, high] of a scalar state where it has one (NAdam's μ product is in [0, 1]): a checkpoint outside it is refused. */
  stateRanges?: Readonly<Record<string, readonly [number, number]>>;
  /**
   * How a step counts for a parameter without a gradient (which it never updates): "perParameter"
   * (torch, the default) leaves its step count and scalar state as they were; "shared" (Keras,
   * optax, TF.js, whose step count is the optimizer's) advances them with the group's. "all": the
   * rule reads no gradient (the weight average), and every step updates every parameter.
   */
  steps?: "perParameter" | "shared" | "all";
  /** The kernel's arguments for step `t` (1 for the first); pure: returns the next scalar state. */
  plan(options: Required<O>, t: number, state: ScalarState): StepPlan<K>;
  /**
   * How a row-sparse gradient (`param.setSparseGrad`) steps with these options: `rows` (the
   * kernel's rows kernel, on the listed rows alone), `dense` (written into the dense gradient first,
   * for a rule that moves every row, as SGD's momentum does), or `{ refused }`: why not, as torch
   * says it. Omitted: sparse gradients are refused.
   */
  sparse?(options: Required<O>):
    | "rows"
    | "dense"
    | {
        /** Why not, as torch says it. */
        refused: string;
      };
  /** Set when dense gradients are refused (SparseAdam): why. */
  denseRefused?: string;
  /** Why a parameter of this shape is refused (Muon takes 2-D ones only); undefined: accepted. Omitted: any shape. */
  shapeRefused?(shape: readonly number[]): string | undefined;
}

/** An optimizer definition over any one of the kernels. */
export type AnyOptimizerDefinition<O extends object> = { [K in KernelName]: OptimizerDefinition<O, K> }[KernelName];

/** Parameters for one group and per-group overrides of the optimizer's options. */
export type ParamGroupInput<O> = {
  /** The group's parameters. */
  params: readonly Parameter[];
} & O;
/** An optimizer's `params`: an array of parameters (one group), or of parameter groups `{ params, ...options }`. */
export type ParamsInput<O> = readonly Parameter[] | readonly ParamGroupInput<O>[];

/**
 * A live view of one parameter group, as torch's `optimizer.param_groups[i]`: each option reads the
 * group's current value and assigning one (`group.lr = 0.01`, or `group.options.lr = 0.01`) goes
 * through `setGroupOptions`, validated (a bad value throws and changes nothing). Array options are
 * frozen copies: assign a new array. Unknown properties cannot be added.
 */
export type ParamGroup<O> = Required<O> & {
  /** The group's parameters (a frozen copy). */
  readonly params: readonly Parameter[];
  /** The same live options, as an object of their own. */
  readonly options: Required<O>;
};

export type { OptimizerStateDict, LoadStateOptions } from "./checkpoint/state-dict.js";
export type { HookHandle } from "./hooks/hooks.js";
export type { ParameterStateView } from "./checkpoint/parameter-state.js";

/** A step pre-hook: called at the start of `step()`, before its closure. */
export type StepPreHook<O extends object> = (optimizer: Optimizer<O>) => void;
/** A step post-hook: called at the end of `step()` with what the step did. */
export type StepPostHook<O extends object> = (optimizer: Optimizer<O>, report: StepReport) => void;
export type { StepReport, TrainingOptions } from "./training/training-options.js";

/**
 * One table's part in a kernel call of a step: the tensors it updates, those with a dense gradient
 * as one table (the table itself, or a subset of it: table-subset.ts) and those with a row-sparse
 * gradient for the rows kernel (row-table.ts).
 */
interface TableStep {
  table: TensorTable;
  dense: StepTable | undefined;
  /** Positions in `table` of the tensors whose row-sparse gradient the rows kernel steps, with it. */
  sparse: { t: number; gradient: SparseGrad }[];
}

/** A kernel call of a group's step: the parameters it advances and those it updates, and its plan. */
interface Run {
  /** Indices in the group of the parameters whose step count and scalar state advance. */
  params: number[];
  /** Indices of those it updates: they have a gradient and require one (all of them, for a rule that reads none). */
  active: number[];
  plan: StepPlan<KernelName>;
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
  /** Each parameter's step count: as in torch, a step advances only the parameters it updates. */
  steps: number[];
  /** Each parameter's scalar state (NAdam's μ product), which advances with its step count. */
  states: ScalarState[];
  /** True when every parameter has the same step count and scalar state (a step then plans once). */
  uniform: boolean;
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
    if (group.scalars !== 0) runtime.free(group.scalars);
  }
}

/**
 * The base class of every optimizer, as torch.optim.Optimizer: parameter groups with per-group
 * options, `step()`, `zeroGrad()`, `stateDict()` / `loadStateDict()`. An optimizer class passes its
 * `OptimizerDefinition` to this constructor. A step is planned for every group first, then the
 * kernels run (one call per group and dtype), then the scalar state is committed: nothing is
 * half-changed when planning throws.
 */
export class Optimizer<O extends object> {
  /** The runtime of the parameters, whose memory also holds this optimizer's state. */
  readonly runtime: Runtime;
  private readonly groups: Group<O>[];
  private readonly check: OptionChecker;
  private readonly bufferNames: readonly string[];
  private readonly definition: OptimizerDefinition<O, KernelName>;
  /** The definition again when its rule is plain JS; undefined for a kernel's. */
  private readonly js: JsOptimizerDefinition<O> | undefined;
  /** Live, busy in a step, or disposed (runtime/lifecycle.ts). */
  private readonly lifecycle = new Lifecycle((message) => this.check.fail(message, TypeError));
  private disposalsChecked = -1;
  private readonly constructorOptions: Required<O>;
  private training: ResolvedTrainingOptions;
  private lastReport: StepReport | undefined;
  private groupViews: readonly ParamGroup<O>[] | undefined;
  // Typed loosely so that an Optimizer<O> stays an Optimizer<object> (a hook's parameter would make O invariant).
  private readonly preHooks = new HookList<(optimizer: object) => void>();
  private readonly postHooks = new HookList<(optimizer: object, report: StepReport) => void>();
  private readonly stateDictPreHooks = new HookList<(optimizer: object) => void>();
  private readonly stateDictPostHooks = new HookList<DictHook>();
  private readonly loadStateDictPreHooks = new HookList<DictHook>();
  private readonly loadStateDictPostHooks = new HookList<(optimizer: object) => void>();

  /**
   * Checks `params` and every option first (throwing a TypeError or RangeError that names the option), then allocates
   * the state: a refused call allocates nothing. `definition` is a kernel's, or a rule in plain JS (custom/js-rule.ts).
   */
  constructor(
    params: ParamsInput<O>,
    options: O & TrainingOptions,
    definition: AnyOptimizerDefinition<O> | JsOptimizerDefinition<O>,
  ) {
    this.definition = definition as OptimizerDefinition<O, KernelName>;
    this.check = new OptionChecker(definition.title);
    this.js = isJsDefinition(definition) ? (definition as JsOptimizerDefinition<O>) : undefined;
    if (this.js === undefined && !Object.hasOwn(KERNEL_LAYOUTS, String(this.definition.kernel))) {
      this.check.fail(
        `the definition names no kernel of this package (${show(this.definition.kernel)}) and has no update(): give a rule in plain JS as update()`,
        TypeError,
      );
    }
    this.bufferNames = this.js === undefined ? KERNEL_LAYOUTS[this.definition.kernel].state : [...this.js.state];
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
   * One update of every parameter that has a gradient (`param.hasGrad`) and requires one
   * (`param.requiresGrad`), from that gradient: one kernel call per group and dtype (and step
   * count, where parameters skipped steps), after the step pre-hooks and the closure, clipping and
   * the non-finite check of the training options, before the post-hooks. Returns what it did. With a
   * `closure` (torch's `step(closure)`), calls it first (it recomputes the loss and the gradients)
   * and returns its loss instead; the report is then `lastStep`.
   */
  step(): StepReport;
  step<L>(closure: () => L): L;
  step<L>(closure?: () => L): StepReport | L {
    this.checkUsable();
    if (closure !== undefined && typeof closure !== "function")
      this.check.fail(`step(closure): the closure must be a function, got ${show(closure)}`, TypeError);
    // Busy until the hooks are done: dispose() and step() from the closure or a hook are refused.
    return this.lifecycle.busy("step()", () => {
      this.preHooks.call(this);
      // A hook may have disposed a parameter: check again before anything reads memory.
      this.checkUsable();
      let loss: L | undefined;
      if (closure !== undefined) {
        loss = closure();
        if (loss instanceof Promise) {
          this.check.fail(
            "step(closure): the closure returned a Promise; await it yourself, then call step()",
            TypeError,
          );
        }
        // The closure may have disposed a parameter: check again.
        this.checkUsable();
      }
      this.beforeKernels();
      const report = this.stepOnce();
      this.postHooks.call(this, report);
      return closure === undefined ? report : (loss as L);
    });
  }

  /**
   * Registers `hook` to run at the start of every `step()`, before its closure (torch's
   * `register_step_pre_hook`); `remove()` on the handle unregisters it. It may change gradients
   * or options; `step()` and `dispose()` from a hook are refused, as from a closure.
   */
  registerStepPreHook(hook: StepPreHook<O>): HookHandle {
    this.checkUsable();
    return this.preHooks.add(hook as (optimizer: object) => void, `${this.definition.title}: registerStepPreHook`);
  }

  /** Registers `hook` to run at the end of every `step()` with its report (torch's `register_step_post_hook`). */
  registerStepPostHook(hook: StepPostHook<O>): HookHandle {
    this.checkUsable();
    return this.postHooks.add(
      hook as (optimizer: object, report: StepReport) => void,
      `${this.definition.title}: registerStepPostHook`,
    );
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
    const runs = this.groups.map((group) => this.planRuns(group));
    const modes = this.sparseModes(runs);
    // Every table this step reads is made before anything changes (a subset or a rows table allocates).
    for (const group of this.groups) for (const table of group.tables) table.trimSubsets(4);
    const calls = this.groups.map((group, g) => runs[g].map((run) => this.tableSteps(group, run.active, modes[g])));
    // Clipping and the non-finite check see every gradient this step uses, each once, as torch's
    // clip_grad_norm_ sees only the gradients that are not None.
    const tables = this.groups.flatMap((group, g) => {
      const used = runs[g].length === 1 ? calls[g][0] : this.tableSteps(group, activeOf(runs[g]), modes[g]);
      return used.flatMap(({ table, dense, sparse }) => {
        const rows = sparse.length === 0 ? [] : [(table.rowTable as RowTable).prepare(sparse)];
        return dense === undefined ? rows : [dense, ...rows];
      });
    });
    const { report, scale } = prepareGradients(this.definition.title, this.runtime, tables, this.training);
    this.lastReport = report;
    if (!report.applied) return report;
    const { memory } = this.runtime;
    // The clipping factor rides on every kernel's gradient scale: the kernel sees grad·scale, as
    // torch's clip_grad_norm_ leaves it, and the caller's gradients stay as they were.
    this.groups.forEach((group, g) => {
      if (runs[g].length > 0 && !group.initialised) this.initialiseBuffers(group);
      runs[g].forEach((run, r) => {
        if (this.js !== undefined) {
          this.updateInJs(group, run.active, run.plan as unknown as { values: Record<string, number> }, scale);
          return;
        }
        const plan = run.plan as StepPlan<KernelName> & { scalars: { gradScale: number } };
        const scaled =
          scale === 1 ? plan : { ...plan, scalars: { ...plan.scalars, gradScale: plan.scalars.gradScale * scale } };
        for (const { table, dense, sparse } of calls[g][r]) {
          const float32 = plan.float32Scalars !== undefined && table.dtype === "float32";
          const call = float32 ? { ...scaled, scalars: { ...scaled.scalars, ...plan.float32Scalars } } : scaled;
          writeScalars(memory, group.scalars, this.definition.kernel, call); // the run is over before the next write
          // The dense gradients in one call, then the listed rows in one.
          if (dense !== undefined) this.runtime.runKernel(this.definition.kernel, dense, group.scalars);
          if (sparse.length === 0) continue;
          const rowTable = table.rowTable as RowTable;
          rowTable.prepare(sparse);
          this.runtime.runRows(this.definition.kernel as RowsKernelName, rowTable, group.scalars);
        }
      });
    });
    this.groups.forEach((group, g) => {
      for (const run of runs[g]) {
        for (const i of run.params) {
          group.steps[i] += 1;
          group.states[i] = run.plan.next ?? group.states[i];
        }
      }
      // Every parameter advanced from the same count: they still share it. Only some: they may not.
      if (runs[g].length > 0)
        group.uniform = runs[g].length === 1 && runs[g][0].params.length === group.params.length && group.uniform;
    });
    return report;
  }

  /** A JS rule's update of the parameters `active` of `group` (custom/js-rule.ts), tensor after tensor. */
  private updateInJs(group: Group<O>, active: number[], plan: { values: Record<string, number> }, scale: number): void {
    const rule = this.js as JsOptimizerDefinition<O>;
    for (const i of active) {
      // The rule is the caller's code: it may have disposed a parameter since the last tensor.
      this.checkUsable();
      const param = group.params[i];
      const table = group.tables.find((t) => t.dtype === param.dtype) as TensorTable;
      const t = table.indexOf(param);
      const tensor: Record<string, unknown> = { param: param.data, grad: param.grad, dtype: param.dtype };
      this.bufferNames.forEach((name, k) => {
        if (table.lengths[t][k] !== null) tensor[name] = table.stateView(t, k);
      });
      rule.update(tensor as JsTensor<string>, plan.values, scale);
    }
  }

  /**
   * How each group's row-sparse gradients step this step ("rows" or "dense"; undefined where the
   * parameters it updates have none), checked against the options (refused where torch refuses
   * them, and dense ones where the optimizer steps only sparse ones) among the parameters each
   * step updates: a parameter without a gradient has neither kind. Then, for a "dense" rule, the
   * sparse gradients are written into the dense ones.
   */
  private sparseModes(runs: readonly (readonly Run[])[]): ("rows" | "dense" | undefined)[] {
    const { title, denseRefused } = this.definition;
    // A rule that reads no gradient (the weight average) steps every parameter whatever its gradient.
    if (this.definition.steps === "all") return this.groups.map(() => undefined);
    const updated = this.groups.map((group, g) => activeOf(runs[g]).map((i) => group.params[i]));
    const modes = this.groups.map((_, g) => {
      const params = updated[g];
      if (denseRefused !== undefined) {
        const dense = params.find((param) => param.sparseGradient === undefined);
        if (dense !== undefined) {
          this.check.fail(
            `${denseRefused} (parameter ${this.groups[g].params.indexOf(dense)} of group ${g}, ${dense.label()}, has a dense gradient: give it a sparse one with setSparseGrad)`,
            TypeError,
          );
        }
      }
      const sparse = params.find((param) => param.sparseGradient !== undefined);
      if (sparse === undefined) return undefined;
      const mode = this.definition.sparse?.(this.groups[g].options) ?? {
        refused: `${title} does not support sparse gradients`,
      };
      if (typeof mode === "object") {
        this.check.fail(
          `parameter ${this.groups[g].params.indexOf(sparse)} of group ${g}, ${sparse.label()}, has a sparse gradient: ${mode.refused}`,
          TypeError,
        );
      }
      return mode;
    });
    modes.forEach((mode, g) => {
      if (mode !== "dense") return;
      for (const param of updated[g]) param.sparseGradient?.scatterInto(param.grad);
    });
    return modes;
  }

  /**
   * The tables of one kernel call over the parameters `active` of `group` (ascending indices):
   * per tensor table, those with a dense gradient as one table (the table itself when they are all
   * of it), and under `rows` those with a row-sparse gradient, for the rows kernel.
   */
  private tableSteps(group: Group<O>, active: readonly number[], mode: "rows" | "dense" | undefined): TableStep[] {
    return group.tables.flatMap((table) => {
      const dense: number[] = [];
      const sparse: TableStep["sparse"] = [];
      for (const i of active) {
        const t = table.indexOf(group.params[i]);
        if (t === -1) continue;
        const gradient = mode === "rows" ? group.params[i].sparseGradient : undefined;
        if (gradient === undefined) dense.push(t);
        else sparse.push({ t, gradient });
      }
      if (dense.length === 0 && sparse.length === 0) return [];
      if (sparse.length > 0) table.rowTable ??= new RowTable(this.runtime, this.definition.kernel, table);
      return [{ table, dense: dense.length === 0 ? undefined : table.subset(dense), sparse }];
    });
  }

  /**
   * The kernel calls of a group's next step: its parameters parted by step count and scalar state,
   * each part with its plan, the parameters it advances and those it updates. One part when every
   * parameter steps together. Counting per parameter (torch), a parameter without a gradient is in
   * no part: its step count stays, and it is a part of its own once it steps again.
   */
  private planRuns(group: Group<O>): Run[] {
    const { steps } = this.definition;
    const updates = (param: Parameter) => steps === "all" || (param.requiresGrad && param.hasGrad);
    if (group.uniform) {
      // The usual case: one plan for the group, whichever parameters have a gradient.
      const active: number[] = [];
      group.params.forEach((param, i) => {
        if (updates(param)) active.push(i);
      });
      if (active.length === 0) return [];
      const params = steps === "shared" && active.length < group.params.length ? group.params.map((_, i) => i) : active;
      return [{ params, active, plan: this.definition.plan(group.options, group.steps[0] + 1, group.states[0]) }];
    }
    const parts = new Map<number | string, { params: number[]; active: number[] }>();
    group.params.forEach((param, i) => {
      const active = updates(param);
      if (!active && steps !== "shared") return;
      const key = runKey(group.steps[i], group.states[i]);
      const part = parts.get(key) ?? { params: [], active: [] };
      parts.set(key, part);
      part.params.push(i);
      if (active) part.active.push(i);
    });
    const runs = [...parts.values()];
    // Sharing a step count, a group none of whose parameters has a gradient does not step.
    if (runs.every((part) => part.active.length === 0)) return [];
    return runs.map((part) => ({
      ...part,
      plan: this.definition.plan(group.options, group.steps[part.params[0]] + 1, group.states[part.params[0]]),
    }));
  }

  /**
   * Sets every gradient to zero (torch's `zero_grad(set_to_none=False)`), or with `{ setToNone:
   * true }` (torch's default) drops every gradient (`param.clearGrad()`): the next step then
   * updates only the parameters whose gradient is written again (taking `param.grad`, or `setGrad`).
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    this.checkUsable();
    const given = readOptions(options, {
      where: this.definition.title,
      known: ["setToNone"],
      what: "zeroGrad's options",
    }) as { setToNone?: unknown };
    const setToNone = given.setToNone ?? false;
    if (typeof setToNone !== "boolean")
      this.check.fail(`zeroGrad: option 'setToNone' must be true or false, got ${show(setToNone)}`, TypeError);
    for (const group of this.groups) {
      for (const param of group.params) {
        // As torch, a parameter without a gradient keeps none; a sparse one becomes one of no rows.
        if (setToNone) param.clearGrad();
        else if (param.sparseGradient !== undefined) param.sparseGradient.clear();
        else if (param.hasGrad) param.grad.fill(0);
      }
    }
  }

  /**
   * The state of `param` (torch's `optimizer.state[param]`), as copies: its step count, its scalar
   * state and its state buffers by their camelCase names (`expAvg`, `expAvgSq`, `muProduct`). A
   * parameter that has not stepped yet has only `{ step: 0 }`. Changing the copies changes
   * nothing: write with `setState`. Low-bit state as the kernel keeps it, by its checkpoint slots:
   * bfloat16 moments as Uint16Array words (`expAvg`), 8-bit ones as `state1`/`state2` codes,
   * `absmax1`/`absmax2` and the maps `qmap1`/`qmap2`.
   */
  state(param: Parameter): ParameterStateView {
    this.checkUsable();
    return parameterState(this.checkpointTarget(), this.ownParameter(param, "state"));
  }

  /**
   * Replaces some of the state of `param`: `{ step?, expAvg?, ... }` by the names `state(param)`
   * gives, the rest kept. Checked as `loadStateDict` checks a checkpoint (names, lengths, dtypes,
   * ranges, `allowNonFinite`; a buffer given at step 0 must be its initial value); a refusal changes nothing. It
   * goes through a whole checkpoint: meant for occasional edits, not for every step.
   */
  setState(param: Parameter, values: Readonly<Record<string, unknown>>, options?: LoadStateOptions): void {
    this.checkUsable();
    const target = this.ownParameter(param, "setState");
    const dict = withParameterState(this.checkpointTarget(), this.writeState(), target, values, (message) =>
      this.check.fail(`setState: ${message}`, TypeError),
    );
    this.loadState(dict as OptimizerStateDict<O>, options);
  }

  /** `param` if it is one of this optimizer's parameters; throws naming `where` otherwise. */
  private ownParameter(param: Parameter, where: string): Parameter {
    if (!Parameter.isParameter(param) || !this.groups.some((group) => group.params.includes(param)))
      this.check.fail(
        `${where}: ${Parameter.isParameter(param) ? `parameter ${param.label()}` : show(param)} is not a parameter of this optimizer`,
        TypeError,
      );
    return param;
  }

  /**
   * The tables of the tensors of group `index` that have a gradient (one per dtype present): the gradient kernels run over them
   * (a preset's own clipping, before the step) without tables of their own.
   */
  protected groupTables(index: number): readonly GradTable[] {
    // Only the gradients this step uses: Keras clips the gradients it is given, not None ones.
    return this.groups[index].tables.flatMap((table) => {
      const indices = table.params.flatMap((param, t) => (param.requiresGrad && param.hasGrad ? [t] : []));
      return indices.length === 0 ? [] : [table.subset(indices)];
    });
  }

  /**
   * Steps taken by the parameters of group `index` (0 before the first step): the most that any
   * of them took, since a parameter without a gradient skips a step (see `state(param).step`).
   */
  stepCount(index = 0): number {
    this.checkGroupIndex(index);
    return this.groups[index].steps.reduce((most, step) => Math.max(most, step), 0);
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
    this.checkUsable();
    this.stateDictPreHooks.call(this);
    let dict = this.writeState();
    for (const hook of this.stateDictPostHooks.all()) dict = (hook(this, dict) as OptimizerStateDict<O>) ?? dict;
    return dict;
  }

  /** The checkpoint, without hooks. */
  private writeState(): OptimizerStateDict<O> {
    return writeStateDict<O>(this.checkpointTarget(), (g) => copyOptions(this.groups[g].options));
  }

  /**
   * State-dict hooks, as torch's: `registerStateDictPreHook(hook)` runs `hook(optimizer)` before
   * `stateDict()` writes; `registerStateDictPostHook(hook)` runs `hook(optimizer, dict)` after, and
   * a dict it returns replaces the one written; `registerLoadStateDictPreHook(hook)` runs
   * `hook(optimizer, dict)` before `loadStateDict()` reads, and a dict it returns is loaded instead;
   * `registerLoadStateDictPostHook(hook)` runs `hook(optimizer)` after it loaded. Each returns a
   * handle with `remove()`. They apply to `stateDict()` and `loadStateDict()` (so to
   * `loadSafetensors`, which loads through it), not to `saveSafetensors` nor to `setState`.
   */
  registerStateDictPreHook(hook: (optimizer: Optimizer<O>) => void): HookHandle {
    this.checkUsable();
    return this.stateDictPreHooks.add(
      hook as (optimizer: object) => void,
      `${this.definition.title}: registerStateDictPreHook`,
    );
  }

  /** See `registerStateDictPreHook`. */
  registerStateDictPostHook(
    // biome-ignore lint/suspicious/noConfusingVoidType: a hook may return nothing, as torch's may return None
    hook: (optimizer: Optimizer<O>, dict: OptimizerStateDict<O>) => OptimizerStateDict<O> | undefined | void,
  ): HookHandle {
    this.checkUsable();
    return this.stateDictPostHooks.add(hook as DictHook, `${this.definition.title}: registerStateDictPostHook`);
  }

  /** See `registerStateDictPreHook`. */
  registerLoadStateDictPreHook(
    // biome-ignore lint/suspicious/noConfusingVoidType: a hook may return nothing, as torch's may return None
    hook: (optimizer: Optimizer<O>, dict: OptimizerStateDict<O>) => OptimizerStateDict<O> | undefined | void,
  ): HookHandle {
    this.checkUsable();
    return this.loadStateDictPreHooks.add(hook as DictHook, `${this.definition.title}: registerLoadStateDictPreHook`);
  }

  /** See `registerStateDictPreHook`. */
  registerLoadStateDictPostHook(hook: (optimizer: Optimizer<O>) => void): HookHandle {
    this.checkUsable();
    return this.loadStateDictPostHooks.add(
      hook as (optimizer: object) => void,
      `${this.definition.title}: registerLoadStateDictPostHook`,
    );
  }

  /**
   * Restores a `stateDict()` of an optimizer of the same kind over the same parameters (by name,
   * or by position when they are not all named), in the same groups. Everything is converted and
   * checked first; a refusal names what is wrong and changes nothing. The options come from the
   * checkpoint, as in torch, but for the storage of the state (`state`, `blockSize`): the
   * optimizer keeps its own, and a checkpoint of another storage is converted to it
   * (checkpoint/low-bit-state.ts). Any `OptimizerStateDict` is taken (one parsed from JSON is not
   * typed by this optimizer's options): what it holds is checked here.
   */
  loadStateDict(dict: OptimizerStateDict<O> | OptimizerStateDict, options?: LoadStateOptions): void {
    this.loadDetached(dict, options, undefined);
  }

  /**
   * @internal `loadStateDict` of a checkpoint whose state buffers are kept beside its entries
   * (loadSafetensors' tensors): they are put into the entries only for pre-hooks, which see the
   * checkpoint whole.
   */
  loadDetached(
    dict: OptimizerStateDict<O> | OptimizerStateDict,
    options: LoadStateOptions | undefined,
    detached: DetachedTensors | undefined,
  ): void {
    this.checkUsable();
    let given = dict as OptimizerStateDict<O>;
    const hooks = this.loadStateDictPreHooks.all();
    if (hooks.length > 0) detached?.attach();
    for (const hook of hooks) given = (hook(this, given) as OptimizerStateDict<O>) ?? given;
    this.loadState(given, options, hooks.length > 0 ? undefined : detached);
    this.loadStateDictPostHooks.call(this);
  }

  /** Loads a checkpoint, without hooks (see `loadStateDict`; `detached` as `loadDetached`). */
  private loadState(dict: OptimizerStateDict<O>, options?: LoadStateOptions, detached?: DetachedTensors): void {
    const loaded = readStateDict(this.checkpointTarget(), dict, options, detached);
    // Reading the dict ran the caller's code (getters): check again before writing.
    this.checkUsable();
    // Everything checked: now change.
    this.groups.forEach((group, g) => {
      group.options = loaded.options[g] as Required<O>;
      group.steps = [...loaded.steps[g]];
      group.states = loaded.states[g].map((state, i) =>
        group.steps[i] === 0 ? (this.definition.initialState?.() ?? {}) : state,
      );
      const first = runKey(group.steps[0], group.states[0]);
      group.uniform = group.steps.every((step, i) => runKey(step, group.states[i]) === first);
      // A parameter that has not stepped yet keeps its initial state beside those that have. Each
      // buffer is written once: with its loaded values, or else its initial value.
      group.initialised = group.steps.some((step) => step > 0);
      if (!group.initialised) return;
      const initial = this.initialValues(group.options);
      const stride = this.bufferNames.length;
      for (const table of group.tables) {
        // The table's tensors are the group's parameters of its dtype, in the group's order (newGroup).
        const starts: number[] = [];
        group.params.forEach((param, i) => {
          if (param.dtype === table.dtype) starts.push(i * stride);
        });
        table.load(loaded.buffers[g], starts, stride, loaded.values[table.dtype], initial);
      }
    });
  }

  /** @internal The checkpoint code's access to this optimizer (refused once it or a parameter is disposed). */
  checkpointTarget(): CheckpointTarget {
    this.checkUsable();
    const fail = (message: string): never => this.check.fail(`cannot load state: ${message}`, TypeError);
    return {
      kind: this.kind,
      fail,
      failSave: (message) => this.check.fail(`cannot save state: ${message}`, TypeError),
      bufferNames: this.bufferNames,
      bufferRanges:
        this.js === undefined
          ? KERNEL_LAYOUTS[this.definition.kernel].stateRanges
          : this.bufferNames.map((name) => (this.js?.nonNegative?.includes(name) ? "nonNegative" : "any")),
      scalarRanges: this.definition.stateRanges ?? {},
      scalarNames: Object.keys(this.definition.initialState?.() ?? {}),
      groups: this.groups,
      // `state` and `blockSize` may be absent (checkpoints written before they existed): the defaults then.
      optionNames: Object.keys(this.definition.defaults).filter((name) => !OPTIONAL_IN_CHECKPOINTS.includes(name)),
      view: (g, param, k) => this.bufferView(this.groups[g], param, k),
      resolveOptions: (raw) => this.resolveOptions(this.definition.defaults, raw as O),
      initialValues: (options) => this.initialValues(options as Required<O>),
      layout: (options, g) => this.stateLayout(options as Required<O>, this.groups[g].params),
      sameLayout: (a, b) => this.sameLayout(a, b),
      shape: (param, k) => this.bufferShape(param, k),
      storage: this.lowBitCheckpoint(),
    };
  }

  /**
   * The checkpoint code of low-bit state (checkpoint/low-bit-state.ts), for an optimizer whose state is
   * low-bit or may load from a checkpoint that is; undefined for any other.
   */
  private lowBitCheckpoint(): LowBitCheckpoint | undefined {
    const { storages } = this.definition;
    if (this.js !== undefined || (storages === undefined && !this.lowBit)) return undefined;
    const storage = (definition: OptimizerDefinition<O, KernelName>): Storage => ({
      kernel: definition.kernel,
      resolve: (raw) => this.resolveOptions(definition.defaults, raw as O, {}, definition),
      layout: (options, g) => this.stateLayout(options as Required<O>, this.groups[g].params, definition),
      block: (options, length) => definition.stateBlock?.(options as Required<O>, length) ?? null,
      // The quantizer is a flag of the kernel's plan (bitsandbytes' rules or torchao's); plan is pure.
      bitsandbytes: (options) =>
        (definition.plan(options as Required<O>, 1, definition.initialState?.() ?? {}).flags as Record<string, unknown>)
          .bitsandbytes === true,
    });
    const named =
      storages === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(storages).map(([name, definition]) => [
              name,
              storage(definition as OptimizerDefinition<O, KernelName>),
            ]),
          );
    // The optimizer's own storage is its own definition (its copy in `storages` has no `storages`).
    return new LowBitCheckpoint({
      kind: this.kind,
      own: storage(this.definition),
      named,
      groups: this.groups,
      rawView: (g, param, k) => this.rawView(this.groups[g], param, k),
    });
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
    const scalars = this.js === undefined ? this.runtime.alloc(scalarBytes(this.definition.kernel)) : 0;
    const group: Group<O> = {
      params,
      options,
      layout,
      scalars,
      tables: [],
      steps: params.map(() => 0),
      uniform: true,
      states: params.map(() => this.definition.initialState?.() ?? {}),
      initialised: false,
    };
    try {
      for (const dtype of ["float32", "float64"] as Dtype[]) {
        const ofDtype = params.filter((param) => param.dtype === dtype);
        const lengths = layout.filter((_, i) => params[i].dtype === dtype);
        if (ofDtype.length > 0) {
          const blocks =
            this.definition.stateBlock && ofDtype.map((param) => this.definition.stateBlock!(options, param.length));
          group.tables.push(new TensorTable(this.runtime, this.tableKernel, dtype, ofDtype, lengths, blocks));
        }
      }
    } catch (error) {
      for (const table of group.tables) table.dispose();
      if (scalars !== 0) this.runtime.free(scalars);
      throw error;
    }
    return group;
  }

  /** True when the state buffers are bfloat16 or codes (state-elements.ts), not the parameters' dtype. */
  private get lowBit(): boolean {
    return this.js === undefined && !hasParamState(this.definition.kernel);
  }

  /** What the tables are laid out for: the kernel, or a JS rule's plain layout. */
  private get tableKernel(): KernelName | TableLayout {
    return this.js === undefined ? this.definition.kernel : jsTableLayout(this.bufferNames);
  }

  /** Each state buffer's value before the first step for these options, null where unused (of `definition`'s kernel). */
  private initialValues(options: Required<O>, definition = this.definition): (number | null)[] {
    const byName = definition.buffers(options, this.constructorOptions) as Record<string, number | null>;
    return this.bufferNamesOf(definition).map((name) => byName[name]);
  }

  /** The state buffers of `definition`'s kernel (this optimizer's own, or another storage's). */
  private bufferNamesOf(definition: OptimizerDefinition<O, KernelName>): readonly string[] {
    return definition === this.definition ? this.bufferNames : KERNEL_LAYOUTS[definition.kernel].state;
  }

  /** Fills the state buffers at the first step, from the options then in force (as torch does). */
  private initialiseBuffers(group: Group<O>): void {
    this.initialValues(group.options).forEach((value, k) => {
      if (value !== null) for (const table of group.tables) table.fill(k, value);
    });
    group.initialised = true;
  }

  /** Each parameter's state buffer lengths with these options, null where it has none (`definition`: another storage's). */
  private stateLayout(options: Required<O>, params: readonly Parameter[], definition = this.definition): StateLayout {
    const initial = this.initialValues(options, definition);
    return params.map((param) => {
      const declared = (definition.bufferLengths?.(options, param.shape, param.length) ?? {}) as Record<
        string,
        number | undefined
      >;
      return this.bufferNamesOf(definition).map((name, k) => {
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
    const shapes = this.definition.bufferShapes?.(param.shape) as
      | Record<string, readonly number[] | undefined>
      | undefined;
    return shapes?.[this.bufferNames[k]];
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

  /** The scalar state of the first parameter of group `index` (what `plan` received and returned). */
  protected groupScalarState(index: number): ScalarState {
    return this.groups[index].states[0];
  }

  /**
   * Sets scalar states of every parameter of group `index` to `values`, the others kept (a mode
   * kept beside the step count, the same for the whole group).
   */
  protected setGroupScalarState(index: number, values: ScalarState): void {
    const group = this.groups[index];
    group.states = group.states.map((state) => ({ ...state, ...values }));
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

  /** A view of state buffer `k` of `param` in `group` as the kernel stores it (bfloat16 words, codes, or floats). */
  private rawView(group: Group<O>, param: Parameter, k: number): StateArray {
    const table = group.tables.find((t) => t.dtype === param.dtype) as TensorTable;
    return table.stateView(table.indexOf(param), k);
  }

  /** A view of state buffer `k` of `param` in `group` (state of the parameter's dtype: see checkpointTarget). */
  private bufferView(group: Group<O>, param: Parameter, k: number): FloatArray {
    const table = group.tables.find((t) => t.dtype === param.dtype) as TensorTable;
    return table.stateView(table.indexOf(param), k) as FloatArray;
  }

  /**
   * `base` with the `overrides` that are not undefined, copied and validated (by `definition`: another
   * storage's, for a checkpoint); `overrides` come from readOptions.
   */
  private resolveOptions(
    base: Required<O>,
    overrides: O,
    { partial = false } = {},
    definition = this.definition,
  ): Required<O> {
    this.check.known(overrides, this.optionNames);
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    // A copy, so that changing the caller's objects (a `betas` array) later changes nothing here.
    const options = copyOptions({ ...base, ...defined } as Required<O>);
    const complete = Object.values(options).every((value) => value !== undefined);
    if (complete || !partial) definition.validate(options, this.check);
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
      if (param.dtype !== "float32" && this.lowBit)
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

/** The parameters that some run of a step updates, ascending. */
function activeOf(runs: readonly Run[]): number[] {
  return runs.flatMap((run) => run.active).sort((a, b) => a - b);
}

/** Parameters with the same key step together: their step count and scalar state. */
function runKey(step: number, state: ScalarState): number | string {
  const values = Object.values(state);
  return values.length === 0 ? step : `${step}:${values.join(",")}`;
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
