/** The optimizers the language model is trained with, and their learning rates for it. */
import type { OptimizerName } from "simdopt";

/** Which of the model's parameters an optimizer steps: all, the 2-D matrices, or the bias vectors. */
export type LstmParameterSet = "all" | "matrices" | "vectors";

/** One optimizer over one set of the model's parameters (`muon`: simdopt's Muon, for matrices only). */
export interface LstmOptimizerPart {
  readonly params: LstmParameterSet;
  readonly optimizer: OptimizerName | "muon";
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * An entry of the comparison: a label and the optimizers that together step every parameter once
 * (one over all of them, or one over the matrices and another over the vectors).
 */
export interface LstmOptimizer {
  readonly label: string;
  readonly parts: readonly LstmOptimizerPart[];
}

const everything = (optimizer: OptimizerName, options: Record<string, unknown>): LstmOptimizerPart[] => [
  { params: "all", optimizer, options },
];

/**
 * The classic optimizers and the newer ones, with learning rates that train the model well in two
 * epochs (each the best of a few tried).
 */
export const LSTM_OPTIMIZERS: readonly LstmOptimizer[] = [
  { label: "SGD", parts: everything("sgd", { lr: 3 }) },
  { label: "Momentum", parts: everything("sgd", { lr: 0.5, momentum: 0.9 }) },
  { label: "RMSprop", parts: everything("rmsprop", { lr: 0.005 }) },
  { label: "Adam", parts: everything("adam", { lr: 0.01 }) },
  { label: "AdamW", parts: everything("adamw", { lr: 0.01, weightDecay: 0.1 }) },
  { label: "AdamWScheduleFree", parts: everything("schedulefree:adamw", { lr: 0.02, warmupSteps: 20 }) },
  {
    label: "Muon", // on the matrices, with AdamW on the biases (Muon takes 2-D parameters only)
    parts: [
      { params: "matrices", optimizer: "muon", options: { lr: 0.02, adjustLrFn: "match_rms_adamw", weightDecay: 0.1 } },
      { params: "vectors", optimizer: "adamw", options: { lr: 0.01, weightDecay: 0.1 } },
    ],
  },
];

/** The set of the model's parameters that `params` names. */
export function parametersOf<P>(
  model: { parameters: P[]; matrices: P[]; vectors: P[] },
  params: LstmParameterSet,
): P[] {
  return params === "all" ? model.parameters : params === "matrices" ? model.matrices : model.vectors;
}
