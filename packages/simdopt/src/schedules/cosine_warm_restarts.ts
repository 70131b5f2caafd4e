import { show } from "../runtime/validate.js";
import type { SchedulableOptimizer } from "./groups.js";
import { correctlyRoundedLog } from "./log.js";
import { orDefault } from "./options.js";
import { LRScheduler } from "./scheduler.js";
import type { StateReader } from "./state.js";

export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs until the first restart; required. */
  t0: number;
  /** Factor by which each period grows after a restart (default 1). */
  tMult?: number;
  /** Smallest learning rate (default 0). */
  etaMin?: number;
}

type Resolved = { t0: number; tMult: number; etaMin: number };

/**
 * torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (SGDR, Loshchilov & Hutter, 2017,
 * https://arxiv.org/abs/1608.03983): cosine annealing from each group's initial learning rate
 * η_0 to etaMin over a period T_i, restarting at η_0; the first period is t0 epochs and each next
 * one tMult times longer. With T_cur the epochs since the last restart:
 *
 *     η = η_min + (η_0 − η_min)·(1 + cos(π·T_cur/T_i))/2
 *
 * `step()` advances one epoch; `step(epoch)` jumps to an epoch, which may be fractional (as in
 * torch: call `step(epoch + i / iters)` after batch i of `iters` to anneal within epochs).
 */
export class CosineAnnealingWarmRestarts extends LRScheduler<Resolved> {
  /** The current period (torch's `T_i`). */
  private tI: number;
  /** Epochs since the last restart, possibly fractional (torch's `T_cur`). */
  private tCur = -1;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    super("CosineAnnealingWarmRestarts", optimizer);
    this.options = this.resolve(options);
    this.tI = this.options.t0;
    this.start();
  }

  protected resolve(input: unknown): Resolved {
    const o = this.check.options(input, ["t0", "tMult", "etaMin"]);
    return {
      t0: this.check.integer("t0", o.t0, 1),
      tMult: this.check.integer("tMult", orDefault(o.tMult, 1), 1),
      etaMin: this.check.nonNegative("etaMin", orDefault(o.etaMin, 0)),
    };
  }

  /** Advances one epoch, or goes to `epoch` (≥ 0, possibly fractional) when given. */
  override step(epoch?: number): void {
    if (epoch !== undefined && (typeof epoch !== "number" || !Number.isFinite(epoch) || epoch < 0)) {
      this.check.fail(
        `step(epoch) needs a finite epoch >= 0, got ${show(epoch)}`,
        typeof epoch === "number" ? RangeError : TypeError,
      );
    }
    this.atomically(() => this.advance(epoch));
  }

  private advance(requested: number | undefined): void {
    const { t0, tMult } = this.options;
    let epoch = requested;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur % this.tI;
        this.tI = this.tI * tMult;
      }
    } else if (epoch >= t0) {
      if (tMult === 1) {
        this.tCur = epoch % t0;
      } else {
        // torch's int(math.log(x, T_mult)), which Python computes as log(x)/log(T_mult) with the C
        // library's log: at x = 3^5 it gives 4.999999999999999, so n = 4 and the epoch ends a period.
        const n = Math.trunc(correctlyRoundedLog((epoch / t0) * (tMult - 1) + 1) / correctlyRoundedLog(tMult));
        this.tCur = epoch - (t0 * (tMult ** n - 1)) / (tMult - 1);
        this.tI = t0 * tMult ** n;
      }
    } else {
      this.tI = t0;
      this.tCur = epoch;
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLrs(this.getLr());
  }

  protected getLr(): number[] {
    const { etaMin } = this.options;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  protected override saveExtra() {
    return { tI: this.tI, tCur: this.tCur };
  }

  protected override readExtra(reader: StateReader, { t0, tMult }: Resolved): () => void {
    // A period is t0·tMult^k; the epochs since the last restart run from 0 to the period's end.
    const tI = reader.integer("tI", t0);
    let period = t0;
    while (tMult > 1 && period < tI) period *= tMult;
    if (period !== tI) reader.fail(`field 'tI' must be t0 ${t0} times a power of tMult ${tMult}, got ${tI}`);
    const tCur = reader.number("tCur");
    // From 0 to tI, give or take the rounding of step(epoch)'s logarithm at the edge of a period.
    const slack = tI * 1e-9;
    if (tCur < -slack || tCur > tI + slack) reader.fail(`field 'tCur' must be from 0 to tI ${tI}, got ${tCur}`);
    return () => {
      this.tI = tI;
      this.tCur = tCur;
    };
  }
}
