/**
 * Keras's optimizers (Keras 3, with Keras 2's `decay`) on simdopt's kernels: Keras's option names
 * in camelCase and its defaults, its update rules mapped onto the kernel that computes the same
 * thing (Adam's ε-hat as a per-step ε, momentum taken after the learning rate as a gradient scale,
 * ε inside RMSprop's root), and Keras's base options: clipnorm, globalClipnorm, clipvalue (Wasm
 * passes over the group's gradients before the step, see clip.ts), weightDecay (decoupled:
 * θ ← θ − θ·λ·lr, before the update) and decay (lr_t = learningRate / (1 + decay·k), k the steps
 * already taken).
 */
import { Optimizer, type OptimizerDefinition, type ParamsInput, type StepReport } from "../optimizer.js";
import type { OptionChecker } from "../runtime/validate.js";
import { clipAsKeras, type ClipOptions } from "./clip.js";
import { gradientsFinite } from "../clipping/norm.js";

/** The options every Keras optimizer takes (keras.optimizers.Optimizer's). */
export interface KerasBaseOptions extends ClipOptions {
  /** Decoupled weight decay λ: θ ← θ − θ·λ·lr before the update (null: none). */
  weightDecay?: number | null;
  /** Keras 2's learning-rate decay: lr_t = learningRate / (1 + decay·k). */
  decay?: number;
}

const BASE_DEFAULTS: Required<KerasBaseOptions> = {
  weightDecay: null,
  clipnorm: null,
  globalClipnorm: null,
  clipvalue: null,
  decay: 0,
};

function checkBase(o: Required<KerasBaseOptions>, check: OptionChecker): void {
  const set = (["clipnorm", "globalClipnorm", "clipvalue"] as const).filter((name) => o[name] !== null);
  for (const name of set) check.nonNegative(name, o[name]);
  if (set.length > 1) check.fail(`set at most one of clipnorm, globalClipnorm and clipvalue, got ${set.join(" and ")}`);
  if (o.weightDecay !== null) check.nonNegative("weightDecay", o.weightDecay);
  check.nonNegative("decay", o.decay);
}

/** The learning rate of step t (1 for the first) with Keras 2's decay. */
const decayed = (o: { learningRate: number; decay: number }, t: number) => o.learningRate / (1 + o.decay * (t - 1));
const paramScale = (o: Required<KerasBaseOptions>, lr: number) => 1 - (o.weightDecay ?? 0) * lr;
const decays = (o: Required<KerasBaseOptions>) => (o.weightDecay ?? 0) !== 0;

/**
 * A Keras optimizer: clips the gradients of each group as its options say, then steps (the
 * kernels apply the weight decay, as each preset's plan says).
 */
