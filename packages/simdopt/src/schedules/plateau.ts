import { show } from "../runtime/validate.js";
import { groupLrs, setGroup, type SchedulableOptimizer } from "./groups.js";
import { orDefault } from "./options.js";
import { Scheduler } from "./scheduler.js";
import { encodeNumber, type JsonValue, type StateReader } from "./state.js";

/** Options of `ReduceLROnPlateau`: torch.optim.lr_scheduler.ReduceLROnPlateau's arguments in camelCase. */
export interface ReduceLROnPlateauOptions {
  /** "min" (default): lower metrics are better; "max": higher ones are. */
  mode?: "min" | "max";
  /** Factor of each reduction (default 0.1), in [0, 1). */
  factor?: number;
  /** Epochs without improvement tolerated before a reduction (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** "rel" (default): relative to the best metric; "abs": absolute. */
  thresholdMode?: "rel" | "abs";
  /** Epochs after a reduction during which bad epochs are not counted (default 0). */
  cooldown?: number;
  /** Lower bound of the learning rate, one for every group or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

type Resolved = {
  mode: "min" | "max";
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  cooldown: number;
  minLr: number[];
  eps: number;
};

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau: reduces the learning rate by `factor` once the
 * metric passed to `step(metric)` has not improved for more than `patience` epochs. A metric m
 * improves on the best b when
 *
 *     min/rel: m < b·(1 − threshold)   min/abs: m < b − threshold
 *     max/rel: m > b·(1 + threshold)   max/abs: m > b + threshold
 *
 * and a reduction sets η ← max(η·factor, minLr) where that lowers η by more than `eps`, then
 * waits `cooldown` epochs before counting bad ones again. The constructor changes nothing.
 */
export class ReduceLROnPlateau extends Scheduler {
  private options: Resolved;
  /** The best metric so far (±Infinity before the first). */
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;
  private lastEpoch = 0;

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    super("ReduceLROnPlateau", optimizer);
    this.options = this.resolve(options);
    this.best = this.worst();
  }

  private resolve(input: unknown): Resolved {
    const c = this.check;
    const o = c.options(input, [
      "mode",
      "factor",
      "patience",
      "threshold",
      "thresholdMode",
      "cooldown",
      "minLr",
      "eps",
    ]);
    return {
      mode: c.oneOf("mode", orDefault(o.mode, "min"), ["min", "max"] as const),
      factor: c.inRange("factor", orDefault(o.factor, 0.1), 0, 1),
      patience: c.integer("patience", orDefault(o.patience, 10), 0),
      threshold: c.nonNegative("threshold", orDefault(o.threshold, 1e-4)),
      thresholdMode: c.oneOf("thresholdMode", orDefault(o.thresholdMode, "rel"), ["rel", "abs"] as const),
      cooldown: c.integer("cooldown", orDefault(o.cooldown, 0), 0),
      minLr: c.perGroup("minLr", orDefault(o.minLr, 0), this.groupCount, (name, value) => c.nonNegative(name, value)),
      eps: c.nonNegative("eps", orDefault(o.eps, 1e-8)),
    };
  }

  /** The worst metric of the mode (torch's `mode_worse`). */
  private worst(): number {
    return this.options.mode === "min" ? Infinity : -Infinity;
  }

  private isBetter(metric: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    if (mode === "min" && thresholdMode === "rel") return metric < best * (1 - threshold);
    if (mode === "min") return metric < best - threshold;
    if (thresholdMode === "rel") return metric > best * (threshold + 1);
    return metric > best + threshold;
  }

  /** Records this epoch's metric (such as a validation loss) and reduces the learning rates if it stalls. */
  step(metric: number): void {
    if (typeof metric !== "number") this.check.fail(`step(metric) needs a number, got ${show(metric)}`, TypeError);
    this.atomically(() => {
      this.lastEpoch += 1;
      if (this.isBetter(metric, this.best)) {
        this.best = metric;
        this.numBadEpochs = 0;
      } else {
        this.numBadEpochs += 1;
      }
      if (this.cooldownCounter > 0) {
        this.cooldownCounter -= 1;
        this.numBadEpochs = 0; // bad epochs in cooldown do not count
      }
      if (this.numBadEpochs > this.options.patience) {
        this.reduceLr();
        this.cooldownCounter = this.options.cooldown;
        this.numBadEpochs = 0;
      }
      this.lastLr = groupLrs(this.optimizer);
    });
  }

  private reduceLr(): void {
    groupLrs(this.optimizer).forEach((old, i) => {
      const reduced = old * this.options.factor;
      const lr = Math.max(this.options.minLr[i], reduced);
      if (old - lr > this.options.eps) setGroup(this.kind, this.optimizer, i, { lr });
    });
  }

  protected saveState(): Record<string, JsonValue> {
    return {
      options: { ...this.options, minLr: [...this.options.minLr] },
      best: encodeNumber(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  protected readState(reader: StateReader): () => void {
    const options = reader.options("options", (saved) => this.resolve(saved));
    const best = reader.anyNumber("best");
    if (Number.isNaN(best)) reader.fail("field 'best' must be a number or ±Infinity, got NaN (no metric makes it NaN)");
    // A step resets the bad epochs once they pass the patience, and counts the cooldown down from its option.
    const numBadEpochs = reader.integer("numBadEpochs", 0, options.patience);
    const cooldownCounter = reader.integer("cooldownCounter", 0, options.cooldown);
    const lastEpoch = reader.integer("lastEpoch", 0);
    const lastLr = reader.numbers("lastLr", this.groupCount, 0);
    return () => {
      this.options = options;
      this.best = best;
      this.numBadEpochs = numBadEpochs;
      this.cooldownCounter = cooldownCounter;
      this.lastEpoch = lastEpoch;
      this.lastLr = lastLr;
    };
  }
}
