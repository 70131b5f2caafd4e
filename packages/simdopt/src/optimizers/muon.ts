import { Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import { deepFreeze } from "../runtime/freeze.js";
import { show } from "../runtime/validate.js";

/** Options of `Muon`, with torch.optim.Muon's names in camelCase and its defaults (`muonDefaults`). */
export interface MuonOptions {
  /** The learning rate γ (default 1e-3), scaled per shape by `adjustLrFn`. */
  lr?: number;
  /** Decoupled, with the unadjusted lr: θ ← θ(1 − γλ). */
  weightDecay?: number;
  /** μ: buf ← lerp(buf, g, 1 − μ). */
  momentum?: number;
  /** Orthogonalize lerp(g, buf, μ) instead of buf. */
  nesterov?: boolean;
  /** (a, b, c) of the Newton–Schulz step X ← a·X + (b·M + c·M²)·X, M = X·Xᵀ. */
  nsCoefficients?: [number, number, number];
  /** The floor of the norm the momentum is divided by before the iteration. */
  eps?: number;
  /** Newton–Schulz steps. */
  nsSteps?: number;
  /**
   * How the lr scales with the shape [A, B]: "original" (or null) lr·√max(1, A/B), as Keller
   * Jordan's Muon; "match_rms_adamw" lr·0.2·√max(A, B), so that AdamW's lr and weight decay carry over.
   */
  adjustLrFn?: "original" | "match_rms_adamw" | null;
}

/** torch.optim.Muon's defaults. */
export const muonDefaults: Required<MuonOptions> = deepFreeze({
  lr: 1e-3,
  weightDecay: 0.1,
  momentum: 0.95,
  nesterov: true,
  nsCoefficients: [3.4445, -4.775, 2.0315],
  eps: 1e-7,
  nsSteps: 5,
  adjustLrFn: null,
});

const ADJUST_LR_FNS = ["original", "match_rms_adamw"];

export const muonDefinition: OptimizerDefinition<MuonOptions, "muon"> = {
  title: "Muon",
  kernel: "muon",
  defaults: muonDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    check.nonNegative("weightDecay", o.weightDecay);
    check.inRange("momentum", o.momentum, 0, 1, true);
    check.boolean("nesterov", o.nesterov);
    if (!Array.isArray(o.nsCoefficients) || o.nsCoefficients.length !== 3)
      check.fail(`option 'nsCoefficients' must be a triple [a, b, c], got ${show(o.nsCoefficients)}`, TypeError);
    o.nsCoefficients.forEach((value, k) => check.number(`nsCoefficients[${k}]`, value));
    check.nonNegative("eps", o.eps);
    const steps = check.number("nsSteps", o.nsSteps);
    if (!Number.isInteger(steps) || steps < 0 || steps >= 100)
      check.fail(`invalid nsSteps: ${steps} (must be a whole number in [0, 100))`);
    if (o.adjustLrFn !== null && !ADJUST_LR_FNS.includes(o.adjustLrFn as string))
      check.fail(
        `option 'adjustLrFn' must be "original", "match_rms_adamw" or null, got ${show(o.adjustLrFn)}`,
        TypeError,
      );
  },
  shapeRefused: (shape) =>
    shape.length === 2 ? undefined : `Muon only supports 2-D parameters, got shape [${shape.join(", ")}]`,
  buffers: () => ({ momentumBuffer: 0 }),
  plan(o) {
    const [nsA, nsB, nsC] = o.nsCoefficients;
    return {
      scalars: {
        paramScale: 1 - o.lr * o.weightDecay,
        oneMinusMomentum: 1 - o.momentum,
        momentum: o.momentum,
        lr: o.lr,
        nsA,
        nsB,
        nsC,
        eps: o.eps,
        nsSteps: o.nsSteps,
      },
      flags: { nesterov: o.nesterov, matchRmsAdamw: o.adjustLrFn === "match_rms_adamw" },
    };
  },
};

/**
 * Muon, momentum orthogonalized by Newton–Schulz (Jordan et al., 2024,
 * https://kellerjordan.github.io/posts/muon/), as torch.optim.Muon computes it, for 2-D
 * parameters (weight matrices; give the rest, biases, norms and embeddings, to AdamW: see
 * `splitForMuon`). Per matrix [A, B], with buf starting at 0:
 *
 *     buf ← lerp(buf, g, 1 − μ);   u = lerp(g, buf, μ) (nesterov) or buf
 *     O = NS(u), ns_steps times X ← a·X + (b·M + c·M²)·X with M = X·Xᵀ, from X = u/‖u‖
 *     θ ← θ(1 − γλ) − γ_adj·O,   γ_adj = γ·√max(1, A/B) or γ·0.2·√max(A, B) (match_rms_adamw)
 *
 * NS runs in bfloat16 as torch's does, also for float32 and float64 parameters: every matrix is
 * rounded to bfloat16 after each product, the products summed in float32 by a Wasm SIMD matrix
 * multiply (the same order of sums in every binary and in the reference). The state is torch's
 * `momentum_buffer`.
 */
export class Muon extends Optimizer<MuonOptions> {
  constructor(params: ParamsInput<MuonOptions>, options: MuonOptions = {}) {
    super(params, options, muonDefinition);
  }
}
