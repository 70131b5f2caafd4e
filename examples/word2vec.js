// word2vec (skip-gram with negative sampling, Mikolov et al., 2013) trained with simdopt's sparse
// gradients: each batch touches a few rows of the two embedding tables, and `setSparseGrad` hands
// the optimizer just those rows (a row given several times is summed). The corpus is real English
// text that an npm package ships: the documentation comments of TypeScript's lib.dom.d.ts (the
// compiler this repository builds with). Compares SGD, Adagrad, SparseAdam, LazyAdam and FTRL on
// the loss, shows a few nearest neighbours, and times SparseAdam's sparse step against dense Adam's
// step of the same gradients written densely.
//
//     node examples/word2vec.js [--vocab 3000] [--dim 32] [--epochs 3] [--max-words 200000]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { Adagrad, Adam, Ftrl, LazyAdam, loadRuntime, SGD, SparseAdam } from "simdopt";

const { values: flags } = parseArgs({
  options: {
    vocab: { type: "string", default: "3000" },
    dim: { type: "string", default: "32" },
    epochs: { type: "string", default: "3" },
    "max-words": { type: "string", default: "200000" },
  },
});
const VOCAB = Number(flags.vocab);
const DIM = Number(flags.dim);
const EPOCHS = Number(flags.epochs);
const WINDOW = 2;
const NEGATIVES = 5;
const BATCH = 128; // centre words per step

/** mulberry32: the same corpus order, negatives and initial weights on every run. Uniform in [0, 1). */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The corpus: the prose of every /** ... */ comment, links and tags left out, in lower-case words.
const source = readFileSync(createRequire(import.meta.url).resolve("typescript/lib/lib.dom.d.ts"), "utf8");
const words = [];
for (const [, comment] of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
  const prose = comment.replace(/\[MDN Reference\]\([^)]*\)/g, " ").replace(/^\s*\*?\s*@.*$/gm, " ");
  for (const word of prose.toLowerCase().match(/[a-z]+/g) ?? []) if (word.length > 1) words.push(word);
  if (words.length >= Number(flags["max-words"])) break;
}
const counts = new Map();
for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
const vocabulary = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, VOCAB);
const index = new Map(vocabulary.map(([word], i) => [word, i]));
const corpus = Int32Array.from(words.filter((word) => index.has(word)).map((word) => index.get(word)));
// Negatives are drawn from the unigram distribution to the power 3/4, as word2vec draws them.
const table = [];
vocabulary.forEach(([, count], i) => {
  for (let k = 0; k < Math.ceil(count ** 0.75 / 4); k++) table.push(i);
});
console.log(`corpus: ${words.length} words, ${corpus.length} in a vocabulary of ${vocabulary.length}`);

const sigmoid = (x) => 1 / (1 + Math.exp(-x));
/** log σ(x), without overflow for large |x|. */
const logSigmoid = (x) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
const dot = (a, i, b, j) => {
  let s = 0;
  for (let d = 0; d < DIM; d++) s += a[i * DIM + d] * b[j * DIM + d];
  return s;
};

/**
 * One epoch over the corpus, a step per batch of centre words. Each step's gradients go to the
 * tables as sparse gradients (rows with repeats); `dense` instead writes them densely and steps
 * `denseStep`. Returns the mean loss per pair and the milliseconds spent in the optimizer's steps.
 */
