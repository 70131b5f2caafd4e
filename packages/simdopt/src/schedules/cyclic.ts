import { show } from "../runtime/validate.js";
import { momentumOption, setGroup, setMomentum, type SchedulableOptimizer } from "./groups.js";
import { cycledOption, resolveMomenta } from "./momentum.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** Scales a cycle's amplitude: given the cycle number (1, 2, ...) or the iteration, per `scaleMode`. */
export type ScaleFn = (x: number) => number;

/** Options of `CyclicLR`: torch.optim.lr_scheduler.CyclicLR's arguments in camelCase. */
export interface CyclicLROptions {
  /** Lower bound of the cycle, one for every group or one per group; required. */
  baseLr: number | number[];
  /** Upper bound of the cycle, one for every group or one per group; required. */
  maxLr: number | number[];
  /** Iterations of the increasing half (default 2000). */
  stepSizeUp?: number;
  /** Iterations of the decreasing half (default stepSizeUp). */
  stepSizeDown?: number;
  /** "triangular" (default), "triangular2" (amplitude halved each cycle) or "exp_range" (amplitude γ^iteration). */
  mode?: "triangular" | "triangular2" | "exp_range";
  /** Base of "exp_range" (default 1). */
  gamma?: number;
  /** A custom amplitude scale, replacing `mode`'s; not saved by `stateDict()` (as in torch). */
  scaleFn?: ScaleFn;
  /** What `scaleFn` is given: "cycle" (default) or "iterations". */
  scaleMode?: "cycle" | "iterations";
  /** Cycle momentum (or β1 for optimizers with `betas`) inversely to the learning rate (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum (or β1) of the cycle, one for every group or one per group (default 0.8). */
  baseMomentum?: number | number[];
  /** Highest momentum (or β1) of the cycle, one for every group or one per group (default 0.9). */
  maxMomentum?: number | number[];
}

type Resolved = {
  baseLr: number[];
  maxLr: number[];
  stepSizeUp: number;
  stepSizeDown: number;
  mode: "triangular" | "triangular2" | "exp_range";
  gamma: number;
  scaleMode: "cycle" | "iterations";
  cycleMomentum: boolean;
  baseMomentum: number[];
  maxMomentum: number[];
  scaleFn?: ScaleFn;
};

const MODES = ["triangular", "triangular2", "exp_range"] as const;

/**
 * torch.optim.lr_scheduler.CyclicLR (Smith, 2017, https://arxiv.org/abs/1506.01186): the learning
 * rate goes between baseLr and maxLr in cycles of stepSizeUp + stepSizeDown iterations, its
 * amplitude scaled by `mode` or `scaleFn`; momentum goes the other way between maxMomentum and
 * baseMomentum. With S = stepSizeUp + stepSizeDown and r = stepSizeUp/S, at iteration t:
 *
 *     cycle = ⌊1 + t/S⌋;   x = 1 + t/S − cycle;   h = x/r if x ≤ r, else (x − 1)/(r − 1)
 *     η = baseLr + (maxLr − baseLr)·h·scale;   momentum = maxMomentum − (maxMomentum − baseMomentum)·h·scale
 *     scale: triangular 1, triangular2 1/2^(cycle−1), exp_range γ^t, or scaleFn(cycle or t)
 *
 * The constructor sets the learning rates to baseLr and the momentum to maxMomentum at once.
 * simdopt optimizers allocate SGD's and RMSprop's momentum buffer only for a nonzero momentum, so
 * cycling their momentum needs one at construction.
 */
