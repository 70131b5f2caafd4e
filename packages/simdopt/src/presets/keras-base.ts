/**
 * The options every Keras optimizer takes beside its own (keras.optimizers.Optimizer's): clipnorm,
 * globalClipnorm and clipvalue (Wasm passes over the group's gradients before the step, see
 * clip.ts), weightDecay (decoupled: θ ← θ − θ·λ·lr before the update, applied by the kernels
 * through their paramScale) and Keras 2's decay (lr_t = learningRate / (1 + decay·k), k the steps
 * already taken); and the optimizer class that clips before each step.
 */
import { Optimizer } from "../optimizer.js";
import type { OptionChecker } from "../runtime/validate.js";
import { clipAsKeras, type ClipOptions } from "./clip.js";
import { gradientsFinite } from "../clipping/norm.js";
import { deepFreeze } from "../runtime/freeze.js";

/** The options every Keras optimizer takes (keras.optimizers.Optimizer's). */
export interface KerasBaseOptions extends ClipOptions {
  /** Decoupled weight decay λ: θ ← θ − θ·λ·lr before the update (null: none). */
  weightDecay?: number | null;
  /** Keras 2's learning-rate decay: lr_t = learningRate / (1 + decay·k). */
  decay?: number;
}

export const KERAS_BASE_DEFAULTS: Required<KerasBaseOptions> = deepFreeze({
  weightDecay: null,
  clipnorm: null,
  globalClipnorm: null,
  clipvalue: null,
  decay: 0,
});

export function checkKerasBase(o: Required<KerasBaseOptions>, check: OptionChecker): void {
  const set = (["clipnorm", "globalClipnorm", "clipvalue"] as const).filter((name) => o[name] !== null);
  for (const name of set) check.nonNegative(name, o[name]);
  if (set.length > 1) check.fail(`set at most one of clipnorm, globalClipnorm and clipvalue, got ${set.join(" and ")}`);
  if (o.weightDecay !== null) check.nonNegative("weightDecay", o.weightDecay);
  check.nonNegative("decay", o.decay);
}

/** The learning rate of step t (1 for the first) with Keras 2's decay. */
export const decayedLearningRate = (o: { learningRate: number; decay: number }, t: number) =>
  o.learningRate / (1 + o.decay * (t - 1));
/** The kernels' paramScale for Keras's weight decay θ ← θ − θ·λ·lr: 1 − λ·lr. */
export const weightDecayScale = (o: Required<KerasBaseOptions>, lr: number) => 1 - (o.weightDecay ?? 0) * lr;
/** Whether the kernel must apply Keras's weight decay (its `decoupled` flag). */
export const decaysWeights = (o: Required<KerasBaseOptions>) => (o.weightDecay ?? 0) !== 0;

/**
 * A Keras optimizer: clips the gradients of each group as its options say, then steps (the
 * kernels apply the weight decay, as each preset's plan says).
 */
export class KerasOptimizer<O extends KerasBaseOptions & { learningRate?: number }> extends Optimizer<O> {
  /** Clips after the closure (it computes the gradients, as in torch's step(closure)), before the kernels. */
  protected override beforeKernels(): void {
    this.clipGradients();
  }

  private clipGradients(): void {
    const tables = this.paramGroups.map((_, g) => this.groupTables(g));
    // A step that will be skipped (or refused) for a non-finite gradient changes nothing here either.
    if (this.trainingOptions.nonFinite !== "propagate" && !gradientsFinite(this.runtime, tables.flat())) return;
    this.paramGroups.forEach(({ options }, g) =>
      clipAsKeras(this.runtime, tables[g], options as unknown as Required<KerasBaseOptions>),
    );
  }
}
