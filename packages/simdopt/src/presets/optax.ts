/**
 * optax's optimizers (optax 0.2.8) on simdopt's kernels: optax's option names in camelCase and its
 * defaults, each update rule mapped onto the kernel that computes it. Where optax bias-corrects ε
 * (m̂/(√v̂ + ε)) and torch does not, the per-step ε becomes ε·√(1 − β2ᵗ); optax's Nesterov Adam is
 * NAdam's kernel with optax's two coefficients; its momentum comes after the learning rate. Not yet
 * mapped (rejected by name): epsRoot ≠ 0, rmsprop's nesterov and biasCorrection.
 */
import { Optimizer, type AnyOptimizerDefinition, type OptimizerDefinition, type ParamsInput } from "../optimizer.js";
import type { OptionChecker } from "../runtime/validate.js";

/** A class over a preset's definition: `new OptaxAdam(params, options)`. */
export type PresetClass<O extends object> = new (params: ParamsInput<O>, options?: O) => Optimizer<O>;

export function presetClass<O extends object>(definition: AnyOptimizerDefinition<O>): PresetClass<O> {
  return class extends Optimizer<O> {
    constructor(params: ParamsInput<O>, options: O = {} as O) {
      super(params, options, definition);
    }
  };
}

function notYet(check: OptionChecker, name: string, value: unknown, off: boolean | number): void {
  if (typeof off === "boolean")
    check.boolean(name, value); // a wrong type is a TypeError first
  else check.number(name, value);
  if (value !== off) check.fail(`option '${name}' = ${String(value)} is not supported yet (only ${String(off)})`);
}

// ---- adam, adamw, nadam

export interface OptaxAdamOptions {
  learningRate?: number;
  b1?: number;
  b2?: number;
  eps?: number;
  /** ε inside the root, √(v̂ + epsRoot): only 0 so far. */
  epsRoot?: number;
  nesterov?: boolean;
}

export interface OptaxAdamWOptions extends OptaxAdamOptions {
  /** Decoupled, multiplied by the learning rate: θ ← θ − lr·(u + λθ). */
  weightDecay?: number;
}

export const optaxAdamDefaults: Required<OptaxAdamOptions> = {
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-8,
  epsRoot: 0,
  nesterov: false,
};
export const optaxAdamWDefaults: Required<OptaxAdamWOptions> = { ...optaxAdamDefaults, weightDecay: 1e-4 };
export const optaxNadamDefaults: Required<OptaxAdamOptions> = { ...optaxAdamDefaults, nesterov: true };

function checkAdam(o: Required<OptaxAdamOptions>, check: OptionChecker): void {
  check.nonNegative("learningRate", o.learningRate);
  check.betas([o.b1, o.b2], ["b1", "b2"]);
  check.nonNegative("eps", o.eps);
  check.nonNegative("epsRoot", o.epsRoot);
  notYet(check, "epsRoot", o.epsRoot, 0);
  check.boolean("nesterov", o.nesterov);
}

/**
 * optax's Adam family on NAdam's kernel, which computes θ + c_g·g/d + c_m·m/d with d = √(v/(1 − β2ᵗ)) + ε:
 * plain, c_m = −lr/(1 − β1ᵗ); Nesterov, c_m = −lr·β1/(1 − β1^(t+1)) and c_g = −lr(1 − β1)/(1 − β1ᵗ).
 */
function adamFamily(
  title: string,
  defaults: Required<OptaxAdamWOptions>,
): OptimizerDefinition<OptaxAdamWOptions, "nadam"> {
  return {
    title,
    kernel: "nadam",
    defaults,
    validate(o, check) {
      checkAdam(o, check);
      check.nonNegative("weightDecay", o.weightDecay);
    },
    buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
    plan(o, t) {
      const lr = o.learningRate;
      const bc1 = 1 - o.b1 ** t;
      return {
        scalars: {
          gradScale: 1,
          paramScale: 1 - lr * o.weightDecay,
          weightDecay: 0,
          beta1: o.b1,
          oneMinusBeta1: 1 - o.b1,
          beta2: o.b2,
          oneMinusBeta2: 1 - o.b2,
          biasCorrection2: 1 - o.b2 ** t,
          eps: o.eps,
          gradCoef: o.nesterov ? (-lr * (1 - o.b1)) / bc1 : 0,
          avgCoef: o.nesterov ? (-lr * o.b1) / (1 - o.b1 ** (t + 1)) : -lr / bc1,
        },
        flags: { decoupled: o.weightDecay !== 0, coupled: false },
      };
    },
  };
}

