/** `simdopt-lab lstm`: the character-level LSTM trained with each optimizer; loss curves, a table and samples. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRuntime } from "simdopt";
import { CLASSIC_LABELS, colourOf, PALETTE } from "../classic.js";
import { formatNumber } from "../comparison.js";
import { LSTM_OPTIMIZERS, type LstmOptimizer } from "../lstm/settings.js";
import { loadText } from "../lstm/text.js";
import { batchesPerEpoch, type LstmTrainResult, trainLstm } from "../lstm/train.js";
import { lineChart } from "../plot/line-chart.js";
import { listFlag, numberFlag, type Command } from "./args.js";
import { checkOutputFolder, writePicture, type Picture } from "./output.js";
import { ProgressBar } from "./progress.js";

/** The budget of a comparison. */
export interface LstmRequest {
  optimizers?: string[];
  epochs: number;
  hiddenSize: number;
  streams: number;
  steps: number;
  out: string;
  png: boolean;
  quiet?: boolean;
}

/** One entry's row of the table. */
export interface LstmRow {
  label: string;
  parts: LstmOptimizer["parts"];
  finalTrainLoss: number;
  finalHeldOutLoss: number;
  medianMsPerEpoch: number;
  medianStepMsPerEpoch: number;
  result: LstmTrainResult;
}

/** What the command wrote: the picture, the table (markdown) and the sampled text of each entry. */
export interface LstmDrawing {
  pictures: Picture[];
  rows: LstmRow[];
  table: string;
  samples: string;
}

/** The most hidden units the command takes (the passes are plain TypeScript: larger would take hours). */
export const MAX_LSTM_HIDDEN = 1024;

/** Trains with every chosen entry, writes the curves, the table and samples (markdown) and the figures (JSON). */
export async function drawLstm(request: LstmRequest): Promise<LstmDrawing> {
  const labels = LSTM_OPTIMIZERS.map((o) => o.label);
  const chosen = (request.optimizers ?? labels).map((label) => {
    const found = LSTM_OPTIMIZERS.find((o) => o.label === label);
    if (!found) throw new TypeError(`simdopt-lab: unknown optimizer '${label}' (known: ${labels.join(", ")})`);
    return found;
  });
  const text = loadText();
  const runtime = await loadRuntime();
  const rows: LstmRow[] = [];
  for (const entry of chosen) {
    const bar = new ProgressBar(`lstm ${entry.label.padEnd(17)}`, 1, process.stderr, request.quiet);
    const result = trainLstm(runtime, text, entry, {
      epochs: request.epochs,
      hiddenSize: request.hiddenSize,
      streams: request.streams,
      steps: request.steps,
      onBatch: (done, total) => bar.update(done / total),
    });
    bar.finish();
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    rows.push({
      label: entry.label,
      parts: entry.parts,
      result,
      finalTrainLoss: result.trainLoss.at(-1) ?? NaN,
      finalHeldOutLoss: result.heldOutLoss.at(-1) ?? NaN,
      medianMsPerEpoch: median(result.msPerEpoch),
      medianStepMsPerEpoch: median(result.stepMsPerEpoch),
    });
  }
  const shape = `LSTM of ${request.hiddenSize} units, ${text.alphabet.length} characters; ${text.train.length} training and ${text.heldOut.length} held-out characters of Coriolanus; batch ${request.streams} × ${request.steps}; ${formatNumber(request.epochs)} epoch(s)`;
  const colours = distinctColours(rows.map((row) => row.label));
  const loss = lineChart(
    rows.flatMap((row, k) => [
      {
        label: `${row.label} (training)`,
        colour: colours[k],
        values: row.result.trainLoss,
        xs: row.result.lossEpochs,
      },
      {
        label: `${row.label} (held out)`,
        colour: colours[k],
        values: row.result.heldOutLoss,
        xs: row.result.evalEpochs,
        dash: "6 4",
      },
    ]),
    {
      title: "Loss of a character-level LSTM (solid: training, dashed: held out)",
      subtitle: shape,
      xTitle: "epoch",
      yTitle: "cross-entropy (nats per character, log scale)",
      xs: rows[0]?.result.evalEpochs, // from 0, where the held-out curves start
      yLog: true,
      width: 820,
      height: 480,
    },
  );
  const table = [
    `${shape}.`,
    "",
    "| optimizer | options | training loss | held-out loss | time per epoch (median) | of which optimizer steps |",
    "|---|---|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.label} | \`${describe(row.parts)}\` | ${row.finalTrainLoss.toFixed(3)} | ${row.finalHeldOutLoss.toFixed(3)} | ${(row.medianMsPerEpoch / 1000).toFixed(2)} s | ${row.medianStepMsPerEpoch.toFixed(1)} ms |`,
    ),
  ].join("\n");
  const prompt = rows[0]?.result.sample.prompt ?? "";
  const samples = [
    `Sampled at temperature 0.7 after the held-out text's first ${prompt.length} characters (${JSON.stringify(prompt)}):`,
    "",
    ...rows.flatMap((row) => [`${row.label}:`, "", "```text", row.result.sample.text, "```", ""]),
  ].join("\n");
  mkdirSync(request.out, { recursive: true });
  writeFileSync(join(request.out, "lstm-results.md"), `${table}\n\n${samples}\n`);
  writeFileSync(join(request.out, "lstm-results.json"), `${JSON.stringify({ shape, rows }, null, 1)}\n`);
  const pictures = [
    writePicture(request.out, "lstm-loss", loss, request.png, {
      section: "Language model",
      title: "Training and held-out loss",
    }),
  ];
  return { pictures, rows, table, samples };
}

