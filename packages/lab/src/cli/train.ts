/** `simdopt-lab train`: the digit MLP trained with each optimizer; loss and accuracy curves and a table. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRuntime } from "simdopt";
import { colourOf } from "../classic.js";
import { formatNumber } from "../comparison.js";
import { lineChart } from "../plot/line-chart.js";
import { HELD_OUT_SAMPLES, loadDigits, TRAINING_SAMPLES } from "../train/digits.js";
import { DIGIT_OPTIMIZERS } from "../train/settings.js";
import { STATE_FORMATS, stateComparison } from "../train/states.js";
import { train, type TrainResult } from "../train/train.js";
import { listFlag, numberFlag, type Command } from "./args.js";
import { checkOutputFolder, writePicture, type Picture } from "./output.js";
import { ProgressBar } from "./progress.js";

/** The budget of a comparison. */
export interface TrainRequest {
  optimizers?: string[];
  /** Instead of the optimizers: Adam with its moments stored in each of these formats (float32, bfloat16, 8bit). */
  states?: string[];
  epochs: number;
  trainSize?: number;
  testSize?: number;
  hiddenSize: number;
  batchSize: number;
  out: string;
  png: boolean;
  quiet?: boolean;
}

/** One optimizer's row of the table. */
export interface TrainRow {
  label: string;
  options: Readonly<Record<string, unknown>>;
  finalAccuracy: number;
  /** The mean held-out accuracy of the last epoch's evaluations (less noisy than the final one). */
  lastEpochAccuracy: number;
  finalTestLoss: number;
  medianMsPerEpoch: number;
  medianStepMsPerEpoch: number;
  result: TrainResult;
}