export const optaxAdamDefinition = adamFamily("optax:adam", {
  ...optaxAdamDefaults,
  weightDecay: 0,
}) as unknown as OptimizerDefinition<OptaxAdamOptions, "nadam">;
export const optaxAdamWDefinition = adamFamily("optax:adamw", optaxAdamWDefaults);
export const optaxNadamDefinition = adamFamily("optax:nadam", {
  ...optaxNadamDefaults,
  weightDecay: 0,
}) as unknown as OptimizerDefinition<OptaxAdamOptions, "nadam">;
// optax.adam and optax.nadam have no weight decay: their definitions keep it at 0 and do not accept it.
for (const definition of [optaxAdamDefinition, optaxNadamDefinition]) {
  delete (definition.defaults as Partial<OptaxAdamWOptions>).weightDecay;
  const { validate, plan } = definition;
  definition.validate = (o, check) => validate({ ...o, weightDecay: 0 } as Required<OptaxAdamOptions>, check);
  definition.plan = (o, t, state) => plan({ ...o, weightDecay: 0 } as Required<OptaxAdamOptions>, t, state);
}

/** optax.adam. */
export const OptaxAdam = presetClass(optaxAdamDefinition);
/** optax.adamw. */
export const OptaxAdamW = presetClass(optaxAdamWDefinition);
/** optax.nadam (optax.adam with nesterov). */
export const OptaxNadam = presetClass(optaxNadamDefinition);

// ---- sgd

export interface OptaxSGDOptions {
  learningRate?: number;
  /** null: no momentum. */
  momentum?: number | null;
  nesterov?: boolean;
}

export const optaxSGDDefaults: Required<OptaxSGDOptions> = { learningRate: 1e-3, momentum: null, nesterov: false };

/** optax.sgd: tr ← g + μ·tr; θ ← θ − lr·(g + μ·tr if nesterov, tr otherwise), SGD's kernel without dampening. */
export const optaxSGDDefinition: OptimizerDefinition<OptaxSGDOptions, "sgd"> = {
  title: "optax:sgd",
  kernel: "sgd",
  defaults: optaxSGDDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    if (o.momentum !== null) check.nonNegative("momentum", o.momentum);
    check.boolean("nesterov", o.nesterov);
  },
  buffers: (o) => ({ momentumBuffer: o.momentum !== null && o.momentum !== 0 ? 0 : null }),
  plan(o, t) {
    const withMomentum = o.momentum !== null && o.momentum !== 0;
    return {
      scalars: {
        gradScale: 1,
        weightDecay: 0,
        momentum: o.momentum ?? 0,
        oneMinusDampening: 1,
        negLr: -o.learningRate,
      },
      flags: { coupled: false, withMomentum, firstStep: t === 1, nesterov: withMomentum && o.nesterov },
    };
  },
};

/** optax.sgd. */
export const OptaxSGD = presetClass(optaxSGDDefinition);

// ---- lion

export interface OptaxLionOptions {
  learningRate?: number;
  b1?: number;
  b2?: number;
  weightDecay?: number;
}

export const optaxLionDefaults: Required<OptaxLionOptions> = {
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.99,
  weightDecay: 1e-3,
};

/** optax.lion: θ ← θ − lr·(sign(β1·m + (1 − β1)g) + λθ), Lion's kernel. */
export const optaxLionDefinition: OptimizerDefinition<OptaxLionOptions, "lion"> = {
  title: "optax:lion",
  kernel: "lion",
  defaults: optaxLionDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.betas([o.b1, o.b2], ["b1", "b2"]);
    check.nonNegative("weightDecay", o.weightDecay);
  },
  buffers: () => ({ expAvg: 0 }),
  plan: (o) => ({
    scalars: {
      gradScale: 1,
      paramScale: 1 - o.learningRate * o.weightDecay,
      beta1: o.b1,
      oneMinusBeta1: 1 - o.b1,
      beta2: o.b2,
      oneMinusBeta2: 1 - o.b2,
      negLr: -o.learningRate,
    },
    flags: { decoupled: o.weightDecay !== 0 },
  }),
};

/** optax.lion. */
export const OptaxLion = presetClass(optaxLionDefinition);

// ---- adamax

export interface OptaxAdamaxOptions {
  learningRate?: number;
  b1?: number;
  b2?: number;
  eps?: number;
}

