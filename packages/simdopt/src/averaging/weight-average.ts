/**
 * A running average of parameters, kept beside them in Wasm memory and updated in one fused pass
 * per dtype: torch.optim.swa_utils.AveragedModel's `update_parameters` over the parameters only
 * (`use_buffers` false). Two strategies:
 *
 *     SWA (the default, get_swa_avg_fn):         a ← a + (p − a)/(n + 1)
 *     EMA (get_ema_multi_avg_fn(decay)):        a ← lerp(a, p, 1 − δ)
 *
 * where n counts the updates before this one; the first update copies a = p for both. SWA:
 * Izmailov et al., 2018, https://arxiv.org/abs/1803.05407. The average is built on the optimizer
 * engine (a kernel declaration, state buffers, checkpoints), with the update as its step.
 */
import type { OptimizerStateDict, LoadStateOptions } from "../checkpoint/state-dict.js";
import { Optimizer, type OptimizerDefinition } from "../optimizer.js";
import type { FloatArray } from "../runtime/kernels.js";
import type { Parameter } from "../runtime/parameter.js";
import { OptionChecker, show } from "../runtime/validate.js";

/** Options of `WeightAverage` (torch.optim.swa_utils.AveragedModel's averaging). */
export interface WeightAverageOptions {
  /** "swa" (equal weights, the default) or "ema" (exponential moving average). */
  strategy?: "swa" | "ema";
  /** EMA: δ in [0, 1], the weight kept by the average (torch's default 0.999); δ = 1 keeps the first value. */
  decay?: number;
}

/** The options a `WeightAverage` checkpoint keeps: numbers and booleans. */
export interface AverageOptions {
  /** True for "swa" (equal weights), false for "ema". */
  equalWeights?: boolean;
  /** EMA: δ, the weight kept by the average. */
  decay?: number;
}

const averageDefinition: OptimizerDefinition<AverageOptions, "average"> = {
  title: "WeightAverage",
  steps: "all", // the average reads no gradient: every update averages every parameter
  kernel: "average",
  defaults: { equalWeights: true, decay: 0.999 },
  validate(o, check) {
    check.boolean("equalWeights", o.equalWeights);
    check.inRange("decay", o.decay, 0, 1, true);
  },
  buffers: () => ({ average: 0 }),
  plan: (o, t) => {
    const weight = 1 - o.decay;
    return {
      scalars: { weight, updates: t },
      flags: { first: t === 1, equalWeights: o.equalWeights, fromEnd: !o.equalWeights && Math.abs(weight) >= 0.5 },
    };
  },
};

/** The engine, with the averages readable. */
class AverageEngine extends Optimizer<AverageOptions> {
  averageOf(param: Parameter): FloatArray | undefined {
    return this.stateBuffer(param, "average");
  }
}

/**
 * `new WeightAverage(params, { strategy: "ema", decay: 0.999 })`, then `update()` after each
 * optimizer step (or each epoch, for SWA): `averaged(param)` is the averaged tensor. Checkpoints
 * (`stateDict()` / `loadStateDict()`) keep the averages and n (`step`).
 */
export class WeightAverage {
  private readonly engine: AverageEngine;
  /** The strategy in force. */
  readonly strategy: "swa" | "ema";

  constructor(params: readonly Parameter[], options: WeightAverageOptions = {}) {
    const check = new OptionChecker("WeightAverage");
    if (options === null || typeof options !== "object" || Array.isArray(options))
      check.fail(`options must be an object, got ${show(options)}`, TypeError);
    const { strategy = "swa", decay, ...rest } = { ...options };
    check.known(rest, []);
    if (strategy !== "swa" && strategy !== "ema")
      check.fail(`option 'strategy' must be "swa" or "ema", got ${show(strategy)}`, TypeError);
    if (strategy === "swa" && decay !== undefined)
      check.fail(`option 'decay' is for strategy "ema" (SWA weighs every update equally)`, TypeError);
    this.engine = new AverageEngine(params, { equalWeights: strategy === "swa", decay }, averageDefinition);
    this.strategy = strategy;
  }

  /** EMA's δ (undefined for SWA). */
  get decay(): number | undefined {
    return this.strategy === "ema" ? this.engine.paramGroups[0].decay : undefined;
  }

  /** Adds the parameters' current values to the average: one fused pass per dtype. */
  update(): void {
    this.engine.step();
  }

  /** n: the updates averaged so far (torch's `n_averaged`). */
  get count(): number {
    return this.engine.stepCount(0);
  }

  /** A copy of the average of `param`. Throws before the first update (there is none yet) and for a parameter not averaged here. */
  averaged(param: Parameter): FloatArray {
    const average = this.engine.averageOf(param);
    if (average === undefined)
      throw new TypeError("WeightAverage: averaged(param): the parameter is not averaged here");
    if (this.count === 0) throw new RangeError("WeightAverage: averaged(param): no update yet, so no average");
    return average;
  }

  /** A JSON-safe checkpoint: the averages and n, as the optimizers' `stateDict()`. */
  stateDict(): OptimizerStateDict<AverageOptions> {
    return this.engine.stateDict();
  }

  /** Restores a `stateDict()` of a WeightAverage of the same parameters and strategy; a refusal changes nothing. */
  loadStateDict(dict: OptimizerStateDict<AverageOptions>, options?: LoadStateOptions): void {
    const saved = (dict as { paramGroups?: { equalWeights?: unknown }[] } | null)?.paramGroups?.[0]?.equalWeights;
    if (saved !== undefined && saved !== (this.strategy === "swa"))
      throw new TypeError(
        `WeightAverage: cannot load state: it is of strategy "${saved ? "swa" : "ema"}", this average's is "${this.strategy}"`,
      );
    this.engine.loadStateDict(dict, options);
  }

  /** Frees the averages in Wasm memory; the parameters stay. */
  dispose(): void {
    this.engine.dispose();
  }
}