export class KerasOptimizer<O extends KerasBaseOptions & { learningRate?: number }> extends Optimizer<O> {
  override step(): StepReport;
  override step<L>(closure: () => L): L;
  override step<L>(closure?: () => L): StepReport | L {
    // The tables must still be there before a kernel reads them.
    this.checkUsable();
    // With a closure, it computes the gradients first (as torch's step(closure)); then they are clipped.
    if (closure === undefined) {
      this.clipGradients();
      return super.step();
    }
    return super.step(() => {
      const loss = closure();
      this.clipGradients();
      return loss;
    });
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

// ---- keras.optimizers.Adam

export interface KerasAdamOptions extends KerasBaseOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

export const kerasAdamDefaults: Required<KerasAdamOptions> = {
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  amsgrad: false,
  ...BASE_DEFAULTS,
};

function checkBetas(o: { beta1: number; beta2: number }, check: OptionChecker): void {
  check.betas([o.beta1, o.beta2], ["beta1", "beta2"]);
}

/** Keras's Adam: θ ← θ − lr·√(1 − β2ᵗ)/(1 − β1ᵗ) · m/(√v + ε), Adam's kernel with ε/√(1 − β2ᵗ). */
export const kerasAdamDefinition: OptimizerDefinition<KerasAdamOptions, "adam"> = {
  title: "keras:adam",
  kernel: "adam",
  defaults: kerasAdamDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    checkBetas(o, check);
    check.nonNegative("epsilon", o.epsilon);
    check.boolean("amsgrad", o.amsgrad);
    checkBase(o, check);
  },
  buffers: (o) => ({ expAvg: 0, expAvgSq: 0, maxExpAvgSq: o.amsgrad ? 0 : null }),
  plan(o, t) {
    const lr = decayed(o, t);
    const biasCorrection2Sqrt = Math.sqrt(1 - o.beta2 ** t);
    return {
      scalars: {
        gradScale: 1,
        paramScale: paramScale(o, lr),
        weightDecay: 0,
        beta1: o.beta1,
        oneMinusBeta1: 1 - o.beta1,
        beta2: o.beta2,
        oneMinusBeta2: 1 - o.beta2,
        biasCorrection2Sqrt,
        eps: o.epsilon / biasCorrection2Sqrt,
        negStepSize: -(lr / (1 - o.beta1 ** t)),
      },
      flags: { decoupled: decays(o), coupled: false, amsgrad: o.amsgrad },
    };
  },
};

/** keras.optimizers.Adam (its ε is added to √v, not to the bias-corrected √v̂ as torch's). */
export class KerasAdam extends KerasOptimizer<KerasAdamOptions> {
  constructor(params: ParamsInput<KerasAdamOptions>, options: KerasAdamOptions = {}) {
    super(params, options, kerasAdamDefinition);
  }
}

// ---- keras.optimizers.Nadam

export type KerasNadamOptions = Omit<KerasAdamOptions, "amsgrad">;

export const kerasNadamDefaults: Required<KerasNadamOptions> = {
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  ...BASE_DEFAULTS,
};

/**
 * Keras's Nadam: torch 2's NAdam with μ_t = β1(1 − ½·0.96ᵗ) (torch's momentumDecay of 1) and the
 * running product Πμ in the parameters' precision (double here) rather than torch's float32.
 */
export const kerasNadamDefinition: OptimizerDefinition<KerasNadamOptions, "nadam"> = {
  title: "keras:nadam",
  kernel: "nadam",
  defaults: kerasNadamDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    checkBetas(o, check);
    check.nonNegative("epsilon", o.epsilon);
    checkBase(o, check);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  initialState: () => ({ muProduct: 1 }),
  plan(o, t, state) {
    const lr = decayed(o, t);
    const mu = o.beta1 * (1 - 0.5 * 0.96 ** t);
    const muNext = o.beta1 * (1 - 0.5 * 0.96 ** (t + 1));
    const muProduct = state.muProduct * mu;
    return {
      scalars: {
        gradScale: 1,
        paramScale: paramScale(o, lr),
        weightDecay: 0,
        beta1: o.beta1,
        oneMinusBeta1: 1 - o.beta1,
        beta2: o.beta2,
        oneMinusBeta2: 1 - o.beta2,
        biasCorrection2: 1 - o.beta2 ** t,
        eps: o.epsilon,
        gradCoef: (-lr * (1 - mu)) / (1 - muProduct),
        avgCoef: (-lr * muNext) / (1 - muProduct * muNext),
        epsRoot: 0,
      },
      flags: { decoupled: decays(o), coupled: false, withEpsRoot: false, momentumOnly: false },
      next: { muProduct },
    };
  },
};

/** keras.optimizers.Nadam. */
export class KerasNadam extends KerasOptimizer<KerasNadamOptions> {
  constructor(params: ParamsInput<KerasNadamOptions>, options: KerasNadamOptions = {}) {
    super(params, options, kerasNadamDefinition);
  }
}

// ---- keras.optimizers.RMSprop

export interface KerasRMSpropOptions extends KerasBaseOptions {
  learningRate?: number;
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

export const kerasRMSpropDefaults: Required<KerasRMSpropOptions> = {
  learningRate: 1e-3,
  rho: 0.9,
  momentum: 0,
  epsilon: 1e-7,
  centered: false,
  ...BASE_DEFAULTS,
};

/** Keras's RMSprop: ε inside the root, momentum after the learning rate (b ← μb + lr·g/√(v + ε), θ ← θ − b). */
export const kerasRMSpropDefinition: OptimizerDefinition<KerasRMSpropOptions, "rmsprop"> = {
  title: "keras:rmsprop",
  kernel: "rmsprop",
  defaults: kerasRMSpropDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("rho", o.rho, 0, 1);
    check.nonNegative("momentum", o.momentum);
    check.nonNegative("epsilon", o.epsilon);
    check.boolean("centered", o.centered);
    checkBase(o, check);
  },
  buffers: (o) => ({ squareAvg: 0, gradAvg: o.centered ? 0 : null, momentumBuffer: o.momentum > 0 ? 0 : null }),
  plan(o, t) {
    const lr = decayed(o, t);
    const withMomentum = o.momentum > 0;
    return {
      scalars: {
        gradScale: 1,
        weightDecay: 0,
        paramScale: paramScale(o, lr),
        alpha: o.rho,
        oneMinusAlpha: 1 - o.rho,
        eps: o.epsilon,
        momentum: o.momentum,
        momentumScale: lr,
        negLr: withMomentum ? -1 : -lr,
        gradAvgScale: 1,
      },
      flags: {
        coupled: false,
        decoupled: decays(o),
        centered: o.centered,
        withMomentum,
        epsInRoot: true,
        nesterov: false,
      },
    };
  },
};

/** keras.optimizers.RMSprop. */
export class KerasRMSprop extends KerasOptimizer<KerasRMSpropOptions> {
  constructor(params: ParamsInput<KerasRMSpropOptions>, options: KerasRMSpropOptions = {}) {
    super(params, options, kerasRMSpropDefinition);
  }
}

// ---- keras.optimizers.SGD

export interface KerasSGDOptions extends KerasBaseOptions {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

export const kerasSGDDefaults: Required<KerasSGDOptions> = {
  learningRate: 1e-2,
  momentum: 0,
  nesterov: false,
  ...BASE_DEFAULTS,
};

/**
 * Keras's SGD: m ← μm − lr·g, θ ← θ + m (Nesterov: θ ← θ + μm − lr·g), the momentum taken after
 * the learning rate: SGD's kernel with the gradient scaled by lr_t and a step of 1.
 */
export const kerasSGDDefinition: OptimizerDefinition<KerasSGDOptions, "sgd"> = {
  title: "keras:sgd",
  kernel: "sgd",
  defaults: kerasSGDDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("momentum", o.momentum, 0, 1, true);
    check.boolean("nesterov", o.nesterov);
    checkBase(o, check);
  },
  buffers: (o) => ({ momentumBuffer: o.momentum !== 0 ? 0 : null }),
  plan(o, t) {
    const lr = decayed(o, t);
    const withMomentum = o.momentum !== 0;
    return {
      scalars: {
        gradScale: withMomentum ? lr : 1,
        paramScale: paramScale(o, lr),
        weightDecay: 0,
        momentum: o.momentum,
        oneMinusDampening: 1,
        negLr: withMomentum ? -1 : -lr,
      },
      flags: {
        coupled: false,
        decoupled: decays(o),
        withMomentum,
        firstStep: t === 1,
        nesterov: withMomentum && o.nesterov,
      },
    };
  },
};

/** keras.optimizers.SGD. */
export class KerasSGD extends KerasOptimizer<KerasSGDOptions> {
  constructor(params: ParamsInput<KerasSGDOptions>, options: KerasSGDOptions = {}) {
    super(params, options, kerasSGDDefinition);
  }
}

// ---- keras.optimizers.Lion

export type KerasLionOptions = Omit<KerasAdamOptions, "epsilon" | "amsgrad">;

export const kerasLionDefaults: Required<KerasLionOptions> = {
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.99,
  ...BASE_DEFAULTS,
};

/** Keras's Lion: θ ← θ − lr·sign(β1·m + (1 − β1)g), m ← β2·m + (1 − β2)g, Lion's kernel. */
export const kerasLionDefinition: OptimizerDefinition<KerasLionOptions, "lion"> = {
  title: "keras:lion",
  kernel: "lion",
  defaults: kerasLionDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("beta1", o.beta1, 0, 1, true);
    check.inRange("beta2", o.beta2, 0, 1, true);
    checkBase(o, check);
  },
  buffers: () => ({ expAvg: 0 }),
  plan(o, t) {
    const lr = decayed(o, t);
    return {
      scalars: {
        gradScale: 1,
        paramScale: paramScale(o, lr),
        beta1: o.beta1,
        oneMinusBeta1: 1 - o.beta1,
        beta2: o.beta2,
        oneMinusBeta2: 1 - o.beta2,
        negLr: -lr,
      },
      flags: { decoupled: decays(o) },
    };
  },
};

/** keras.optimizers.Lion. */
export class KerasLion extends KerasOptimizer<KerasLionOptions> {
  constructor(params: ParamsInput<KerasLionOptions>, options: KerasLionOptions = {}) {
    super(params, options, kerasLionDefinition);
  }
}