export const optaxAdamaxDefaults: Required<OptaxAdamaxOptions> = { learningRate: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8 };

/** optax.adamax: ν ← max(β2·ν, |g| + ε), θ ← θ − lr·(m/(1 − β1ᵗ))/ν, torch's Adamax. */
export const optaxAdamaxDefinition: OptimizerDefinition<OptaxAdamaxOptions, "adamax"> = {
  title: "optax:adamax",
  kernel: "adamax",
  defaults: optaxAdamaxDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.betas([o.b1, o.b2], ["b1", "b2"]);
    check.nonNegative("eps", o.eps);
  },
  buffers: () => ({ expAvg: 0, expInf: 0 }),
  plan: (o, t) => ({
    scalars: {
      gradScale: 1,
      weightDecay: 0,
      beta1: o.b1,
      oneMinusBeta1: 1 - o.b1,
      beta2: o.b2,
      eps: o.eps,
      negClr: -(o.learningRate / (1 - o.b1 ** t)),
    },
    flags: { coupled: false },
  }),
};

/** optax.adamax. */
export const OptaxAdamax = presetClass(optaxAdamaxDefinition);

// ---- adadelta

export interface OptaxAdadeltaOptions {
  learningRate?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
}

export const optaxAdadeltaDefaults: Required<OptaxAdadeltaOptions> = {
  learningRate: 1,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
};

/** optax.adadelta: torch's Adadelta (λθ added to the gradient). */
export const optaxAdadeltaDefinition: OptimizerDefinition<OptaxAdadeltaOptions, "adadelta"> = {
  title: "optax:adadelta",
  kernel: "adadelta",
  defaults: optaxAdadeltaDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("rho", o.rho, 0, 1, true);
    check.nonNegative("eps", o.eps);
    check.nonNegative("weightDecay", o.weightDecay);
  },
  buffers: () => ({ squareAvg: 0, accDelta: 0 }),
  plan: (o) => ({
    scalars: {
      gradScale: 1,
      weightDecay: o.weightDecay,
      rho: o.rho,
      oneMinusRho: 1 - o.rho,
      eps: o.eps,
      negLr: -o.learningRate,
    },
    flags: { coupled: o.weightDecay !== 0 },
  }),
};

/** optax.adadelta. */
export const OptaxAdadelta = presetClass(optaxAdadeltaDefinition);

// ---- radam

export interface OptaxRAdamOptions {
  learningRate?: number;
  b1?: number;
  b2?: number;
  eps?: number;
  epsRoot?: number;
  /** The ρ_t from which the rectified update applies (ρ_t ≥ threshold). */
  threshold?: number;
  nesterov?: boolean;
}

export const optaxRAdamDefaults: Required<OptaxRAdamOptions> = {
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-8,
  epsRoot: 0,
  threshold: 5,
  nesterov: false,
};

