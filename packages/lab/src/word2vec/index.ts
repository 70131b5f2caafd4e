/**
 * `@simdopt/lab/word2vec`: skip-gram with negative sampling trained with simdopt's row-sparse
 * gradients, on the State of the Union addresses (Node: the text is read from an installed package).
 */
export { stateOfTheUnionWords, wordsOf } from "./text.js";
export { buildCorpus, type Corpus } from "./corpus.js";
export {
  nearest,
  SKIP_GRAM,
  SkipGram,
  trainEpoch,
  type EpochOptions,
  type EpochResult,
  type SkipGramShape,
} from "./skipgram.js";
export { WORD2VEC_OPTIMIZERS, word2vecOptimizers, type Stepper, type Word2vecOptimizer } from "./optimizers.js";
export { compareWord2vec, DEFAULT_PROBES, type Word2vecRequest, type Word2vecRow } from "./compare.js";
