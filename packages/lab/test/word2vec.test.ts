// word2vec: the corpus the lab reads, the skip-gram model learning with every sparse optimizer, and
// the sparse step computing what the dense step computes where the arithmetic is the same.
import { loadRuntime, type Runtime } from "simdopt";
import { beforeAll, expect, test } from "vitest";
import { seededRandom } from "../dist/random.js";
import {
  buildCorpus,
  compareWord2vec,
  nearest,
  SkipGram,
  stateOfTheUnionWords,
  trainEpoch,
  WORD2VEC_OPTIMIZERS,
  word2vecOptimizers,
  wordsOf,
} from "../dist/word2vec/index.js";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await loadRuntime({ threads: 1 });
});

const SMALL = { dim: 8, window: 2, negatives: 5, batch: 64 };

test("the text: the addresses from 1790, as lower-case words", () => {
  expect(wordsOf("On the 4th of July, A Treaty's end")).toEqual(["on", "the", "of", "july", "treaty", "end"]);
  const words = stateOfTheUnionWords(5000);
  expect(words).toHaveLength(5000);
  expect(words.slice(0, 5)).toEqual(["fellow", "citizens", "of", "the", "senate"]);
  expect(words.every((word) => /^[a-z]{2,}$/.test(word))).toBe(true);
  expect(stateOfTheUnionWords(200_000)).toHaveLength(200_000); // the package holds far more
  expect(() => stateOfTheUnionWords(0)).toThrow(/maxWords must be ≥ 1, got 0/);
});

test("the corpus: the most frequent words, the text as their rows, negatives by count^¾, subsampling", () => {
  const words = ["b", "a", "c", "a", "b", "a", "d"];
  const corpus = buildCorpus(words, 3);
  expect(corpus.vocabulary).toEqual(["a", "b", "c"]); // ties alphabetically: c before d
  expect(corpus.counts).toEqual([3, 2, 1]);
  expect([...corpus.ids]).toEqual([1, 0, 2, 0, 1, 0]); // d left out
  expect([...corpus.negatives]).toEqual([0, 1, 2]); // ⌈3^¾/4⌉ = ⌈2^¾/4⌉ = ⌈1/4⌉ = 1 entry each
  expect(corpus.index.get("c")).toBe(2);
  const text = stateOfTheUnionWords(20_000);
  const full = buildCorpus(text, 500);
  const sampled = buildCorpus(text, 500, 1e-3);
  const count = (ids: Int32Array, word: number) => ids.filter((id) => id === word).length;
  const the = full.index.get("the") as number;
  expect(count(sampled.ids, the)).toBeLessThan(count(full.ids, the) / 3); // the most frequent words mostly leave
  const rare = full.counts.length - 1;
  expect(count(sampled.ids, rare)).toBe(count(full.ids, rare)); // rare words all stay
  expect(() => buildCorpus(words, 1)).toThrow(/vocabularySize must be a whole number ≥ 2, got 1/);
});

test("nearest: by cosine similarity, the word itself left out", () => {
  const vectors = [1, 0, 0.9, 0.1, -1, 0, 0, 1, 2, 0.1];
  expect(nearest(vectors, 2, 0, 3)).toEqual([4, 1, 3]);
});

test("every optimizer lowers the loss, and its words find neighbours", () => {
  const corpus = buildCorpus(stateOfTheUnionWords(6000), 300, 1e-3);
  const rows = compareWord2vec(runtime, corpus, WORD2VEC_OPTIMIZERS, {
    epochs: 2,
    shape: SMALL,
    probes: ["war", "congress", "not-a-word"],
    neighbours: 3,
  });
  expect(rows.map((row) => row.label)).toEqual(["SGD", "Adagrad", "SparseAdam", "LazyAdam", "FTRL"]);
  for (const row of rows) {
    expect(row.epochLosses).toHaveLength(2);
    expect(row.epochLosses[1], row.label).toBeLessThan(row.epochLosses[0]);
    // The first point of the curve is near log 2 + 5·log 2 (σ(0) everywhere); the last is lower.
    expect(row.losses[0], row.label).toBeLessThan(6 * Math.LN2 + 0.01);
    expect(row.losses.at(-1), row.label).toBeLessThan(row.losses[0]);
    expect(row.lossEpochs.at(-1)).toBe(2);
    expect(Object.keys(row.neighbours)).toEqual(["war", "congress"]);
    for (const found of Object.values(row.neighbours)) {
      expect(found).toHaveLength(3);
      for (const word of found) expect(corpus.index.has(word)).toBe(true);
    }
    expect(row.stepMsPerEpoch).toBeGreaterThan(0);
    expect(row.dense.stepMsPerEpoch).toBeGreaterThan(0);
    // The dense run's first epoch equals the sparse one where the arithmetic is the same.
    const entry = WORD2VEC_OPTIMIZERS.find((o) => o.label === row.label);
    if (entry?.denseIsSame) expect(row.dense.loss).toBe(row.epochLosses[0]);
    else expect(row.dense.loss).not.toBe(row.epochLosses[0]);
  }
  expect(() => word2vecOptimizers(["Adam"])).toThrow(/unknown optimizer 'Adam' \(known: SGD, Adagrad/);
});

test("SGD's and Adagrad's sparse steps leave the tables bit for bit as their dense steps do", () => {
  const corpus = buildCorpus(stateOfTheUnionWords(4000), 200, 1e-3);
  for (const entry of WORD2VEC_OPTIMIZERS) {
    const tables = (dense: boolean) => {
      const model = new SkipGram(runtime, corpus.vocabulary.length, SMALL, 1);
      const optimizer = (dense ? entry.dense.make : entry.sparse)(model.parameters);
      trainEpoch(model, corpus, () => optimizer.step(), { random: seededRandom(2), dense });
      const values = [model.input.toArray(), model.output.toArray()];
      optimizer.dispose();
      model.dispose();
      return values;
    };
    const [sparse, dense] = [tables(false), tables(true)];
    const same = sparse.every((table, t) => table.every((x, i) => Object.is(x, dense[t][i])));
    expect(same, entry.label).toBe(entry.denseIsSame);
  }
  // Tables that were given sparse gradients are refused for dense steps (their grad would be ignored).
  const model = new SkipGram(runtime, corpus.vocabulary.length, SMALL, 1);
  model.input.setSparseGrad([0], new Float32Array(SMALL.dim));
  expect(() => trainEpoch(model, corpus, () => {}, { random: seededRandom(2), dense: true })).toThrow(
    /dense steps on table 'input', which has a sparse gradient/,
  );
  model.dispose();
});
