import { momentumOption, setMomentum, type SchedulableOptimizer } from "./groups.js";
import { cycledOption, resolveMomenta } from "./momentum.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

/** Options of `OneCycleLR`: torch.optim.lr_scheduler.OneCycleLR's arguments in camelCase. */
export interface OneCycleLROptions {
  /** Peak learning rate, one for every group or one per group; required. */
  maxLr: number | number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** Epochs in the cycle, with `stepsPerEpoch` (the cycle is their product), in place of `totalSteps`. */
  epochs?: number;
  /** Steps per epoch, with `epochs`. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the learning rate (default 0.3). */
  pctStart?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or β1) inversely to the learning rate (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum (or β1) of the cycle, one for every group or one per group (default 0.85). */
  baseMomentum?: number | number[];
  /** Highest momentum (or β1) of the cycle, one for every group or one per group (default 0.95). */
  maxMomentum?: number | number[];
  /** Initial learning rate = maxLr/divFactor (default 25). */
  divFactor?: number;
  /** Final learning rate = initial/finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to the initial rate, then annihilation) instead of two (default false). */
  threePhase?: boolean;
}

type Resolved = {
  maxLr: number[];
  totalSteps: number;
  pctStart: number;
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  baseMomentum: number[];
  maxMomentum: number[];
  divFactor: number;
  finalDivFactor: number;
  threePhase: boolean;
};

type LrAnchor = "initial" | "max" | "min";
type MomentumAnchor = "base" | "max";

/** One phase of the cycle: its last step, and the values it anneals between (torch's `_schedule_phases`). */
interface Phase {
  endStep: number;
  lr: [LrAnchor, LrAnchor];
  momentum: [MomentumAnchor, MomentumAnchor];
}

function phasesOf({
  pctStart,
  totalSteps,
  threePhase,
}: Pick<Resolved, "pctStart" | "totalSteps" | "threePhase">): Phase[] {
  if (threePhase) {
    return [
      { endStep: pctStart * totalSteps - 1, lr: ["initial", "max"], momentum: ["max", "base"] },
      { endStep: 2 * pctStart * totalSteps - 2, lr: ["max", "initial"], momentum: ["base", "max"] },
      { endStep: totalSteps - 1, lr: ["initial", "min"], momentum: ["max", "max"] },
    ];
  }
  return [
    { endStep: pctStart * totalSteps - 1, lr: ["initial", "max"], momentum: ["max", "base"] },
    { endStep: totalSteps - 1, lr: ["max", "min"], momentum: ["base", "max"] },
  ];
}

/** torch's `_annealing_cos` and `_annealing_linear`: from `start` at pct 0 to `end` at pct 1. */
const ANNEAL = {
  cos: (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1),
  linear: (start: number, end: number, pct: number) => (end - start) * pct + start,
};

/**
 * torch.optim.lr_scheduler.OneCycleLR (Smith & Topin, 2017, https://arxiv.org/abs/1708.07120):
 * the learning rate rises from maxLr/divFactor to maxLr over the first pctStart of `totalSteps`,
 * then anneals to maxLr/(divFactor·finalDivFactor); with `threePhase` it first comes back down to
 * the initial rate and then anneals. Momentum (β1 for optimizers with `betas`) moves the other
 * way between maxMomentum and baseMomentum. Within a phase from step a to step b,
 *
 *     pct = (t − a)/(b − a)
 *     cos: η = η_end + (η_start − η_end)/2·(1 + cos(π·pct));   linear: η = η_start + (η_end − η_start)·pct
 *
 * The constructor sets the initial learning rate (and momentum); stepping past `totalSteps`
 * throws. The `totalSteps`-th step moves past the end of the cycle, to rates no optimizer step
 * uses in a loop of `totalSteps` steps: torch extrapolates the last phase there, which with
 * "linear" annealing gives a negative learning rate that simdopt's optimizers refuse, so
 * OneCycleLR holds the end of the cycle there instead (with "cos" it gives torch's values).
 * simdopt optimizers allocate SGD's and RMSprop's momentum buffer only for a nonzero momentum, so
 * cycling their momentum needs one at construction.
 */