/** optax.radam on RAdam's kernel, with optax's bias-corrected ε (ε·√(1 − β2ᵗ) in torch's form) and its threshold. */
export const optaxRAdamDefinition: OptimizerDefinition<OptaxRAdamOptions, "radam"> = {
  title: "optax:radam",
  kernel: "radam",
  defaults: optaxRAdamDefaults,
  validate(o, check) {
    checkAdam(o, check);
    notYet(check, "nesterov", o.nesterov, false);
    check.number("threshold", o.threshold);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  plan(o, t) {
    const biasCorrection2 = 1 - o.b2 ** t;
    const rhoInf = 2 / (1 - o.b2) - 1;
    const rhoT = rhoInf - (2 * t * o.b2 ** t) / biasCorrection2;
    const rectified = rhoT >= o.threshold;
    return {
      scalars: {
        gradScale: 1,
        paramScale: 1,
        weightDecay: 0,
        beta1: o.b1,
        oneMinusBeta1: 1 - o.b1,
        beta2: o.b2,
        oneMinusBeta2: 1 - o.b2,
        biasCorrection1: 1 - o.b1 ** t,
        lr: o.learningRate,
        biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
        eps: o.eps * Math.sqrt(biasCorrection2),
        rect: rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0,
      },
      flags: { decoupled: false, coupled: false, rectified },
    };
  },
};

/** optax.radam. */
export const OptaxRAdam = presetClass(optaxRAdamDefinition);

// ---- lamb

export interface OptaxLambOptions {
  learningRate?: number;
  b1?: number;
  b2?: number;
  eps?: number;
  epsRoot?: number;
  weightDecay?: number;
}

export const optaxLambDefaults: Required<OptaxLambOptions> = {
  learningRate: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-6,
  epsRoot: 0,
  weightDecay: 0,
};

/**
 * optax.lamb on LAMB's kernel: optax's u = m̂/(√v̂ + ε) + λθ is s·(m/(√v + ε√bc2) + (λ/s)θ) with
 * s = √bc2/bc1, and the trust ratio ‖θ‖/‖u‖ takes the scale s out again, so the kernel runs with
 * ε·√bc2, λ/s, no clamp and a step of −lr.
 */
export const optaxLambDefinition: OptimizerDefinition<OptaxLambOptions, "lamb"> = {
  title: "optax:lamb",
  kernel: "lamb",
  defaults: optaxLambDefaults,
  validate(o, check) {
    checkAdam({ ...o, nesterov: false }, check);
    check.nonNegative("weightDecay", o.weightDecay);
  },
  buffers: () => ({ expAvg: 0, expAvgSq: 0 }),
  plan(o, t) {
    const bc1 = 1 - o.b1 ** t;
    const bc2Sqrt = Math.sqrt(1 - o.b2 ** t);
    return {
      scalars: {
        beta1: o.b1,
        oneMinusBeta1: 1 - o.b1,
        beta2: o.b2,
        oneMinusBeta2: 1 - o.b2,
        eps: o.eps * bc2Sqrt,
        weightDecay: (o.weightDecay * bc1) / bc2Sqrt,
        negStepSize: -o.learningRate,
        clampValue: Infinity,
      },
      flags: { decay: o.weightDecay !== 0, adamMode: false },
    };
  },
};

/** optax.lamb. */
export const OptaxLamb = presetClass(optaxLambDefinition);

// ---- rmsprop

export interface OptaxRMSpropOptions {
  learningRate?: number;
  decay?: number;
  eps?: number;
  /** ν₀. */
  initialScale?: number;
  /** √(ν + ε) (true) or √ν + ε. */
  epsInSqrt?: boolean;
  centered?: boolean;
  /** null: no momentum; taken after the learning rate. */
  momentum?: number | null;
  nesterov?: boolean;
  biasCorrection?: boolean;
}

export const optaxRMSpropDefaults: Required<OptaxRMSpropOptions> = {
  learningRate: 1e-3,
  decay: 0.9,
  eps: 1e-8,
  initialScale: 0,
  epsInSqrt: true,
  centered: false,
  momentum: null,
  nesterov: false,
  biasCorrection: false,
};

/** optax.rmsprop on RMSprop's kernel (ε inside or outside the root, momentum after the learning rate). */
export const optaxRMSpropDefinition: OptimizerDefinition<OptaxRMSpropOptions, "rmsprop"> = {
  title: "optax:rmsprop",
  kernel: "rmsprop",
  defaults: optaxRMSpropDefaults,
  validate(o, check) {
    check.nonNegative("learningRate", o.learningRate);
    check.inRange("decay", o.decay, 0, 1, true);
    check.nonNegative("eps", o.eps);
    check.nonNegative("initialScale", o.initialScale);
    check.boolean("epsInSqrt", o.epsInSqrt);
    check.boolean("centered", o.centered);
    if (o.momentum !== null) check.nonNegative("momentum", o.momentum);
    notYet(check, "nesterov", o.nesterov, false);
    notYet(check, "biasCorrection", o.biasCorrection, false);
  },
  buffers: (o) => ({
    squareAvg: o.initialScale,
    gradAvg: o.centered ? 0 : null,
    momentumBuffer: o.momentum ? 0 : null,
  }),
  plan(o) {
    const withMomentum = o.momentum !== null && o.momentum > 0;
    return {
      scalars: {
        gradScale: 1,
        weightDecay: 0,
        paramScale: 1,
        alpha: o.decay,
        oneMinusAlpha: 1 - o.decay,
        eps: o.eps,
        momentum: o.momentum ?? 0,
        momentumScale: o.learningRate,
        negLr: withMomentum ? -1 : -o.learningRate,
      },
      flags: { coupled: false, decoupled: false, centered: o.centered, withMomentum, epsInRoot: o.epsInSqrt },
    };
  },
};

/** optax.rmsprop. */
export const OptaxRMSprop = presetClass(optaxRMSpropDefinition);
