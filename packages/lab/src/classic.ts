/**
 * The classic set of the optimizer comparisons: SGD, Momentum, Nesterov, Adagrad, RMSprop, Adadelta,
 * Adam, Adamax and Nadam, each as a simdopt optimizer with options, and its default settings on
 * a test function.
 */
import type { OptimizerName } from "simdopt";
import type { LabFunction } from "./functions.js";

/** One entry of a comparison: a label, a simdopt optimizer and its options. */
export interface LabOptimizer {
  readonly label: string;
  readonly optimizer: OptimizerName;
  readonly options: Readonly<Record<string, unknown>>;
}

/** The settings a user can move (the playground's sliders, the CLI's flags). */
export interface Knobs {
  /** Multiplies every optimizer's default learning rate. */
  lrScale?: number;
  /** Momentum of Momentum and Nesterov (and RMSprop's, when not 0). */
  momentum?: number;
  /** β1 of Adam, Adamax and Nadam. */
  beta1?: number;
  /** β2 of Adam, Adamax and Nadam, and the squared-gradient average (α, ρ) of RMSprop and Adadelta. */
  beta2?: number;
}

/** The classic set's labels in drawing order. */
export const CLASSIC_LABELS = [
  "SGD",
  "Momentum",
  "Nesterov",
  "Adagrad",
  "RMSprop",
  "Adadelta",
  "Adam",
  "Adamax",
  "Nadam",
] as const;
/** A label of the classic set. */
export type ClassicLabel = (typeof CLASSIC_LABELS)[number];

/**
 * The classic set with learning rates suited to `fn`: the gradient-proportional methods take the
 * function's `sgdLr` (Momentum and Nesterov a quarter of it, since momentum 0.9 multiplies the step
 * by up to ten); the sign-like adaptive methods take the function's `adaptiveLr` (Adagrad five
 * times it, RMSprop half, Adadelta, whose steps start at about √ε, forty times it).
 */
export function classicSet(
  fn: LabFunction,
  knobs: Knobs = {},
  labels: readonly string[] = CLASSIC_LABELS,
): LabOptimizer[] {
  const { lrScale = 1, momentum = 0.9, beta1 = 0.9, beta2 = 0.999 } = knobs;
  const step = fn.adaptiveLr * lrScale;
  const sgd = fn.sgdLr * lrScale;
  const average = Math.min(beta2, 0.99); // RMSprop's α and Adadelta's ρ: torch's defaults are 0.99 and 0.9
  const all: Record<ClassicLabel, LabOptimizer> = {
    SGD: { label: "SGD", optimizer: "sgd", options: { lr: sgd } },
    Momentum: { label: "Momentum", optimizer: "sgd", options: { lr: sgd / 4, momentum } },
    Nesterov: { label: "Nesterov", optimizer: "sgd", options: { lr: sgd / 4, momentum, nesterov: true } },
    Adagrad: { label: "Adagrad", optimizer: "adagrad", options: { lr: step * 5 } },
    RMSprop: { label: "RMSprop", optimizer: "rmsprop", options: { lr: step / 2, alpha: average } },
    Adadelta: { label: "Adadelta", optimizer: "adadelta", options: { lr: step * 40, rho: Math.min(beta2, 0.95) } },
    Adam: { label: "Adam", optimizer: "adam", options: { lr: step, betas: [beta1, beta2] } },
    Adamax: { label: "Adamax", optimizer: "adamax", options: { lr: step, betas: [beta1, beta2] } },
    Nadam: { label: "Nadam", optimizer: "nadam", options: { lr: step, betas: [beta1, beta2] } },
  };
  return labels.map((label) => {
    const found = Object.hasOwn(all, label) ? all[label as ClassicLabel] : undefined;
    if (found === undefined) {
      throw new TypeError(`simdopt-lab: unknown optimizer '${label}' (known: ${CLASSIC_LABELS.join(", ")})`);
    }
    return found;
  });
}

/**
 * Ten colours that stay apart from each other and from a light background: Tableau 10, with its
 * pink (too near its red and purple: Nesterov, Adam) replaced by a dark grey for Adamax.
 */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#3d3d3d",
  "#9c755f",
  "#bab0ac",
];

/** The colour of the classic optimizer `label` (the same in every picture). */
export function colourOf(label: string, index = 0): string {
  const at = (CLASSIC_LABELS as readonly string[]).indexOf(label);
  return PALETTE[(at >= 0 ? at : index) % PALETTE.length];
}
