/**
 * How optimizers respond to synthetic gradient signals: a one-element parameter is fed the gradient
 * g(t) of a signal (independent of the parameter) for 300 steps, and the step the optimizer takes,
 * −Δθ = θ(t) − θ(t+1), is recorded, at three values of the optimizer's main hyper-parameter.
 */
import { createOptimizer, type OptimizerName, type Runtime } from "simdopt";
import { normalRandom, seededRandom } from "./random.js";

/** Steps of every signal. */
export const SIGNAL_STEPS = 300;

/** The synthetic gradient signals by name, each with a one-line description. */
export const SIGNALS: Readonly<Record<string, { description: string; values: () => number[] }>> = {
  spikes: {
    description: "0, with isolated spikes of ±1 and one of +3",
    values: () => steps((t) => ({ 30: 1, 90: -1, 150: 3, 200: 1, 205: 1, 260: -1 })[t] ?? 0),
  },
  rectangles: {
    description: "+1 and −1 plateaus of different lengths with 0 between them",
    values: () => steps((t) => (t >= 20 && t < 80 ? 1 : t >= 120 && t < 150 ? -1 : t >= 190 && t < 280 ? 0.5 : 0)),
  },
  noisy_sine: {
    description: "sin(2πt/100) plus normal noise of σ = 0.3",
    values: () => noisy(0.3, 1),
  },
  very_noisy_sine: {
    description: "sin(2πt/100) plus normal noise of σ = 2",
    values: () => noisy(2, 2),
  },
  uneven_sawtooth: {
    description: "ramps from −1 to +1 of lengths 20, 70, 35, 100 and 75 steps",
    values: () => {
      const lengths = [20, 70, 35, 100, 75];
      const out: number[] = [];
      for (const length of lengths) for (let k = 0; k < length; k++) out.push(-1 + (2 * k) / (length - 1));
      return out.slice(0, SIGNAL_STEPS);
    },
  },
  saturation: {
    description: "a gradient that rises to +1 and stays (tanh), then drops to 0 at step 200",
    values: () => steps((t) => (t < 200 ? Math.tanh(t / 25) : 0)),
  },
};

/** Names of the signals. */
export const SIGNAL_NAMES: readonly string[] = Object.keys(SIGNALS);

function steps(at: (t: number) => number): number[] {
  return Array.from({ length: SIGNAL_STEPS }, (_, t) => at(t));
}

function noisy(sigma: number, seed: number): number[] {
  const normal = normalRandom(seededRandom(seed));
  return steps((t) => Math.sin((2 * Math.PI * t) / 100) + sigma * normal());
}

/** An optimizer of the response study: its main hyper-parameter and the three values tried. */
export interface ResponseSubject {
  readonly label: string;
  readonly optimizer: OptimizerName;
  /** The options every run shares. */
  readonly base: Readonly<Record<string, unknown>>;
  /** The hyper-parameter's name as shown, and the options each of its three values sets. */
  readonly parameter: string;
  readonly values: readonly number[];
  readonly apply: (value: number) => Record<string, unknown>;
}

/** The classic set, each with its main hyper-parameter at three values. */
export const RESPONSE_SUBJECTS: readonly ResponseSubject[] = [
  { label: "SGD", optimizer: "sgd", base: {}, parameter: "lr", values: [0.01, 0.03, 0.1], apply: (lr) => ({ lr }) },
  {
    label: "Momentum",
    optimizer: "sgd",
    base: { lr: 0.01 },
    parameter: "momentum",
    values: [0.5, 0.9, 0.97],
    apply: (momentum) => ({ momentum }),
  },
  {
    label: "Nesterov",
    optimizer: "sgd",
    base: { lr: 0.01, nesterov: true },
    parameter: "momentum",
    values: [0.5, 0.9, 0.97],
    apply: (momentum) => ({ momentum }),
  },
  {
    label: "Adagrad",
    optimizer: "adagrad",
    base: {},
    parameter: "lr",
    values: [0.01, 0.03, 0.1],
    apply: (lr) => ({ lr }),
  },
  {
    label: "RMSprop",
    optimizer: "rmsprop",
    base: { lr: 0.01 },
    parameter: "alpha",
    values: [0.5, 0.9, 0.99],
    apply: (alpha) => ({ alpha }),
  },
  {
    label: "Adadelta",
    optimizer: "adadelta",
    base: { lr: 1 },
    parameter: "rho",
    values: [0.5, 0.9, 0.99],
    apply: (rho) => ({ rho }),
  },
  {
    label: "Adam",
    optimizer: "adam",
    base: { lr: 0.01 },
    parameter: "β1",
    values: [0.5, 0.9, 0.99],
    apply: (b1) => ({ betas: [b1, 0.999] }),
  },
  {
    label: "Adamax",
    optimizer: "adamax",
    base: { lr: 0.01 },
    parameter: "β1",
    values: [0.5, 0.9, 0.99],
    apply: (b1) => ({ betas: [b1, 0.999] }),
  },
  {
    label: "Nadam",
    optimizer: "nadam",
    base: { lr: 0.01 },
    parameter: "β1",
    values: [0.5, 0.9, 0.99],
    apply: (b1) => ({ betas: [b1, 0.999] }),
  },
];

/** The steps −Δθ that `optimizer` with `options` takes when fed `gradients` (float64, θ starting at 0). */
export function response(
  runtime: Runtime,
  optimizer: OptimizerName,
  options: object,
  gradients: readonly number[],
): number[] {
  const theta = runtime.parameter(1, { name: "theta", dtype: "float64" });
  try {
    const opt = createOptimizer(optimizer, [theta], options as never);
    try {
      return gradients.map((g) => {
        const before = theta.data[0];
        theta.setGrad([g]);
        opt.step();
        return before - theta.data[0];
      });
    } finally {
      opt.dispose();
    }
  } finally {
    theta.dispose();
  }
}
