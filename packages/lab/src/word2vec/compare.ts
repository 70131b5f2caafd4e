/**
 * The word2vec comparison: each optimizer trains the skip-gram model from the same initial tables
 * on the same negatives for a number of epochs with sparse gradients; then each is timed for one
 * epoch against its dense step on the same gradients written densely; and a few probe words are
 * looked up among each optimizer's nearest neighbours.
 */
import type { Runtime } from "simdopt";
import { seededRandom } from "../random.js";
import type { Corpus } from "./corpus.js";
import type { Word2vecOptimizer } from "./optimizers.js";
import { nearest, SKIP_GRAM, SkipGram, type SkipGramShape, trainEpoch } from "./skipgram.js";

/** The budget. */
export interface Word2vecRequest {
  epochs: number;
  shape?: SkipGramShape;
  /** Words whose neighbours are shown (those not in the vocabulary are left out). */
  probes?: readonly string[];
  /** Neighbours shown per probe (default 4). */
  neighbours?: number;
  /** Called after each epoch of each run. */
  onEpoch?: (label: string, epoch: number) => void;
}

/** One optimizer's results. */
export interface Word2vecRow {
  label: string;
  options: Readonly<Record<string, unknown>>;
  /** The loss curve: mean loss per pair over each twentieth of an epoch, at `lossEpochs`. */
  losses: number[];
  lossEpochs: number[];
  /** Mean loss per pair of each epoch. */
  epochLosses: number[];
  /** Median over the epochs of the milliseconds per epoch, whole and in the optimizer's steps. */
  msPerEpoch: number;
  stepMsPerEpoch: number;
  /** The dense step on the same gradients: its label and one epoch's milliseconds, whole and in steps. */
  dense: { label: string; msPerEpoch: number; stepMsPerEpoch: number; loss: number };
  /** The nearest neighbours of each probe word in the input vectors after training. */
  neighbours: Record<string, string[]>;
}

export const DEFAULT_PROBES = ["war", "navy", "congress", "treaty", "revenue", "states"] as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs the comparison of `optimizers` on `corpus`. */
export function compareWord2vec(
  runtime: Runtime,
  corpus: Corpus,
  optimizers: readonly Word2vecOptimizer[],
  request: Word2vecRequest,
): Word2vecRow[] {
  const { epochs, shape = SKIP_GRAM, probes = DEFAULT_PROBES, neighbours = 4, onEpoch } = request;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new RangeError(`simdopt-lab: epochs must be a whole number ≥ 1, got ${epochs}`);
  const rows = corpus.vocabulary.length;
  return optimizers.map((entry) => {
    const model = new SkipGram(runtime, rows, shape, 1);
    const sparse = entry.sparse(model.parameters);
    const random = seededRandom(2);
    const row: Word2vecRow = {
      label: entry.label,
      options: entry.options,
      losses: [],
      lossEpochs: [],
      epochLosses: [],
      msPerEpoch: 0,
      stepMsPerEpoch: 0,
      dense: { label: entry.dense.label, msPerEpoch: 0, stepMsPerEpoch: 0, loss: 0 },
      neighbours: Object.create(null), // keyed by the caller's probe words
    };
    const ms: number[] = [];
    const stepMs: number[] = [];
    try {
      for (let e = 0; e < epochs; e++) {
        const result = trainEpoch(model, corpus, () => sparse.step(), { random });
        row.losses.push(...result.losses);
        row.lossEpochs.push(...result.losses.map((_, k) => e + (k + 1) / result.losses.length));
        row.epochLosses.push(result.loss);
        ms.push(result.ms);
        stepMs.push(result.stepMs);
        onEpoch?.(entry.label, e + 1);
      }
      const vectors = model.input.data;
      for (const probe of probes) {
        const word = corpus.index.get(probe);
        if (word === undefined) continue;
        row.neighbours[probe] = nearest(vectors, shape.dim, word, neighbours).map((r) => corpus.vocabulary[r]);
      }
    } finally {
      sparse.dispose();
      model.dispose();
    }
    row.msPerEpoch = median(ms);
    row.stepMsPerEpoch = median(stepMs);
    // The dense step: fresh tables, the same first epoch, every gradient written densely.
    const denseModel = new SkipGram(runtime, rows, shape, 1);
    const dense = entry.dense.make(denseModel.parameters);
    try {
      const result = trainEpoch(denseModel, corpus, () => dense.step(), { random: seededRandom(2), dense: true });
      row.dense = { label: entry.dense.label, msPerEpoch: result.ms, stepMsPerEpoch: result.stepMs, loss: result.loss };
      onEpoch?.(entry.dense.label, 1);
    } finally {
      dense.dispose();
      denseModel.dispose();
    }
    return row;
  });
}
