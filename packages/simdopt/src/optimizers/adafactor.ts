import { gradScale, Optimizer, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import { lastTwoDims } from "../runtime/shape-words.js";
import { adafactorLengths } from "../runtime/state-lengths.js";
import { deepFreeze } from "../runtime/freeze.js";

/**
 * Options of `Adafactor`, as torch.optim.Adafactor names them in camelCase; every one optional (defaults:
 * `adafactorDefaults`).
 */
export interface AdafactorOptions {
  /** Learning rate: the step's size relative to the parameter's RMS is min(lr, 1/√t). Default 1e-2. */
  lr?: number;
  /** The exponent of t in the new second moment's weight w = t^β2decay (at most 0). */
  beta2Decay?: number;
  /** `[ε1, ε2]`: the floor of the second moment (null: the dtype's machine epsilon) and of the parameter's RMS. */
  eps?: [number | null, number];
  /** The clipping threshold of the update's RMS. */
  d?: number;
  /** Decoupled: θ ← θ(1 − γλ). */
  weightDecay?: number;
  /** Ascend the objective instead of descending it (torch's `maximize`). Default false. */
  maximize?: boolean;
}

/** torch.optim.Adafactor's defaults. */
export const adafactorDefaults: Required<AdafactorOptions> = deepFreeze({
  lr: 1e-2,
  beta2Decay: -0.8,
  eps: [null, 1e-3],
  d: 1,
  weightDecay: 0,
  maximize: false,
});

export const adafactorDefinition: OptimizerDefinition<AdafactorOptions, "adafactor"> = {
  title: "Adafactor",
  kernel: "adafactor",
  defaults: adafactorDefaults,
  validate(o, check) {
    check.nonNegative("lr", o.lr);
    if (check.number("beta2Decay", o.beta2Decay) > 0) check.fail(`invalid beta2Decay: ${o.beta2Decay} (must be <= 0)`);
    if (!Array.isArray(o.eps) || o.eps.length !== 2)
      check.fail(`option 'eps' must be a pair [eps1 or null, eps2], got ${String(o.eps)}`, TypeError);
    if (o.eps[0] !== null) check.nonNegative("eps[0]", o.eps[0]);
    check.nonNegative("eps[1]", o.eps[1]);
    check.nonNegative("d", o.d);
    check.nonNegative("weightDecay", o.weightDecay);
    check.boolean("maximize", o.maximize);
  },
  buffers: () => ({ rowVar: 0, colVar: 0, variance: 0 }),
  bufferLengths: (_, shape, length) => adafactorLengths(length, lastTwoDims(shape)),
  // torch's shapes: row_var [..., rows, 1] and col_var [..., 1, cols] (variance: the tensor's).
  bufferShapes: (shape) =>
    shape.length < 2
      ? {}
      : { rowVar: [...shape.slice(0, -1), 1], colVar: [...shape.slice(0, -2), 1, shape.at(-1) ?? 0] },
  plan(o, t) {
    const eps1 = o.eps[0];
    return {
      scalars: {
        gradScale: gradScale(o.maximize),
        paramScale: 1 - o.lr * o.weightDecay,
        weight: t ** o.beta2Decay,
        rho: Math.min(o.lr, 1 / t ** 0.5),
        eps1: eps1 ?? NaN,
        eps1Squared: eps1 === null ? NaN : eps1 * eps1,
        eps2: o.eps[1],
        d: o.d,
      },
      flags: { decoupled: o.weightDecay !== 0 },
    };
  },
};

/**
 * Adafactor (Shazeer & Stern, 2018, https://arxiv.org/abs/1804.04235), as torch.optim.Adafactor
 * computes it. A parameter created with a `shape` of 2 or more dims keeps a factored second moment
 * over its last two dims (rows + cols values per leading index instead of rows·cols); a 1-D one
 * keeps a full one. With w = t^β2decay and ρ = min(γ, 1/√t):
 *
 *     α = max(ε2, RMS(θ))·ρ;   R ← lerp(R, rowmean(g²), w);   C ← lerp(C, colmean(g²), w)
 *     v̂ = R·C / max(mean(R), ε1)  (1-D: V ← lerp(V, g², w), v̂ = V);   u = g/√max(v̂, ε1²)
 *     θ ← θ(1 − γλ) − α/max(1, RMS(u)/d) · u
 *
 * The kernel is hand-written with a SIMD body (norms and means summed in double, in an order the
 * SIMD body, the scalar build and the reference share). The state is what torch keeps: for 2 or
 * more dims `row_var` (batch·rows values, shape [..., rows, 1]) and `col_var` (batch·cols, shape
 * [..., 1, cols]); for fewer, `variance` of the tensor's length.
 */
export class Adafactor extends Optimizer<AdafactorOptions> {
  constructor(params: ParamsInput<AdafactorOptions>, options: AdafactorOptions = {}) {
    super(params, options, adafactorDefinition);
  }
}
