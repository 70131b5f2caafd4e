/**
 * Skip-gram with negative sampling (word2vec; Mikolov et al., 2013, https://arxiv.org/abs/1310.4546):
 * each word of the text predicts the words within `window` of it against `negatives` words drawn
 * from the unigram^¾ table. Two tables of [vocabulary, dim], the input (word) vectors and the output
 * (context) vectors; a step's gradient touches only the rows of the words in its batch, and goes to
 * the optimizer as a row-sparse gradient (`setSparseGrad`, a row listed several times is summed),
 * or, for comparison, written densely into the tables' whole gradients.
 */
import type { Parameter, Runtime } from "simdopt";
import { seededRandom } from "../random.js";
import type { Corpus } from "./corpus.js";

/** The model's sizes. */
export interface SkipGramShape {
  /** Elements of a word vector. */
  readonly dim: number;
  /** Context words on each side of a centre word. */
  readonly window: number;
  /** Negatives drawn for each (centre, context) pair. */
  readonly negatives: number;
  /** Centre words per optimizer step. */
  readonly batch: number;
}

export const SKIP_GRAM: SkipGramShape = { dim: 32, window: 2, negatives: 5, batch: 128 };

/** The two tables, and the scratch a batch's sparse gradients are built in. */
export class SkipGram {
  readonly input: Parameter;
  readonly output: Parameter;
  readonly inRows: Int32Array;
  readonly inValues: Float32Array;
  readonly outRows: Int32Array;
  readonly outValues: Float32Array;

  /** Input vectors uniform in ±0.5/dim from `seed`, output vectors 0 (as word2vec starts them). */
  constructor(
    runtime: Runtime,
    readonly rows: number,
    readonly shape: SkipGramShape = SKIP_GRAM,
    seed = 1,
  ) {
    const { dim, window, negatives, batch } = shape;
    const next = seededRandom(seed);
    const tableShape = [rows, dim];
    this.input = runtime.parameter(
      Float32Array.from({ length: rows * dim }, () => (next() - 0.5) / dim),
      { name: "input", shape: tableShape },
    );
    this.output = runtime.parameter(rows * dim, { name: "output", shape: tableShape });
    const pairs = batch * 2 * window;
    this.inRows = new Int32Array(pairs);
    this.inValues = new Float32Array(pairs * dim);
    this.outRows = new Int32Array(pairs * (1 + negatives));
    this.outValues = new Float32Array(pairs * (1 + negatives) * dim);
  }

  get parameters(): Parameter[] {
    return [this.input, this.output];
  }

  dispose(): void {
    this.input.dispose();
    this.output.dispose();
  }
}

/** How an epoch runs. */
export interface EpochOptions {
  /** Draws the negatives (the same seed, the same negatives). */
  random: () => number;
  /** Writes each step's gradients densely into the tables' gradients instead of as sparse ones. */
  dense?: boolean;
  /** Points of the loss curve per epoch (default 20). */
  points?: number;
}

/** What an epoch recorded. */
export interface EpochResult {
  /** Mean loss per (centre, context) pair over the epoch: −log σ(u·v) − Σ log σ(−u'·v) over the negatives. */
  loss: number;
  /** The mean loss over each successive `points`-th of the epoch's batches. */
  losses: number[];
  /** Milliseconds of the epoch, and of them in the optimizer's steps. */
  ms: number;
  stepMs: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** log σ(x), without overflow for large |x|. */
const logSigmoid = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));

