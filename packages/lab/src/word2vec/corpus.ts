/**
 * A text as skip-gram trains on it: a vocabulary of its most frequent words, the text as their
 * indices (other words left out), and the table negatives are drawn from.
 */
import { seededRandom } from "../random.js";

/** A text ready for training. */
export interface Corpus {
  /** The vocabulary, most frequent first (ties in alphabetical order); a word's index is its row. */
  readonly vocabulary: readonly string[];
  /** How often each vocabulary word occurs in the text (before subsampling). */
  readonly counts: readonly number[];
  /** The text as vocabulary indices (after subsampling). */
  readonly ids: Int32Array;
  /** Negatives are drawn uniformly from this table: word i fills ⌈countᵢ^¾ / 4⌉ entries (word2vec's unigram^¾). */
  readonly negatives: Int32Array;
  /** Index of each vocabulary word. */
  readonly index: ReadonlyMap<string, number>;
}

/**
 * The corpus of `words` over its `vocabularySize` most frequent words. With `subsample` t > 0, each
 * occurrence of a word of frequency f is kept with probability (√(f/t) + 1)·t/f, word2vec's
 * subsampling of frequent words ("the", "of" mostly leave), drawn once from `seed`.
 */
export function buildCorpus(words: readonly string[], vocabularySize: number, subsample = 0, seed = 3): Corpus {
  if (!Number.isInteger(vocabularySize) || vocabularySize < 2)
    throw new RangeError(`simdopt-lab: vocabularySize must be a whole number ≥ 2, got ${vocabularySize}`);
  const counted = new Map<string, number>();
  for (const word of words) counted.set(word, (counted.get(word) ?? 0) + 1);
  const ranked = [...counted].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, vocabularySize);
  if (ranked.length < 2) throw new RangeError(`simdopt-lab: the text has ${ranked.length} distinct word(s), 2 needed`);
  const index = new Map(ranked.map(([word], i) => [word, i]));
  if (!(subsample >= 0)) throw new RangeError(`simdopt-lab: subsample must be ≥ 0, got ${subsample}`);
  const random = seededRandom(seed);
  const kept: number[] = [];
  for (const word of words) {
    const id = index.get(word);
    if (id === undefined) continue;
    const f = ranked[id][1] / words.length;
    if (subsample > 0 && random() >= (Math.sqrt(f / subsample) + 1) * (subsample / f)) continue;
    kept.push(id);
  }
  const ids = Int32Array.from(kept);
  const negatives: number[] = [];
  ranked.forEach(([, count], i) => {
    for (let k = 0; k < Math.ceil(count ** 0.75 / 4); k++) negatives.push(i);
  });
  return {
    vocabulary: ranked.map(([word]) => word),
    counts: ranked.map(([, count]) => count),
    ids,
    negatives: Int32Array.from(negatives),
    index,
  };
}