/** "sgd {lr: 1}", or each part with the parameters it steps. */
function describe(parts: LstmOptimizer["parts"]): string {
  return parts
    .map(
      (part) =>
        `${part.optimizer} ${JSON.stringify(part.options)}${part.params === "all" ? "" : ` on the ${part.params}`}`,
    )
    .join(" + ");
}

/** The classic labels' own colours, and for the others the palette's colours that no label drawn uses. */
function distinctColours(labels: readonly string[]): string[] {
  const classic = (label: string) => (CLASSIC_LABELS as readonly string[]).includes(label);
  const taken = new Set(labels.filter(classic).map((label) => colourOf(label)));
  const free = PALETTE.filter((colour) => !taken.has(colour));
  let next = 0;
  return labels.map((label) => (classic(label) ? colourOf(label) : free[next++ % free.length]));
}

/** The budget flags of an LSTM run (`lstm`, `gallery`), each checked before any work so that a refusal names the flag. */
export function lstmFlags(
  values: Record<string, string | boolean | undefined>,
  defaultEpochs: number,
  epochsFlag = "epochs",
) {
  const whole = (n: number) => Number.isInteger(n) && n >= 1;
  const epochs = numberFlag(epochsFlag, values[epochsFlag], (n) => n > 0 && n <= 1000) ?? defaultEpochs;
  const hiddenSize = numberFlag("hidden", values.hidden, (n) => whole(n) && n <= MAX_LSTM_HIDDEN) ?? 64;
  const streams = numberFlag("streams", values.streams, (n) => whole(n) && n <= 1024) ?? 8;
  const steps = numberFlag("steps", values.steps, (n) => whole(n) && n <= 1024) ?? 32;
  const perEpoch = batchesPerEpoch(loadText().train.length, streams, steps);
  if (Math.round(epochs * perEpoch) < 1) {
    throw new RangeError(
      `simdopt-lab: --${epochsFlag} ${epochs} with --streams ${streams} and --steps ${steps} is less than one batch (${perEpoch} batches an epoch)`,
    );
  }
  return { epochs, hiddenSize, streams, steps };
}

/** The `lstm` command: flags, help and what it runs. */
export const lstmCommand: Command = {
  name: "lstm",
  summary:
    "Trains a one-layer character-level LSTM language model on the opening of Shakespeare's Coriolanus (shipped\n" +
    "with the lab) with each optimizer (same initial weights and batches for all), and draws the training and\n" +
    "held-out loss, with a table of final losses and time per epoch, and text sampled from each model.\n" +
    `Optimizers: ${LSTM_OPTIMIZERS.map((o) => o.label).join(", ")}.`,
  flags: {
    optimizers: { type: "string", help: "optimizer labels, comma-separated (default: all)" },
    epochs: { type: "string", help: "epochs (fractions allowed)", default: "2" },
    hidden: { type: "string", help: `hidden units (1 to ${MAX_LSTM_HIDDEN})`, default: "64" },
    streams: { type: "string", help: "text streams read side by side (the batch)", default: "8" },
    steps: { type: "string", help: "characters per stream and batch (backpropagation's horizon)", default: "32" },
    out: { type: "string", help: "output folder", default: "lab-output" },
    png: { type: "boolean", help: "also write PNGs" },
  },
  async run(values) {
    const budget = lstmFlags(values, 2);
    const optimizers = listFlag(values.optimizers);
    const known = LSTM_OPTIMIZERS.map((o) => o.label);
    for (const label of optimizers ?? [])
      if (!known.includes(label))
        throw new TypeError(`simdopt-lab: --optimizers: unknown optimizer '${label}' (known: ${known.join(", ")})`);
    const { pictures, table } = await drawLstm({
      optimizers,
      ...budget,
      out: checkOutputFolder("out", String(values.out)),
      png: values.png === true,
    });
    console.log(table);
    for (const picture of pictures) console.log(`${String(values.out)}/${picture.png ?? picture.svg}`);
  },
};
