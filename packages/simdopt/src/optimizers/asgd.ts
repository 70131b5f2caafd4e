import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { Parameter } from "../runtime/parameter.js";
import { deepFreeze } from "../runtime/freeze.js";

/** Options of `ASGD`, as torch.optim.ASGD names them in camelCase; every one optional (defaults: `asgdDefaults`). */
export interface ASGDOptions {
  /** Learning rate γ. Default 1e-2. */
  lr?: number;
  /** λ, the decay term. */
  lambd?: number;
  /** α, the power of η's decay. */
  alpha?: number;
  /** The step after which averaging starts. */
  t0?: number;
  /** Weight decay λ: λθ added to the gradient (an L2 penalty). Default 0. */
  weightDecay?: number;
  /** Ascend the objective instead of descending it (torch's `maximize`). Default false. */
  maximize?: boolean;
}

/** `ASGD`'s defaults (torch's): the options it takes when not given. */
export const asgdDefaults: Required<ASGDOptions> = deepFreeze({
  lr: 1e-2,
  lambd: 1e-4,
  alpha: 0.75,
  t0: 1e6,
  weightDecay: 0,
  maximize: false,
});

const f32 = Math.fround;

export const asgdDefinition: OptimizerDefinition<ASGDOptions, "asgd"> = {
  title: "ASGD",
  kernel: "asgd",
  defaults: asgdDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.number("lambd", o.lambd);
    check.number("alpha", o.alpha);
    check.number("t0", o.t0);
    check.nonNegative("weightDecay", o.weightDecay);
    check.boolean("maximize", o.maximize);
  },
  buffers: () => ({ ax: 0 }),
  // η and μ, as torch keeps them: float32 scalars, set from the group's lr at the first step.
  initialState: () => ({ eta: NaN, mu: 1 }),
  // μ_t = 1 / max(1, t − t0) is in (0, 1]; η follows lr, λ and α, which may be any numbers.
  stateRanges: { mu: [0, 1] },
  plan(o, t, state) {
    const eta = t === 1 ? f32(o.lr) : state.eta;
    const mu = t === 1 ? 1 : state.mu;
    return {
      scalars: {
        gradScale: gradScale(o.maximize),
        weightDecay: o.weightDecay,
        paramScale: 1 - o.lambd * eta,
        negEta: -eta,
        mu,
      },
      flags: { coupled: o.weightDecay !== 0, averaging: mu !== 1 },
      next: { eta: f32(o.lr / (1 + o.lambd * o.lr * t) ** o.alpha), mu: f32(1 / Math.max(1, t - o.t0)) },
    };
  },
};

/**
 * Averaged stochastic gradient descent (Polyak & Juditsky, 1992, https://doi.org/10.1137/0330046),
 * as torch.optim.ASGD computes it, with η₁ = γ and μ₁ = 1:
 *
 *     g ← ∇ + λ_wd·θ;   θ ← θ(1 − λη_t);   θ ← θ − η_t·g;   ax ← ax + μ_t(θ − ax)  (ax ← θ while μ_t = 1)
 *     η_{t+1} = γ / (1 + λγt)^α;   μ_{t+1} = 1 / max(1, t − t0)
 *
 * η and μ are rounded to float32 as torch keeps them, also for float64 parameters. The averaged
 * iterate (torch's `state["ax"]`) is `averaged(param)`, or `ax` in `stateDict()`.
 */
export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: ParamsInput<ASGDOptions>, options: ASGDOptions = {}) {
    super(params, options, asgdDefinition);
  }

  /** A copy of the averaged iterate of `param` (zeros before the first step). */
  averaged(param: Parameter): Float32Array | Float64Array {
    const ax = this.stateBuffer(param, "ax");
    if (ax === undefined) throw new TypeError("ASGD: averaged(param): the parameter is not one of this optimizer's");
    return ax;
  }
}