/** One pass over `corpus`, a step (`step()`) per batch of centre words. */
export function trainEpoch(model: SkipGram, corpus: Corpus, step: () => void, options: EpochOptions): EpochResult {
  const { dim, window, negatives, batch } = model.shape;
  const { ids, negatives: table } = corpus;
  const { random, dense = false, points = 20 } = options;
  // Writing into `grad` does not make a sparse gradient dense again: dense steps need fresh tables.
  const sparse = model.parameters.find((param) => param.sparseGrad !== undefined);
  if (dense && sparse !== undefined)
    throw new TypeError(`simdopt-lab: dense steps on table '${sparse.name}', which has a sparse gradient`);
  const n = ids.length;
  const batches = Math.ceil(n / batch);
  const every = Math.max(1, Math.floor(batches / points));
  const gradCentre = new Float64Array(dim);
  const result: EpochResult = { loss: 0, losses: [], ms: 0, stepMs: 0 };
  let windowLoss = 0;
  let windowPairs = 0;
  let pairsInEpoch = 0;
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    // Views of Wasm memory: taken again each batch, since a step may grow the memory.
    const v = model.input.data;
    const u = model.output.data;
    let ins = 0;
    let outs = 0;
    let loss = 0;
    const end = Math.min((b + 1) * batch, n);
    for (let c = b * batch; c < end; c++) {
      const centre = ids[c] * dim;
      for (let o = Math.max(0, c - window); o <= Math.min(n - 1, c + window); o++) {
        if (o === c) continue;
        gradCentre.fill(0);
        for (let k = 0; k <= negatives; k++) {
          const target = k === 0 ? ids[o] : table[Math.floor(random() * table.length)];
          const at = target * dim;
          let x = 0;
          for (let d = 0; d < dim; d++) x += u[at + d] * v[centre + d];
          loss -= logSigmoid(k === 0 ? x : -x);
          const g = sigmoid(x) - (k === 0 ? 1 : 0); // ∂loss/∂(u·v)
          model.outRows[outs] = target;
          const row = outs * dim;
          for (let d = 0; d < dim; d++) {
            model.outValues[row + d] = g * v[centre + d];
            gradCentre[d] += g * u[at + d];
          }
          outs++;
        }
        model.inRows[ins] = ids[c];
        model.inValues.set(gradCentre, ins * dim);
        ins++;
      }
    }
    const parts: [Parameter, Int32Array, Float32Array, number][] = [
      [model.input, model.inRows, model.inValues, ins],
      [model.output, model.outRows, model.outValues, outs],
    ];
    for (const [param, rows, values, count] of parts) {
      if (dense) scatterAdd(param.grad, rows, values, count, dim);
      else param.setSparseGrad(rows.subarray(0, count), values.subarray(0, count * dim));
    }
    const stepping = performance.now();
    step();
    result.stepMs += performance.now() - stepping;
    result.loss += loss;
    pairsInEpoch += ins;
    windowLoss += loss;
    windowPairs += ins;
    if ((b + 1) % every === 0 || b + 1 === batches) {
      if (windowPairs > 0) result.losses.push(windowLoss / windowPairs);
      windowLoss = 0;
      windowPairs = 0;
    }
  }
  result.ms = performance.now() - started;
  result.loss /= Math.max(1, pairsInEpoch);
  return result;
}

/**
 * The dense gradient of `count` listed rows: zeros, plus each listed row's values in the order
 * given, summed in float32 (as `setSparseGrad` sums a row listed several times).
 */
function scatterAdd(
  grad: Float32Array | Float64Array,
  rows: Int32Array,
  values: Float32Array,
  count: number,
  dim: number,
) {
  grad.fill(0);
  for (let j = 0; j < count; j++) {
    const at = rows[j] * dim;
    for (let d = 0; d < dim; d++) grad[at + d] += values[j * dim + d];
  }
}

/** The `count` rows of `vectors` ([rows, dim]) nearest to row `word` by cosine similarity, nearest first. */
export function nearest(vectors: ArrayLike<number>, dim: number, word: number, count: number): number[] {
  const rows = Math.floor(vectors.length / dim);
  const norm = (r: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[r * dim + d] ** 2;
    return Math.sqrt(s) || 1;
  };
  const own = norm(word);
  const scored: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    if (r === word) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[r * dim + d] * vectors[word * dim + d];
    scored.push([r, s / (own * norm(r))]);
  }
  return scored
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, count)
    .map(([r]) => r);
}