export class OneCycleLR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    super("OneCycleLR", optimizer);
    this.options = this.resolve(options);
    const { maxLr, divFactor } = this.options;
    this.start(
      undefined,
      maxLr.map((max) => max / divFactor),
    );
  }

  protected resolve(input: unknown): Resolved {
    const c = this.check;
    const o = c.options(input, [
      "maxLr",
      "totalSteps",
      "epochs",
      "stepsPerEpoch",
      "pctStart",
      "annealStrategy",
      "cycleMomentum",
      "baseMomentum",
      "maxMomentum",
      "divFactor",
      "finalDivFactor",
      "threePhase",
    ]);
    let totalSteps: number;
    if (o.totalSteps !== undefined) {
      totalSteps = c.integer("totalSteps", o.totalSteps, 1);
    } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      totalSteps = c.integer("epochs", o.epochs, 1) * c.integer("stepsPerEpoch", o.stepsPerEpoch, 1);
    } else {
      totalSteps = c.fail("give option 'totalSteps', or both 'epochs' and 'stepsPerEpoch'", TypeError);
    }
    const pctStart = c.inRange("pctStart", orDefault(o.pctStart, 0.3), 0, 1, true);
    const threePhase = c.boolean("threePhase", orDefault(o.threePhase, false));
    const cycleMomentum = c.boolean("cycleMomentum", orDefault(o.cycleMomentum, true));
    const option = cycledOption(this.kind, this.optimizer, cycleMomentum);
    const resolved: Resolved = {
      maxLr: c.perGroup("maxLr", o.maxLr, this.groupCount, (name, value) => c.nonNegative(name, value)),
      totalSteps,
      pctStart,
      annealStrategy: c.oneOf("annealStrategy", orDefault(o.annealStrategy, "cos"), ["cos", "linear"] as const),
      cycleMomentum,
      baseMomentum: resolveMomenta(c, "baseMomentum", orDefault(o.baseMomentum, 0.85), this.groupCount, option),
      maxMomentum: resolveMomenta(c, "maxMomentum", orDefault(o.maxMomentum, 0.95), this.groupCount, option),
      divFactor: c.positive("divFactor", orDefault(o.divFactor, 25)),
      finalDivFactor: c.positive("finalDivFactor", orDefault(o.finalDivFactor, 1e4)),
      threePhase,
    };
    this.checkPhases(resolved);
    return resolved;
  }

  /**
   * Refuses a phase of zero steps that some step from 0 to totalSteps falls in (torch divides by
   * zero there): pctStart·totalSteps = 1, or a pctStart that leaves the last phase no steps.
   */
  private checkPhases(options: Resolved): void {
    const phases = phasesOf(options);
    let previousEnd = -Infinity;
    phases.forEach((phase, i) => {
      const start = i === 0 ? 0 : phases[i - 1].endStep;
      if (phase.endStep === start) {
        const first = Math.max(0, Math.floor(previousEnd) + 1);
        const last =
          i === phases.length - 1 ? options.totalSteps : Math.min(options.totalSteps, Math.floor(phase.endStep));
        if (first <= last) {
          const { pctStart, totalSteps } = options;
          this.check.fail(
            `invalid pctStart: ${pctStart} with totalSteps ${totalSteps} (phase ${i + 1} of the cycle would have no steps)`,
          );
        }
      }
      previousEnd = Math.max(previousEnd, phase.endStep);
    });
  }

  /** A cycle ends after `totalSteps` steps: no step goes past it (`getLr` refuses one). */
  protected override lastEpochLimit(options: Resolved): number {
    return options.totalSteps;
  }

  protected getLr(): number[] {
    const { totalSteps, annealStrategy, cycleMomentum, maxLr, divFactor, finalDivFactor } = this.options;
    const step = this.lastEpoch;
    if (step > totalSteps) {
      this.check.fail(`tried to step ${step} times, but option 'totalSteps' is ${totalSteps}`);
    }
    const phases = phasesOf(this.options);
    let startStep = 0;
    let index = 0;
    while (!(step <= phases[index].endStep || index === phases.length - 1)) {
      startStep = phases[index].endStep;
      index++;
    }
    const phase = phases[index];
    let pct = (step - startStep) / (phase.endStep - startStep);
    // Past the last step (t = totalSteps) torch extrapolates the last phase: a cosine stays within
    // its bounds, but a straight line goes below zero, a rate optimizers refuse. Hold its end.
    if (annealStrategy === "linear" && pct > 1) pct = 1;
    const anneal = ANNEAL[annealStrategy];
    const option = cycleMomentum ? momentumOption(this.kind, this.optimizer) : null;
    return maxLr.map((max, i) => {
      const initial = max / divFactor;
      const lrs: Record<LrAnchor, number> = { initial, max, min: initial / finalDivFactor };
      if (option !== null) {
        const momenta: Record<MomentumAnchor, number> = {
          base: this.options.baseMomentum[i],
          max: this.options.maxMomentum[i],
        };
        setMomentum(
          this.kind,
          this.optimizer,
          i,
          option,
          anneal(momenta[phase.momentum[0]], momenta[phase.momentum[1]], pct),
        );
      }
      return anneal(lrs[phase.lr[0]], lrs[phase.lr[1]], pct);
    });
  }
}
