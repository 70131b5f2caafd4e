// SGD as optax and TF.js take it, on SGD's kernel: tr ← g + μ·tr; θ ← θ − lr·(g + μ·tr if
// nesterov, tr otherwise), with no dampening and no weight decay (μ = 0: θ ← θ − lr·g).
import type { StepPlan } from "../optimizer.js";

/** The step plan of that rule at step `t`. */
export function heavyBallPlan(learningRate: number, momentum: number, nesterov: boolean, t: number): StepPlan<"sgd"> {
  const withMomentum = momentum !== 0;
  return {
    scalars: { gradScale: 1, paramScale: 1, weightDecay: 0, momentum, oneMinusDampening: 1, negLr: -learningRate },
    flags: {
      coupled: false,
      decoupled: false,
      withMomentum,
      firstStep: withMomentum && t === 1,
      nesterov: withMomentum && nesterov,
    },
  };
}
