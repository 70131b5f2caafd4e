import type { SchedulableOptimizer } from "./groups.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";

export interface SWALROptions {
  /** The learning rate to anneal to: one for every group, or one per group; required. */
  swaLr: number | number[];
  /** Epochs of the annealing (default 10; 0 sets swaLr at once, in the constructor). */
  annealEpochs?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
}

type Resolved = { swaLr: number[]; annealEpochs: number; annealStrategy: "cos" | "linear" };

/**
 * torch.optim.swa_utils.SWALR: anneals each group's learning rate from its current value to
 * `swaLr` over `annealEpochs` epochs, then holds it (stochastic weight averaging's schedule;
 * Izmailov et al., 2018, https://arxiv.org/abs/1803.05407). After j steps (j = 0: the
 * constructor's), with u = min(1, j/annealEpochs) and α(u) = (1 − cos(πu))/2 ("cos") or u:
 *
 *     η_j = swaLr·α(u) + η_start·(1 − α(u))
 *
 * computed as torch does, recursively: η_start is solved back from the current learning rate
 * each step, so it anneals from whatever another scheduler left (the SWA recipe switches to it
 * from a cosine schedule at `swa_start`).
 */
export class SWALR extends LRScheduler<Resolved> {
  constructor(optimizer: SchedulableOptimizer, options: SWALROptions) {
    super("SWALR", optimizer);
    this.options = this.resolve(options);
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["swaLr", "annealEpochs", "annealStrategy"]);
    if (o.swaLr === undefined) this.check.fail("option 'swaLr' is required", TypeError);
    return {
      swaLr: this.check.perGroup("swaLr", o.swaLr, this.groupCount, (name, value) =>
        this.check.nonNegative(name, value),
      ),
      annealEpochs: this.check.integer("annealEpochs", orDefault(o.annealEpochs, 10), 0),
      annealStrategy: this.check.oneOf("annealStrategy", orDefault(o.annealStrategy, "cos"), ["cos", "linear"]),
    };
  }

  private anneal(u: number): number {
    return this.options.annealStrategy === "cos" ? (1 - Math.cos(Math.PI * u)) / 2 : u;
  }

  protected getLr(): number[] {
    const { swaLr, annealEpochs } = this.options;
    // torch counts with _step_count − 1, which is lastEpoch here; 0 epochs anneal at once.
    const step = annealEpochs === 0 ? Math.max(1, this.lastEpoch) : this.lastEpoch;
    const prevAlpha = this.anneal(Math.max(0, Math.min(1, (step - 1) / Math.max(1, annealEpochs))));
    const alpha = this.anneal(Math.max(0, Math.min(1, step / Math.max(1, annealEpochs))));
    return this.currentLrs().map((lr, i) => {
      const start = prevAlpha === 1 ? swaLr[i] : (lr - prevAlpha * swaLr[i]) / (1 - prevAlpha);
      return swaLr[i] * alpha + start * (1 - alpha);
    });
  }
}
