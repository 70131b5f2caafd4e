/** The classic set's settings for the digit MLP (learning rates that train it well in a few epochs). */
import type { LabOptimizer } from "../classic.js";

/** The classic set with learning rates for the digit MLP (batch 64). */
export const DIGIT_OPTIMIZERS: readonly LabOptimizer[] = [
  { label: "SGD", optimizer: "sgd", options: { lr: 0.1 } },
  { label: "Momentum", optimizer: "sgd", options: { lr: 0.02, momentum: 0.9 } },
  { label: "Nesterov", optimizer: "sgd", options: { lr: 0.02, momentum: 0.9, nesterov: true } },
  { label: "Adagrad", optimizer: "adagrad", options: { lr: 0.02 } },
  { label: "RMSprop", optimizer: "rmsprop", options: { lr: 0.001 } },
  { label: "Adadelta", optimizer: "adadelta", options: { lr: 1 } },
  { label: "Adam", optimizer: "adam", options: { lr: 0.001 } },
  { label: "Adamax", optimizer: "adamax", options: { lr: 0.002 } },
  { label: "Nadam", optimizer: "nadam", options: { lr: 0.002 } },
];