function epoch(input, output, step, next, dense = false) {
  let loss = 0;
  let pairs = 0;
  let stepMs = 0;
  for (let start = 0; start < corpus.length; start += BATCH) {
    const inRows = [];
    const inValues = [];
    const outRows = [];
    const outValues = [];
    const v = input.data;
    const u = output.data;
    for (let c = start; c < Math.min(start + BATCH, corpus.length); c++) {
      const centre = corpus[c];
      for (let o = Math.max(0, c - WINDOW); o <= Math.min(corpus.length - 1, c + WINDOW); o++) {
        if (o === c) continue;
        const gradCentre = new Float64Array(DIM);
        for (let k = 0; k <= NEGATIVES; k++) {
          const target = k === 0 ? corpus[o] : table[Math.floor(next() * table.length)];
          const label = k === 0 ? 1 : 0;
          const x = dot(u, target, v, centre);
          const score = sigmoid(x);
          loss -= logSigmoid(label === 1 ? x : -x);
          const g = score - label; // ∂loss/∂(u·v)
          outRows.push(target);
          for (let d = 0; d < DIM; d++) {
            outValues.push(g * v[centre * DIM + d]);
            gradCentre[d] += g * u[target * DIM + d];
          }
        }
        inRows.push(centre);
        inValues.push(...gradCentre);
        pairs++;
      }
    }
    if (dense) {
      for (const [table, rows, values] of [
        [input, inRows, inValues],
        [output, outRows, outValues],
      ]) {
        const grad = table.grad;
        grad.fill(0);
        rows.forEach((row, j) => {
          for (let d = 0; d < DIM; d++) grad[row * DIM + d] += values[j * DIM + d];
        });
      }
    } else {
      input.setSparseGrad(inRows, inValues);
      output.setSparseGrad(outRows, outValues);
    }
    const started = performance.now();
    step();
    stepMs += performance.now() - started;
  }
  return { loss: loss / pairs, stepMs };
}

const optimizers = {
  // A batch sums the gradients of every pair: a frequent word's row gets hundreds, so SGD's rate is small.
  SGD: (params) => new SGD(params, { lr: 0.005 }),
  Adagrad: (params) => new Adagrad(params, { lr: 0.1 }),
  SparseAdam: (params) => new SparseAdam(params, { lr: 0.01 }),
  LazyAdam: (params) => new LazyAdam(params, { learningRate: 0.01 }),
  FTRL: (params) => new Ftrl(params, { learningRate: 0.2 }),
};

const rt = await loadRuntime({ threads: 1 });
function tables(seed) {
  const next = random(seed);
  const shape = [vocabulary.length, DIM];
  const input = rt.parameter(
    Float32Array.from({ length: vocabulary.length * DIM }, () => (next() - 0.5) / DIM),
    { name: "input", shape },
  );
  const output = rt.parameter(vocabulary.length * DIM, { name: "output", shape });
  return { input, output };
}

const trained = {};
for (const [name, make] of Object.entries(optimizers)) {
  const { input, output } = tables(1);
  const optimizer = make([input, output]);
  const next = random(2);
  const losses = [];
  let ms = 0;
  for (let e = 0; e < EPOCHS; e++) {
    const { loss, stepMs } = epoch(input, output, () => optimizer.step(), next);
    losses.push(loss);
    ms += stepMs;
  }
  console.log(
    `${name}: loss ${losses.map((l) => l.toFixed(4)).join(" -> ")}, optimizer steps ${(ms / EPOCHS).toFixed(1)} ms per epoch`,
  );
  trained[name] = input;
}

// The dense step of the same gradients: Adam over both tables, every row, at every step.
{
  const { input, output } = tables(1);
  const adam = new Adam([input, output], { lr: 0.01 });
  const { stepMs: denseMs } = epoch(input, output, () => adam.step(), random(2), true);
  const sparse = tables(1);
  const sparseAdam = new SparseAdam([sparse.input, sparse.output], { lr: 0.01 });
  const { stepMs: sparseMs } = epoch(sparse.input, sparse.output, () => sparseAdam.step(), random(2));
  console.log(
    `one epoch of optimizer steps: dense Adam ${denseMs.toFixed(1)} ms, SparseAdam ${sparseMs.toFixed(1)} ms, ` +
      `sparse speed-up: ${(denseMs / sparseMs).toFixed(1)}`,
  );
}

// Nearest neighbours by cosine similarity in the input table, after SparseAdam.
const vectors = trained.SparseAdam.data;
const norms = Array.from({ length: vocabulary.length }, (_, i) => Math.sqrt(dot(vectors, i, vectors, i)) || 1);
for (const probe of ["audio", "width", "element", "event", "true"]) {
  if (!index.has(probe)) continue;
  const p = index.get(probe);
  const nearest = vocabulary
    .map(([word], i) => [word, dot(vectors, p, vectors, i) / (norms[p] * norms[i])])
    .filter(([word]) => word !== probe)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([word]) => word);
  console.log(`nearest to '${probe}': ${nearest.join(", ")}`);
}
