/**
 * The optimizers compared on word2vec, each with the dense step it is timed against: torch's
 * SGD, Adagrad and SparseAdam (whose dense counterpart is Adam), TensorFlow's LazyAdam and FTRL
 * (each also takes dense gradients). Learning rates that train the skip-gram model well in a few
 * epochs (a step sums the gradients of every pair of its batch, so a frequent word's row gets many:
 * SGD's rate is below word2vec's 0.025 per pair times their number).
 */
import { Adagrad, Adam, Ftrl, LazyAdam, type Parameter, SGD, SparseAdam } from "simdopt";

/** What the comparison needs of an optimizer. */
export interface Stepper {
  step(): unknown;
  dispose(): void;
}

/** One optimizer of the comparison. */
export interface Word2vecOptimizer {
  readonly label: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** The optimizer over the tables, given sparse gradients. */
  readonly sparse: (params: Parameter[]) => Stepper;
  /** The dense step it is timed against, given the same gradients written densely. */
  readonly dense: { readonly label: string; readonly make: (params: Parameter[]) => Stepper };
  /** Whether the dense step computes what the sparse one does (rows without a gradient stay as they are). */
  readonly denseIsSame: boolean;
}

export const WORD2VEC_OPTIMIZERS: readonly Word2vecOptimizer[] = [
  {
    label: "SGD",
    options: { lr: 0.05 },
    sparse: (p) => new SGD(p, { lr: 0.05 }),
    dense: { label: "SGD", make: (p) => new SGD(p, { lr: 0.05 }) },
    denseIsSame: true,
  },
  {
    label: "Adagrad",
    options: { lr: 0.1 },
    sparse: (p) => new Adagrad(p, { lr: 0.1 }),
    dense: { label: "Adagrad", make: (p) => new Adagrad(p, { lr: 0.1 }) },
    denseIsSame: true,
  },
  {
    label: "SparseAdam",
    options: { lr: 0.01 },
    sparse: (p) => new SparseAdam(p, { lr: 0.01 }),
    // Adam's moments decay on every row at every step: not the same arithmetic.
    dense: { label: "Adam", make: (p) => new Adam(p, { lr: 0.01 }) },
    denseIsSame: false,
  },
  {
    label: "LazyAdam",
    options: { learningRate: 0.01 },
    sparse: (p) => new LazyAdam(p, { learningRate: 0.01 }),
    // On a dense gradient LazyAdam is Keras's Adam: every row's moments decay.
    dense: { label: "LazyAdam (dense)", make: (p) => new LazyAdam(p, { learningRate: 0.01 }) },
    denseIsSame: false,
  },
  {
    label: "FTRL",
    options: { learningRate: 0.2 },
    sparse: (p) => new Ftrl(p, { learningRate: 0.2 }),
    // Dense FTRL recomputes every weight from its accumulators, the untouched ones too.
    dense: { label: "FTRL (dense)", make: (p) => new Ftrl(p, { learningRate: 0.2 }) },
    denseIsSame: false,
  },
];

/** The entries named by `labels` (all by default); an unknown label throws, naming the known ones. */
export function word2vecOptimizers(labels?: readonly string[]): Word2vecOptimizer[] {
  const known = WORD2VEC_OPTIMIZERS.map((o) => o.label);
  return (labels ?? known).map((label) => {
    const found = WORD2VEC_OPTIMIZERS.find((o) => o.label === label);
    if (!found) throw new TypeError(`simdopt-lab: unknown optimizer '${label}' (known: ${known.join(", ")})`);
    return found;
  });
}
