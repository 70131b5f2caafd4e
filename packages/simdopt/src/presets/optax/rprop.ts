import type { OptimizerDefinition } from "../../optimizer.js";
import { presetClass } from "../preset-class.js";
import { deepFreeze } from "../../runtime/freeze.js";

/** Options of `OptaxRprop`: optax.rprop's arguments in camelCase (defaults: `optaxRpropDefaults`). */
export interface OptaxRpropOptions {
  /** The initial step size of every element. */
  learningRate?: number;
  /** The step size's factor after a sign change. */
  etaMinus?: number;
  /** The step size's factor while the sign holds. */
  etaPlus?: number;
  /** The smallest step size. Default 1e-6. */
  minStepSize?: number;
  /** The largest step size. Default 50. */
  maxStepSize?: number;
}

/** `OptaxRprop`'s defaults (optax.rprop's). */
export const optaxRpropDefaults: Required<OptaxRpropOptions> = deepFreeze({
  learningRate: 1e-3,
  etaMinus: 0.5,
  etaPlus: 1.2,
  minStepSize: 1e-6,
  maxStepSize: 50,
});

/**
 * optax.rprop as optax 0.2.8 computes it, on Rprop's kernel with `lagged`: its scale_by_rprop
 * returns the update it computed at the previous step, so θ does not move at step 1 and each step
 * applies the previous step's Δ·sign(g), one step behind torch.optim.Rprop. State: the step sizes Δ
 * (Δ₀ = learningRate) and that update P (P₀ = 0); with s = g·P,
 *
 *     Δ ← Δ if s = 0, else clip(Δ·(etaPlus if s > 0, else etaMinus), minStepSize, maxStepSize)
 *     θ ← θ − (0 if s < 0, else P);   P ← 0 if s < 0, else Δ·sign(g)
 *
 * The lag is a known optax bug (google-deepmind/optax pull request #1725, "Fix scale_by_rprop
 * returning a one-step-stale update"); this preset reproduces optax as released.
 */
export const optaxRpropDefinition: OptimizerDefinition<OptaxRpropOptions, "rprop"> = {
  title: "optax:rprop",
  steps: "shared",
  kernel: "rprop",
  defaults: optaxRpropDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    const etaMinus = check.number("etaMinus", o.etaMinus);
    if (!(etaMinus > 0 && etaMinus < 1)) check.fail(`invalid etaMinus: ${etaMinus} (must be in (0, 1))`);
    const etaPlus = check.number("etaPlus", o.etaPlus);
    if (!(etaPlus > 1)) check.fail(`invalid etaPlus: ${etaPlus} (must be > 1)`);
    check.nonNegative("minStepSize", o.minStepSize);
    const max = check.number("maxStepSize", o.maxStepSize);
    if (!(max > 0 && max >= o.minStepSize)) {
      check.fail(`invalid maxStepSize: ${max} (must be > 0 and >= minStepSize, ${o.minStepSize})`);
    }
  },
  buffers: (o) => ({ prev: 0, stepSize: o.learningRate }),
  plan: (o) => ({
    scalars: {
      gradScale: 1,
      etaPlus: o.etaPlus,
      etaMinus: o.etaMinus,
      stepMin: o.minStepSize,
      stepMax: o.maxStepSize,
    },
    flags: { lagged: true },
  }),
};

/** optax.rprop (0.2.8, one step late: see `optaxRpropDefinition`). */
export const OptaxRprop = presetClass(optaxRpropDefinition);