export class CyclicLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: CyclicLROptions) {
    super("CyclicLR", optimizer);
    this.options = this.resolve(options);
    const { baseLr } = this.options;
    this.start(() => baseLr.forEach((lr, i) => setGroup(this.kind, this.optimizer, i, { lr })));
    this.baseLrs = [...baseLr];
  }

  protected resolve(input: unknown): Resolved {
    const c = this.check;
    const o = c.options(input, [
      "baseLr",
      "maxLr",
      "stepSizeUp",
      "stepSizeDown",
      "mode",
      "gamma",
      "scaleFn",
      "scaleMode",
      "cycleMomentum",
      "baseMomentum",
      "maxMomentum",
    ]);
    const stepSizeUp = c.positive("stepSizeUp", orDefault(o.stepSizeUp, 2000));
    const mode = c.oneOf("mode", orDefault(o.mode, "triangular"), MODES);
    const scaleFn = o.scaleFn === undefined ? undefined : c.func<ScaleFn>("scaleFn", o.scaleFn);
    const givenScaleMode = c.oneOf("scaleMode", orDefault(o.scaleMode, "cycle"), ["cycle", "iterations"] as const);
    const cycleMomentum = c.boolean("cycleMomentum", orDefault(o.cycleMomentum, true));
    const option = cycledOption(this.kind, this.optimizer, cycleMomentum);
    const lrs = (name: string, value: unknown) =>
      c.perGroup(name, value, this.groupCount, (label, item) => c.nonNegative(label, item));
    const resolved: Resolved = {
      baseLr: lrs("baseLr", o.baseLr),
      maxLr: lrs("maxLr", o.maxLr),
      stepSizeUp,
      stepSizeDown: c.nonNegative("stepSizeDown", orDefault(o.stepSizeDown, stepSizeUp)),
      mode,
      gamma: c.nonNegative("gamma", orDefault(o.gamma, 1)),
      // Without a custom function the mode decides what the scale is given (torch's `_init_scale_fn`).
      scaleMode: scaleFn !== undefined ? givenScaleMode : mode === "exp_range" ? "iterations" : "cycle",
      cycleMomentum,
      baseMomentum: resolveMomenta(c, "baseMomentum", orDefault(o.baseMomentum, 0.8), this.groupCount, option),
      maxMomentum: resolveMomenta(c, "maxMomentum", orDefault(o.maxMomentum, 0.9), this.groupCount, option),
    };
    if (scaleFn !== undefined) resolved.scaleFn = scaleFn;
    return resolved;
  }

  private scale(x: number): number {
    const { scaleFn, mode, gamma } = this.options;
    if (scaleFn !== undefined) {
      const scale = scaleFn(x);
      if (typeof scale !== "number")
        this.check.fail(`scaleFn returned ${show(scale)} for ${x}, expected a number`, TypeError);
      // Named here: a NaN would otherwise be refused as the optimizer's momentum or lr.
      if (!Number.isFinite(scale))
        this.check.fail(`scaleFn returned ${show(scale)} for ${x}, expected a finite number`);
      return scale;
    }
    if (mode === "triangular") return 1;
    if (mode === "triangular2") return 1 / 2 ** (x - 1);
    return gamma ** x;
  }

  protected getLr(): number[] {
    const { stepSizeUp, stepSizeDown, maxLr, scaleMode, cycleMomentum, baseMomentum, maxMomentum } = this.options;
    const totalSize = stepSizeUp + stepSizeDown;
    const stepRatio = stepSizeUp / totalSize;
    const cycle = Math.floor(1 + this.lastEpoch / totalSize);
    const x = 1 + this.lastEpoch / totalSize - cycle;
    const height = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
    const scale = this.scale(scaleMode === "cycle" ? cycle : this.lastEpoch);
    if (!Number.isFinite(height * scale)) {
      // Named by the options that made it, not as the NaN lr or momentum the optimizer would refuse.
      const { gamma, mode } = this.options;
      this.check.fail(
        `the cycle is not finite at epoch ${this.lastEpoch} (height ${height}, scale ${scale}) with stepSizeUp ${stepSizeUp}, stepSizeDown ${stepSizeDown}, mode ${show(mode)}, gamma ${gamma}`,
      );
    }
    const lrs = this.baseLrs.map((base, i) => base + (maxLr[i] - base) * height * scale);
    if (cycleMomentum) {
      const option = momentumOption(this.kind, this.optimizer);
      maxMomentum.forEach((max, i) => {
        setMomentum(this.kind, this.optimizer, i, option, max - (max - baseMomentum[i]) * height * scale);
      });
    }
    return lrs;
  }
}