/** Trains with every chosen optimizer, writes the curves, the table (markdown) and the figures (JSON). */
export async function drawTraining(
  request: TrainRequest,
): Promise<{ pictures: Picture[]; rows: TrainRow[]; table: string }> {
  const labels = DIGIT_OPTIMIZERS.map((o) => o.label);
  if (request.states && request.optimizers)
    throw new TypeError("simdopt-lab: --states compares Adam's state formats: drop --optimizers");
  const chosen = request.states
    ? stateComparison(request.states)
    : (request.optimizers ?? labels).map((label) => {
        const found = DIGIT_OPTIMIZERS.find((o) => o.label === label);
        if (!found) throw new TypeError(`simdopt-lab: unknown optimizer '${label}' (known: ${labels.join(", ")})`);
        return found;
      });
  // The state comparison writes files of its own, beside the optimizers' (the gallery draws both).
  const [name, section, titles] = request.states
    ? ["train-states", "Low-bit state", ["Adam's state: training loss", "Adam's state: held-out accuracy"]]
    : ["train", "Training", ["Training loss", "Held-out accuracy"]];
  const data = loadDigits({ train: request.trainSize, test: request.testSize });
  const runtime = await loadRuntime();
  const rows: TrainRow[] = [];
  for (const entry of chosen) {
    const bar = new ProgressBar(`train ${entry.label.padEnd(8)}`, 1, process.stderr, request.quiet);
    const result = train(runtime, data, entry.optimizer, entry.options, {
      epochs: request.epochs,
      hiddenSize: request.hiddenSize,
      batchSize: request.batchSize,
      onBatch: (done, total) => bar.update(done / total),
    });
    bar.finish();
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    rows.push({
      label: entry.label,
      options: entry.options,
      result,
      finalAccuracy: result.testAccuracy.at(-1) ?? NaN,
      lastEpochAccuracy: mean(
        result.testAccuracy.filter((_, k) => result.evalEpochs[k] > Math.max(0, request.epochs - 1)),
      ),
      finalTestLoss: result.testLoss.at(-1) ?? NaN,
      medianMsPerEpoch: median(result.msPerEpoch),
      medianStepMsPerEpoch: median(result.stepMsPerEpoch),
    });
  }
  const shape = `784-${request.hiddenSize}-10 MLP, ${data.train.count} training and ${data.test.count} held-out digits, batch ${request.batchSize}, ${formatNumber(request.epochs)} epoch(s)`;
  const loss = lineChart(
    rows.map((row, k) => ({ label: row.label, colour: colourOf(row.label, k), values: row.result.trainLoss })),
    {
      title: `${titles[0]} (running mean over batches)`,
      subtitle: shape,
      xTitle: "epoch",
      yTitle: "cross-entropy (log scale)",
      xs: rows[0]?.result.lossEpochs,
      // Log scale: after the first epoch the losses differ by factors, not by amounts.
      yLog: true,
      width: 720,
      height: 420,
    },
  );
  const lowest = Math.min(...rows.flatMap((row) => row.result.testAccuracy.slice(1)));
  const accuracy = lineChart(
    rows.map((row, k) => ({
      label: row.label,
      colour: colourOf(row.label, k),
      values: row.result.testAccuracy.slice(1).map((a) => 100 * a),
    })),
    {
      title: titles[1],
      subtitle: shape,
      xTitle: "epoch",
      yTitle: "accuracy (%)",
      xs: rows[0]?.result.evalEpochs.slice(1),
      yDomain: [Math.max(0, Math.floor(100 * lowest) - 1), 100],
      width: 720,
      height: 420,
    },
  );
  // The state comparison shows each format's distance from float32, at the final evaluation and over
  // the last epoch's evaluations (one evaluation moves by a few digits of 1505 from the next).
  const float32 = request.states ? rows.find((row) => !("state" in row.options)) : undefined;
  const against = (row: TrainRow) =>
    float32
      ? ` ${formatSigned(100 * (row.finalAccuracy - float32.finalAccuracy))} points | ${(100 * row.lastEpochAccuracy).toFixed(2)}% | ${formatSigned(100 * (row.lastEpochAccuracy - float32.lastEpochAccuracy))} points |`
      : "";
  const table = [
    `${shape}.`,
    "",
    `| optimizer | options | held-out accuracy |${float32 ? " against float32 | last epoch's mean | against float32 |" : ""} held-out loss | time per epoch (median) | of which optimizer steps |`,
    `|---|---|---:|${float32 ? "---:|---:|---:|" : ""}---:|---:|---:|`,
    ...rows.map(
      (row) =>
        `| ${row.label} | \`${JSON.stringify(row.options)}\` | ${(100 * row.finalAccuracy).toFixed(2)}% |${against(row)} ${row.finalTestLoss.toFixed(4)} | ${(row.medianMsPerEpoch / 1000).toFixed(2)} s | ${row.medianStepMsPerEpoch.toFixed(1)} ms |`,
    ),
  ].join("\n");
  mkdirSync(request.out, { recursive: true });
  writeFileSync(join(request.out, `${name}-results.md`), `${table}\n`);
  writeFileSync(join(request.out, `${name}-results.json`), `${JSON.stringify({ shape, rows }, null, 1)}\n`);
  const pictures = [
    writePicture(request.out, `${name}-loss`, loss, request.png, { section, title: "Training loss" }),
    writePicture(request.out, `${name}-accuracy`, accuracy, request.png, { section, title: "Held-out accuracy" }),
  ];
  return { pictures, rows, table };
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** "+0.07", "−0.13", "0.00". */
function formatSigned(value: number): string {
  const text = Math.abs(value).toFixed(2);
  return text === "0.00" ? text : `${value > 0 ? "+" : "−"}${text}`;
}

/** The most hidden units the command takes (a larger MLP would not fit the lab's memory or time). */
export const MAX_HIDDEN = 4096;

/**
 * The budget flags of a training run (`train`, `gallery`), each checked against what the run can
 * do before any work, so that a refusal names the flag: at least one batch, sizes the data has.
 */
export function trainingFlags(values: Record<string, string | boolean | undefined>, defaultEpochs: number) {
  const whole = (n: number) => Number.isInteger(n) && n >= 1;
  const epochs = numberFlag("epochs", values.epochs, (n) => n > 0 && n <= 1000) ?? defaultEpochs;
  const trainSize = numberFlag("train-size", values["train-size"], (n) => whole(n) && n <= TRAINING_SAMPLES);
  const testSize = numberFlag("test-size", values["test-size"], (n) => whole(n) && n <= HELD_OUT_SAMPLES);
  const hiddenSize = numberFlag("hidden", values.hidden, (n) => whole(n) && n <= MAX_HIDDEN) ?? 128;
  const batchSize = numberFlag("batch", values.batch, whole) ?? 64;
  const batchesPerEpoch = Math.ceil((trainSize ?? TRAINING_SAMPLES) / batchSize);
  if (Math.round(epochs * batchesPerEpoch) < 1) {
    throw new RangeError(
      `simdopt-lab: --epochs ${values.epochs} is less than one batch (${batchesPerEpoch} batches an epoch: at least ${formatNumber(0.5 / batchesPerEpoch)})`,
    );
  }
  return { epochs, trainSize, testSize, hiddenSize, batchSize };
}

/** The `train` command: flags, help and what it runs. */
export const trainCommand: Command = {
  name: "train",
  summary:
    "Trains a multilayer perceptron (784 → hidden ReLU → 10 softmax) on the handwritten digits shipped by the\n" +
    "mnist package with each optimizer for a fixed budget (same initial weights and batches for all), and draws\n" +
    "training-loss and held-out-accuracy curves, with a table of final accuracy and time per epoch.\n" +
    `Optimizers: ${DIGIT_OPTIMIZERS.map((o) => o.label).join(", ")}.`,
  flags: {
    optimizers: { type: "string", help: "optimizer labels, comma-separated (default: all)" },
    states: {
      type: "string",
      help: `instead: Adam with its state in each format, comma-separated (${STATE_FORMATS.join(", ")})`,
    },
    epochs: { type: "string", help: "epochs (fractions allowed)", default: "3" },
    "train-size": { type: "string", help: "training samples (default: all 8495)" },
    "test-size": { type: "string", help: "held-out samples (default: all 1505)" },
    hidden: { type: "string", help: `hidden units (1 to ${MAX_HIDDEN})`, default: "128" },
    batch: { type: "string", help: "batch size", default: "64" },
    out: { type: "string", help: "output folder", default: "lab-output" },
    png: { type: "boolean", help: "also write PNGs" },
  },
  async run(values) {
    const budget = trainingFlags(values, 3);
    const states = listFlag(values.states);
    for (const [k, format] of (states ?? []).entries())
      if (!(STATE_FORMATS as readonly string[]).includes(format) || states?.indexOf(format) !== k)
        throw new TypeError(
          `simdopt-lab: --states takes each of ${STATE_FORMATS.join(", ")} at most once, got '${String(values.states)}'`,
        );
    const { pictures, table } = await drawTraining({
      optimizers: listFlag(values.optimizers),
      states,
      ...budget,
      out: checkOutputFolder("out", String(values.out)),
      png: values.png === true,
    });
    console.log(table);
    for (const picture of pictures) console.log(`${String(values.out)}/${picture.png ?? picture.svg}`);
  },
};
