/**
 * Every learning-rate scheduler by the name the golden files use, and `createScheduler`, which
 * makes one by name; SequentialLR and ChainedScheduler made this way also take their schedulers
 * as specifications `{ scheduler: name, ...options }`.
 */
import { readOptions } from "../runtime/read-options.js";
import { show } from "../runtime/validate.js";
import { ChainedScheduler, type ChainedSchedulerOptions } from "./chained.js";
import { ConstantLR, type ConstantLROptions } from "./constant.js";
import { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine.js";
import { CosineAnnealingWarmRestarts, type CosineAnnealingWarmRestartsOptions } from "./cosine_warm_restarts.js";
import { CyclicLR, type CyclicLROptions } from "./cyclic.js";
import { ExponentialLR, type ExponentialLROptions } from "./exponential.js";
import { GroupSnapshot, type SchedulableOptimizer } from "./groups.js";
import { LambdaLR, type LambdaLROptions } from "./lambda.js";
import { LinearLR, type LinearLROptions } from "./linear.js";
import { MultiplicativeLR, type MultiplicativeLROptions } from "./multiplicative.js";
import { MultiStepLR, type MultiStepLROptions } from "./multistep.js";
import { OneCycleLR, type OneCycleLROptions } from "./onecycle.js";
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./plateau.js";
import { PolynomialLR, type PolynomialLROptions } from "./polynomial.js";
import { type LRScheduler, Scheduler, type SteppedScheduler } from "./scheduler.js";
import { SequentialLR } from "./sequential.js";
import { StepLR, type StepLROptions } from "./step.js";
import { SWALR, type SWALROptions } from "./swalr.js";

export { Scheduler, SteppedScheduler, LRScheduler, type OptionFunction } from "./scheduler.js";
export type { SchedulableOptimizer, ScheduledOptions } from "./groups.js";
export type { SchedulerStateDict, JsonValue } from "./state.js";
export { LambdaLR, type LambdaLROptions, type LrLambda } from "./lambda.js";
export { MultiplicativeLR, type MultiplicativeLROptions } from "./multiplicative.js";
export { StepLR, type StepLROptions } from "./step.js";
export { MultiStepLR, type MultiStepLROptions } from "./multistep.js";
export { ExponentialLR, type ExponentialLROptions } from "./exponential.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine.js";
export { LinearLR, type LinearLROptions } from "./linear.js";
export { ConstantLR, type ConstantLROptions } from "./constant.js";
export { PolynomialLR, type PolynomialLROptions } from "./polynomial.js";
export { OneCycleLR, type OneCycleLROptions } from "./onecycle.js";
export { CyclicLR, type CyclicLROptions, type ScaleFn } from "./cyclic.js";
export { CosineAnnealingWarmRestarts, type CosineAnnealingWarmRestartsOptions } from "./cosine_warm_restarts.js";
export { SequentialLR, type SequentialLROptions } from "./sequential.js";
export { ChainedScheduler, type ChainedSchedulerOptions } from "./chained.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./plateau.js";
export { SWALR, type SWALROptions } from "./swalr.js";

/** A scheduler given by name and options, for `createScheduler`'s sequential, chained and warmup_cosine. */
export type SchedulerSpec = { scheduler: Exclude<SchedulerName, "plateau"> } & Record<string, unknown>;

export interface SequentialSpecOptions {
  schedulers: (LRScheduler | SchedulerSpec)[];
  milestones: number[];
}

export interface ChainedSpecOptions {
  schedulers: (SteppedScheduler | SchedulerSpec)[];
}

/** A LinearLR warm-up followed by CosineAnnealingLR, switching at `milestones` (default: the warm-up's totalIters). */
export interface WarmupCosineOptions {
  warmup?: LinearLROptions & { scheduler?: "linear" };
  then: CosineAnnealingLROptions & { scheduler?: "cosine" };
  milestones?: [number];
}

/** Options by scheduler name. */
export interface SchedulerOptionsByName {
  lambda: LambdaLROptions;
  multiplicative: MultiplicativeLROptions;
  step: StepLROptions;
  multistep: MultiStepLROptions;
  exponential: ExponentialLROptions;
  cosine: CosineAnnealingLROptions;
  linear: LinearLROptions;
  constant: ConstantLROptions;
  polynomial: PolynomialLROptions;
  onecycle: OneCycleLROptions;
  cyclic: CyclicLROptions;
  cosine_warm_restarts: CosineAnnealingWarmRestartsOptions;
  sequential: SequentialSpecOptions;
  warmup_cosine: WarmupCosineOptions;
  chained: ChainedSpecOptions | ChainedSchedulerOptions;
  plateau: ReduceLROnPlateauOptions;
  swalr: SWALROptions;
}

/** The class each name makes. */
export interface SchedulerByName {
  lambda: LambdaLR;
  multiplicative: MultiplicativeLR;
  step: StepLR;
  multistep: MultiStepLR;
  exponential: ExponentialLR;
  cosine: CosineAnnealingLR;
  linear: LinearLR;
  constant: ConstantLR;
  polynomial: PolynomialLR;
  onecycle: OneCycleLR;
  cyclic: CyclicLR;
  cosine_warm_restarts: CosineAnnealingWarmRestarts;
  sequential: SequentialLR;
  warmup_cosine: SequentialLR;
  chained: ChainedScheduler;
  plateau: ReduceLROnPlateau;
  swalr: SWALR;
}

export type SchedulerName = keyof SchedulerByName;

type Factory = (optimizer: SchedulableOptimizer, options: never) => Scheduler;

/** Every scheduler by name: the golden files' names, and lambda, multiplicative, sequential, chained. */
export const SCHEDULERS: {
  [N in SchedulerName]: (optimizer: SchedulableOptimizer, options: SchedulerOptionsByName[N]) => SchedulerByName[N];
} = Object.freeze({
  lambda: (optimizer, options) => new LambdaLR(optimizer, options),
  multiplicative: (optimizer, options) => new MultiplicativeLR(optimizer, options),
  step: (optimizer, options) => new StepLR(optimizer, options),
  multistep: (optimizer, options) => new MultiStepLR(optimizer, options),
  exponential: (optimizer, options) => new ExponentialLR(optimizer, options),
  cosine: (optimizer, options) => new CosineAnnealingLR(optimizer, options),
  linear: (optimizer, options) => new LinearLR(optimizer, options),
  constant: (optimizer, options) => new ConstantLR(optimizer, options),
  polynomial: (optimizer, options) => new PolynomialLR(optimizer, options),
  onecycle: (optimizer, options) => new OneCycleLR(optimizer, options),
  cyclic: (optimizer, options) => new CyclicLR(optimizer, options),
  cosine_warm_restarts: (optimizer, options) => new CosineAnnealingWarmRestarts(optimizer, options),
  sequential: (optimizer, options) => sequential(optimizer, options),
  warmup_cosine: (optimizer, options) => warmupCosine(optimizer, options),
  chained: (optimizer, options) => chained(optimizer, options),
  plateau: (optimizer, options) => new ReduceLROnPlateau(optimizer, options),
  swalr: (optimizer, options) => new SWALR(optimizer, options),
});

export const SCHEDULER_NAMES: readonly SchedulerName[] = Object.freeze(Object.keys(SCHEDULERS) as SchedulerName[]);

/**
 * `createScheduler("cosine", optimizer, { tMax: 100 })`: any scheduler by name. If it fails, the
 * optimizer's groups are as they were (also when it made schedulers from specifications).
 */
export function createScheduler<N extends SchedulerName>(
  name: N,
  optimizer: SchedulableOptimizer,
  options: SchedulerOptionsByName[N],
): SchedulerByName[N] {
  if (typeof name !== "string" || !Object.hasOwn(SCHEDULERS, name)) {
    throw new TypeError(`simdopt: unknown scheduler ${show(name)} (known: ${SCHEDULER_NAMES.join(", ")})`);
  }
  return (SCHEDULERS[name] as unknown as Factory)(optimizer, options as never) as SchedulerByName[N];
}

/** Makes the schedulers of specifications in order, putting the groups back if any fails. */
function fromSpecs<T extends Scheduler>(
  title: string,
  optimizer: SchedulableOptimizer,
  entries: unknown,
  build: (schedulers: Scheduler[]) => T,
): T {
  if (!Array.isArray(entries)) {
    throw new TypeError(
      `${title}: option 'schedulers' must be an array of schedulers or { scheduler: name, ...options }, got ${show(entries)}`,
    );
  }
  const groups =
    optimizer !== null && typeof optimizer === "object" && Array.isArray(optimizer.paramGroups)
      ? GroupSnapshot.capture(optimizer)
      : undefined;
  try {
    const schedulers = entries.map((entry: unknown, i) => {
      if (entry instanceof Scheduler) return entry;
      if (entry === null || typeof entry !== "object") {
        throw new TypeError(
          `${title}: schedulers[${i}] must be a scheduler or { scheduler: name, ...options }, got ${show(entry)}`,
        );
      }
      // Read once here; the scheduler made from it checks the option names.
      const { scheduler, ...options } = readOptions(entry, { where: title, what: `schedulers[${i}]` });
      if (typeof scheduler !== "string") {
        throw new TypeError(
          `${title}: schedulers[${i}] must be a scheduler or { scheduler: name, ...options }, got ${show(entry)}`,
        );
      }
      if (scheduler === ("plateau" as string)) {
        throw new TypeError(`${title}: schedulers[${i}] cannot be ReduceLROnPlateau (it needs a metric)`);
      }
      return createScheduler(scheduler as SchedulerName, optimizer, options as never);
    });
    return build(schedulers);
  } catch (error) {
    groups?.restore();
    throw error;
  }
}

function sequential(optimizer: SchedulableOptimizer, options: SequentialSpecOptions): SequentialLR {
  const { schedulers, ...rest } = readOptions(options, {
    where: "SequentialLR",
    known: ["schedulers", "milestones"],
  }) as Partial<SequentialSpecOptions>;
  return fromSpecs(
    "SequentialLR",
    optimizer,
    schedulers,
    (made) =>
      new SequentialLR(optimizer, { ...rest, schedulers: made as LRScheduler[] } as SequentialSpecOptions & {
        schedulers: LRScheduler[];
      }),
  );
}

function chained(
  optimizer: SchedulableOptimizer,
  options: ChainedSpecOptions | ChainedSchedulerOptions,
): ChainedScheduler {
  const { schedulers, ...rest } = readOptions(options, {
    where: "ChainedScheduler",
    known: ["schedulers"],
  }) as Partial<ChainedSpecOptions>;
  return fromSpecs(
    "ChainedScheduler",
    optimizer,
    schedulers,
    (made) => new ChainedScheduler(optimizer, { ...rest, schedulers: made as SteppedScheduler[] }),
  );
}

function warmupCosine(optimizer: SchedulableOptimizer, options: WarmupCosineOptions): SequentialLR {
  const fail = (message: string): never => {
    throw new TypeError(`warmup_cosine: ${message}`);
  };
  const where = "warmup_cosine";
  const {
    warmup = {},
    then,
    milestones,
  } = readOptions(options, {
    where,
    known: ["warmup", "then", "milestones"],
    optional: false,
  }) as Partial<WarmupCosineOptions>;
  if (warmup === null || typeof warmup !== "object")
    fail(`option 'warmup' must be LinearLR's options, got ${show(warmup)}`);
  if (then === null || typeof then !== "object")
    fail(`option 'then' must be CosineAnnealingLR's options, got ${show(then)}`);
  const { scheduler: warmupKind = "linear", ...warmupOptions } = readOptions(warmup, {
    where,
    what: "option 'warmup'",
  });
  const { scheduler: thenKind = "cosine", ...thenOptions } = readOptions(then, { where, what: "option 'then'" });
  if (warmupKind !== "linear") fail(`the warm-up is LinearLR ("linear"), got ${show(warmupKind)}`);
  if (thenKind !== "cosine") fail(`the annealing is CosineAnnealingLR ("cosine"), got ${show(thenKind)}`);
  const specs = [
    { scheduler: "linear", ...warmupOptions },
    { scheduler: "cosine", ...thenOptions },
  ];
  return fromSpecs("SequentialLR", optimizer, specs, (made) => {
    const switchAt = milestones ?? [(made[0] as LinearLR).totalIters];
    return new SequentialLR(optimizer, { schedulers: made as LRScheduler[], milestones: switchAt });
  });
}
